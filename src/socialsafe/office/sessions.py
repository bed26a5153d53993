"""One face-to-face session for many people at once, with no Qt: who was there, what it covered, and recording it.

``socialsafe record`` and the office's "Record a group session…"
both use it. The rules:

- **Who was there**: people the office knows (their learner records on any
  PC), people typed on the command line, or the rows of an attendance file
  (CSV with the header ``name,email,role,school``, read as a staff list is:
  :func:`read_attendance`). One person listed twice is recorded once.
- **What it covered**: one module, some modules, or the whole course: every
  module that applies to each person's role (:class:`Covered`).
- **Everything is checked before anything is written** (:func:`plan`): the
  score, each person (found on this PC as the share format's "Who is a
  person" says, else to be added with the role given), the modules. A problem
  raises :class:`SessionError` and leaves the database as it was.
- **Recording** (:func:`record`) makes one manual attempt per person and
  module through :meth:`Store.record_manual`, held to the pass mark in force
  on this PC (:func:`socialsafe.site_config.pass_mark_for`) and signed with
  the office's authority when there is one; each person's :class:`Outcome`
  says who was added, what was recorded, what is below the pass mark and
  which modules did not apply to their role.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from socialsafe import site_config
from socialsafe.content.loader import Problem
from socialsafe.content.model import Module, ModuleKind, Pack
from socialsafe.content.roles import Role
from socialsafe.domain import quiz
from socialsafe.domain.people import normalise_name, person_identity, person_key
from socialsafe.files import read_whole
from socialsafe.i18n import _
from socialsafe.log import log
from socialsafe.storage.models import Attempt, Learner
from socialsafe.storage.store import Prove, Store

ALL = "all"  # ``socialsafe record --module all``: the whole course

Show = Callable[[object], str]  # how a name is put in a message: as it is, or made printable for a terminal


# Who was there ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attendee:
    """One person at the session, as listed (typed, picked from the office's list, or a row of a file)."""

    name: str
    school: str
    email: str | None
    role: str  # the role they are added with when they are new to this PC
    # The person's learner records the office knows of (from any PC): their records are filed under the newest
    # of these that is in this PC's database.
    learner_ids: tuple[str, ...] = ()
    known_role: str | None = None  # the role the office's reports give them (the staff list's first)
    line: int | None = None  # the row of the attendance file it came from

    @property
    def identity(self) -> tuple[str, ...]:
        return person_identity(self.name, self.school, self.email)


def same_person(one: Attendee, other: Attendee) -> bool:
    """Whether two listings are one person: the same identity, or the same name and school where one has no email."""
    if one.identity == other.identity:
        return True
    return person_key(one.name, one.school) == person_key(other.name, other.school) and not (
        (one.email or "").strip() and (other.email or "").strip()
    )


def matched(rows: Iterable[Attendee], known: Sequence[Attendee]) -> list[tuple[Attendee, Attendee | None]]:
    """Each row of an attendance file with the person the office knows it to be (None: someone new)."""
    return [(row, next((k for k in known if same_person(row, k)), None)) for row in rows]


class AttendanceError(ValueError):
    """An attendance file that cannot be read at all: the message says why."""


def read_attendance(path: Path) -> tuple[list[Attendee], list[Problem]]:
    """The people in an attendance file, and its rows' problems (``FILE:LINE: message``), as for a staff list.

    A row with no name, no school, a role that is not one of the policy's
    codes or an email address that does not look right is a problem; extra
    columns are ignored. Raises :class:`AttendanceError` when the file cannot
    be read or is not UTF-8 text.
    """
    from socialsafe.roster import decode
    from socialsafe.sync.share import parse_roster

    try:
        text = decode(read_whole(path))  # a plain file of a staff list's size
    except OSError as error:
        raise AttendanceError(
            _("Cannot read {file} ({reason}).").format(file=path, reason=error.strerror or error)
        ) from error
    except ValueError as error:
        raise AttendanceError(str(error)) from error
    people, problems = parse_roster(path, text)
    lines = _row_lines(text, {p.line for p in problems})
    if len(lines) != len(people):  # cannot happen: each row is a person or a problem
        lines = [None] * len(people)
    attendees = []
    for person, line in zip(people, lines, strict=True):
        why = _new_person_problem(person.name, person.school, person.role, person.email, in_file=True)
        if why:
            problems.append(Problem(path, why, line=line))
            continue
        attendees.append(Attendee(person.name, person.school, person.email, person.role, line=line))
    problems.sort(key=lambda p: p.line or 0)
    return attendees, problems


def _row_lines(text: str, skipped: set[int | None]) -> list[int | None]:
    """The line each row of a CSV text ends on, but for ``skipped`` ones: where :func:`parse_roster`'s people are."""
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None:
        return []
    lines: list[int | None] = []
    for _row in reader:
        if reader.line_num not in skipped:
            lines.append(reader.line_num)
    return lines


def _new_person_problem(name: str, school: str, role: str, email: str | None, in_file: bool = False) -> str:
    """Why a new learner could not be added with these details ("" when they can): as :meth:`Store.add_learner`."""
    address = (email or "").strip()
    if not normalise_name(name):
        return _("a row with no name") if in_file else _("Please enter your name.")
    if not normalise_name(school):
        return _("a row with no school") if in_file else _("Please enter your school.")
    if role not in set(Role):
        return (
            _("role {role} is not one of the policy's roles").format(role=role)
            if in_file
            else _("Please choose your role.")
        )
    if address and ("@" not in address or " " in address):
        if in_file:
            return _("the email address {email} does not look right").format(email=address)
        return _("That email address does not look right. Leave it empty if you have none.")
    return ""


# What it covered -------------------------------------------------------------------------------------------


def course_modules(pack: Pack) -> list[Module]:
    """The modules a session can cover: those with questions of their own (not the mixed final check)."""
    return [m for m in pack.modules if m.kind is ModuleKind.QUIZ and m.questions]


@dataclass(frozen=True)
class Covered:
    """What the session covered: modules of one pack.

    ``whole_course``: every module that applies to each person's role. With
    ``their_role_only`` (always so for the whole course) a chosen module that
    does not apply to someone's role is left out for them, and said; without
    it, a module named on purpose is recorded for everyone.
    """

    pack: Pack
    modules: tuple[Module, ...]
    whole_course: bool = False
    their_role_only: bool = True

    @classmethod
    def course(cls, pack: Pack) -> Covered:
        return cls(pack, tuple(course_modules(pack)), whole_course=True)

    def for_role(self, role: str) -> tuple[list[Module], list[Module]]:
        """The modules to record for someone in ``role``, and those left out as not for their role."""
        if not self.their_role_only:
            return list(self.modules), []
        applies = [m for m in self.modules if m.applies_to(role)]
        return applies, [m for m in self.modules if not m.applies_to(role)]


def covered_by(packs: Sequence[Pack], wanted: str) -> Covered:
    """The module ``wanted`` (an id) in ``packs``, or with :data:`ALL` the whole course of the one pack there is.

    Raises :class:`SeveralPoliciesError`, :class:`UnknownModuleError` or :class:`AmbiguousModuleError`.
    """
    if wanted == ALL:
        if len(packs) != 1:
            raise SeveralPoliciesError()
        course = Covered.course(packs[0])
        if not course.modules:
            raise UnknownModuleError(wanted, [m.id for m in packs[0].modules])
        return course
    found = [(p, m) for p in packs for m in p.modules if m.id == wanted]
    if not found:
        raise UnknownModuleError(wanted, [m.id for p in packs for m in p.modules])
    if len(found) > 1:
        raise AmbiguousModuleError(wanted)
    pack, module = found[0]
    return Covered(pack, (module,), their_role_only=False)


# The pass mark ------------------------------------------------------------------------------------------------


def pass_mark(module: Module) -> float:
    """The pass mark a session's result in ``module`` is held to on this PC (the site may raise the module's)."""
    return site_config.pass_mark_for(module.pass_mark)


def least_to_pass(max_score: int, mark: float) -> int:
    """The lowest score out of ``max_score`` that reaches ``mark`` (as :func:`socialsafe.domain.quiz.passed` marks)."""
    return next((s for s in range(max_score + 1) if quiz.passed(s, max_score, mark)), max_score)


def below_pass_mark(modules: Iterable[Module], score: int, max_score: int) -> list[Module]:
    """Those of ``modules`` whose pass mark ``score`` out of ``max_score`` does not reach."""
    return [m for m in modules if not quiz.passed(score, max_score, pass_mark(m))]


# The session ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Session:
    """One face-to-face session: what it covered, the score everyone gets, the day and a note."""

    covered: Covered
    score: int
    max_score: int
    day: dt.date | None = None  # None: now
    note: str | None = None


def moment(day: dt.date | None, now: dt.datetime | None = None) -> dt.datetime:
    """When a record of ``day`` is dated: noon that day on this PC's clock, in UTC, never later than now.

    No day is now.
    """
    now = now or dt.datetime.now(dt.UTC)
    if day is None:
        return now
    return min(dt.datetime.combine(day, dt.time(12)).astimezone().astimezone(dt.UTC), now)


class SessionError(ValueError):
    """Nothing was recorded; :meth:`say` is why, in one sentence for the person."""

    def say(self, show: Show = str) -> str:
        return str(self.args[0]) if self.args else ""

    def __str__(self) -> str:
        return self.say()


class ScoreError(SessionError):
    def __init__(self) -> None:
        super().__init__(_("The score must be between 0 and the maximum score, which must be above 0."))


class NoOneThereError(SessionError):
    def __init__(self) -> None:
        super().__init__(_("No one is listed as at the session."))


class SeveralPoliciesError(SessionError):
    def __init__(self) -> None:
        super().__init__(_("This PC has packs for several policies: say which one."))


class UnknownModuleError(SessionError):
    def __init__(self, module: str, known: Sequence[str]) -> None:
        super().__init__(
            _("There is no module {module} in the current quiz pack; the modules are: {known}.").format(
                module=module, known=", ".join(known)
            )
        )
        self.module, self.known = module, list(known)


class AmbiguousModuleError(SessionError):
    def __init__(self, module: str) -> None:
        super().__init__(_("Module {module} is in the packs of several policies: say which one.").format(module=module))
        self.module = module


class PersonError(SessionError):
    """Someone who would be added to this PC cannot be, as listed: ``reason`` says why."""

    def __init__(self, attendee: Attendee, reason: str) -> None:
        super().__init__(reason)
        self.attendee, self.reason = attendee, reason

    def say(self, show: Show = str) -> str:
        return _("{name} ({school}): {reason}").format(
            name=show(self.attendee.name), school=show(self.attendee.school), reason=self.reason
        )


class OtherEmailError(SessionError):
    """Listed with an email address, but this PC has them by name and school with another one."""

    def __init__(self, learner: Learner | Attendee, listed_twice: bool = False) -> None:
        super().__init__(learner.name)
        self.learner, self.listed_twice = learner, listed_twice

    def say(self, show: Show = str) -> str:
        who = self.learner
        if self.listed_twice:
            return _("{name} at {school} is listed twice, with different email addresses.").format(
                name=show(who.name), school=show(who.school)
            )
        return _("{name} at {school} is on this PC with another email address, {email}.").format(
            name=show(who.name), school=show(who.school), email=show(who.email or "")
        )


@dataclass(frozen=True)
class Planned:
    """One person's part of the session, worked out before anything is written."""

    attendee: Attendee
    learner: Learner | None  # None: added to this PC when the session is recorded
    role: str  # the role the modules are chosen for
    modules: tuple[Module, ...]
    not_for_role: tuple[Module, ...]


def check_score(score: int, max_score: int) -> None:
    if max_score < 1 or not 0 <= score <= max_score:
        raise ScoreError()


def plan(store: Store, session: Session, attendees: Sequence[Attendee]) -> list[Planned]:
    """Everyone's part of ``session``, everything checked; :class:`SessionError` (and nothing written) if not."""
    check_score(session.score, session.max_score)
    learners = store.learners()
    planned: list[Planned] = []
    new: list[Attendee] = []  # the people to add, so that one listed twice is added once
    seen: list[Attendee] = []
    for attendee in attendees:
        if any(same_person(attendee, other) for other in seen):
            log.info("session: %s is listed more than once; recorded once", attendee.name)
            continue
        seen.append(attendee)
        learner = existing_learner(store, attendee, learners)
        if learner is None:
            for other in new:
                if person_key(other.name, other.school) == person_key(attendee.name, attendee.school):
                    raise OtherEmailError(attendee, listed_twice=True)
            why = _new_person_problem(attendee.name, attendee.school, attendee.role, attendee.email)
            if why:
                raise PersonError(attendee, why)
            new.append(attendee)
        role = attendee.known_role or (learner.role if learner is not None else attendee.role)
        modules, left_out = session.covered.for_role(role)
        planned.append(Planned(attendee, learner, role, tuple(modules), tuple(left_out)))
    if not planned:
        raise NoOneThereError()
    return planned


def existing_learner(store: Store, attendee: Attendee, learners: Sequence[Learner] | None = None) -> Learner | None:
    """The learner record on this PC the attendee's records go under, if they have one ("Who is a person").

    Raises :class:`OtherEmailError` when the name and school are on this PC with another email address.
    ``learners``: this PC's, when the caller has them already.
    """
    if learners is None:
        learners = store.learners()
    known = [x for x in (store.learner(i) for i in attendee.learner_ids if i != "roster") if x is not None]
    if known:
        return max(known, key=lambda x: x.created_at)
    same = [x for x in learners if person_identity(x.name, x.school, x.email) == attendee.identity]
    if not same:
        # One learner per name and school on a PC: a record without an email is the same person.
        key = person_key(attendee.name, attendee.school)
        by_name = [x for x in learners if person_key(x.name, x.school) == key]
        if by_name and (attendee.email or "").strip() and by_name[0].email:
            raise OtherEmailError(by_name[0])
        same = by_name
    return max(same, key=lambda x: x.created_at) if same else None


# Recording --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What was recorded for one person."""

    attendee: Attendee
    learner: Learner
    added: bool  # new to this PC
    role: str  # the role the modules were chosen for
    attempts: tuple[tuple[Module, Attempt], ...]
    not_for_role: tuple[Module, ...] = ()  # chosen modules left out: not for their role

    @property
    def below(self) -> list[Module]:
        """The modules recorded below the pass mark (not passed)."""
        return [m for m, a in self.attempts if not a.passed]

    @property
    def passed(self) -> bool:
        return bool(self.attempts) and not self.below


def record(store: Store, session: Session, planned: Sequence[Planned], prove: Prove | None = None) -> list[Outcome]:
    """Write ``planned`` (from :func:`plan`): add who is new, then one manual attempt per person and module.

    ``prove``: the office's signature (:func:`socialsafe.office.authority.maybe_prover`), once the share has an
    authority. Raises :class:`socialsafe.storage.store.InputError` only for what :func:`plan` cannot foresee.
    """
    at = moment(session.day)
    pack = session.covered.pack
    outcomes = []
    for part in planned:
        learner, added = part.learner, False
        if learner is None:
            person = part.attendee
            learner = store.add_learner(person.name, person.role, person.school, person.email, prove=prove)
            added = True
        attempts = []
        for module in part.modules:
            attempt = store.record_manual(
                learner.id,
                pack,
                module,
                session.score,
                session.max_score,
                at,
                session.note,
                pass_mark=pass_mark(module),
                prove=prove,
            )
            log.info("manual record %s for learner %s, module %s", attempt.id, learner.id, module.id)
            attempts.append((module, attempt))
        outcomes.append(Outcome(part.attendee, learner, added, part.role, tuple(attempts), part.not_for_role))
    return outcomes


def record_session(
    store: Store, session: Session, attendees: Sequence[Attendee], prove: Prove | None = None
) -> list[Outcome]:
    """Check everything (:func:`plan`), then record (:func:`record`)."""
    return record(store, session, plan(store, session, attendees), prove)


# What was recorded, in sum ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """A whole session's outcomes in sum, for the office to say."""

    people: int  # everyone at the session
    records: int
    passed: list[str] = field(default_factory=list)  # names of those who passed every module recorded
    below: list[str] = field(default_factory=list)  # names of those with a result below the pass mark
    added: list[str] = field(default_factory=list)  # new to this PC
    no_module: list[str] = field(default_factory=list)  # no module applies to their role: nothing recorded
    left_out: dict[str, list[str]] = field(default_factory=dict)  # module title -> names it is not for


def summary(outcomes: Sequence[Outcome]) -> Summary:
    left_out: dict[str, list[str]] = {}
    for outcome in outcomes:
        if outcome.attempts:
            for module in outcome.not_for_role:
                left_out.setdefault(module.title, []).append(outcome.learner.name)
    return Summary(
        people=len(outcomes),
        records=sum(len(o.attempts) for o in outcomes),
        passed=[o.learner.name for o in outcomes if o.passed],
        below=[o.learner.name for o in outcomes if o.below],
        added=[o.learner.name for o in outcomes if o.added],
        no_module=[o.learner.name for o in outcomes if not o.attempts],
        left_out=left_out,
    )
