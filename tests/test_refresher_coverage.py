"""The final check asks every rule that matters in every draw, and says how likely each module is to skip one (#15).

It also renews a 12-month completion, so a draw that asks nothing on declining
and reporting a pupil's contact (USE-3) or on school systems (USE-1) would
renew a year's training without asking about them: every draw must ask each
"must" clause and every module, and still differ from the last.
"""

from __future__ import annotations

import json
import math
import random
from collections import Counter
from pathlib import Path

import pytest

from helpers_packs import copy_pack, edit, validate_process
from socialsafe.content.coverage import draw_needs, musts
from socialsafe.content.coverage import tested_clauses as asks
from socialsafe.content.loader import load_pack
from socialsafe.content.model import Module, ModuleKind, Pack, Question
from socialsafe.content.roles import Role
from socialsafe.domain import quiz
from socialsafe.domain.coverage import coverage_json, never_asked, refresher_gaps
from socialsafe.resources import bundled
from socialsafe.storage.store import Store
from socialsafe.training import QuizRun

BUNDLED = bundled("quizzes") / "leaf-social-media"


@pytest.fixture(scope="module")
def course() -> Pack:
    return load_pack(BUNDLED)


def final_check(pack: Pack) -> Module:
    [module] = [m for m in pack.modules if m.kind is ModuleKind.MIXED]
    return module


def asked(pack: Pack, ids: list[str]) -> tuple[set[str], set[str]]:
    """The clauses and modules a drawn set of questions asks, on the right-answer path."""
    module_of = {q.id: m.id for m in pack.modules for q in m.questions if m.kind is not ModuleKind.MIXED}
    questions = pack.questions()
    return set().union(*(asks(questions[i]) for i in ids)), {module_of[i] for i in ids}


@pytest.mark.parametrize("role", list(Role))
def test_every_draw_of_the_final_check_asks_every_must_clause_and_every_module(course: Pack, role: Role) -> None:
    module = final_check(course)
    pool = course.pool(module, role)
    covers, required = draw_needs(course, module, role)
    coverable = musts(course) & set().union(*(asks(q) for q in pool))
    rng = random.Random(role)
    for _ in range(300):
        ids = [p.question_id for p in quiz.draw(pool, module.draw, rng, covers=covers, required=required)]
        clauses, modules = asked(course, ids)
        assert len(ids) == len(set(ids)) == module.draw
        assert coverable <= clauses, sorted(coverable - clauses)
        assert modules == {m.id for m in course.modules_for(role) if m.kind is not ModuleKind.MIXED}
    assert {"USE-1", "USE-3"} <= coverable  # the two the review found skipped in half the draws


def test_the_final_check_stays_fresh_between_attempts(course: Pack) -> None:
    module = final_check(course)
    pool = course.pool(module, Role.VOLUNTEER)
    covers, required = draw_needs(course, module, Role.VOLUNTEER)
    rng = random.Random(7)
    draws = [
        frozenset(p.question_id for p in quiz.draw(pool, module.draw, rng, covers=covers, required=required))
        for _ in range(400)
    ]
    seen = Counter(q for d in draws for q in d)

    assert len(set(draws)) > 390  # hardly ever the same ten twice
    assert len(seen) >= 0.95 * len(pool)  # nearly every question turns up
    assert max(seen.values()) < 0.6 * len(draws)  # and none is in most draws


def test_what_was_missed_before_comes_first_as_far_as_the_draw_can_still_cover(course: Pack) -> None:
    module = final_check(course)
    pool = course.pool(module, Role.TEACHER)
    covers, required = draw_needs(course, module, Role.TEACHER)
    photos = [q.id for q in pool if q.id.startswith("photo")][:4]  # one module's: 4 would leave 6 slots for 7
    others = [q.id for q in pool if q.id.startswith(("sys-", "par-"))][:2]

    for missed, kept in ((others, others), (photos, photos[:3])):
        ids = [p.question_id for p in quiz.draw(pool, module.draw, random.Random(1), missed, covers, required)]
        assert ids[: len(kept)] == kept
        clauses, modules = asked(course, ids)
        assert musts(course) <= clauses
        assert len(modules) == 8


def test_a_draw_through_the_app_covers_too(tmp_path: Path, course: Pack) -> None:
    store = Store(tmp_path / "socialsafe.db")
    try:
        learner = store.add_learner("Nia Evans", "volunteer", "Oak Primary")
        module = final_check(course)
        for seed in range(20):
            run = QuizRun.start_new(store, learner, course, module, random.Random(seed))
            clauses, _modules = asked(course, [p.question_id for p in run.plan])
            assert musts(course) <= clauses
    finally:
        store.close()


def test_a_step_reached_only_after_a_wrong_choice_asks_nothing(course: Pack) -> None:
    """BREACH-2 and BREACH-4 are feedback on a wrong step: they count only where the right path asks them."""
    scenario = Question.model_validate(
        {
            "id": "s",
            "type": "scenario",
            "prompt": "p",
            "clauses": ["USE-1"],
            "start": "one",
            "steps": [
                {
                    "id": "one",
                    "prompt": "p",
                    "options": [
                        {"id": "right", "text": "r", "correct": True, "feedback": "f", "next": "two"},
                        {"id": "wrong", "text": "w", "feedback": "f", "next": "oops"},
                    ],
                },
                {"id": "two", "prompt": "p", "clauses": ["USE-3"], "options": _two()},
                {"id": "oops", "prompt": "p", "clauses": ["BREACH-2"], "options": _two()},
            ],
        }
    )
    assert asks(scenario) == {"USE-1", "USE-3"}


def _two() -> list[dict[str, object]]:
    return [{"id": "a", "text": "a", "correct": True, "feedback": "f"}, {"id": "b", "text": "b", "feedback": "f"}]


def test_never_asked_is_exact_for_a_module_and_zero_for_a_must_in_the_final_check(course: Pack) -> None:
    chances = never_asked(course)
    systems = next(m for m in course.modules if m.id == "school-systems-and-breaches")
    asking = sum("USE-1" in asks(q) for q in systems.questions)
    total = len(systems.questions)
    assert chances["USE-1"][systems.id] == pytest.approx(
        math.comb(total - asking, systems.draw) / math.comb(total, systems.draw)
    )
    for clause in musts(course):
        assert chances[clause]["final-check"] == 0.0
    assert 0.0 < chances["INTRO-1"]["final-check"] < 1.0  # an "info" clause is asked in some draws only


def test_validate_coverage_json_gives_what_the_contract_says(tmp_path: Path) -> None:
    result = validate_process(tmp_path, "--coverage", "--json")

    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    by_id = {row["id"]: row for row in rows}
    assert {"id", "strength", "questions", "modules", "never_asked"} <= set(rows[0])
    assert by_id["USE-3"]["strength"] == "must"
    assert by_id["USE-3"]["never_asked"]["final-check"] == 0.0
    assert set(by_id["USE-3"]["never_asked"]) == {*by_id["USE-3"]["modules"], "final-check"}
    assert all(0.0 <= p <= 1.0 for row in rows for p in row["never_asked"].values())


def test_validate_refuses_a_final_check_too_short_to_ask_every_must(tmp_path: Path) -> None:
    pack = copy_pack(tmp_path / "short", BUNDLED)
    edit(pack / "modules" / "09-final-check.toml", "draw = 10", "draw = 4")

    assert refresher_gaps(load_pack(pack))
    result = validate_process(tmp_path, str(pack))

    assert result.returncode == 1
    assert "final-check: a draw of 4 questions cannot always ask" in result.stdout


def test_the_bundled_course_has_no_refresher_gaps(course: Pack) -> None:
    assert refresher_gaps(course) == []
    assert all("never_asked" in row for row in coverage_json(course))


# A retake asks something new (issue #17: a retry drew 2 of the same 5, neither one missed) --------------------


def test_a_retake_of_a_module_asks_none_it_just_answered_rightly_where_the_pool_allows(
    tmp_path: Path, course: Pack
) -> None:
    store = Store(tmp_path / "socialsafe.db")
    try:
        learner = store.add_learner("Siân Pryce", "teacher", "Ysgol y Graig")
        module = next(m for m in course.modules if m.kind is not ModuleKind.MIXED and len(m.questions) >= 2 * m.draw)
        for seed in range(10):
            run = QuizRun.start_new(store, learner, course, module, random.Random(seed))
            first = [p.question_id for p in run.plan]
            for asked_now in first:  # every answer right, as the learner gives them
                question = course.questions()[asked_now]
                for step in question.steps or [None]:
                    step_id = step.id if step is not None else quiz.ONE_STEP
                    options = step.options if step is not None else question.choices()
                    right = [o.id for o in options if o.correct][:1] or [options[0].id]
                    store.record_answer(run.attempt.id, asked_now, step_id, right, True)
            store.finish_attempt(run.attempt.id, len(first), True)
            again = QuizRun.start_new(store, learner, course, module, random.Random(seed + 100))
            assert not set(first) & {p.question_id for p in again.plan}, "a retake repeats what was just right"
            store.finish_attempt(again.attempt.id, 0, False)
    finally:
        store.close()


def test_a_retake_of_the_final_check_is_fresh_and_still_asks_every_must_clause(course: Pack) -> None:
    module = final_check(course)
    pool = course.pool(module, Role.TEACHER)
    covers, required = draw_needs(course, module, Role.TEACHER)
    rng = random.Random(3)
    for _ in range(50):
        before = {p.question_id for p in quiz.draw(pool, module.draw, rng, covers=covers, required=required)}
        ids = [p.question_id for p in quiz.draw(pool, module.draw, rng, (), covers, required, asked_before=[before])]
        assert not before & set(ids)
        assert musts(course) <= asked(course, ids)[0]


def test_a_pool_too_small_to_be_fresh_asks_what_it_has() -> None:
    pool = [q for m in load_pack(BUNDLED).modules for q in m.questions][:5]
    ids = [p.question_id for p in quiz.draw(pool, 5, random.Random(0), asked_before=[{q.id for q in pool[:3]}])]
    assert sorted(ids) == sorted(q.id for q in pool)


# A shorter path for roles with less contact (issue #17) ----------------------------------------------------------

SHORT = (Role.VOLUNTEER, Role.PARENT_HELPER, Role.WORK_EXPERIENCE)


@pytest.mark.parametrize("role", SHORT)
def test_a_shorter_path_still_asks_every_must_clause_of_each_module(course: Pack, role: Role) -> None:
    rng = random.Random(str(role))
    total = 0
    for module in course.modules_for(role):
        if module.kind is ModuleKind.MIXED:
            total += module.draw
            continue
        count = module.draw_for(role)
        assert count < module.draw
        total += count
        wanted = musts(course) & set().union(*(asks(q) for q in module.questions))
        covers, required = draw_needs(course, module, role)
        for _ in range(200):
            ids = [p.question_id for p in quiz.draw(module.questions, count, rng, covers=covers, required=required)]
            assert len(ids) == count
            assert wanted <= asked(course, ids)[0], (module.id, sorted(wanted - asked(course, ids)[0]))
    full = sum(m.draw for m in course.modules_for(Role.TEACHER))
    assert total <= 0.7 * full  # noticeably shorter than the teachers' course


def test_a_volunteer_s_attempt_draws_the_shorter_path_and_a_teacher_s_the_full_one(
    tmp_path: Path, course: Pack
) -> None:
    store = Store(tmp_path / "socialsafe.db")
    try:
        module = course.module("who-and-what")
        for role, count in ((Role.VOLUNTEER, 3), (Role.TEACHER, 5)):
            learner = store.add_learner(f"Dafydd {role}", role, "Ysgol y Graig")
            assert len(QuizRun.start_new(store, learner, course, module, random.Random(1)).plan) == count
    finally:
        store.close()


def test_a_shorter_path_that_cannot_ask_every_must_clause_is_refused(course: Pack) -> None:
    module = course.module("school-systems-and-breaches")
    too_short = module.model_copy(update={"draw_by_role": {Role.VOLUNTEER: 1}})
    # Its "must" clauses (USE-1, USE-7) are asked by different questions: one question cannot ask both.
    pack = course.model_copy(update={"modules": [too_short if m.id == module.id else m for m in course.modules]})
    gaps = refresher_gaps(pack)
    assert any(g.startswith("school-systems-and-breaches: a draw of 1 questions cannot always ask") for g in gaps), gaps


def test_a_shorter_path_longer_than_the_draw_is_refused(course: Pack) -> None:
    data = course.module("photographs").model_dump()
    data["draw_by_role"] = {"volunteer": 6}
    with pytest.raises(ValueError, match="more than the module's draw of 5"):
        type(course.module("photographs")).model_validate(data)
