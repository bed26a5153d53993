"""'Who are you?' at a shared PC: who to offer, who a newcomer may already be, and which schools. No Qt here.

The page lists the people who use this PC and, when the office keeps a staff
list, everyone on it: one row per person, by the rule of "Who is a person"
(``shared/contracts/share-format.md``). Someone adding themselves is first
shown the people they may already be (:func:`close_matches`), and picks their
school from the list the staff list gives (:func:`school_choice`), so that
"Priya Patel, Oak Primary School" is not a second Priya beside the staff
list's "Priya Patel, Oak Primary". The widget (``socialsafe.ui.who_page``)
only shows what these give.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from socialsafe.domain.people import NEAR, letters, likeness, normalise_name, person_key


class OnTheList(Protocol):
    """A person on the staff list (:class:`socialsafe.roster.RosterPerson`)."""

    @property
    def name(self) -> str: ...
    @property
    def school(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def email(self) -> str | None: ...


class OnThisPC(OnTheList, Protocol):
    """A person who uses this PC (:class:`socialsafe.storage.quick.Person`): one on the list, with a record id."""

    @property
    def id(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Entry:
    """One row of 'Who are you?': a person on this PC, on the staff list, or both."""

    name: str
    school: str
    role: str  # a role code
    email: str | None
    learner_id: str | None = None  # their learner record on this PC; None: only on the staff list so far
    on_roster: bool = False

    @property
    def found_by(self) -> str:
        """What a search is matched against: the name and school on their letters alone ("sian" finds Siân)."""
        return letters(f"{self.name} {self.school}")


def _address(email: str | None) -> str:
    return (email or "").strip().casefold()


def _order(entry: Entry) -> tuple[str, str]:
    # As the Store lists learners (and QuickReads the people on this PC): by name, then school.
    return (entry.name.casefold(), entry.school.casefold())


def at_the_door(here: Iterable[OnThisPC], roster: Iterable[OnTheList] = ()) -> list[Entry]:
    """The people this PC offers: ``here`` (the people who use it) and the staff list's, one row each.

    A person on the staff list is the person here with the same email, else with the same name and
    school on their letters (the PC keeps one record per name and school, whatever the email): they are
    shown once, as their record here has them. Entries of the staff list with no name or no school are
    left out (no record could be made from them), and so is a second entry for a name and school
    already offered. Sorted by name, then school, as the Store lists learners.
    """
    rows: list[Entry] = []
    by_email: dict[str, int] = {}
    by_key: dict[tuple[str, str], int] = {}

    def add(entry: Entry) -> None:
        address = _address(entry.email)
        if address:
            by_email.setdefault(address, len(rows))
        by_key.setdefault(person_key(entry.name, entry.school), len(rows))
        rows.append(entry)

    for person in here:
        add(Entry(person.name, person.school, person.role, person.email or None, person.id))
    for listed in roster:
        name, school = normalise_name(listed.name), normalise_name(listed.school)
        if not name or not school:
            continue
        address = _address(listed.email)
        found = by_email.get(address) if address else None
        if found is None:
            found = by_key.get(person_key(name, school))
        if found is not None:
            rows[found] = replace(rows[found], on_roster=True)
            continue
        add(Entry(name, school, listed.role, (listed.email or "").strip() or None, None, True))
    return sorted(rows, key=_order)


def close_matches(
    entries: Sequence[Entry], name: str, school: str, email: str | None = None, near: float = NEAR
) -> list[Entry]:
    """The people among ``entries`` that someone adding themselves as ``name`` at ``school`` may already be.

    The same name on its letters, at any school (they may have picked another spelling of it); the same
    email; or, at the same school, a name whose letters are at least ``near`` alike (difflib's ratio:
    "Priya Patel" and "Pria Patel"). Closest first: the same name at the same school, then the same name,
    the same email, then the nearest names.
    """
    wanted, at, address = letters(name), letters(school), _address(email)
    scored: list[tuple[tuple[int, int, float], int, Entry]] = []
    for position, entry in enumerate(entries):
        theirs = letters(entry.name)
        same_school = bool(at) and letters(entry.school) == at
        same_name = bool(wanted) and theirs == wanted
        same_email = bool(address) and _address(entry.email) == address
        ratio = likeness(name, entry.name)
        if same_name or same_email or (same_school and ratio >= near):
            scored.append(((0 if same_name and same_school else 1, 0 if same_name else 1, -ratio), position, entry))
    return [entry for _score, _position, entry in sorted(scored, key=lambda s: (s[0], s[1]))]


@dataclass(frozen=True)
class SchoolChoice:
    """The schools someone adding themselves chooses from.

    ``listed``: the staff list names schools, so the school is chosen from ``names`` and never typed.
    Otherwise it is typed, and ``names`` are the schools known here, whose spelling a typed school takes
    when it has the same letters (:func:`known_spelling`).
    """

    names: tuple[str, ...]
    listed: bool
    chosen: str | None  # offered already chosen: the only school known, or this PC's


def _unique(names: Iterable[str]) -> list[str]:
    """Each school once, on its letters, in its first spelling."""
    seen: dict[str, str] = {}
    for raw in names:
        name = normalise_name(raw)
        if name:
            seen.setdefault(_school_key(name), name)
    return list(seen.values())


def _school_key(name: str) -> str:
    return letters(name) or normalise_name(name).casefold()


def school_choice(roster_schools: Iterable[str], this_pc: str | None, here: Iterable[str]) -> SchoolChoice:
    """The schools to offer: the staff list's (``roster_schools``), this PC's own (``this_pc``: the site
    config's or this PC's saved school), and those of the people who use this PC (``here``), each once.

    With a staff list they are a list to choose from. Without one the school is typed: a list made only
    of the schools seen on this PC would lock out the first person from any other school. Chosen
    already: the only school known, else this PC's, else the one school of everyone here (with a staff
    list, only when it is one of the list's: a spelling typed before the list came is not passed on).
    """
    listed = _unique(roster_schools)
    names = _unique([*listed, *([this_pc] if this_pc else []), *here])
    names.sort(key=lambda n: (n.casefold(), n))
    spelt = {_school_key(n): n for n in names}
    theirs = _unique(here)
    chosen: str | None = None
    if len(names) == 1:
        chosen = names[0]
    elif this_pc:
        chosen = spelt[_school_key(this_pc)]
    elif len(theirs) == 1 and (not listed or _school_key(theirs[0]) in {_school_key(n) for n in listed}):
        chosen = spelt[_school_key(theirs[0])]
    return SchoolChoice(tuple(names), bool(listed), chosen)


def known_spelling(typed: str, names: Iterable[str]) -> str:
    """``typed`` in the spelling of the school among ``names`` with the same letters, if there is one:
    "oak primary" is kept as "Oak Primary" when that is how this PC knows it."""
    text = normalise_name(typed)
    key = letters(text)
    if key:
        for name in names:
            if letters(name) == key:
                return name
    return text
