"""An attempt survives the process being killed, and a finished attempt gives the right result."""

from __future__ import annotations

import json
import queue
import random
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from conftest import MINI
from helpers_packs import add_mixed_module, copy_pack
from socialsafe.content.loader import load_pack
from socialsafe.content.model import Pack, QuestionType
from socialsafe.domain import quiz
from socialsafe.storage.store import Store
from socialsafe.training import Asked, QuizRun

# The child answers the first question rightly (every step of it, for a scenario),
# or only the scenario's first step when told to stop part-way, then says so and waits to be killed.
CHILD = """
import json, random, sys, time
from pathlib import Path
from socialsafe.content.loader import load_pack
from socialsafe.storage.store import Store
from socialsafe.training import QuizRun

folder, pack_dir, module_id, seed, part_way = sys.argv[1:6]
store = Store(Path(folder) / "socialsafe.db")
learner = store.add_learner("Amina Okafor", "teacher", "Oak Hill Primary")
pack = load_pack(Path(pack_dir))
module = pack.module(module_id)
run = QuizRun.begin(store, learner, pack, module, random.Random(int(seed)))
first = run.current()
while True:
    asked = run.current()
    if asked is None or asked.number != 1:
        break
    run.answer([o.id for o in asked.options if o.correct])
    if part_way == "1":
        break
print(json.dumps({"learner": learner.id, "attempt": run.attempt.id, "first": first.question.id}), flush=True)
time.sleep(120)
"""


def _first_line(proc: subprocess.Popen[str], timeout: float) -> str:
    """The child's first line of output, or a failure with what it wrote to stderr."""
    lines: queue.Queue[str] = queue.Queue()
    assert proc.stdout is not None
    stdout = proc.stdout
    threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
    try:
        line = lines.get(timeout=timeout)
    except queue.Empty:
        line = ""
    if not line:
        proc.kill()
        _, err = proc.communicate()
        pytest.fail(f"the child process gave no marker line; stderr:\n{err}")
    return line


def _run_and_kill(folder: Path, module_id: str, seed: int, part_way: bool = False) -> dict[str, str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(folder), str(MINI), module_id, str(seed), "1" if part_way else "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        marker = json.loads(_first_line(proc, timeout=60))
        assert proc.poll() is None, "the child must still be running when it is killed"
        proc.kill()  # SIGKILL on POSIX: no clean-up, no atexit, no close
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode != 0
    assert "Traceback" not in err
    return dict(marker)


def _integrity(path: Path) -> str:
    connection = sqlite3.connect(path)
    try:
        return str(connection.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        connection.close()


def _seed_where_first_is(pack: Pack, module_id: str, question_type: QuestionType) -> int:
    module = pack.module(module_id)
    by_id = {q.id: q for q in module.questions}
    return next(
        seed
        for seed in range(1000)
        if by_id[quiz.draw(module.questions, module.draw, random.Random(seed))[0].question_id].type is question_type
    )


@pytest.mark.parametrize("first_type", [QuestionType.SINGLE, QuestionType.SCENARIO], ids=["single", "scenario"])
def test_after_a_kill_the_attempt_resumes_at_question_two_with_the_answer_kept(
    data_dir: Path, mini_pack: Pack, first_type: QuestionType
) -> None:
    seed = _seed_where_first_is(mini_pack, "friend-requests", first_type)

    marker = _run_and_kill(data_dir, "friend-requests", seed)

    path = data_dir / "socialsafe.db"
    assert _integrity(path) == "ok"
    store = Store(path)
    try:
        module = mini_pack.module("friend-requests")
        learner = store.learner(marker["learner"])
        assert learner is not None
        run = QuizRun.begin(store, learner, mini_pack, module, random.Random(999))
        assert run.attempt.id == marker["attempt"]
        assert len(store.attempts(marker["learner"])) == 1
        asked = run.current()
        assert asked is not None
        assert asked.number == 2
        assert asked.question.id != marker["first"]
        answers = store.answers(run.attempt.id)
        assert {a.question_id for a in answers} == {marker["first"]}
        assert all(a.correct for a in answers)
        where = run.position()
        assert (where.index, where.score, where.missed) == (1, 1, [])
    finally:
        store.close()


def test_after_a_kill_mid_scenario_the_attempt_resumes_at_the_next_step(data_dir: Path, mini_pack: Pack) -> None:
    seed = _seed_where_first_is(mini_pack, "friend-requests", QuestionType.SCENARIO)

    marker = _run_and_kill(data_dir, "friend-requests", seed, part_way=True)

    store = Store(data_dir / "socialsafe.db")
    try:
        learner = store.learner(marker["learner"])
        assert learner is not None
        run = QuizRun.begin(store, learner, mini_pack, mini_pack.module("friend-requests"))
        assert run.attempt.id == marker["attempt"]
        asked = run.current()
        assert asked is not None
        assert (asked.number, asked.question.id, asked.step_id) == (1, marker["first"], "s2")
        assert asked.is_scenario_continuation
        assert [(a.question_id, a.step_id) for a in store.answers(run.attempt.id)] == [(marker["first"], "s1")]
    finally:
        store.close()
    assert _integrity(data_dir / "socialsafe.db") == "ok"


# Without a kill --------------------------------------------------------------


def _right(asked: Asked) -> list[str]:
    return [o.id for o in asked.options if o.correct]


def _wrong(asked: Asked) -> list[str]:
    return [next(o.id for o in asked.options if not o.correct)]


def test_resuming_shows_the_options_in_the_order_first_shown(store: Store, mini_pack: Pack) -> None:
    learner = store.add_learner("Amina Okafor", "teacher", "Oak Hill Primary")
    module = mini_pack.module("photos")
    run = QuizRun.begin(store, learner, mini_pack, module, random.Random(4))
    before = run.current()
    assert before is not None

    again = QuizRun.begin(store, learner, mini_pack, module, random.Random(5))
    after = again.current()

    assert after is not None
    assert again.attempt.id == run.attempt.id
    assert [o.id for o in after.options] == [o.id for o in before.options]


def test_a_full_attempt_gives_score_passed_and_missed(store: Store, mini_pack: Pack) -> None:
    learner = store.add_learner("Amina Okafor", "teacher", "Oak Hill Primary")
    module = mini_pack.module("friend-requests")  # draw 2, pass mark 0.8
    run = QuizRun.begin(store, learner, mini_pack, module, random.Random(11))
    missed_id = None
    while (asked := run.current()) is not None:
        if asked.number == 1:
            missed_id = asked.question.id
            verdict = run.answer(_wrong(asked))
            assert not verdict.correct
        else:
            assert run.answer(_right(asked)).correct

    with pytest.raises(RuntimeError):
        run.answer(["a"])
    result = run.finish()

    assert (result.score, result.max_score, result.pass_mark, result.passed) == (1, 2, 0.8, False)
    assert [m.question.id for m in result.missed] == [missed_id]
    assert [c.id for c in result.missed[0].clauses] == ["USE-3"]
    (stored,) = store.attempts(learner.id)
    assert (stored.score, stored.passed, stored.max_score) == (1, False, 2)
    assert stored.finished_at is not None


def test_all_right_passes_with_nothing_missed(store: Store, mini_pack: Pack) -> None:
    learner = store.add_learner("Amina Okafor", "teacher", "Oak Hill Primary")
    run = QuizRun.begin(store, learner, mini_pack, mini_pack.module("friend-requests"), random.Random(2))
    while (asked := run.current()) is not None:
        run.answer(_right(asked))

    result = run.finish()

    assert (result.score, result.max_score, result.passed, result.missed) == (2, 2, True, [])


def test_exactly_the_pass_mark_passes(store: Store, mini_pack: Pack) -> None:
    learner = store.add_learner("Amina Okafor", "teacher", "Oak Hill Primary")
    run = QuizRun.begin(store, learner, mini_pack, mini_pack.module("photos"), random.Random(6))  # 0.5 of 2
    while (asked := run.current()) is not None:
        run.answer(_right(asked) if asked.number == 1 else _wrong(asked))

    result = run.finish()

    assert (result.score, result.max_score, result.passed) == (1, 2, True)


def test_finish_before_the_end_is_refused(store: Store, mini_pack: Pack) -> None:
    learner = store.add_learner("Amina Okafor", "teacher", "Oak Hill Primary")
    run = QuizRun.begin(store, learner, mini_pack, mini_pack.module("photos"))

    with pytest.raises(RuntimeError):
        run.finish()

    (stored,) = store.attempts(learner.id)
    assert stored.finished_at is None


def test_a_new_begin_after_finishing_starts_a_fresh_attempt_with_a_new_draw(store: Store, mini_pack: Pack) -> None:
    learner = store.add_learner("Amina Okafor", "teacher", "Oak Hill Primary")
    module = mini_pack.module("friend-requests")
    first = QuizRun.begin(store, learner, mini_pack, module, random.Random(1))
    while (asked := first.current()) is not None:
        first.answer(_right(asked))
    first.finish()

    second = QuizRun.begin(store, learner, mini_pack, module, random.Random(2))

    assert second.attempt.id != first.attempt.id
    # Drawn afresh with this rng, what was just asked drawn only where nothing fresh is left.
    just_asked = quiz.asked_in([store.answers(first.attempt.id)])
    assert just_asked
    assert second.plan == quiz.draw(module.questions, module.draw, random.Random(2), asked_before=just_asked)
    assert store.answers(second.attempt.id) == []
    asked = second.current()
    assert asked is not None
    assert asked.number == 1
    assert [a.finished_at is None for a in store.attempts(learner.id)] == [False, True]


def test_finishing_twice_gives_the_same_result(store: Store, mini_pack: Pack) -> None:
    learner = store.add_learner("Amina Okafor", "teacher", "Oak Hill Primary")
    run = QuizRun.begin(store, learner, mini_pack, mini_pack.module("photos"), random.Random(3))
    while (asked := run.current()) is not None:
        run.answer(_right(asked))

    assert run.finish() == run.finish()
    assert len(store.attempts(learner.id)) == 1


@pytest.mark.parametrize(
    ("role", "draw", "expected", "passed"),
    [
        ("volunteer", 3, {"fr-1", "fr-2", "fr-3"}, False),  # 2 of 3 is under 0.8
        ("teacher", 5, {"fr-1", "fr-2", "fr-3", "ph-1", "ph-2"}, True),  # 4 of 5 is exactly 0.8
    ],
)
def test_a_mixed_module_asks_across_the_modules_for_the_person_s_role(
    store: Store, tmp_path: Path, role: str, draw: int, expected: set[str], passed: bool
) -> None:
    pack_dir = copy_pack(tmp_path / "pack")
    add_mixed_module(pack_dir, draw=draw, roles=[role])
    pack = load_pack(pack_dir)
    learner = store.add_learner("Amina Okafor", role, "Oak Hill Primary")
    run = QuizRun.begin(store, learner, pack, pack.module("final-check"), random.Random(8))
    asked_ids = set()
    while (asked := run.current()) is not None:
        asked_ids.add(asked.question.id)
        run.answer(_wrong(asked) if asked.question.id == "fr-1" else _right(asked))

    result = run.finish()

    assert asked_ids == expected
    assert (result.score, result.max_score, result.passed) == (draw - 1, draw, passed)
    assert [(m.question.id, [c.id for c in m.clauses]) for m in result.missed] == [("fr-1", ["USE-3"])]
    (stored,) = store.attempts(learner.id)
    assert (stored.module_id, stored.max_score) == ("final-check", draw)
