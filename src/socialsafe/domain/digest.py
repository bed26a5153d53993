"""A person's attempts as the status rules read them: a digest, so that memory follows people, not records.

A trust's shared folder holds about a hundred attempts a person, mostly
practice. The status rules (:mod:`socialsafe.domain.status`) read of them
only: per pack, policy version and module, when the earliest pass was made
(the first pass, and a pass that may carry over); when every pass of a
refresher was made (renewals, and whether a sign-off now renews); and whether
any attempt was made at a pack (in progress). :class:`AttemptDigest` keeps
exactly those facts, and :meth:`AttemptDigest.kept` gives them back as
:class:`Kept` attempts, so that
:func:`~socialsafe.domain.status.person_status` over them gives what it gives
over every attempt. A module report (counts, best scores, latest activity)
needs every attempt: it is not made from a digest.

Folding is idempotent: the same record folded twice leaves the digest as it
was, so a copy read from a second file counts once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from socialsafe.domain.status import AttemptFacts, is_pass

Key = tuple[str, str, str]  # (pack_id, policy_version, module_id)
_NEVER = dt.datetime.min.replace(tzinfo=dt.UTC)


@dataclass(slots=True)
class Kept:
    """A fact the digest kept, as an attempt the status rules read: a pass when ``finished_at`` is set
    (made as a passed manual record is, so :func:`is_pass` says so), else a try at ``pack_id``."""

    pack_id: str
    policy_version: str
    module_id: str
    finished_at: dt.datetime | None
    score: int | None = None
    max_score: int = 0
    pass_mark: float = 1.0
    passed: bool | None = True
    source: str = "manual"
    started_at: dt.datetime = _NEVER  # not a fact the status rules read


class AttemptDigest:
    """One learner record's attempts, folded as they are read (see the module's docstring).

    ``refreshers``: the module ids a pack names as its refresher, whose every pass is kept.
    ``keys``: a table shared by the digests of one merge, so that equal keys are one object.
    """

    __slots__ = ("_first_pass", "_keys", "_packs", "_refresher_passes", "_refreshers")

    def __init__(self, refreshers: frozenset[str], keys: dict[Key, Key] | None = None) -> None:
        self._refreshers = refreshers
        self._keys = {} if keys is None else keys
        self._packs: dict[str, None] = {}  # the packs with any attempt, in the order first read
        self._first_pass: dict[Key, dt.datetime] = {}
        self._refresher_passes: dict[Key, list[dt.datetime]] = {}

    def add(self, attempt: AttemptFacts) -> None:
        if attempt.pack_id not in self._packs:
            self._packs[attempt.pack_id] = None
        finished = attempt.finished_at
        if finished is None or not is_pass(attempt):
            return
        key = (attempt.pack_id, attempt.policy_version, attempt.module_id)
        key = self._keys.setdefault(key, key)
        first = self._first_pass.get(key)
        if first is None or finished < first:
            self._first_pass[key] = finished
        if attempt.module_id in self._refreshers:
            times = self._refresher_passes.setdefault(key, [])
            if finished not in times:
                times.append(finished)

    def kept(self) -> list[Kept]:
        """The facts the status rules read, as attempts: a try at each pack, the first pass of each pack,
        version and module, and every other pass of a refresher."""
        out = [Kept(pack, "", "", None) for pack in self._packs]
        out += [Kept(*key, finished) for key, finished in self._first_pass.items()]
        for key, times in self._refresher_passes.items():
            first = self._first_pass[key]
            out += [Kept(*key, finished) for finished in times if finished != first]
        return out
