"""Who is a person: learner records from many PCs that describe one human being."""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import unicodedata
from collections.abc import Callable, Iterable
from typing import Protocol, TypeVar

# Letters NFKD does not take apart, written as a person without them would type them.
_PLAIN = str.maketrans(
    {"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ħ": "h", "Ħ": "H", "ı": "i", "ß": "ss",
     "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "þ": "th", "Þ": "TH", "ð": "d", "Ð": "D"}
)  # fmt: skip


@functools.lru_cache(maxsize=1 << 16)  # a trust's merge asks again and again for the same names and schools
def letters(text: str) -> str:
    """``text`` compared on its letters and digits alone (``shared/contracts/share-format.md``, "Who is a
    person"): accents folded (Siân = Sian, Łukasz = Lukasz), case folded, and everything else (apostrophes,
    hyphens, full stops, white space) dropped, so "Siân O'Brien-Jones" is "sian obrien jones".
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_PLAIN)).casefold()
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c))


NEAR = 0.85  # how alike two names' letters must be (:func:`likeness`) for them to be worth asking about


def likeness(a: str, b: str) -> float:
    """How alike two names are on their letters (:func:`letters`), from 0 to 1: "Priya Patel" and "Pria Patel"
    are 0.95. The same rule tells 'Who are you?' whom to ask "Is this you?" about and the office whom to suggest."""
    first, second = letters(a), letters(b)
    return difflib.SequenceMatcher(None, first, second).ratio() if first and second else 0.0


def normalise_name(text: str) -> str:
    """Trimmed, inner white space collapsed: how names are kept and compared."""
    return " ".join(text.split())


def person_key(name: str, school: str) -> tuple[str, str]:
    """A name and school as the contract compares them: on their letters and digits (:func:`letters`).

    A text with no letter or digit at all (a name of dashes) keeps its own form, so that it is never
    one person with every other such text.
    """
    return letters(name) or normalise_name(name).casefold(), letters(school) or normalise_name(school).casefold()


def person_identity(name: str, school: str, email: str | None) -> tuple[str, ...]:
    """The share contract's key: the email trimmed and case-folded where present,
    else the name and school on their letters and digits (:func:`person_key`)."""
    address = (email or "").strip().casefold()
    if address:
        return ("email", address)
    return ("name", *person_key(name, school))


# Merges: the office says two records are one person -------------------------------------------------------


class Facts(Protocol):
    """What a merge reads of a learner record."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def school(self) -> str: ...
    @property
    def email(self) -> str | None: ...


class Joining(Protocol):
    """A merge record: ``learner_id`` is the same person as ``into_id``, since ``merged_at``."""

    @property
    def learner_id(self) -> str: ...
    @property
    def into_id(self) -> str: ...
    @property
    def merged_at(self) -> dt.datetime: ...


Shown = tuple[str, str, str | None]  # the name, school and email a merged record takes
L = TypeVar("L", bound=Facts)


def merged_identities(learners: Iterable[Facts], merges: Iterable[Joining]) -> dict[tuple[str, ...], Shown]:
    """Which people (by :func:`person_identity`) the office merged into another, and whose facts they take.

    Merges apply in the order they were made, each to whole people: a merge of one learner record moves
    every record that groups with it, as an erasure does. Chains follow through (A into B, then B into C:
    A is C), and a later merge back (B into A after A into B) wins. A merge naming a record this PC does
    not know yet waits until it does.
    """
    by_id: dict[str, Facts] = {}
    for x in learners:
        by_id.setdefault(x.id, x)  # the first copy of a record: callers give the records as made first
    into: dict[tuple[str, ...], tuple[str, ...]] = {}  # a merged identity and the one it now is
    shown: dict[tuple[str, ...], Shown] = {}
    for merge in sorted(merges, key=lambda m: m.merged_at):
        moved, kept = by_id.get(merge.learner_id), by_id.get(merge.into_id)
        if moved is None or kept is None:
            continue
        a_raw = person_identity(moved.name, moved.school, moved.email)
        b_raw = person_identity(kept.name, kept.school, kept.email)
        a, root = into.get(a_raw, a_raw), into.get(b_raw, b_raw)  # the people they are now
        if a == root == b_raw:
            into[root] = root  # one person already (a correction of accents or case): shown as the record kept
        elif a == root:
            # One person already, now to be shown as the record kept (a merge back): it becomes the root.
            for other, now in into.items():
                if now == root:
                    into[other] = b_raw
            into.pop(b_raw, None)
            into[root] = b_raw
            root = b_raw
        else:
            for other, now in into.items():
                if now == a:
                    into[other] = root
            into[a] = root
        if root == b_raw:
            shown[root] = (kept.name, kept.school, kept.email)
    return {identity: shown[root] for identity, root in into.items()}


def as_merged(learner: L, merged: dict[tuple[str, ...], Shown], copy: Callable[[L, Shown], L]) -> L:
    """``learner`` as the office's merges show it: ``copy`` makes it anew with another name, school and email."""
    if not merged:
        return learner
    facts = merged.get(person_identity(learner.name, learner.school, learner.email))
    return learner if facts is None else copy(learner, facts)
