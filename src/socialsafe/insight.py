"""What the office manager looks at: who is trained, counts by status and group, how questions are answered.

Pure functions over :class:`socialsafe.reports.PersonRecords`, the loaded packs
and plain answer rows; every status comes from the reports (and so from
:mod:`socialsafe.domain.status`). No Qt here: the office console
(:mod:`socialsafe.ui.admin`) shows what this module counts.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Protocol, cast

from socialsafe.content.loader import Content
from socialsafe.content.model import Pack, Question, QuestionType
from socialsafe.domain.status import Status, local_date
from socialsafe.export import to_csv
from socialsafe.i18n import _
from socialsafe.reports import PersonRecords, PersonRow, Row, build_person_rows

# The order statuses are counted and shown in: the good news first, then what needs doing.
STATUS_ORDER: tuple[Status, ...] = (
    Status.COMPLETE,
    Status.DUE_SOON,
    Status.EXPIRED,
    Status.UPDATE_NEEDED,
    Status.IN_PROGRESS,
    Status.NOT_STARTED,
    Status.EXEMPT,
)
# Trained now: a completion that is still valid.
TRAINED: frozenset[Status] = frozenset({Status.COMPLETE, Status.DUE_SOON})
SHORT_DEVICE = 8  # characters of a device id shown to people


def short_device(device_id: str) -> str:
    """A device id as people read it: its first characters, enough to tell the PCs of a school apart."""
    return device_id[:SHORT_DEVICE]


# People ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonSummary:
    """One person as the dashboard lists them: their report row plus what the row leaves out."""

    person: PersonRecords
    row: PersonRow
    last_activity: dt.date | None  # the latest attempt or sign-off, any policy
    devices: tuple[str, ...]  # the PCs their records came from (full device ids), sorted

    @property
    def status(self) -> Status:
        return Status(self.row.status)

    @property
    def name(self) -> str:
        return self.row.name

    @property
    def school(self) -> str:
        return self.row.school

    @property
    def role(self) -> str:
        return self.row.role

    @property
    def email(self) -> str:
        return self.row.email

    @property
    def expires_on(self) -> dt.date | None:
        return dt.date.fromisoformat(self.row.expires_on) if self.row.expires_on else None

    @property
    def completed_on(self) -> dt.date | None:
        return dt.date.fromisoformat(self.row.completed_at) if self.row.completed_at else None


def last_activity(person: PersonRecords) -> dt.date | None:
    """The day of the person's latest start, finish or sign-off, on this PC's calendar."""
    moments = [a.finished_at or a.started_at for a in person.attempts]
    moments += [s.acknowledged_at for s in person.signoffs]
    return local_date(max(moments)) if moments else None


def devices_of(person: PersonRecords) -> tuple[str, ...]:
    """Every PC that holds one of the person's records (a roster entry has none)."""
    found = {str(getattr(x, "device_id", "")) for x in person.learners}
    found |= {str(getattr(a, "device_id", "")) for a in person.attempts}
    found |= {str(getattr(s, "device_id", "")) for s in person.signoffs}
    return tuple(sorted(d for d in found if d))


def summarise(
    people: Iterable[PersonRecords], content: Content, today: dt.date, policy_id: str | None = None
) -> list[PersonSummary]:
    """A summary per person for one policy (default: the primary one, as the share's reports), by name."""
    policy = policy_id or content.primary_policy_id
    if policy is None:
        return []
    ordered = sorted(people, key=PersonRecords.sort_key)
    # build_person_rows sorts by the same key, stably: its rows line up with ``ordered``.
    rows = build_person_rows(ordered, content, today, policy)
    return [
        PersonSummary(person, row, last_activity(person), devices_of(person))
        for person, row in zip(ordered, rows, strict=True)
    ]


def count_by_status(summaries: Iterable[PersonSummary]) -> dict[Status, int]:
    """How many people have each status, every status present (0 where none), in :data:`STATUS_ORDER`."""
    counted = Counter(s.status for s in summaries)
    return {status: counted.get(status, 0) for status in STATUS_ORDER}


@dataclass(frozen=True)
class GroupCounts:
    """The people of one school (or role) by status."""

    group: str
    counts: dict[Status, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def trained(self) -> int:
        return sum(n for status, n in self.counts.items() if status in TRAINED)

    @property
    def trained_percent(self) -> int:
        return round(100 * self.trained / self.total) if self.total else 0


def counts_by(summaries: Iterable[PersonSummary], group: Callable[[PersonSummary], str]) -> list[GroupCounts]:
    """Status counts per group (a school, a role), groups in alphabetical order regardless of case."""
    grouped: dict[str, list[PersonSummary]] = {}
    for summary in summaries:
        grouped.setdefault(group(summary), []).append(summary)
    return [GroupCounts(name, count_by_status(grouped[name])) for name in sorted(grouped, key=str.casefold)]


# Certificates for people whose records are not (all) on this PC ----------------------------


# Question insight ---------------------------------------------------------------------------


class AnswerFacts(Protocol):
    """An answer row as the local database keeps it (:class:`socialsafe.storage.models.Answer`)."""

    attempt_id: str
    question_id: str
    step_id: str
    choice: str  # the option ids chosen, as a JSON list
    correct: bool


@dataclass(frozen=True)
class QuestionCount:
    """How one question (or one step of a scenario) was answered."""

    question_id: str
    step_id: str
    people: int  # different people who answered it
    answers: int  # answers given, over every attempt
    wrong: int  # of those, answers that were not right
    wrong_choices: tuple[tuple[str, int], ...]  # wrong options chosen, most chosen first

    @property
    def wrong_percent(self) -> int:
        return round(100 * self.wrong / self.answers) if self.answers else 0


def _chosen(choice: str) -> list[str]:
    try:
        value = json.loads(choice)
    except ValueError:
        return []
    return [str(v) for v in value] if isinstance(value, list) else []


def count_answers(
    answers: Iterable[tuple[Hashable, AnswerFacts]],
    right_options: Mapping[tuple[str, str], Iterable[str]] | None = None,
) -> list[QuestionCount]:
    """Counts per question and step from ``(person, answer)`` pairs, in the order questions are first met.

    ``person`` is anything that tells people apart (their identity). A wrong
    option is one chosen in an answer that was not right and that is not one of
    the question's right options (``right_options`` by question and step; when a
    question is not in it, every option chosen in a wrong answer counts).
    """
    right = {key: set(ids) for key, ids in (right_options or {}).items()}
    people: dict[tuple[str, str], set[Hashable]] = {}
    given: Counter[tuple[str, str]] = Counter()
    wrong: Counter[tuple[str, str]] = Counter()
    choices: dict[tuple[str, str], Counter[str]] = {}
    for person, answer in answers:
        key = (answer.question_id, answer.step_id)
        people.setdefault(key, set()).add(person)
        given[key] += 1
        tally = choices.setdefault(key, Counter())
        if not answer.correct:
            wrong[key] += 1
            known_right = right.get(key, set())
            tally.update(option for option in dict.fromkeys(_chosen(answer.choice)) if option not in known_right)
    return [
        QuestionCount(
            question_id,
            step_id,
            len(who),
            given[(question_id, step_id)],
            wrong[(question_id, step_id)],
            tuple(sorted(choices[(question_id, step_id)].items(), key=lambda item: (-item[1], item[0]))),
        )
        for (question_id, step_id), who in people.items()
    ]


def right_options_of(packs: Iterable[Pack]) -> dict[tuple[str, str], set[str]]:
    """The right option ids of every question and scenario step of the packs, by (question, step)."""
    right: dict[tuple[str, str], set[str]] = {}
    for pack in packs:
        for question in pack.questions().values():
            if question.type is QuestionType.SCENARIO:
                for step in question.steps:
                    right[(question.id, step.id)] = {o.id for o in step.options if o.correct}
            else:
                right[(question.id, "")] = {o.id for o in question.choices() if o.correct}
    return right


@dataclass(frozen=True)
class InsightRow:
    """One line of the question insight table and its CSV export."""

    module_id: str
    module_title: str
    question_id: str
    step_id: str
    question: str
    clause_ids: str  # space-separated, as the pack lists them
    people_answered: int
    answers: int
    wrong_answers: int
    wrong_percent: int
    most_chosen_wrong: str  # "option text (n); …", most chosen first


def _option_texts(question: Question, step_id: str) -> dict[str, str]:
    if question.type is QuestionType.SCENARIO:
        return {o.id: o.text for o in question.step(step_id).options}
    if question.type is QuestionType.TRUE_FALSE:
        return {"true": _("True"), "false": _("False")}
    return {o.id: o.text for o in question.options}


def _prompt(question: Question, step_id: str) -> str:
    if question.type is QuestionType.SCENARIO:
        return _("{scenario} — {step}").format(scenario=question.prompt, step=question.step(step_id).prompt)
    return question.prompt


def _clauses(question: Question, step_id: str) -> list[str]:
    if question.type is QuestionType.SCENARIO:
        return question.step(step_id).clauses or question.clauses
    return question.clauses


def insight_rows(counts: Sequence[QuestionCount], packs: Sequence[Pack], top: int = 3) -> list[InsightRow]:
    """A row per question (and scenario step) of ``packs``, in pack order, answered or not.

    Questions answered but found in none of the packs (a pack since changed)
    come last, with their ids only. ``top`` wrong options are named per row.
    """
    by_key = {(c.question_id, c.step_id): c for c in counts}
    rows: list[InsightRow] = []
    seen: set[tuple[str, str]] = set()
    for pack in packs:
        for module in pack.modules:
            for question in module.questions:
                steps = [s.id for s in question.steps] if question.type is QuestionType.SCENARIO else [""]
                for step_id in steps:
                    key = (question.id, step_id)
                    if key in seen:
                        continue
                    seen.add(key)
                    count = by_key.get(key, QuestionCount(question.id, step_id, 0, 0, 0, ()))
                    texts = _option_texts(question, step_id)
                    wrong = [(texts.get(option, option), n) for option, n in count.wrong_choices[:top]]
                    prompt, clauses = _prompt(question, step_id), _clauses(question, step_id)
                    rows.append(_insight_row(count, module.id, module.title, prompt, clauses, wrong))
    for count in counts:
        if (count.question_id, count.step_id) not in seen:
            rows.append(
                _insight_row(
                    count, "", "", _("A question no longer in the course"), [], list(count.wrong_choices[:top])
                )
            )
    return rows


def _insight_row(
    count: QuestionCount,
    module_id: str,
    module_title: str,
    prompt: str,
    clauses: list[str],
    wrong: list[tuple[str, int]] | None = None,
) -> InsightRow:
    return InsightRow(
        module_id=module_id,
        module_title=module_title,
        question_id=count.question_id,
        step_id=count.step_id,
        question=" ".join(prompt.split()),
        clause_ids=" ".join(clauses),
        people_answered=count.people,
        answers=count.answers,
        wrong_answers=count.wrong,
        wrong_percent=count.wrong_percent,
        most_chosen_wrong="; ".join(f"{text} ({n})" for text, n in wrong or []),
    )


def insight_csv(rows: Sequence[InsightRow]) -> bytes:
    """The insight table as CSV, exactly as the reports are written (UTF-8 with a BOM, formulas neutralised)."""
    # to_csv reads any dataclass by its field names; its type names the report rows it was written for.
    return to_csv([f.name for f in fields(InsightRow)], cast("Sequence[Row]", rows))
