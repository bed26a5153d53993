"""What a learner does, as the app and the command line share it.

This joins the content, the quiz rules and the store: start or resume an
attempt, answer, finish. It holds no state of its own that is not on disk,
so killing the process at any point loses nothing that was answered.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from dataclasses import dataclass

from socialsafe.content.coverage import draw_needs
from socialsafe.content.loader import Content
from socialsafe.content.model import Clause, Module, ModuleKind, Option, Pack, Question, QuestionType
from socialsafe.domain import quiz
from socialsafe.domain.certificate import CertificateData, ModuleLine, new_code
from socialsafe.domain.people import letters
from socialsafe.domain.progress import ModuleProgress, ModuleStatus, module_progress
from socialsafe.domain.status import PersonStatus, PolicyPacks, is_pass, local_date, person_status
from socialsafe.i18n import _
from socialsafe.reports import PersonRecords
from socialsafe.site_config import pass_mark_for, site_validity_months
from socialsafe.storage.models import Acknowledgement, Attempt, Learner
from socialsafe.storage.store import InputError, Store, normalise_name


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
    # How many questions of the module (for this person) the attempt did not ask: a retake asks these first,
    # and whether it is sure to ask none of the attempt's again (it may need some to ask every "must" clause).
    not_asked: int = 0
    fresh_retake: bool = False


def status_of(
    store: Store, content: Content, learner: Learner, pack: Pack, today: dt.date | None = None
) -> PersonStatus:
    """The learner's training status for the policy of ``pack``, by the shared rules."""
    return person_status(
        PolicyPacks.of(content.packs, pack.policy.id),
        learner.role,
        attempts_of_person(store, learner),
        signoffs_of_person(store, learner),
        today or dt.date.today(),
        validity_months=site_validity_months(),
    )


def attempts_of_person(store: Store, learner: Learner) -> list[Attempt]:
    """The person's attempts on every PC (their learner records elsewhere come through the share)."""
    return sorted((a for x in store.same_person(learner) for a in store.attempts(x.id)), key=lambda a: a.started_at)


def signoffs_of_person(store: Store, learner: Learner) -> list[Acknowledgement]:
    return sorted(
        (s for x in store.same_person(learner) for s in store.acknowledgements(x.id)), key=lambda s: s.acknowledged_at
    )


def progress_for(store: Store, learner: Learner, pack: Pack, status: PersonStatus) -> list[ModuleProgress]:
    """Each module for the learner's role under the current policy version, as the home screen shows it."""
    attempts = [
        a
        for a in attempts_of_person(store, learner)
        if a.pack_id == pack.id and a.policy_version == pack.policy.version
    ]
    carried = {r.module.id for r in status.modules if r.carried_over}
    rows = []
    for module in pack.modules_for(learner.role):
        row = module_progress(module, attempts)
        if module.id in carried and row.status is not ModuleStatus.PASSED:
            row = ModuleProgress(module, ModuleStatus.PASSED, row.best_score, row.open_attempt, carried_over=True)
        rows.append(row)
    return rows


def next_module(store: Store, learner: Learner, pack: Pack, status: PersonStatus, after: Module) -> Module | None:
    """The module to offer after passing ``after``: the next one in the course not yet passed, else None."""
    rows = [r for r in progress_for(store, learner, pack, status) if r.module.kind is ModuleKind.QUIZ]
    order = [r.module.id for r in rows]
    start = order.index(after.id) + 1 if after.id in order else 0
    for row in rows[start:] + rows[:start]:
        if row.status is not ModuleStatus.PASSED and row.module.id != after.id:
            return row.module
    return None


def declaration(pack: Pack) -> str:
    return _("I have read and understood the {title}, version {version}, and I will follow it.").format(
        title=pack.policy.title, version=pack.policy.version
    )


def sign_off(store: Store, content: Content, learner: Learner, pack: Pack, typed_name: str) -> Acknowledgement:
    """Record the learner's sign-off of the current policy version, once every module is passed."""
    status = status_of(store, content, learner, pack)
    if not status.all_modules_passed:
        raise InputError(_("Pass every module first: then you can sign the policy."))
    # Compared on letters alone, as the contract tells people apart: "Sian" signs for "Siân".
    if letters(typed_name) != letters(learner.name):
        raise InputError(
            _(
                "“{typed}” is not the name on this record. To sign, type your name as it is shown: {name} "
                "(accents, capitals and punctuation do not matter)."
            ).format(typed=normalise_name(typed_name), name=learner.name)
        )
    return store.acknowledge(learner.id, pack, learner.name)


def refresher_of(pack: Pack) -> Module | None:
    refresher = pack.header.pack.refresher
    return pack.module(refresher) if refresher else None


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
        # Spaced review: in a mixed check, what the person got wrong before comes back first.
        first = quiz.review_queue(store.answers_of_learner(learner.id)) if module.kind is ModuleKind.MIXED else []
        # A final check asks every "must" clause and every module in each draw, a shorter path every "must" clause
        # of its module (content.coverage.draw_needs).
        covers, required = draw_needs(pack, module, learner.role)
        # A retake asks first what the person was not just asked, then what they missed, where the pool has enough.
        tries = [a for a in store.attempts(learner.id) if a.module_id == module.id and a.finished_at is not None]
        before = quiz.asked_in(store.answers(t.id) for t in tries)
        pool = pack.pool(module, learner.role)
        plan = quiz.draw(pool, module.draw_for(learner.role), rng or random.Random(), first, covers, required, before)
        attempt = store.start_attempt(learner.id, pack, module, plan, pass_mark_for(module.pass_mark))
        return cls(store, pack, module, attempt)

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
        # The pass mark recorded when the attempt began (the site may raise the module's).
        passed = quiz.passed(where.score, where.total, self.attempt.pass_mark)
        self.attempt = self.store.finish_attempt(self.attempt.id, where.score, passed)
        missed = [Missed(self._questions[q], self.clauses(self._questions[q].clauses)) for q in where.missed]
        score = self.attempt.score if self.attempt.score is not None else where.score
        learner = self.store.learner(self.attempt.learner_id)
        role = learner.role if learner is not None else ""
        pool, asked = self.pack.pool(self.module, role), {p.question_id for p in self.plan}
        covers, required = draw_needs(self.pack, self.module, role)
        fresh = quiz.fresh_retake(pool, self.module.draw_for(role), asked, covers, required)
        not_asked = len({q.id for q in pool} - asked)
        return Result(score, where.total, self.attempt.pass_mark, bool(self.attempt.passed), missed, not_asked, fresh)


def certificate_for(
    store: Store, content: Content, learner: Learner, pack: Pack, today: dt.date | None = None
) -> CertificateData | None:
    """The certificate for the learner's latest completion of the current policy version, if any, issued."""
    person = PersonRecords(learners=[])
    person.learners.extend(store.same_person(learner) or [learner])
    person.attempts.extend(attempts_of_person(store, learner))
    person.signoffs.extend(signoffs_of_person(store, learner))
    data = certificate_of_person(person, content, pack, today or dt.date.today())
    return issue_certificate(store, data, person, pack) if data is not None else None


def issue_certificate(store: Store, data: CertificateData, person: PersonRecords, pack: Pack) -> CertificateData:
    """``data`` with its verification code: the certificate this PC issued for that completion before, or a
    new one, recorded (and published at the next sync) so that the office can check it. Without the
    person's learner record on this PC (not yet synced), no code."""
    here = {x.id for x in store.learners()}
    mine = [x for x in person.learners if x.id in here]
    if not mine:
        return data
    learner = max(mine, key=lambda x: x.created_at)
    issued = store.issue_certificate(
        learner.id,
        pack.policy.id,
        pack.policy.version,
        data.completed_on.isoformat(),
        data.expires_on.isoformat(),
        new_code(),
    )
    return dataclasses.replace(data, code=issued.code)


def certificate_of_person(
    person: PersonRecords, content: Content, pack: Pack, today: dt.date
) -> CertificateData | None:
    """The certificate of the person's latest completion of ``pack``'s policy version, from their records
    (this PC's, or merged from every PC's for the office)."""
    packs = PolicyPacks.of(content.packs, pack.policy.id)
    status = person_status(packs, person.role, person.attempts, person.signoffs, today, site_validity_months())
    if status.completed_at is None or status.expires_on is None:
        return None
    lines = []
    for result in status.modules:
        if result.passed_at is None:
            continue
        passing = next(
            a
            for a in person.attempts
            if a.module_id == result.module.id and a.finished_at == result.passed_at and is_pass(a)
        )
        lines.append(
            ModuleLine(
                result.module.title,
                passing.score or 0,
                passing.max_score,
                local_date(result.passed_at),
                result.carried_over,
            )
        )
    return CertificateData(
        name=person.name,
        role=person.role,
        school=person.school,
        organisation=pack.policy.organisation,
        policy_title=pack.policy.title,
        policy_version=pack.policy.version,
        completed_on=status.completed_at,
        expires_on=status.expires_on,
        modules=lines,
        code="",
    )
