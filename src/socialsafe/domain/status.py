"""Training status: the one place the rules of ``shared/contracts/status-rules.md`` live.

Every screen, report and export asks this module, so every PC gives a person
the same status from the same records. Pure functions over plain facts:
attempts, sign-offs, the packs of one policy, a validity period and today.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from socialsafe.content.model import Module, ModuleKind, Pack
from socialsafe.domain.states import DEFAULT_VALIDITY_MONTHS as DEFAULT_VALIDITY_MONTHS
from socialsafe.domain.states import Status as Status

DUE_SOON_DAYS = 30


class AttemptFacts(Protocol):
    module_id: str
    pack_id: str
    policy_version: str
    finished_at: dt.datetime | None
    score: int | None
    max_score: int
    pass_mark: float
    passed: bool | None
    source: str


class SignOffFacts(Protocol):
    policy_id: str
    policy_version: str
    acknowledged_at: dt.datetime


def validity_period(pack: Pack, site_months: int | None = None) -> int:
    """How many months a completion stays valid: the pack's, else the site's, else 12."""
    return pack.header.pack.valid_for_months or site_months or DEFAULT_VALIDITY_MONTHS


def local_date(moment: dt.datetime) -> dt.date:
    """The date on this PC's calendar at a UTC moment."""
    return moment.astimezone().date()


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months later; a day past the end of the month falls back to its last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def is_pass(attempt: AttemptFacts) -> bool:
    """Finished, and at or above its pass mark (a manual record: marked passed)."""
    if attempt.finished_at is None:
        return False
    if attempt.source == "manual":
        return bool(attempt.passed)
    if attempt.score is None or attempt.max_score <= 0:
        return False
    return attempt.score / attempt.max_score >= attempt.pass_mark - 1e-9


def counted_modules(pack: Pack, role: str) -> list[Module]:
    """The applicable modules: those for the role that have questions of their own.

    A mixed check (the final check, the refresher) draws from the others and is
    not one of them, like a reading page.
    """
    return [m for m in pack.modules_for(role) if m.kind is ModuleKind.QUIZ and m.questions]


def changed_clause_ids(old: Pack, new: Pack) -> set[str]:
    """Clause ids whose text differs between two versions (added or removed ones too).

    The policy's own words are compared, never a translation of them.
    """
    before = {c.id: c.text for c in old.english.header.clauses}
    after = {c.id: c.text for c in new.english.header.clauses}
    return {cid for cid in before.keys() | after.keys() if before.get(cid) != after.get(cid)}


@dataclass(frozen=True)
class ModuleResult:
    module: Module
    passed_at: dt.datetime | None  # the first pass that counts for the current version
    carried_over: bool  # that pass was made under an earlier version, on unchanged clauses


class CheckPurpose(StrEnum):
    """What a final check (a mixed module) is for, for one person now."""

    PRACTICE = "practice"  # optional: not needed to complete the training
    REFRESHER_LATER = "refresher_later"  # the yearly refresher, for when the training is due to run out
    RENEWS = "renews"  # the yearly refresher, due now: passing it and signing again renews the training


@dataclass(frozen=True)
class PersonStatus:
    status: Status
    modules: list[ModuleResult]
    completed_at: dt.date | None  # latest completion for the current version
    expires_on: dt.date | None
    acknowledged_at: dt.date | None  # latest sign-off of the current version
    policy_version: str
    completions: list[dt.date] = field(default_factory=list)  # first completion, then each renewal
    # Every module is passed (or a refresher since the last completion), so a sign-off now completes.
    awaiting_signoff: bool = False

    @property
    def modules_passed(self) -> int:
        return sum(r.passed_at is not None for r in self.modules)

    @property
    def renewing(self) -> bool:
        """A sign-off now renews a completion (a refresher was passed since it), rather than completing first."""
        return self.awaiting_signoff and bool(self.completions)

    def final_check_purpose(self, module_id: str, refresher: str | None) -> CheckPurpose:
        """What a final check (a mixed module) is for this person now: said plainly on their home screen.

        Never needed to complete; the pack's refresher renews a completion that
        is due or has run out, and is optional practice before then.
        """
        if module_id != refresher:
            return CheckPurpose.PRACTICE
        if self.status in (Status.DUE_SOON, Status.EXPIRED):
            return CheckPurpose.RENEWS
        return CheckPurpose.REFRESHER_LATER if self.status is Status.COMPLETE else CheckPurpose.PRACTICE

    @property
    def modules_total(self) -> int:
        return len(self.modules)

    @property
    def all_modules_passed(self) -> bool:
        return self.modules_passed == self.modules_total


@dataclass(frozen=True)
class PolicyPacks:
    """Every pack this PC has for one policy; the current one has the highest version."""

    current: Pack
    older: Sequence[Pack] = ()

    @classmethod
    def of(cls, packs: Iterable[Pack], policy_id: str) -> PolicyPacks:
        from socialsafe.content.loader import version_key

        mine = sorted(
            (p for p in packs if p.policy.id == policy_id),
            key=lambda p: (version_key(p.policy.version), version_key(p.version)),
            reverse=True,
        )
        by_version: dict[str, Pack] = {}
        for pack in mine:
            by_version.setdefault(pack.policy.version, pack)
        current, *older = by_version.values()
        return cls(current, older)

    @functools.cached_property
    def pack_ids(self) -> frozenset[str]:
        return frozenset({self.current.id, *(p.id for p in self.older)})


def module_results(
    packs: PolicyPacks, role: str, attempts: Sequence[AttemptFacts], version: str | None = None
) -> list[ModuleResult]:
    """Each applicable module of ``version`` (default: current) and the pass that counts for it."""
    return _module_results(packs, role, _passes(packs, attempts), version)


def _passes(packs: PolicyPacks, attempts: Sequence[AttemptFacts]) -> list[AttemptFacts]:
    """The passes at this policy's packs: all the rules below look at.

    Picked out once a person: a trust's share holds half a million attempts.
    """
    ids = packs.pack_ids
    return [a for a in attempts if a.pack_id in ids and is_pass(a)]


def _module_results(
    packs: PolicyPacks, role: str, passes: Sequence[AttemptFacts], version: str | None = None
) -> list[ModuleResult]:
    target = packs.current if version is None else _pack_for(packs, version)
    if target is None:
        return []
    target_version = target.policy.version
    # The passes by module, once; an earlier version's passes only where they may carry over.
    own_by_module: dict[str, list[dt.datetime]] = {}
    other_by_module: dict[str, list[tuple[str, dt.datetime | None]]] = {}
    for a in passes:
        if a.policy_version == target_version:
            if a.finished_at:
                own_by_module.setdefault(a.module_id, []).append(a.finished_at)
        else:
            other_by_module.setdefault(a.module_id, []).append((a.policy_version, a.finished_at))
    earlier: dict[str, bool] = {}
    results = []
    for module in counted_modules(target, role):
        own_first = min(own_by_module.get(module.id, ()), default=None)
        carried = []
        for policy_version, finished_at in other_by_module.get(module.id, ()):
            if policy_version not in earlier:
                earlier[policy_version] = _earlier(policy_version, target_version)
            if finished_at and earlier[policy_version] and _unchanged(packs, policy_version, target, module):
                carried.append(finished_at)
        carried_first = min(carried, default=None)
        if own_first is not None and (carried_first is None or own_first <= carried_first):
            results.append(ModuleResult(module, own_first, False))
        else:
            results.append(ModuleResult(module, carried_first, carried_first is not None))
    return results


def _pack_for(packs: PolicyPacks, version: str) -> Pack | None:
    return next((p for p in (packs.current, *packs.older) if p.policy.version == version), None)


def _earlier(version: str, than: str) -> bool:
    from socialsafe.content.loader import version_key

    return version_key(version) < version_key(than)


def _unchanged(packs: PolicyPacks, old_version: str, target: Pack, module: Module) -> bool:
    old = _pack_for(packs, old_version)
    if old is None:
        return False  # the old text is not known here, so no change can be ruled out
    # What the module covered in either version: a clause dropped from it is a change too.
    old_module = next((m for m in old.modules if m.id == module.id), None)
    covered = set(module.clauses) | set(old_module.clauses if old_module else ())
    return not (changed_clause_ids(old, target) & covered)


def _completions(
    packs: PolicyPacks,
    role: str,
    passes: Sequence[AttemptFacts],
    signoffs: Sequence[SignOffFacts],
    version: str,
) -> tuple[list[ModuleResult], list[dt.datetime]]:
    """The module results under ``version`` and the moments of completion: first, then renewals.

    ``passes``: the person's passes at this policy's packs (:func:`_passes`).
    """
    results = _module_results(packs, role, passes, version)
    acks = sorted(
        s.acknowledged_at for s in signoffs if s.policy_id == packs.current.policy.id and s.policy_version == version
    )
    if not results or any(r.passed_at is None for r in results) or not acks:
        return results, []
    # Completion comes when the last of "every module passed" and "signed off" became true.
    last_pass = max(r.passed_at for r in results if r.passed_at is not None)
    first = max(last_pass, acks[0])
    moments = [first]
    pack = _pack_for(packs, version)
    refresher = pack.header.pack.refresher if pack else None
    if refresher:
        renewals = sorted(
            a.finished_at for a in passes if a.module_id == refresher and a.policy_version == version and a.finished_at
        )
        while True:
            done = moments[-1]
            renewal_pass = next((p for p in renewals if p > done), None)
            renewal_ack = next((a for a in acks if a > done), None)
            if renewal_pass is None or renewal_ack is None:
                break
            moments.append(max(renewal_pass, renewal_ack))
    return results, moments


def person_status(
    packs: PolicyPacks,
    role: str,
    attempts: Sequence[AttemptFacts],
    signoffs: Sequence[SignOffFacts],
    today: dt.date,
    validity_months: int | None = None,
    exempt_until: dt.date | None = None,
) -> PersonStatus:
    """A person's status under the rules, first matching rule wins."""
    current = packs.current
    version = current.policy.version
    # The pack's period, else the site's, else 12 months.
    months = validity_period(current, validity_months)
    passes = _passes(packs, attempts)
    results, moments = _completions(packs, role, passes, signoffs, version)
    acks = [s.acknowledged_at for s in signoffs if s.policy_id == current.policy.id and s.policy_version == version]
    acknowledged = local_date(max(acks)) if acks else None
    completed = local_date(moments[-1]) if moments else None
    expires = add_months(completed, months) if completed else None

    awaiting = bool(results) and all(r.passed_at for r in results) and not moments
    refresher = current.header.pack.refresher
    if moments and refresher:
        awaiting = any(
            a.module_id == refresher
            and a.policy_version == version
            and a.finished_at is not None
            and a.finished_at > moments[-1]
            for a in passes
        )

    def make(status: Status) -> PersonStatus:
        return PersonStatus(
            status, results, completed, expires, acknowledged, version, [local_date(m) for m in moments], awaiting
        )

    complete = expires is not None and (expires - today).days > DUE_SOON_DAYS
    if exempt_until is not None and exempt_until >= today and not complete:
        return make(Status.EXEMPT)
    if expires is not None:
        if complete:
            return make(Status.COMPLETE)
        if expires >= today:
            return make(Status.DUE_SOON)
        return make(Status.EXPIRED)
    for older in packs.older:
        if _completions(packs, role, passes, signoffs, older.policy.version)[1]:
            return make(Status.UPDATE_NEEDED)
    older_acks = {s.policy_version for s in signoffs if s.policy_id == current.policy.id}
    if any(_earlier(v, version) and _pack_for(packs, v) is None for v in older_acks):
        # The old pack is gone from this PC; a sign-off is only made after every module was passed.
        return make(Status.UPDATE_NEEDED)
    if any(a.pack_id in packs.pack_ids for a in attempts) or any(s.policy_id == current.policy.id for s in signoffs):
        return make(Status.IN_PROGRESS)
    return make(Status.NOT_STARTED)
