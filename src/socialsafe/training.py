"""What a learner does, as the app and the command line share it.

This joins the content, the quiz rules and the store: start or resume an
attempt, answer, finish. It holds no state of its own that is not on disk,
so killing the process at any point loses nothing that was answered.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from socialsafe.content.model import Clause, Module, Option, Pack, Question, QuestionType
from socialsafe.domain import quiz
from socialsafe.domain.progress import ModuleProgress, module_progress
from socialsafe.storage.models import Attempt, Learner
from socialsafe.storage.store import Store


@dataclass(frozen=True)
class Asked:
    """The question (or scenario step) to show now."""

    question: Question
    step_id: str
    options: list[Option]  # in the order this attempt shows them
    number: int  # 1-based
    total: int

    @property
    def prompt(self) -> str:
        if self.question.type is QuestionType.SCENARIO:
            return self.question.step(self.step_id).prompt
        return self.question.prompt

    @property
    def is_scenario_continuation(self) -> bool:
        return self.question.type is QuestionType.SCENARIO and self.step_id != self.question.start


@dataclass(frozen=True)
class Missed:
    question: Question
    clauses: list[Clause]


@dataclass(frozen=True)
class Result:
    score: int
    max_score: int
    pass_mark: float
    passed: bool
    missed: list[Missed]


def progress_for(store: Store, learner_id: str, pack: Pack, role: str) -> list[ModuleProgress]:
    attempts = [a for a in store.attempts(learner_id) if a.pack_id == pack.id]
    return [module_progress(m, attempts) for m in pack.modules_for(role)]


class QuizRun:
    """One attempt at one module, backed by the store."""

    def __init__(self, store: Store, pack: Pack, module: Module, attempt: Attempt) -> None:
        self.store = store
        self.pack = pack
        self.module = module
        self.attempt = attempt
        self.plan = quiz.plan_from_json(attempt.plan)
        self._questions = pack.questions()

    @classmethod
    def begin(
        cls, store: Store, learner: Learner, pack: Pack, module: Module, rng: random.Random | None = None
    ) -> QuizRun:
        """Resume the learner's unfinished attempt at this module, or start a fresh draw."""
        existing = store.open_attempt(learner.id, module.id)
        if existing is not None and cls._still_fits(existing, pack):
            return cls(store, pack, module, existing)
        return cls.start_new(store, learner, pack, module, rng)

    @classmethod
    def start_new(
        cls, store: Store, learner: Learner, pack: Pack, module: Module, rng: random.Random | None = None
    ) -> QuizRun:
        plan = quiz.draw(pack.pool(module, learner.role), module.draw, rng or random.Random())
        return cls(store, pack, module, store.start_attempt(learner.id, pack, module, plan))

    @staticmethod
    def _still_fits(attempt: Attempt, pack: Pack) -> bool:
        # A pack updated since the attempt began may have dropped its questions, and an
        # attempt begun under an older policy version would not count for the new one.
        ids = pack.questions()
        planned = quiz.plan_from_json(attempt.plan)
        same_content = (attempt.pack_id, attempt.policy_version) == (pack.id, pack.policy.version)
        return same_content and all(p.question_id in ids for p in planned)

    def position(self) -> quiz.Position:
        return quiz.position(self.plan, self._questions, self.store.answers(self.attempt.id))

    def current(self) -> Asked | None:
        where = self.position()
        if where.finished:
            return None
        planned = self.plan[where.index]
        question = self._questions[planned.question_id]
        by_id = {o.id: o for o in quiz.options_for(question, where.step_id)}
        order = planned.orders.get(where.step_id, list(by_id))
        return Asked(question, where.step_id, [by_id[i] for i in order if i in by_id], where.index + 1, where.total)

    def answer(self, chosen: list[str]) -> quiz.Verdict:
        """Mark the answer to the current question and commit it before returning."""
        asked = self.current()
        if asked is None:
            raise RuntimeError("the attempt has no question left to answer")
        verdict = quiz.mark(asked.question, asked.step_id, chosen)
        self.store.record_answer(self.attempt.id, asked.question.id, asked.step_id, sorted(chosen), verdict.correct)
        return verdict

    def clauses(self, clause_ids: list[str]) -> list[Clause]:
        return [self.pack.clause(c) for c in clause_ids]

    def finish(self) -> Result:
        where = self.position()
        if not where.finished:
            raise RuntimeError("the attempt still has questions to answer")
        passed = quiz.passed(where.score, where.total, self.module.pass_mark)
        self.attempt = self.store.finish_attempt(self.attempt.id, where.score, passed)
        missed = [Missed(self._questions[q], self.clauses(self._questions[q].clauses)) for q in where.missed]
        score = self.attempt.score if self.attempt.score is not None else where.score
        return Result(score, where.total, self.module.pass_mark, bool(self.attempt.passed), missed)
