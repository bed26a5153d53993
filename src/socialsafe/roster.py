"""The staff list: importing it from a spreadsheet, exemptions, and where it is kept. No Qt here.

The roster says who should do the training, so that reports list the people
who have not started (``shared/contracts/share-format.md``, "Roster"). It is
kept on the share as ``roster/roster.csv`` so that every PC's reports include
it; with no share, in the local data folder as ``roster.csv``, in the same
format. Only an admin action writes it: :func:`save`, after :func:`apply` (an
import), :func:`set_exemption` or :func:`remove_person` (an erasure).

An import is previewed before anything is written: :func:`preview` sorts the
file's rows into people already on the roster, people already on this PC but
not yet on the roster, new people, duplicates within the file, and rows with
problems, each with its line number.

'Who are you?' offers the staff list's names at the door
(:mod:`socialsafe.domain.door`): :func:`kept_for_the_door` gives the copy this
PC keeps, at once; :func:`shared_for_the_door` reads a contract v1 share's, off
the GUI thread.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from socialsafe.content.loader import Problem
from socialsafe.content.model import Role
from socialsafe.domain.people import normalise_name, person_identity, person_key
from socialsafe.files import read_whole, write_atomic
from socialsafe.i18n import _
from socialsafe.labels import role_label
from socialsafe.reports import PersonRecords
from socialsafe.sync import records as rec
from socialsafe.sync.share import (
    ROSTER,
    RosterPerson,
    ShareError,
    check_share,
    explain,
    parse_roster,
    plain_cell,
    read_roster,
    read_roster_file,
    roster_csv,
    write_roster,
)
from socialsafe.sync.signed import RosterSigning, read_signed_roster, write_signed_roster

LOCAL_ROSTER = "roster.csv"  # in the data folder, when no share is set
IMPORT_COLUMNS = ("name", "email", "role", "school")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")

__all__ = [
    "IMPORT_COLUMNS",
    "LOCAL_ROSTER",
    "Match",
    "NotOnRosterError",
    "PreviewRow",
    "RosterError",
    "RosterPerson",
    "RosterPreview",
    "RowProblem",
    "ShareError",
    "apply",
    "decode",
    "kept_for_the_door",
    "load",
    "preview",
    "read_for_reports",
    "remove_person",
    "role_code",
    "role_labels",
    "roster_file",
    "save",
    "set_exemption",
    "shared_for_the_door",
    "with_roster",
]


class RosterError(Exception):
    """The roster kept on the share or this PC cannot be read as a whole; nothing was written."""

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


class NotOnRosterError(LookupError):
    """No one on the roster is that person."""


class PersonFacts(Protocol):
    """A learner record, as far as "Who is a person" reads it."""

    name: str
    school: str
    email: str | None


# Roles ---------------------------------------------------------------------------------------


def _words(text: str) -> str:
    return " ".join(re.sub(r"[_\-]", " ", text).split()).casefold()


def role_labels() -> dict[Role, str]:
    """Each role in words, as the app shows it."""
    return {role: role_label(role) for role in Role}


def _role_words() -> dict[str, str]:
    """Every way a role may be written in a staff list, as words: its code (which reads as its English
    label: "support staff") and its label in the app's language."""
    words = {_words(role.value): role.value for role in Role}
    words.update({_words(label): role.value for role, label in role_labels().items()})
    return words


def role_code(text: str) -> str | None:
    """The share format's role code for ``text``: a code (``support_staff``) or a label ("Support staff"),
    in any case, with spaces, hyphens or underscores; None when it names no role."""
    return _role_words().get(_words(text))


# Preview and apply ---------------------------------------------------------------------------


class Match(StrEnum):
    ROSTER = "roster"  # already on the roster: their entry is updated from the file
    LEARNER = "learner"  # not on the roster, but has used SocialSafe on this PC
    NEW = "new"  # not known here yet


@dataclass(frozen=True)
class RowProblem:
    line: int
    message: str


@dataclass(frozen=True)
class PreviewRow:
    """A good row of the file and whom it matches."""

    line: int
    name: str
    email: str | None
    role: str  # a role code
    school: str
    match: Match
    index: int | None = None  # the roster entry it matches (Match.ROSTER), by position in the existing roster
    changes: tuple[str, ...] = ()  # the fields it changes in that entry: name, email, role, school

    @property
    def identity(self) -> tuple[str, ...]:
        return person_identity(self.name, self.school, self.email)


@dataclass
class RosterPreview:
    """What importing a file would do, before anything is written."""

    rows: list[PreviewRow] = field(default_factory=list)
    duplicates: list[RowProblem] = field(default_factory=list)  # rows left out: the same person as an earlier row
    problems: list[RowProblem] = field(default_factory=list)  # rows left out: missing or wrong values
    read: int = 0  # data rows read (blank rows not counted)

    def of(self, match: Match) -> list[PreviewRow]:
        return [row for row in self.rows if row.match is match]

    @property
    def updated(self) -> list[PreviewRow]:
        return [row for row in self.of(Match.ROSTER) if row.changes]

    @property
    def left_out(self) -> list[RowProblem]:
        """Every row left out, duplicates and problems alike, in line order."""
        return sorted(self.duplicates + self.problems, key=lambda p: p.line)


def decode(raw: bytes) -> str:
    """A file's bytes as text: UTF-8, with or without a BOM; ValueError with a sentence otherwise."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(
            _("The file is not UTF-8 text: save it from Excel as 'CSV UTF-8 (Comma delimited)'.")
        ) from None


def _delimiter(text: str) -> str:
    """Commas, or semicolons where Excel wrote them instead (in countries where the comma is a decimal mark)."""
    first = text.split("\n", 1)[0]
    return ";" if ";" in first and "," not in first else ","


def preview(existing_roster: Sequence[RosterPerson], learners: Iterable[PersonFacts], csv_text: str) -> RosterPreview:
    """What importing ``csv_text`` (header ``name,email,role,school``, in any order and case; other
    columns ignored) would do to ``existing_roster``, given the ``learners`` on this PC.

    A row matches a roster entry by "Who is a person" (email, else name and
    school); a row with an email also matches an entry with the same name and
    school that has none (the entry gains the email), and a row without one an
    entry with the same name and school (the entry keeps its email).
    """
    text = csv_text.removeprefix("\ufeff")
    result = RosterPreview()
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    header = [(h or "").strip().casefold() for h in reader.fieldnames or []]
    missing = [c for c in IMPORT_COLUMNS if c not in header]
    if missing:
        result.problems.append(
            RowProblem(
                1,
                _("the file has no column {columns}: its first row must be the header name,email,role,school").format(
                    columns=", ".join(missing)
                ),
            )
        )
        return result

    by_identity: dict[tuple[str, ...], int] = {}
    by_key: dict[tuple[str, str], list[int]] = {}
    for index, person in enumerate(existing_roster):
        by_identity.setdefault(person_identity(person.name, person.school, person.email), index)
        by_key.setdefault(person_key(person.name, person.school), []).append(index)
    known = {person_identity(x.name, x.school, x.email) for x in learners}
    seen: dict[tuple[str, ...], int] = {}  # identity -> line of the file's first row for it
    taken: dict[int, int] = {}  # roster entry -> line of the row that matched it

    for row in reader:
        line = reader.line_num
        cells = {
            (k or "").strip().casefold(): plain_cell((v or "").strip()) for k, v in row.items() if isinstance(v, str)
        }
        if not any(cells.get(c) for c in IMPORT_COLUMNS):
            continue  # a blank row (Excel leaves rows of commas)
        result.read += 1
        name = normalise_name(cells.get("name", ""))
        school = normalise_name(cells.get("school", ""))
        email = cells.get("email", "") or None
        role_text = cells.get("role", "")
        role = role_code(role_text)
        if not name:
            result.problems.append(RowProblem(line, _("a row with no name")))
            continue
        if not school:
            result.problems.append(RowProblem(line, _("{name} has no school").format(name=name)))
            continue
        if role is None:
            message = (
                _("{name} has no role").format(name=name)
                if not role_text
                else _("role {role} is not one of the policy's roles: {roles}").format(
                    role=role_text, roles=", ".join(role_labels().values())
                )
            )
            result.problems.append(RowProblem(line, message))
            continue
        if email is not None and not _EMAIL.fullmatch(email):
            result.problems.append(
                RowProblem(line, _("the email address {email} does not look right").format(email=email))
            )
            continue
        identity = person_identity(name, school, email)
        if identity in seen:
            result.duplicates.append(
                RowProblem(line, _("{name} is already on line {line}: left out").format(name=name, line=seen[identity]))
            )
            continue
        matched = _roster_match(existing_roster, by_identity, by_key, name, school, email, identity)
        if matched is not None and matched in taken:
            result.duplicates.append(
                RowProblem(line, _("{name} is already on line {line}: left out").format(name=name, line=taken[matched]))
            )
            continue
        seen[identity] = line
        if matched is not None:
            taken[matched] = line
            entry = existing_roster[matched]
            changes = tuple(
                label
                for label, old, new in (
                    ("name", entry.name, name),
                    ("email", entry.email or "", email or entry.email or ""),
                    ("role", entry.role, role),
                    ("school", entry.school, school),
                )
                if old != new
            )
            result.rows.append(PreviewRow(line, name, email, role, school, Match.ROSTER, matched, changes))
        else:
            match = Match.LEARNER if identity in known else Match.NEW
            result.rows.append(PreviewRow(line, name, email, role, school, match))
    return result


def _roster_match(
    existing: Sequence[RosterPerson],
    by_identity: dict[tuple[str, ...], int],
    by_key: dict[tuple[str, str], list[int]],
    name: str,
    school: str,
    email: str | None,
    identity: tuple[str, ...],
) -> int | None:
    if identity in by_identity:
        return by_identity[identity]
    same_name = by_key.get(person_key(name, school), [])
    # With an email, only an entry that has none yet (the file gives it one).
    candidates = [i for i in same_name if not existing[i].email] if email else same_name
    return candidates[0] if len(candidates) == 1 else None


def apply(existing: Sequence[RosterPerson], preview: RosterPreview) -> list[RosterPerson]:
    """The roster after the import ``preview`` (made from ``existing``): entries matched are updated with
    the file's name, role, school and email (an entry keeps its email when the file gives none), new people
    are added at the end, exemptions are kept, and no one is removed."""
    result = list(existing)
    for row in preview.rows:
        if row.match is Match.ROSTER and row.index is not None:
            entry = result[row.index]
            result[row.index] = dataclasses.replace(
                entry, name=row.name, email=row.email or entry.email, role=row.role, school=row.school
            )
        else:
            result.append(RosterPerson(row.name, row.email, row.role, row.school, None, ""))
    return result


def set_exemption(
    roster: Sequence[RosterPerson], identity: tuple[str, ...], until: dt.date | None, reason: str = ""
) -> list[RosterPerson]:
    """The roster with the person ``identity`` (:func:`person_identity`) exempt until ``until``,
    for ``reason``; ``until`` None ends the exemption. Raises NotOnRosterError when no entry is that person."""
    result = list(roster)
    found = False
    for index, person in enumerate(result):
        if person_identity(person.name, person.school, person.email) == identity:
            result[index] = dataclasses.replace(
                person, exempt_until=until, exempt_reason=" ".join(reason.split()) if until else ""
            )
            found = True
    if not found:
        raise NotOnRosterError(identity)
    return result


def remove_person(
    roster: Sequence[RosterPerson],
    identities: Iterable[tuple[str, ...]],
    names: Iterable[tuple[str, str]] = (),
) -> tuple[list[RosterPerson], list[RosterPerson]]:
    """(kept, removed): the entries that are one of ``identities`` (:func:`person_identity`), or whose
    name and school (:func:`person_key`) are one of ``names``, are removed; for an erasure."""
    wanted, keys = set(identities), set(names)
    kept: list[RosterPerson] = []
    removed: list[RosterPerson] = []
    for person in roster:
        hit = (
            person_identity(person.name, person.school, person.email) in wanted
            or person_key(person.name, person.school) in keys
        )
        (removed if hit else kept).append(person)
    return kept, removed


# Where the roster is kept --------------------------------------------------------------------


def roster_file(share: Path | None, data_dir: Path) -> Path:
    """The roster in force: on the share when one is set, else in the data folder."""
    return share / ROSTER if share is not None else data_dir / LOCAL_ROSTER


def load(share: Path | None, data_dir: Path, signing: RosterSigning | None = None) -> list[RosterPerson]:
    """The roster as it is now, for an admin action that will rewrite it; [] when there is none yet.

    Strict, so that rewriting it never drops a row: raises ShareError when the
    share cannot be reached or read, and RosterError (with the problems) when
    any row cannot be read. ``signing``: on a share with an admin authority, the
    roster is the one the office signed, never a file changed by hand.
    """
    path = roster_file(share, data_dir)
    if share is not None:
        check_share(share)
    if share is not None and signing is not None:
        text = (read_signed_roster(share, signing.public, signing.store).csv or "").removeprefix("\ufeff")
        if not text:
            return []
    else:
        try:
            raw = read_whole(path)
        except FileNotFoundError:
            return []
        except OSError as error:
            if share is not None:
                raise explain(error, share) from error
            raise RosterError(
                _("The roster {path} cannot be read ({reason}).").format(path=path, reason=error.strerror or error)
            ) from error
        try:
            text = decode(raw)
        except ValueError as error:
            raise RosterError(_("The roster {path} is not UTF-8 text.").format(path=path)) from error
    people, problems = parse_roster(path, text)
    if problems:
        raise RosterError(
            _(
                "The roster {path} has rows SocialSafe cannot read (listed above): correct them in the file "
                "first, so that saving it does not lose them."
            ).format(path=path),
            problems,
        )
    return people


def read_for_reports(
    share: Path | None, data_dir: Path, signing: RosterSigning | None = None
) -> tuple[list[RosterPerson], list[Problem]]:
    """The roster for the reports: bad rows are reported and skipped, an unreadable roster is empty."""
    if share is not None and signing is not None:
        signed = read_signed_roster(share, signing.public, signing.store)
        if not signed.csv:
            return [], signed.problems
        people, problems = parse_roster(share / ROSTER, signed.csv.removeprefix("\ufeff"))
        return people, signed.problems + problems
    if share is not None:
        return read_roster(share)
    return read_roster_file(data_dir / LOCAL_ROSTER)


# At the door: the staff list 'Who are you?' offers ------------------------------------------


class SavedSettings(Protocol):
    """This PC's saved settings, read only (:class:`socialsafe.storage.quick.QuickReads` will do)."""

    def setting(self, key: str, default: str | None = None) -> str | None: ...


def kept_for_the_door(share: Path | None, data_dir: Path, settings: SavedSettings) -> list[RosterPerson] | None:
    """The staff list 'Who are you?' offers, from what this PC keeps. Never reads the share, so it is quick
    and cannot hang on a network drive; bad rows are left out.

    With no share, the data folder's. On a share whose admin authority this PC has pinned (or IT pinned in
    the site config), the newest staff list the office signed that this PC has met (each sync keeps it),
    checked against that authority again now; [] while it has met none. None when this PC knows no
    authority for the share: a contract v1 share keeps its staff list only there, for
    :func:`shared_for_the_door` to read off the GUI thread.
    """
    if share is None:
        return read_roster_file(data_dir / LOCAL_ROSTER)[0]
    from socialsafe.sync import signed
    from socialsafe.sync.authority import site_pin
    from socialsafe.trust.authority import PIN_SETTING, choose
    from socialsafe.trust.keys import Purpose

    site = site_pin()
    authority = choose(None, settings.setting(PIN_SETTING), site).authority
    if authority is None:
        return [] if site else None
    kept = settings.setting(signed.ROSTER_SETTING)
    # The very check read_signed_roster makes of the copy it keeps: only what the office signed counts.
    document = signed._checked(kept, authority.public, Purpose.ROSTER, signed.ROSTER_FORMAT) if kept else None
    text = document.get("csv") if document is not None else None
    if not isinstance(text, str):
        return []
    return parse_roster(share / ROSTER, text.removeprefix("\ufeff"))[0]


def shared_for_the_door(share: Path, settings: SavedSettings) -> list[RosterPerson]:
    """A contract v1 share's staff list, for 'Who are you?' when :func:`kept_for_the_door` gives None.

    Reads the share, so it may hang on a network drive: call it off the GUI thread. [] when the share
    has an admin authority after all (its file, or its marker, names one; or IT pinned one): there a file
    anyone can write is never offered, and the next sync pins the authority and keeps the staff list the
    office signed. [] too when the share cannot be read.
    """
    from socialsafe.sync.authority import site_pin
    from socialsafe.sync.share import marker_names_authority
    from socialsafe.trust.authority import PIN_SETTING, choose, read_share_file

    try:
        on_share = read_share_file(share)
    except OSError:
        return []
    site = site_pin()
    if on_share is not None or site or marker_names_authority(share):
        return []
    if choose(None, settings.setting(PIN_SETTING), None).authority is not None:
        return []  # pinned here since: kept_for_the_door has it
    return read_roster(share)[0]


def save(
    people: Sequence[RosterPerson],
    share: Path | None,
    data_dir: Path,
    owner: str = "",
    signing: RosterSigning | None = None,
) -> Path:
    """Write the roster, whole and atomically, where :func:`roster_file` says; returns the file written.

    On a share with an admin authority (``signing``) the office's signed copy is written beside it, with
    the admin key. Raises ShareError when the share cannot be written (the old roster is then
    untouched) and OSError when the data folder cannot.
    """
    if share is not None:
        if signing is not None and signing.key is None:
            raise RosterError(_("Saving the staff list needs the admin passphrase."))
        path = write_roster(share, list(people), owner=owner)
        if signing is not None and signing.key is not None:
            try:
                write_signed_roster(share, roster_csv(list(people)), signing.key, signing.store, owner=owner)
            except OSError as error:
                raise explain(error, share) from error
        return path
    path = data_dir / LOCAL_ROSTER
    write_atomic(path, roster_csv(list(people)), owner=owner)
    return path


# Reports -------------------------------------------------------------------------------------


def with_roster(people: Sequence[PersonRecords], roster: Iterable[RosterPerson]) -> list[PersonRecords]:
    """``people`` with the roster's: a roster person with no records yet is added (a report shows them as
    not started), and everyone on the roster takes its role and exemption. As the sync's merge does."""
    result: dict[tuple[str, ...], PersonRecords] = {}
    for person in people:
        first = person.learners[0]
        result.setdefault(person_identity(first.name, first.school, first.email), person)
    everyone = list(people)
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    for entry in roster:
        key = person_identity(entry.name, entry.school, entry.email)
        if key not in result:
            stand_in = rec.LearnerRec("roster", "", entry.name, entry.email, entry.role, entry.school, epoch)
            result[key] = PersonRecords(learners=[stand_in])
            everyone.append(result[key])
        person = result[key]
        person.roster_role = entry.role
        person.exempt_until = entry.exempt_until
    return everyone
