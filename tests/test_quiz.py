"""The quiz rules: drawing, marking, replaying stored answers, pass marks, progress and PINs."""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass
from typing import Any

import pytest

from socialsafe.content.model import Module, Pack, Question, QuestionType
from socialsafe.domain import quiz
from socialsafe.domain.pin import check_pin, hash_pin, is_valid_pin
from socialsafe.domain.progress import ModuleStatus, module_progress, overall
from socialsafe.domain.quiz import ONE_STEP, PlannedQuestion, draw, mark, passed, position

# A scenario of three steps: s1 -> (s2 | end), s2 -> s3 -> end. Step s2 quotes its own clause.
BRANCHING: dict[str, Any] = {
    "id": "sc",
    "type": "scenario",
    "prompt": "A parent comments on your post.",
    "clauses": ["Q-1"],
    "start": "s1",
    "steps": [
        {
            "id": "s1",
            "prompt": "First?",
            "options": [
                {"id": "ok", "text": "Think", "correct": True, "feedback": "Good.", "next": "s2"},
                {"id": "bad", "text": "Argue", "feedback": "No: it ends here."},
            ],
        },
        {
            "id": "s2",
            "prompt": "Then?",
            "clauses": ["S-2"],
            "options": [
                {"id": "ok", "text": "Report", "correct": True, "feedback": "Good.", "next": "s3"},
                {"id": "bad", "text": "Delete", "feedback": "No.", "next": "s3"},
            ],
        },
        {
            "id": "s3",
            "prompt": "Last?",
            "options": [
                {"id": "ok", "text": "Note it", "correct": True, "feedback": "Good."},
                {"id": "bad", "text": "Forget it", "feedback": "No."},
            ],
        },
    ],
}


def _question(**data: Any) -> Question:
    return Question.model_validate(data)


def _options(*correct: bool) -> list[dict[str, Any]]:
    return [
        {"id": chr(ord("a") + i), "text": f"Option {i}", "correct": c, "feedback": "Why."}
        for i, c in enumerate(correct)
    ]


SINGLE = _question(id="si", type="single", prompt="Pick one.", clauses=["Q-1"], options=_options(False, True, False))
MULTIPLE = _question(
    id="mu", type="multiple", prompt="Tick all.", clauses=["Q-1"], options=_options(True, False, True, False)
)
TRUE_FALSE = _question(
    id="tf",
    type="true_false",
    prompt="True?",
    clauses=["Q-1"],
    answer=False,
    feedback_true="No.",
    feedback_false="Yes.",
)
SCENARIO = Question.model_validate(BRANCHING)
QUESTIONS = {q.id: q for q in (SINGLE, MULTIPLE, TRUE_FALSE, SCENARIO)}


POOL = [SINGLE, MULTIPLE, TRUE_FALSE, SCENARIO]


def _module() -> Module:
    return Module(id="m", title="M", intro="Intro.", clauses=["Q-1"], draw=3, questions=POOL)


@dataclass
class Ans:
    question_id: str
    step_id: str
    choice: str
    correct: bool


def ans(question: Question, step_id: str, *chosen: str) -> Ans:
    """An answer record as the store keeps it, marked by the real rules."""
    return Ans(question.id, step_id, json.dumps(sorted(chosen)), mark(question, step_id, chosen).correct)


# Drawing -------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(20))
def test_draw_gives_count_distinct_questions_from_the_pool(seed: int) -> None:
    plan = draw(POOL, 3, random.Random(seed))

    ids = [p.question_id for p in plan]
    assert len(ids) == 3
    assert len(set(ids)) == 3
    assert set(ids) <= set(QUESTIONS)


def test_draw_of_more_than_the_pool_asks_the_whole_pool_once() -> None:
    plan = draw(POOL[:2], 5, random.Random(0))

    assert sorted(p.question_id for p in plan) == ["mu", "si"]


@pytest.mark.parametrize("seed", range(20))
def test_draw_shows_each_step_s_options_as_a_permutation(seed: int) -> None:
    plan = draw(POOL, 4, random.Random(seed))

    for planned in plan:
        question = QUESTIONS[planned.question_id]
        if question.type is QuestionType.SCENARIO:
            assert set(planned.orders) == {s.id for s in question.steps}
            for step in question.steps:
                assert sorted(planned.orders[step.id]) == sorted(o.id for o in step.options)
        else:
            assert list(planned.orders) == [ONE_STEP]
            assert sorted(planned.orders[ONE_STEP]) == sorted(o.id for o in question.choices())


def test_draw_really_shuffles_options_and_questions_across_attempts() -> None:
    plans = [draw(POOL, 4, random.Random(seed)) for seed in range(40)]

    question_orders = {tuple(p.question_id for p in plan) for plan in plans}
    multiple_orders = {tuple(next(p for p in plan if p.question_id == "mu").orders[ONE_STEP]) for plan in plans}
    assert len(question_orders) > 1
    assert len(multiple_orders) > 1


def test_true_false_is_always_true_then_false() -> None:
    for seed in range(30):
        plan = draw(POOL, 4, random.Random(seed))
        assert next(p for p in plan if p.question_id == "tf").orders == {ONE_STEP: ["true", "false"]}


def test_draw_with_the_same_seed_is_the_same() -> None:
    assert draw(POOL, 3, random.Random(1234)) == draw(POOL, 3, random.Random(1234))


def test_plan_survives_json_round_trip() -> None:
    plan = draw(POOL, 4, random.Random(5))

    assert quiz.plan_from_json(quiz.plan_to_json(plan)) == plan


def test_draw_of_the_mini_pack_module_fits_its_draw(mini_pack: Pack) -> None:
    module = mini_pack.module("friend-requests")

    plan = draw(mini_pack.pool(module, "teacher"), module.draw, random.Random(0))

    assert len(plan) == module.draw
    assert {p.question_id for p in plan} <= {q.id for q in module.questions}


# Marking -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "chosen", "correct"),
    [
        (SINGLE, ["b"], True),
        (SINGLE, ["a"], False),
        (MULTIPLE, ["a", "c"], True),
        (MULTIPLE, ["c", "a"], True),
        (MULTIPLE, ["a"], False),  # partial is wrong
        (MULTIPLE, ["a", "b", "c"], False),  # one too many is wrong
        (MULTIPLE, ["b", "d"], False),
        (MULTIPLE, ["a", "b", "c", "d"], False),
        (TRUE_FALSE, ["false"], True),
        (TRUE_FALSE, ["true"], False),
    ],
)
def test_mark_one_step_questions(question: Question, chosen: list[str], correct: bool) -> None:
    verdict = mark(question, ONE_STEP, chosen)

    assert verdict.correct is correct
    assert verdict.next_step is None
    assert verdict.clause_ids == ["Q-1"]


def test_mark_explains_the_chosen_options_and_the_right_ones_missed() -> None:
    verdict = mark(MULTIPLE, ONE_STEP, ["a", "b"])

    assert [(o.id, chosen) for o, chosen in verdict.explained] == [("a", True), ("b", True), ("c", False)]


def test_mark_true_false_gives_the_feedback_for_the_choice() -> None:
    verdict = mark(TRUE_FALSE, ONE_STEP, ["true"])

    assert [(o.id, o.feedback, chosen) for o, chosen in verdict.explained] == [
        ("true", "No.", True),
        ("false", "Yes.", False),
    ]


@pytest.mark.parametrize(
    ("step", "chosen", "correct", "next_step", "clauses"),
    [
        ("s1", "ok", True, "s2", ["Q-1"]),
        ("s1", "bad", False, None, ["Q-1"]),  # a wrong turn can end the scenario
        ("s2", "ok", True, "s3", ["S-2"]),  # the step's own clauses win
        ("s2", "bad", False, "s3", ["S-2"]),
        ("s3", "ok", True, None, ["Q-1"]),
    ],
)
def test_mark_scenario_steps(step: str, chosen: str, correct: bool, next_step: str | None, clauses: list[str]) -> None:
    verdict = mark(SCENARIO, step, [chosen])

    assert verdict.correct is correct
    assert verdict.next_step == next_step
    assert verdict.clause_ids == clauses


@pytest.mark.parametrize(
    ("question", "step", "chosen"),
    [
        (SINGLE, ONE_STEP, []),
        (SINGLE, ONE_STEP, ["z"]),
        (SINGLE, ONE_STEP, ["a", "b"]),
        (MULTIPLE, ONE_STEP, []),
        (MULTIPLE, ONE_STEP, ["a", "z"]),
        (TRUE_FALSE, ONE_STEP, ["yes"]),
        (TRUE_FALSE, ONE_STEP, ["true", "false"]),
        (SCENARIO, "s1", []),
        (SCENARIO, "s1", ["nope"]),
        (SCENARIO, "s1", ["ok", "bad"]),
    ],
    ids=[
        "single empty",
        "single unknown",
        "single two",
        "multiple empty",
        "multiple unknown",
        "true_false unknown",
        "true_false both",
        "scenario empty",
        "scenario unknown",
        "scenario two",
    ],
)
def test_mark_rejects_empty_unknown_or_too_many_choices(question: Question, step: str, chosen: list[str]) -> None:
    with pytest.raises(ValueError, match=question.id):
        mark(question, step, chosen)


# Replaying stored answers --------------------------------------------------

PLAN = [
    PlannedQuestion("si", {ONE_STEP: ["a", "b", "c"]}),
    PlannedQuestion("sc", {"s1": ["ok", "bad"], "s2": ["bad", "ok"], "s3": ["ok", "bad"]}),
    PlannedQuestion("tf", {ONE_STEP: ["true", "false"]}),
]


def test_position_with_no_answers_is_the_first_question() -> None:
    where = position(PLAN, QUESTIONS, [])

    assert (where.index, where.step_id, where.total, where.score) == (0, ONE_STEP, 3, 0)
    assert not where.finished
    assert where.done == frozenset()


def test_position_part_way_through_a_scenario_asks_the_next_step() -> None:
    answers = [ans(SINGLE, ONE_STEP, "b"), ans(SCENARIO, "s1", "ok")]

    where = position(PLAN, QUESTIONS, answers)

    assert (where.index, where.step_id, where.score) == (1, "s2", 1)
    assert where.done == frozenset({"si"})
    assert where.missed == []


def test_position_does_not_depend_on_the_order_answers_are_read() -> None:
    answers = [ans(SINGLE, ONE_STEP, "a"), ans(SCENARIO, "s1", "ok"), ans(SCENARIO, "s2", "ok")]

    assert position(PLAN, QUESTIONS, answers) == position(PLAN, QUESTIONS, list(reversed(answers)))


@pytest.mark.parametrize(
    ("path", "scenario_right"),
    [
        ([("s1", "ok"), ("s2", "ok"), ("s3", "ok")], True),
        ([("s1", "ok"), ("s2", "bad"), ("s3", "ok")], False),
        ([("s1", "ok"), ("s2", "ok"), ("s3", "bad")], False),
        ([("s1", "bad")], False),  # the wrong turn ended it
    ],
    ids=["all right", "wrong in the middle", "wrong at the end", "ended by a wrong turn"],
)
def test_a_scenario_scores_only_when_every_step_is_right(path: list[tuple[str, str]], scenario_right: bool) -> None:
    answers = [ans(SINGLE, ONE_STEP, "b"), *(ans(SCENARIO, s, c) for s, c in path), ans(TRUE_FALSE, ONE_STEP, "false")]

    where = position(PLAN, QUESTIONS, answers)

    assert where.finished
    assert where.index == where.total == 3
    assert where.score == (3 if scenario_right else 2)
    assert where.missed == ([] if scenario_right else ["sc"])
    assert where.done == frozenset({"si", "sc", "tf"})


def test_position_lists_missed_questions_in_plan_order() -> None:
    answers = [ans(TRUE_FALSE, ONE_STEP, "true"), ans(SINGLE, ONE_STEP, "c"), ans(SCENARIO, "s1", "bad")]

    where = position(PLAN, QUESTIONS, answers)

    assert where.finished
    assert where.score == 0
    assert where.missed == ["si", "sc", "tf"]


def test_position_after_the_first_question_asks_the_scenario_start() -> None:
    where = position(PLAN, QUESTIONS, [ans(SINGLE, ONE_STEP, "c")])

    assert (where.index, where.step_id, where.score, where.missed) == (1, "s1", 0, ["si"])


# Pass mark -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "max_score", "pass_mark", "expected"),
    [
        (4, 5, 0.8, True),  # exactly at the pass mark passes
        (3, 5, 0.8, False),
        (5, 5, 0.8, True),
        (8, 10, 0.8, True),
        (7, 10, 0.7, True),
        (6, 10, 0.7, False),
        (1, 2, 0.5, True),
        (0, 2, 0.5, False),
        (2, 3, 2 / 3, True),
        (1, 1, 1.0, True),
        (0, 0, 0.8, False),  # nothing asked is not a pass
    ],
)
def test_passed_at_and_around_the_pass_mark(score: int, max_score: int, pass_mark: float, expected: bool) -> None:
    assert passed(score, max_score, pass_mark) is expected


# Progress ------------------------------------------------------------------

T0 = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC)


@dataclass
class Att:
    module_id: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    score: int | None
    max_score: int
    passed: bool | None


def _open(module_id: str = "m", minutes: int = 0) -> Att:
    return Att(module_id, T0 + dt.timedelta(minutes=minutes), None, None, 5, None)


def _done(score: int, module_id: str = "m", minutes: int = 0) -> Att:
    start = T0 + dt.timedelta(minutes=minutes)
    return Att(module_id, start, start + dt.timedelta(minutes=5), score, 5, passed(score, 5, 0.8))


@pytest.mark.parametrize(
    ("attempts", "status", "best", "open_attempt"),
    [
        ([], ModuleStatus.NOT_STARTED, None, False),
        ([_open(module_id="other")], ModuleStatus.NOT_STARTED, None, False),
        ([_open()], ModuleStatus.IN_PROGRESS, None, True),
        ([_done(2)], ModuleStatus.NOT_PASSED, 0.4, False),
        ([_done(2), _open(minutes=10)], ModuleStatus.IN_PROGRESS, 0.4, True),
        ([_done(4)], ModuleStatus.PASSED, 0.8, False),
        ([_done(5), _done(1, minutes=10)], ModuleStatus.PASSED, 1.0, False),  # passed stays passed
        ([_done(4), _open(minutes=10)], ModuleStatus.PASSED, 0.8, True),
        ([_done(1), _done(3, minutes=10)], ModuleStatus.NOT_PASSED, 0.6, False),
    ],
    ids=[
        "not started",
        "only another module",
        "in progress",
        "not passed",
        "retrying after not passing",
        "passed",
        "passed then failed",
        "passed then retrying",
        "failed twice",
    ],
)
def test_module_progress(attempts: list[Att], status: ModuleStatus, best: float | None, open_attempt: bool) -> None:
    progress = module_progress(_module(), attempts)

    assert progress.status is status
    assert progress.best_score == best
    assert progress.open_attempt is open_attempt


def test_overall_counts_passed_modules(mini_pack: Pack) -> None:
    friends, photos = mini_pack.modules
    progress = [module_progress(friends, []), module_progress(photos, [_done(5, module_id="photos")])]

    assert overall(progress) == (1, 2)


# PINs ----------------------------------------------------------------------


def test_a_pin_checks_against_its_hash() -> None:
    stored = hash_pin("4821")

    assert check_pin("4821", stored)
    assert not check_pin("4822", stored)
    assert not check_pin("", stored)
    assert "4821" not in stored.split("$")


def test_a_pin_hash_is_salted() -> None:
    first, second = hash_pin("0000"), hash_pin("0000")

    assert first != second
    assert check_pin("0000", first)
    assert check_pin("0000", second)


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "1234",
        "not$a$hash",
        "bcrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "scrypt$many$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "scrypt$3$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "scrypt$16384$8$1$!!!$???",
        "scrypt$16384$8$1$AAAA$",
        "scrypt$16384$8$1$é$AAAA",
    ],
    ids=[
        "empty",
        "plain",
        "too few parts",
        "other scheme",
        "bad number",
        "bad n",
        "bad base64",
        "no digest",
        "non-ascii",
    ],
)
def test_check_pin_against_a_malformed_stored_value_is_false(stored: str) -> None:
    assert check_pin("1234", stored) is False


@pytest.mark.parametrize(
    ("pin", "valid"),
    [("0000", True), ("4821", True), ("123", False), ("12345", False), ("12a4", False), ("", False), (" 1234", False)],
)
def test_is_valid_pin(pin: str, valid: bool) -> None:
    assert is_valid_pin(pin) is valid


@pytest.mark.parametrize("pin", ["123", "abcd", "12345", "١٢٣٤"])
def test_hash_pin_refuses_anything_but_four_digits(pin: str) -> None:
    with pytest.raises(ValueError, match="4 digits"):
        hash_pin(pin)
