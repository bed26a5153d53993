"""Report rows: who has done what, as ``completions.csv`` and ``modules.csv`` list it.

The columns are those of ``shared/contracts/share-format.md`` ("Derived
reports"); every status comes from :mod:`socialsafe.domain.status`, never from
a rule of this module's own. No Qt here.

Three layers, so that the shared-folder merge can reuse the lower two:

1. :class:`PersonRecords`: one person's learner records, attempts and sign-offs,
   from anywhere (this PC's store, device files, the roster);
   :func:`group_people` groups learner records into people by the contract's
   "Who is a person" rule.
2. :func:`build_person_rows` and :func:`build_module_rows`: rows from people,
   the loaded packs and today's date.
3. :func:`person_rows` and :func:`module_rows`: the same for this PC's store.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from typing import Protocol

from socialsafe.bulk import collector_paused
from socialsafe.content.loader import Content
from socialsafe.content.model import Pack
from socialsafe.domain.people import person_identity
from socialsafe.domain.progress import AttemptRecord, ModuleStatus, module_progress
from socialsafe.domain.status import (
    AttemptFacts,
    ModuleResult,
    PersonStatus,
    PolicyPacks,
    SignOffFacts,
    is_pass,
    local_date,
    person_status,
)
from socialsafe.site_config import site_validity_months
from socialsafe.storage.store import Store


class LearnerFacts(Protocol):
    """A learner record as the share format describes it."""

    id: str
    name: str
    email: str | None
    role: str
    school: str
    created_at: dt.datetime


class ReportAttempt(AttemptFacts, AttemptRecord, Protocol):
    """An attempt with what both the status rules and the module progress read."""


@dataclass
class PersonRecords:
    """Everything known about one person: the facts a report row is computed from."""

    learners: list[LearnerFacts]
    attempts: list[ReportAttempt] = field(default_factory=list)
    signoffs: list[SignOffFacts] = field(default_factory=list)
    # From the roster, when the person is on it (the roster's role wins).
    roster_role: str | None = None
    exempt_until: dt.date | None = None
    # ``attempts`` are a digest (socialsafe.domain.digest): enough for the person's status, not a module report.
    digested: bool = False

    @property
    def newest(self) -> LearnerFacts:
        return max(self.learners, key=lambda learner: learner.created_at)

    @property
    def name(self) -> str:
        return self.newest.name

    @property
    def school(self) -> str:
        return self.newest.school

    @property
    def email(self) -> str:
        """The newest email address given on any of the person's learner records."""
        dated = sorted(self.learners, key=lambda learner: learner.created_at, reverse=True)
        return next(((x.email or "").strip() for x in dated if (x.email or "").strip()), "")

    @property
    def role(self) -> str:
        """The role on the roster where the person is on it, else the one on the newest learner record."""
        return self.roster_role or self.newest.role

    def sort_key(self) -> tuple[str, ...]:
        return (*map(collation, (self.name, self.school, self.email)), self.name, self.school, self.email)


def collation(text: str) -> str:
    """Text as a person sorts it: without regard to case or accents ("Ánna" before "bob")."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)).casefold()


def group_people(learners: Iterable[LearnerFacts]) -> list[list[LearnerFacts]]:
    """Learner records grouped into people, in first-seen order."""
    groups: dict[tuple[str, ...], list[LearnerFacts]] = {}
    for learner in learners:
        groups.setdefault(person_identity(learner.name, learner.school, learner.email), []).append(learner)
    return list(groups.values())


def people_of_store(store: Store) -> list[PersonRecords]:
    """This PC's people, each with the attempts and sign-offs of all their learner records."""
    people = []
    for group in group_people(store.learners()):
        person = PersonRecords(learners=group)
        for learner in group:
            person.attempts.extend(store.attempts(learner.id))
            person.signoffs.extend(store.acknowledgements(learner.id))
        people.append(person)
    return people


# Rows ----------------------------------------------------------------------


@dataclass(slots=True)  # not frozen: a frozen dataclass is slow to make, and a trust's report has 45,000 rows
class PersonRow:
    """One row of ``completions.csv``: a person and one policy's current pack."""

    name: str
    email: str
    role: str
    school: str
    modules_passed: int
    modules_total: int
    acknowledged_at: str  # ISO date of the latest sign-off of the current version, or ""
    completed_at: str  # ISO date of the latest completion of the current version, or ""
    expires_on: str  # ISO date, or ""
    status: str  # a socialsafe.domain.status.Status value


@dataclass(slots=True)
class ModuleRow:
    """One row of ``modules.csv``: a person and one module that applies to them.

    Everything is about the current policy version: ``attempts``,
    ``best_score_percent`` and ``last_activity_at`` look at the attempts made
    under it, plus the earlier attempt a carried-over pass comes from.
    """

    name: str
    email: str
    role: str
    school: str
    module_id: str
    module_title: str
    status: str  # a socialsafe.domain.progress.ModuleStatus value
    best_score_percent: int | None  # best finished score, rounded; None before any finish
    attempts: int  # finished attempts (quiz or manual)
    first_passed_at: str  # ISO date of the pass that counts, or ""
    last_activity_at: str  # ISO date of the latest start or finish, or ""
    policy_version: str  # the current policy version the row is measured against


Row = PersonRow | ModuleRow


def columns(kind: type[PersonRow] | type[ModuleRow]) -> list[str]:
    """The column names, in order: the CSV header."""
    return [f.name for f in fields(kind)]


def iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def _policies(content: Content, policy_id: str | None) -> list[PolicyPacks]:
    """Every policy's packs (the current pack of each, in ``content.current`` order), or one policy's."""
    return [
        PolicyPacks.of(content.packs, pack.policy.id)
        for pack in content.current
        if policy_id is None or pack.policy.id == policy_id
    ]


def _status(person: PersonRecords, packs: PolicyPacks, today: dt.date, months: int | None = None) -> PersonStatus:
    return person_status(
        packs,
        person.role,
        person.attempts,
        person.signoffs,
        today,
        validity_months=months,
        exempt_until=person.exempt_until,
    )


def _person_row(facts: tuple[str, str, str, str], status: PersonStatus) -> PersonRow:
    name, email, role, school = facts
    return PersonRow(
        name=name,
        email=email,
        role=role,
        school=school,
        modules_passed=status.modules_passed,
        modules_total=status.modules_total,
        acknowledged_at=iso(status.acknowledged_at),
        completed_at=iso(status.completed_at),
        expires_on=iso(status.expires_on),
        status=str(status.status),
    )


def _facts(person: PersonRecords) -> tuple[str, str, str, str]:
    return person.name, person.email, person.role, person.school


def _by_module(person: PersonRecords, packs: PolicyPacks) -> dict[str, list[ReportAttempt]]:
    """The person's attempts at this policy's packs, by module, in their original order."""
    ids = packs.pack_ids
    grouped: dict[str, list[ReportAttempt]] = {}
    for a in person.attempts:
        if a.pack_id in ids:
            grouped.setdefault(a.module_id, []).append(a)
    return grouped


def build_person_rows(
    people: Iterable[PersonRecords], content: Content, today: dt.date, policy_id: str | None = None
) -> list[PersonRow]:
    """A row per person and policy (normally there is one), by policy, then name, school and email.

    ``policy_id`` limits the rows to that policy.
    """
    return build_rows(people, content, today, policy_id, modules=False)[0]


def build_module_rows(
    people: Iterable[PersonRecords], content: Content, today: dt.date, policy_id: str | None = None
) -> list[ModuleRow]:
    """A row per person and applicable module of the current pack: by policy, person, then pack order."""
    return build_rows(people, content, today, policy_id, persons=False)[1]


def build_rows(
    people: Iterable[PersonRecords],
    content: Content,
    today: dt.date,
    policy_id: str | None = None,
    persons: bool = True,
    modules: bool = True,
) -> tuple[list[PersonRow], list[ModuleRow]]:
    """Both reports from one status computation per person and policy."""
    with collector_paused():
        return _build_rows(people, content, today, policy_id, persons, modules)


def _build_rows(
    people: Iterable[PersonRecords],
    content: Content,
    today: dt.date,
    policy_id: str | None,
    persons: bool,
    modules: bool,
) -> tuple[list[PersonRow], list[ModuleRow]]:
    ordered = sorted(people, key=PersonRecords.sort_key)
    if modules and any(person.digested for person in ordered):
        raise ValueError("a module report needs every attempt, not a digest")
    months = site_validity_months()  # once, not once a person: it reads the site config file
    person_rows: list[PersonRow] = []
    module_rows: list[ModuleRow] = []
    for packs in _policies(content, policy_id):
        for person in ordered:
            status = _status(person, packs, today, months)
            facts = _facts(person)
            if persons:
                person_rows.append(_person_row(facts, status))
            if modules:
                grouped = _by_module(person, packs)
                for result in status.modules:
                    module_rows.append(_module_row(facts, packs, result, grouped.get(result.module.id, [])))
    return person_rows, module_rows


def _module_row(
    facts: tuple[str, str, str, str], packs: PolicyPacks, result: ModuleResult, attempts: list[ReportAttempt]
) -> ModuleRow:
    """``attempts``: the person's attempts at this module, in this policy's packs."""
    current: Pack = packs.current
    module = result.module
    version = current.policy.version
    counted = [a for a in attempts if a.policy_version == version]
    if result.carried_over:
        counted += [a for a in attempts if a.finished_at == result.passed_at and is_pass(a)][:1]
    progress = module_progress(module, counted)
    if result.passed_at is not None:
        state = ModuleStatus.PASSED
    elif progress.status is ModuleStatus.PASSED:
        # Marked passed but not a pass under the rules (cannot happen with records this app wrote).
        state = ModuleStatus.NOT_PASSED
    else:
        state = progress.status
    last = progress.last_activity
    name, email, role, school = facts
    return ModuleRow(
        name=name,
        email=email,
        role=role,
        school=school,
        module_id=module.id,
        module_title=module.title,
        status=str(state),
        best_score_percent=round(progress.best_score * 100) if progress.best_score is not None else None,
        attempts=progress.finished,
        first_passed_at=iso(local_date(result.passed_at) if result.passed_at else None),
        last_activity_at=iso(local_date(last) if last else None),
        policy_version=version,
    )


def person_rows(
    store: Store, content: Content, today: dt.date | None = None, policy_id: str | None = None
) -> list[PersonRow]:
    """``completions.csv`` rows for this PC's own records."""
    return build_person_rows(people_of_store(store), content, today or dt.date.today(), policy_id)


def module_rows(
    store: Store, content: Content, today: dt.date | None = None, policy_id: str | None = None
) -> list[ModuleRow]:
    """``modules.csv`` rows for this PC's own records."""
    return build_module_rows(people_of_store(store), content, today or dt.date.today(), policy_id)


def person_row_of(
    store: Store, content: Content, learner_id: str, policy_id: str, today: dt.date | None = None
) -> PersonRow | None:
    """The row of the person a learner record belongs to, with all their records on this PC."""
    people = [p for p in people_of_store(store) if any(x.id == learner_id for x in p.learners)]
    rows = build_person_rows(people, content, today or dt.date.today(), policy_id)
    return rows[0] if rows else None


def refreshers(content: Content) -> frozenset[str]:
    """The module ids the loaded packs name as their refresher: what a digest of attempts keeps every pass of."""
    return frozenset(r for pack in content.packs if (r := pack.header.pack.refresher))


def rows_by(
    by: str,
    store: Store,
    content: Content,
    today: dt.date | None = None,
    policy_id: str | None = None,
    people: Sequence[PersonRecords] | None = None,
) -> tuple[list[str], Sequence[Row]]:
    """The header and rows of the report ``by`` ("person" or "module").

    ``people`` is everyone merged from the share; without it, this PC's store.
    """
    everyone = people if people is not None else people_of_store(store)
    day = today or dt.date.today()
    if by == "module":
        return columns(ModuleRow), build_module_rows(everyone, content, day, policy_id)
    return columns(PersonRow), build_person_rows(everyone, content, day, policy_id)
