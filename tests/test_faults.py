"""Fault injection: the app killed at random moments while answering, signing off and syncing (issue #8).

Each round forks a child process that works through the real code (the Store,
QuizRun, the sync engine against a real shared folder) and tells the parent,
through a pipe, each thing it has done only once the call that commits it has
returned. The parent kills it with SIGKILL after a random delay (no clean-up,
no close, as a power cut or the task manager), then checks with plain sqlite3
and the share-format rules: the database passes ``PRAGMA integrity_check``,
everything reported is there, nothing appeared that was not under way, the
share's files are whole, and the app, opened again, is where the person was.

100 rounds in all. The delays come from a seeded RNG; set
``SOCIALSAFE_FAULT_SEED`` to replay a failing run's seed (the kills then fall
at the same offsets, though the machine's timing still varies).
"""

from __future__ import annotations

import json
import os
import random
import secrets
import select
import signal
import sqlite3
import time
import traceback
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from conftest import MINI
from socialsafe.content.loader import Content
from socialsafe.content.model import Pack
from socialsafe.storage.models import Learner
from socialsafe.storage.store import Store
from socialsafe.sync.engine import sync
from socialsafe.training import Asked, QuizRun
from sync_helpers import (
    add_result,
    check_share_files,
    db_ids,
    device_ids,
    integrity_ok,
    learner,
    mini_pack,
    new_id,
    write_device,
)
from ui_helpers import button_named, open_window, press

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the rounds fork a child process (POSIX only)")

SEED = int(os.environ.get("SOCIALSAFE_FAULT_SEED") or secrets.randbits(32))
ROUNDS = {"answering": 40, "signing off": 30, "syncing": 30}  # 100 in all
MODULE = "friend-requests"  # the one module a volunteer takes in the mini pack
WORK_LIMIT_S = 20.0  # a child that is never killed stops by itself, and the round fails


Say = Callable[..., None]


def _rng(activity: str) -> random.Random:
    return random.Random(f"{SEED}-{activity}")


def _killed_round(
    work: Callable[[Say], None], delay_s: float, where: str, after_first_word: bool = False
) -> list[list[Any]]:
    """Fork a child that runs ``work(say)``, SIGKILL it after ``delay_s``; returns what it said, in order.

    The delay counts from the fork, or with ``after_first_word`` from the first thing the child says.
    """
    read_end, write_end = os.pipe()
    with warnings.catch_warnings():
        # Python 3.12 warns when a process with threads (Qt's, a test's sync) forks: the child here
        # touches none of their locks, only a fresh Store and the files.
        warnings.filterwarnings("ignore", r"This process .* is multi-threaded", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 0
        try:
            os.close(read_end)

            def say(*fields: Any) -> None:
                # One write of a short line: all of it reaches the pipe, or none (PIPE_BUF).
                os.write(write_end, (json.dumps(fields) + "\n").encode())

            work(say)
            say("stopped", "the child was not killed in time")
        except BaseException:
            try:
                os.write(write_end, (json.dumps(["error", traceback.format_exc()]) + "\n").encode())
            finally:
                code = 1
        finally:
            os._exit(code)
    os.close(write_end)
    data = b""
    try:
        while after_first_word and not data.endswith(b"\n"):
            ready, _, _ = select.select([read_end], [], [], WORK_LIMIT_S)
            byte = os.read(read_end, 1) if ready else b""
            if not byte:  # it said nothing in time, or ended: its error, if any, follows
                break
            data += byte
        time.sleep(delay_s)
        os.kill(pid, signal.SIGKILL)
    finally:
        _, status = os.waitpid(pid, 0)
        while chunk := os.read(read_end, 1 << 16):
            data += chunk
        os.close(read_end)
    said = [json.loads(line) for line in data.decode().splitlines()]
    errors = [m[1] for m in said if m[0] in ("error", "stopped")]
    assert not errors, f"the child failed {where}:\n{errors[0]}"
    assert os.WIFSIGNALED(status), f"not killed {where}: {status}"
    assert os.WTERMSIG(status) == signal.SIGKILL, f"not killed {where}: {status}"
    return said


def _where(activity: str, n: int, delay_s: float) -> str:
    return f"(seed {SEED}, {activity} round {n + 1}, killed after {delay_s * 1000:.0f} ms)"


def _reopened(path: Path, where: str) -> Store:
    """The database checked as the parent sees it, then opened as the app opens it."""
    assert integrity_ok(path), f"integrity_check is not ok {where}"
    store = Store(path)
    assert store.recovery is None, f"a kill left a damaged database {where}: {store.recovery}"
    return store


# Answering --------------------------------------------------------------------------------------------


def _key(asked: Asked | None) -> list[str] | None:
    return None if asked is None else [asked.question.id, asked.step_id]


def _answering(path: Path, learner_id: str, pack: Pack, rng_seed: int) -> Callable[[Say], None]:
    """A person answering, question after question, attempt after attempt, as the quiz screen does."""

    def work(say: Say) -> None:
        rng = random.Random(rng_seed)
        store = Store(path)
        person = store.learner(learner_id)
        assert person is not None
        module = pack.module(MODULE)
        run = QuizRun.begin(store, person, pack, module, rng)
        say("showing", run.attempt.id, _key(run.current()))
        deadline = time.monotonic() + WORK_LIMIT_S
        while time.monotonic() < deadline:
            asked = run.current()
            if asked is None:
                run.finish()
                say("finished", run.attempt.id)
                run = QuizRun.begin(store, person, pack, module, rng)
                say("showing", run.attempt.id, _key(run.current()))
                continue
            run.answer([rng.choice(asked.options).id])
            say("answered", run.attempt.id, _key(asked))
            say("showing", run.attempt.id, _key(run.current()))

    return work


@dataclass
class Answered:
    """What the children said they had committed, over all the rounds."""

    answers: set[tuple[str, str, str]] = field(default_factory=set)
    finished: set[str] = field(default_factory=set)
    extra: int = 0  # committed just before a kill, before the child could say so: at most one a round
    exact: int = 0  # rounds where the reopened quiz was also checked against the question the child showed


def _answers_in(path: Path) -> set[tuple[str, str, str]]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT attempt_id, question_id, step_id FROM answer").fetchall()
    connection.close()
    return {(str(a), str(q), str(s)) for a, q, s in rows}


def _finished_in(path: Path) -> set[str]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT id FROM attempt WHERE finished_at IS NOT NULL").fetchall()
    connection.close()
    return {str(r[0]) for r in rows}


def _next_unanswered(path: Path, person: Learner, pack: Pack) -> tuple[str | None, list[str] | None]:
    """Where the person should be, read from the database alone: their newest unfinished attempt, and in
    its plan the first question (or scenario step, following the options chosen) with no answer yet."""
    connection = sqlite3.connect(path)
    try:
        row = connection.execute(
            "SELECT id, plan FROM attempt WHERE learner_id = ? AND finished_at IS NULL ORDER BY started_at DESC",
            (person.id,),
        ).fetchone()
        if row is None:
            return None, None
        answers = connection.execute("SELECT question_id, step_id, choice FROM answer WHERE attempt_id = ?", (row[0],))
        chosen = {(q, s): json.loads(c) for q, s, c in answers.fetchall()}
    finally:
        connection.close()
    questions = pack.questions()
    for item in json.loads(row[1]):
        question = questions[item["question"]]
        step: str | None = question.start or ""
        while step is not None:
            if (question.id, step) not in chosen:
                return str(row[0]), [question.id, step]
            if not question.steps:
                break
            (choice,) = chosen[(question.id, step)]
            step = next(o.next for o in question.step(step).options if o.id == choice)
    return str(row[0]), None


def _check_answering_round(
    path: Path, said: list[list[Any]], seen: Answered, person: Learner, pack: Pack, where: str
) -> None:
    seen.answers |= {(m[1], m[2][0], m[2][1]) for m in said if m[0] == "answered"}
    seen.finished |= {m[1] for m in said if m[0] == "finished"}
    in_db, finished_in_db = _answers_in(path), _finished_in(path)
    assert seen.answers <= in_db, f"committed answers lost {where}: {sorted(seen.answers - in_db)}"
    assert seen.finished <= finished_in_db, f"finished attempts lost {where}"
    # Besides what was reported, at most the one answer under way as the kill came.
    new_extra = len(in_db) - len(seen.answers) - seen.extra
    assert 0 <= new_extra <= 1, f"answers nobody was giving appeared {where}: {sorted(in_db - seen.answers)}"
    seen.extra += new_extra
    extra_finish = finished_in_db - seen.finished
    seen.finished |= extra_finish
    # The app, opened again: the quiz resumes at the person's next unanswered question.
    open_attempt, expected = _next_unanswered(path, person, pack)
    store = _reopened(path, where)
    try:
        run = QuizRun.begin(store, person, pack, pack.module(MODULE), random.Random(0))
        asked = run.current()
        if open_attempt is None:  # none unfinished: a new attempt, at its first question
            assert asked is not None, where
            assert (asked.number, store.answers(run.attempt.id)) == (1, []), where
        else:
            assert run.attempt.id == open_attempt, f"another attempt resumed {where}"
            assert _key(asked) == expected, f"resumed at {_key(asked)}, the next unanswered is {expected} {where}"
        # Checked against the screen too: what the child said last, and what it was doing as the kill came.
        last = said[-1] if said else ["nothing"]
        if last[0] == "showing" and not extra_finish:
            _tag, attempt_id, key = last
            assert run.attempt.id == attempt_id, f"another attempt resumed {where}"
            if new_extra == 0:  # nothing under way: exactly the question on screen
                assert _key(asked) == key, f"resumed at {_key(asked)}, the person was at {key} {where}"
            else:  # its answer was being saved, and was: the question after it
                assert key is not None, where
                assert (attempt_id, *key) in in_db, f"an answer appeared that was not under way {where}"
                assert _key(asked) != key, f"resumed at the question just answered {where}"
            seen.exact += 1
        elif last[0] == "answered":  # saved and said; the next question was being looked up
            assert new_extra == 0, f"an answer appeared that was not under way {where}"
            assert run.attempt.id == last[1], f"another attempt resumed {where}"
            assert _key(asked) != last[2], f"resumed at the question just answered {where}"
            seen.exact += 1
        elif last[0] == "finished":  # the results were on screen; a new attempt was being started
            assert new_extra == 0, f"an answer appeared that was not under way {where}"
            assert run.attempt.id != last[1], f"a finished attempt resumed {where}"
            assert asked is not None, where
            assert (asked.number, store.answers(run.attempt.id)) == (1, []), f"not a fresh attempt {where}"
            seen.exact += 1
    finally:
        store.close()


def test_answering_survives_being_killed_at_any_moment(data_dir: Path, pack: Pack) -> None:
    path = data_dir / "socialsafe.db"
    setup = Store(path)
    person = setup.add_learner("Dev Patel", "volunteer", "Oak Hill Primary")
    setup.close()
    rng = _rng("answering")
    seen = Answered()

    for n in range(ROUNDS["answering"]):
        delay = rng.uniform(0.005, 0.12)
        where = _where("answering", n, delay)
        said = _killed_round(_answering(path, person.id, pack, rng.randrange(1 << 30)), delay, where)
        _check_answering_round(path, said, seen, person, pack, where)

    # The rounds did real work, and most could be checked exactly.
    assert len(seen.answers) >= ROUNDS["answering"], f"too few answers to mean anything (seed {SEED})"
    assert seen.finished, f"no attempt was ever finished (seed {SEED})"
    assert seen.exact >= ROUNDS["answering"] // 2, f"only {seen.exact} rounds checked against the screen (seed {SEED})"


# Signing off ------------------------------------------------------------------------------------------------


def _signing_off(path: Path, pack: Pack, first: int) -> Callable[[Say], None]:
    """People added and signing the policy, one after another, as at a staff training session."""

    def work(say: Say) -> None:
        store = Store(path)
        deadline = time.monotonic() + WORK_LIMIT_S
        n = first
        while time.monotonic() < deadline:
            person = store.add_learner(f"Signer {n:04d} Ó'Brien", "volunteer", "Oak Hill Primary")
            say("learner", person.id)
            signoff = store.acknowledge(person.id, pack, person.name)
            say("signed", person.id, signoff.id)
            n += 1

    return work


def test_signing_off_survives_being_killed_at_any_moment(data_dir: Path, pack: Pack) -> None:
    path = data_dir / "socialsafe.db"
    Store(path).close()
    rng = _rng("signing off")
    learners: set[str] = set()
    signed: dict[str, str] = {}
    extra = 0

    for n in range(ROUNDS["signing off"]):
        delay = rng.uniform(0.005, 0.1)
        where = _where("signing off", n, delay)
        said = _killed_round(_signing_off(path, pack, first=n * 1000), delay, where)
        learners |= {m[1] for m in said if m[0] == "learner"}
        signed |= {m[2]: m[1] for m in said if m[0] == "signed"}
        in_db = set(db_ids(path, "learner"))
        acks_in_db = set(db_ids(path, "acknowledgement"))
        assert learners <= in_db, f"people lost {where}"
        assert set(signed) <= acks_in_db, f"sign-offs lost {where}"
        new_extra = len(in_db) + len(acks_in_db) - len(learners) - len(signed) - extra
        assert 0 <= new_extra <= 1, f"records nobody was making appeared {where}"
        extra += new_extra
        store = _reopened(path, where)
        try:
            # Each person who signed is shown as signed when the app opens again.
            for ack_id, learner_id in list(signed.items())[-3:]:
                assert ack_id in {a.id for a in store.acknowledgements(learner_id)}, where
        finally:
            store.close()

    assert len(signed) >= ROUNDS["signing off"], f"too few sign-offs to mean anything (seed {SEED})"


# Syncing ----------------------------------------------------------------------------------------------------


def _syncing(path: Path, content: Content, share: Path, first: int) -> Callable[[Say], None]:
    """Results recorded and synced, again and again, as a PC with a scheduled sync does."""

    def work(say: Say) -> None:
        store = Store(path)
        pack = mini_pack(content)
        deadline = time.monotonic() + WORK_LIMIT_S
        n = first
        while time.monotonic() < deadline:
            result = add_result(store, pack, f"Synced Person {n:04d}")
            say("result", result.id, result.learner_id)
            report = sync(store, content, share)
            say("synced", report.published)
            n += 1

    return work


def test_syncing_survives_being_killed_at_any_moment(data_dir: Path, content: Content, tmp_path: Path) -> None:
    path = data_dir / "socialsafe.db"
    share = tmp_path / "share"
    share.mkdir()
    other_pc = new_id()
    other_person = learner(other_pc, "Olu Other-PC")
    other_file = write_device(share, other_pc, [other_person])
    other_bytes = other_file.read_bytes()
    store = Store(path)
    device = store.device_id
    store.close()
    own_file = share / "devices" / f"{device}.jsonl"
    rng = _rng("syncing")
    results: dict[str, str] = {}
    published: set[str] = set()  # every record ever in this PC's device file
    synced_rounds = 0

    for n in range(ROUNDS["syncing"]):
        delay = rng.uniform(0.01, 0.25)
        where = _where("syncing", n, delay)
        said = _killed_round(_syncing(path, content, share, first=n * 1000), delay, where)
        assert integrity_ok(path), f"integrity_check is not ok {where}"
        made_before_sync: set[str] = set()
        for message in said:
            if message[0] == "result":
                results[message[1]] = message[2]
            elif message[0] == "synced":
                made_before_sync = set(results)
                synced_rounds += 1
        assert set(results) <= set(db_ids(path, "attempt")), f"results lost {where}"
        # The share: every file whole (a torn device file or report would not parse), the other PC's untouched.
        check_share_files(share)
        assert other_file.read_bytes() == other_bytes, f"another PC's file changed {where}"
        if own_file.exists():
            now_published = set(device_ids(own_file))
            assert published <= now_published, f"records left the share {where}"
            assert made_before_sync <= now_published, f"a completed sync did not publish {where}"
            published = now_published
        else:
            assert not published, where
        reopened = _reopened(path, where)
        reopened.close()

    # A sync now, uninterrupted, publishes everything and takes in the other PC's person.
    store = Store(path)
    try:
        sync(store, content, share)
        assert set(results) <= set(device_ids(own_file, "attempt")), f"seed {SEED}"
        assert other_person["id"] in db_ids(path, "learner"), f"seed {SEED}"
    finally:
        store.close()
    check_share_files(share)
    assert synced_rounds >= ROUNDS["syncing"] // 2, f"only {synced_rounds} syncs completed (seed {SEED})"


# The window, opened after a kill ----------------------------------------------------------------------------------


@pytest.fixture
def killed_mid_quiz(data_dir: Path, pack: Pack) -> Iterator[tuple[Path, list[Any]]]:
    """A data folder whose app was killed while a person answered; with what the quiz screen showed last."""
    rng = _rng("window")
    for attempt in range(100):
        # A fresh folder each try: the person is in their first attempt, which home offers to continue.
        folder = data_dir / f"try-{attempt}"
        folder.mkdir()
        path = folder / "socialsafe.db"
        setup = Store(path)
        person = setup.add_learner("Dev Patel", "volunteer", "Oak Hill Primary")
        setup.close()
        # An answer takes a millisecond or two: killed soon after the first question shows.
        delay = rng.uniform(0.0005, 0.006)
        where = _where("window", attempt, delay)
        work = _answering(path, person.id, pack, rng.randrange(1 << 30))
        said = _killed_round(work, delay, where, after_first_word=True)
        answered = {(m[1], m[2][0], m[2][1]) for m in said if m[0] == "answered"}
        # A round that can be checked exactly: killed mid-attempt, past its first answer, every answer reported.
        last = said[-1] if said else ["nothing"]
        mid_attempt = last[0] == "showing" and last[2] is not None and any(a == last[1] for a, _q, _s in answered)
        first_attempt = not any(m[0] == "finished" for m in said) and not _finished_in(path)
        if mid_attempt and first_attempt and answered == _answers_in(path):
            yield path, last
            return
    pytest.fail(f"no round was killed mid-attempt in 100 tries (seed {SEED})")


def test_the_window_opened_after_a_kill_resumes_at_the_question_on_screen(
    qtbot: QtBot, killed_mid_quiz: tuple[Path, list[Any]], pack: Pack
) -> None:
    path, (_tag, attempt_id, (question_id, step_id)) = killed_mid_quiz
    assert integrity_ok(path)
    store = Store(path)
    try:
        assert store.recovery is None
        (planned,) = [a for a in store.attempts(store.learners()[0].id) if a.id == attempt_id]
        order = [item["question"] for item in json.loads(planned.plan)]
        number = order.index(question_id) + 1
        window = open_window(qtbot, store, [MINI])
        window.who.people.setCurrentRow(0)
        press(qtbot, Qt.Key.Key_Return)
        assert window.stack.currentWidget() is window.home
        qtbot.mouseClick(button_named(window.home, "Continue: Friend requests from pupils"), Qt.MouseButton.LeftButton)
        assert window.module_page.start_button.text() == f"Continue the quiz (question {number} of {len(order)})"
        qtbot.mouseClick(window.module_page.start_button, Qt.MouseButton.LeftButton)

        assert window.quiz.counter.text() == f"Question {number} of {len(order)}"
        asked = window.quiz.asked
        assert asked is not None
        assert (asked.question.id, asked.step_id) == (question_id, step_id), f"seed {SEED}"
        assert window.quiz.run is not None
        assert window.quiz.run.attempt.id == attempt_id
        assert [o.id for o in asked.options] == _shown_order(planned.plan, question_id, step_id)
        window.close()
    finally:
        store.close()


def _shown_order(plan: str, question_id: str, step_id: str) -> list[str]:
    """The options in the order the attempt first showed them, as its plan keeps it."""
    (item,) = [item for item in json.loads(plan) if item["question"] == question_id]
    return list(item["orders"][step_id])
