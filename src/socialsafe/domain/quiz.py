"""Taking a quiz: drawing questions, marking answers, working out where a learner is.

Pure functions over the pack's models and plain answer records, so the same
rules serve the app, the command line and the tests. The state of an attempt
is never kept in memory alone: it is worked out again from the stored answers,
which is what lets an attempt resume exactly after a crash.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from socialsafe.content.model import Option, Question, QuestionType

ONE_STEP = ""  # the step id stored for questions that are not scenarios


@dataclass(frozen=True)
class PlannedQuestion:
    """A drawn question and the order its options are shown in, per step."""

    question_id: str
    orders: dict[str, list[str]]


def draw(
    pool: Sequence[Question],
    count: int,
    rng: random.Random,
    first: Sequence[str] = (),
    covers: Mapping[str, frozenset[str]] | None = None,
    required: frozenset[str] = frozenset(),
    asked_before: Sequence[Collection[str]] = (),
) -> list[PlannedQuestion]:
    """A fresh random set of ``count`` questions from the pool, with shuffled options.

    Questions named in ``first`` (spaced review: the ones a person missed
    before) come first, as many as fit; random others fill the rest.
    ``required`` (the final check: every "must" clause and every module; a
    shorter path: every "must" clause of its module) is what the set must ask
    between its questions, ``covers`` what each question (by id) asks of it:
    the set is drawn at random among those that ask it all.

    ``asked_before`` (what the person was asked in their last tries at this
    module, see :func:`asked_in`) is drawn as late as the pool allows: a
    retake asks first what they have not just seen, then the groups in the
    order given (the last one last); a question counts in the last group it
    is in. Only what ``required`` cannot be asked without, or what the pool
    has nothing fresher for, comes back. Review questions (``first``) they
    were just asked in these tries wait their turn with the rest of them.
    """
    by_id = {q.id: q for q in pool}
    tiers = _by_freshness(list(by_id), asked_before)
    asked = {i for group in asked_before for i in group}
    first_ids = [i for i in dict.fromkeys(first) if i in by_id and i not in asked]
    ids: list[str] = []
    if required:
        wanted, rank = set(required), {i: n for n, tier in enumerate(tiers) for i in tier}
        fresher: list[str] = []
        for tier in tiers:  # the freshest questions that can ask it all, the whole pool at worst
            fresher += tier
            ids = _covering(fresher, count, rng, first_ids, covers or {}, required, rank)
            if wanted <= {c for i in ids for c in (covers or {}).get(i, frozenset())}:
                break
    else:
        ids = first_ids[:count]
    for tier in tiers:
        rest = [i for i in tier if i not in ids]
        ids += rng.sample(rest, min(count - len(ids), len(rest)))
    return [_plan(by_id[i], rng) for i in ids]


def _by_freshness(ids: list[str], asked_before: Sequence[Collection[str]]) -> list[list[str]]:
    """``ids`` in tiers, freshest first: those in no group of ``asked_before``, then each group's in its order."""
    latest = {i: n for n, group in enumerate(asked_before, start=1) for i in group}
    tiers = [[i for i in ids if latest.get(i, 0) == n] for n in range(len(asked_before) + 1)]
    return [tier for tier in tiers if tier]


def asked_in(tries: Iterable[Iterable[TimedAnswer]]) -> list[set[str]]:
    """What a person was asked in their tries at a module (each one's answers, oldest try first), for :func:`draw`.

    Each try gives two groups: the questions missed, then those answered
    rightly; so a retake draws what was not just asked, then what was missed,
    and what was just answered rightly last.
    """
    groups: list[set[str]] = []
    for answers in tries:
        given = list(answers)
        right = right_in(given)
        groups += [{a.question_id for a in given} - right, right]
    return groups


def fresh_retake(
    pool: Sequence[Question],
    count: int,
    asked: Collection[str],
    covers: Mapping[str, frozenset[str]] | None = None,
    required: frozenset[str] = frozenset(),
) -> bool:
    """Whether a retake is sure to ask none of ``asked``: the pool has ``count`` others that can ask ``required``.

    :func:`draw` tries the questions not asked first, and with this many and
    this cover it always finds such a set (its last try is this same greedy one).
    """
    fresh = [q.id for q in pool if q.id not in asked]
    if len(fresh) < count:
        return False
    return not required or _fill([], fresh, count, random.Random(0), covers or {}, required, greedy=True)[1]


def right_in(answers: Iterable[TimedAnswer]) -> set[str]:
    """The questions answered rightly among ``answers`` (one attempt's): a scenario only if every step was."""
    outcome: dict[str, bool] = {}
    for answer in answers:
        outcome[answer.question_id] = outcome.get(answer.question_id, True) and answer.correct
    return {question for question, right in outcome.items() if right}


TRIES = 50  # fresh random tries before the last, greedy one: a pack the validator passes needs one or two


def _covering(
    pool: list[str],
    count: int,
    rng: random.Random,
    first: list[str],
    covers: Mapping[str, frozenset[str]],
    required: frozenset[str],
    rank: Mapping[str, int] | None = None,
) -> list[str]:
    """Up to ``count`` question ids that ask everything in ``required`` between them, as fresh as that allows.

    Each question is picked at random among those that ask something still
    unasked, the more it asks the likelier, so that draws differ; a try that
    ends with something unasked is thrown away. What was missed before
    (``first``) goes in first, each as long as the rest can still be asked.
    With ``rank`` (how lately each was asked: 0 not at all), each pick is among
    the least lately asked that ask something still unasked, and of the tries
    that ask it all the one that asks again the fewest wins; only when none
    does, picks are among all of them. When no try asks it all (a pack the
    validator refuses), the last one's set.
    """
    kept: list[str] = []
    for question in first:
        if len(kept) < count and _fill([*kept, question], pool, count, rng, covers, required, greedy=True)[1]:
            kept.append(question)
    picked: list[str] = kept
    if rank:  # of the tries that ask it all, the one that asks again the fewest, the least lately asked
        found: list[tuple[int, int, list[str]]] = []
        for attempt in range(TRIES + 1):
            picked, done = _fill(kept, pool, count, rng, covers, required, attempt == TRIES, rank)
            again = [rank.get(q, 0) for q in picked if rank.get(q, 0)]
            if done:
                found.append((len(again), sum(again), picked))
                if not again:
                    break
        if found:
            return min(found, key=lambda tried: tried[:2])[2]
    for attempt in range(TRIES + 1):
        picked, done = _fill(kept, pool, count, rng, covers, required, attempt == TRIES)
        if done:
            break
    return picked


def _fill(
    start: list[str],
    pool: list[str],
    count: int,
    rng: random.Random,
    covers: Mapping[str, frozenset[str]],
    required: frozenset[str],
    greedy: bool,
    rank: Mapping[str, int] | None = None,
) -> tuple[list[str], bool]:
    """``start`` and questions picked to ask what it leaves unasked; and whether all of ``required`` is."""
    picked, left = list(start), set(required)
    for question in picked:
        left -= covers.get(question, frozenset())
    candidates = [q for q in pool if q not in picked]
    while left and len(picked) < count:
        weights = [len(covers.get(q, frozenset()) & left) ** 2 for q in candidates]
        if not any(weights):
            break
        if rank:  # among those that ask something still unasked, the least lately asked only
            least = min(rank.get(q, 0) for q, w in zip(candidates, weights, strict=True) if w)
            weights = [w if rank.get(q, 0) == least else 0 for q, w in zip(candidates, weights, strict=True)]
        if greedy:
            choice = candidates[weights.index(max(weights))]
        else:
            [choice] = rng.choices(candidates, weights)
        picked.append(choice)
        candidates.remove(choice)
        left -= covers[choice]
    return picked, not left


class TimedAnswer(Protocol):
    attempt_id: str
    question_id: str
    correct: bool
    answered_at: dt.datetime


def review_queue(answers: Iterable[TimedAnswer]) -> list[str]:
    """Questions whose latest outcome was wrong, most recently missed first."""
    # One outcome per attempt and question: a scenario is right only if every step was.
    outcomes: dict[tuple[str, str], tuple[dt.datetime, bool]] = {}
    for answer in answers:
        key = (answer.attempt_id, answer.question_id)
        when, right = outcomes.get(key, (answer.answered_at, True))
        outcomes[key] = (max(when, answer.answered_at), right and answer.correct)
    latest: dict[str, tuple[dt.datetime, bool]] = {}
    for (_attempt, question), (when, right) in outcomes.items():
        if question not in latest or when > latest[question][0]:
            latest[question] = (when, right)
    missed = [(when, q) for q, (when, right) in latest.items() if not right]
    return [q for _when, q in sorted(missed, reverse=True)]


def _plan(question: Question, rng: random.Random) -> PlannedQuestion:
    if question.type is QuestionType.SCENARIO:
        return PlannedQuestion(question.id, {s.id: _shuffled([o.id for o in s.options], rng) for s in question.steps})
    ids = [o.id for o in question.choices()]
    # True, then False: the order everyone expects.
    order = ids if question.type is QuestionType.TRUE_FALSE else _shuffled(ids, rng)
    return PlannedQuestion(question.id, {ONE_STEP: order})


def _shuffled(ids: list[str], rng: random.Random) -> list[str]:
    copy = list(ids)
    rng.shuffle(copy)
    return copy


def plan_to_json(plan: Sequence[PlannedQuestion]) -> str:
    return json.dumps([{"question": p.question_id, "orders": p.orders} for p in plan])


def plan_from_json(text: str) -> list[PlannedQuestion]:
    return [PlannedQuestion(item["question"], item["orders"]) for item in json.loads(text)]


class AnswerRecord(Protocol):
    """What the quiz rules need of a stored answer."""

    question_id: str
    step_id: str
    choice: str  # JSON list of option ids
    correct: bool


@dataclass(frozen=True)
class Verdict:
    correct: bool
    # For each option that matters (the chosen ones, and the right ones
    # missed), in display order: the option and whether it was chosen.
    explained: list[tuple[Option, bool]]
    next_step: str | None  # scenarios: the step that follows; None when the question is over
    clause_ids: list[str]


def options_for(question: Question, step_id: str) -> list[Option]:
    if question.type is QuestionType.SCENARIO:
        return list(question.step(step_id).options)
    return question.choices()


def mark(question: Question, step_id: str, chosen: Iterable[str]) -> Verdict:
    """Mark one answer: a set of option ids for one step (or the whole of a one-step question)."""
    picked = set(chosen)
    options = options_for(question, step_id)
    known = {o.id for o in options}
    if not picked or not picked <= known:
        raise ValueError(f"choice {sorted(picked)} does not fit question {question.id}")
    if question.type is not QuestionType.MULTIPLE and len(picked) != 1:
        raise ValueError(f"question {question.id} takes exactly one choice")
    right = {o.id for o in options if o.correct}
    explained = [(o, o.id in picked) for o in options if o.id in picked or o.id in right]
    next_step = None
    clause_ids = question.clauses
    if question.type is QuestionType.SCENARIO:
        step = question.step(step_id)
        (only,) = picked
        next_step = next(o.next for o in step.options if o.id == only)
        clause_ids = step.clauses or question.clauses
    return Verdict(picked == right, explained, next_step, clause_ids)


@dataclass(frozen=True)
class Position:
    """Where an attempt stands, worked out from its stored answers."""

    index: int  # the question being asked (== total when all are done)
    step_id: str  # the step of that question to ask next
    total: int
    score: int  # questions fully and correctly answered so far
    done: frozenset[str]  # question ids finished
    missed: list[str]  # question ids finished wrongly, in plan order

    @property
    def finished(self) -> bool:
        return self.index >= self.total


def position(
    plan: Sequence[PlannedQuestion], questions: dict[str, Question], answers: Iterable[AnswerRecord]
) -> Position:
    """Replay the stored answers over the plan to find the next thing to ask."""
    by_question: dict[str, dict[str, AnswerRecord]] = {}
    for answer in answers:
        by_question.setdefault(answer.question_id, {})[answer.step_id] = answer
    score = 0
    done: set[str] = set()
    missed: list[str] = []
    for index, planned in enumerate(plan):
        question = questions[planned.question_id]
        given = by_question.get(planned.question_id, {})
        outcome = _replay(question, given)
        if not isinstance(outcome, bool):
            return Position(index, outcome, len(plan), score, frozenset(done), missed)
        done.add(question.id)
        if outcome:
            score += 1
        else:
            missed.append(question.id)
    return Position(len(plan), ONE_STEP, len(plan), score, frozenset(done), missed)


def _replay(question: Question, given: dict[str, AnswerRecord]) -> bool | str:
    """Whether a finished question was right, or else the step id to ask next."""
    if question.type is not QuestionType.SCENARIO:
        answer = given.get(ONE_STEP)
        return ONE_STEP if answer is None else bool(answer.correct)
    step_id = question.start or ONE_STEP
    all_right = True
    while True:
        answer = given.get(step_id)
        if answer is None:
            return step_id
        all_right = all_right and bool(answer.correct)
        (chosen,) = json.loads(answer.choice)
        following = next(o.next for o in question.step(step_id).options if o.id == chosen)
        if following is None:
            return all_right
        step_id = following


def passed(score: int, max_score: int, pass_mark: float) -> bool:
    return max_score > 0 and score / max_score >= pass_mark - 1e-9
