"""The first screen's reads, in plain SQL.

'Who are you?' needs only the names of the people who use this PC and a few of
this PC's settings. Reading them with the standard library's sqlite3 lets the
window show before SQLAlchemy and SQLModel have loaded, which is most of a
start-up (issue #8). It only reads: every write goes through
:class:`socialsafe.storage.store.Store`, which loads when it is first needed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from socialsafe.domain.people import as_merged, merged_identities

BUSY_TIMEOUT_S = 10.0


@dataclass(frozen=True, slots=True)
class Person:
    """A person who uses this PC, as 'Who are you?' lists them."""

    id: str
    name: str
    school: str
    role: str
    email: str | None = None  # to tell them from a staff list entry with the same address


class QuickReads:
    """Reads of an existing, migrated database (the app opens it with the Store's rules first)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S)) as connection:
            yield connection

    def setting(self, key: str, default: str | None = None) -> str | None:
        with self._reading() as connection:
            row = connection.execute("SELECT value FROM setting WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else default

    def people_on_this_pc(self) -> list[Person]:
        """The people this PC added, in the order of :meth:`Store.learners` (by name, then school)."""
        with self._reading() as connection:
            rows = connection.execute(
                "SELECT id, name, school, role, email FROM learner"
                " WHERE device_id = (SELECT value FROM setting WHERE key = 'device_id')"
            ).fetchall()
            merges = connection.execute("SELECT learner_id, into_id, merged_at FROM merge").fetchall()
            everyone = (
                connection.execute("SELECT id, name, school, role, email FROM learner").fetchall() if merges else []
            )
        people = [Person(*row) for row in rows]
        if merges:  # as the office's merges show them, as Store.learners does
            merged = merged_identities([Person(*row) for row in everyone], [_Merge(*m) for m in merges])
            people = [as_merged(p, merged, _renamed) for p in people]
        return sorted(people, key=lambda person: (person.name.casefold(), person.school.casefold()))


@dataclass(frozen=True, slots=True)
class _Merge:
    learner_id: str
    into_id: str
    at: str

    @property
    def merged_at(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.at.replace("Z", "+00:00"))


def _renamed(person: Person, facts: tuple[str, str, str | None]) -> Person:
    name, school, email = facts
    return dataclasses.replace(person, name=name, school=school, email=email)
