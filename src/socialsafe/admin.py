"""The admin passphrase: hashing it, checking it, and slowing down guessers. No Qt here.

The passphrase guards the admin actions (records made by hand, paper sign-offs,
erasure, the roster, everyone's records) in the app and on the command line
alike. Once the shared folder has the office's admin authority
(:mod:`socialsafe.office.authority`), the passphrase is proved by opening the
authority's sealed key with it, whatever data folder asks. Without one, it is
checked against a salted scrypt hash, in the PIN hashes' format
(``scrypt$N$r$p$salt$digest``, salt and digest in base64) with a higher cost:
this PC's saved one, else the site config's
(:func:`socialsafe.config.effective`); when the site config sets one, IT owns
it and this PC cannot set its own.

Wrong tries are throttled: after 3 in a row, each further try waits 2, 4, 8 …
up to 300 seconds after the last failure. Against the authority, the count
and the time of the last failure are kept in the user's own state folder, not
the data folder, so a new data folder does not reset them; otherwise in this
PC's settings. Restarting the app does not reset them; the right passphrase does.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from socialsafe.config import ADMIN_HASH_SETTING, SHARE_SETTING, Settings, effective
from socialsafe.i18n import _, ngettext
from socialsafe.site_config import site_config
from socialsafe.sync.share import ShareError

if TYPE_CHECKING:
    from socialsafe.content.loader import Content
    from socialsafe.storage.store import Store
    from socialsafe.trust.authority import AdminKey, Authority

MIN_LENGTH = 8
# 2**15 × r=8 needs 32 MiB and about a tenth of a second: cheap for one check, slow for guessing.
_N, _R, _P = 2**15, 8, 1
_MAX_N = 2**20  # a stored hash asking for more memory than this is refused, not computed
_DIGEST_BYTES = 32

FAILURES_SETTING = "admin_failures"
LAST_FAILURE_SETTING = "admin_last_failure"
FREE_TRIES = 2  # wrong tries allowed before any wait; the 3rd wrong try brings the first wait
FIRST_WAIT = 2
MAX_WAIT = 300


# The passphrase hash comes from no flag or environment variable: effective() reads no folder of these.
_NO_FLAGS = Settings(data_dir=Path())


class PassphraseError(ValueError):
    """A passphrase cannot be set; the message says why in one sentence."""


class SettingsStore(Protocol):
    """This PC's saved settings (:class:`socialsafe.storage.store.Store`)."""

    def setting(self, key: str, default: str | None = None) -> str | None: ...

    def set_setting(self, key: str, value: str) -> None: ...


def _normal(text: str) -> bytes:
    """The same passphrase typed on any keyboard gives the same bytes (composed accents)."""
    return unicodedata.normalize("NFC", text).encode("utf-8")


def check_strength(text: str) -> None:
    """Raise :class:`PassphraseError` for a passphrase too short or blank to be set."""
    if not text.strip():
        raise PassphraseError(_("The admin passphrase cannot be blank."))
    if len(text.strip()) < MIN_LENGTH:
        raise PassphraseError(_("The admin passphrase must be at least {n} characters long.").format(n=MIN_LENGTH))


def hash_passphrase(text: str) -> str:
    """A new salted scrypt hash of ``text``; raises PassphraseError when it is blank or too short."""
    check_strength(text)
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(_normal(text), salt=salt, n=_N, r=_R, p=_P, maxmem=_maxmem(_N, _R), dklen=_DIGEST_BYTES)
    return "$".join(["scrypt", str(_N), str(_R), str(_P), _b64(salt), _b64(digest)])


def check_passphrase(text: str, stored: str) -> bool:
    """Whether ``text`` is the passphrase ``stored`` is the hash of; the comparison takes constant time.

    A malformed hash, or one asking for an unreasonable cost, never matches.
    """
    try:
        scheme, n_text, r_text, p_text, salt_text, digest_text = stored.strip().split("$")
        n, r, p = int(n_text), int(r_text), int(p_text)
        salt = base64.b64decode(salt_text, validate=True)
        digest = base64.b64decode(digest_text, validate=True)
        if scheme != "scrypt" or not 2 <= n <= _MAX_N or not 1 <= r <= 32 or not 1 <= p <= 16 or not digest:
            return False
        trial = hashlib.scrypt(_normal(text), salt=salt, n=n, r=r, p=p, maxmem=_maxmem(n, r), dklen=len(digest))
    except (ValueError, TypeError, MemoryError):
        return False
    return hmac.compare_digest(trial, digest)


def _maxmem(n: int, r: int) -> int:
    return 128 * r * n + 2**20 * 4


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def passphrase_hash(settings: Settings | None, store: SettingsStore | None) -> str | None:
    """The admin passphrase hash in force: this PC's saved one, else the site config's; None when none is set.

    No flag or environment variable sets it, so ``settings`` is not needed (None will do).
    """
    value: str | None = effective(ADMIN_HASH_SETTING, settings or _NO_FLAGS, store).value
    return value or None


def set_by_site() -> bool:
    """Whether the site config sets the admin passphrase (then IT owns it)."""
    return site_config().get(ADMIN_HASH_SETTING) is not None


def set_passphrase(store: SettingsStore, text: str) -> None:
    """Save a new admin passphrase on this PC (as its hash), and clear the count of wrong tries.

    Refused with PassphraseError when the site config sets one (IT owns it
    then), or when the passphrase is blank or too short.
    """
    if set_by_site():
        raise PassphraseError(
            _("The admin passphrase is set by your IT team in the site config: ask them to change it.")
        )
    store.set_setting(ADMIN_HASH_SETTING, hash_passphrase(text))
    AdminGate(store).reset()


# Throttling ------------------------------------------------------------------------


class UnlockResult(StrEnum):
    OK = "ok"
    WRONG = "wrong"  # checked and wrong; ``wait`` is the wait before the next try
    WAIT = "wait"  # not checked: the wait after the last wrong try is not over; ``wait`` is what remains


@dataclass(frozen=True)
class Unlock:
    result: UnlockResult
    wait: int = 0  # whole seconds, rounded up
    key: AdminKey | None = None  # the authority's key, opened by the passphrase (when there is an authority)

    @property
    def ok(self) -> bool:
        return self.result is UnlockResult.OK


def wait_after(failures: int) -> int:
    """Seconds to wait after ``failures`` wrong tries in a row: 0, 0, then 2, 4, 8 … up to 300."""
    if failures <= FREE_TRIES:
        return 0
    return min(MAX_WAIT, FIRST_WAIT << min(failures - FREE_TRIES - 1, 16))


class AdminGate:
    """Checks the admin passphrase against the authority or the hash in force, with wrong tries slowed down.

    ``authority``: the share's admin authority; then the passphrase must open its
    sealed key, and ``tries`` (default: :class:`socialsafe.office.authority.TriesFile`)
    keeps the count of wrong tries. Otherwise ``stored``, the hash to check
    against: by default the one in force (:func:`passphrase_hash`). ``now`` is
    passed in (an aware datetime) so that tests need not wait.
    """

    def __init__(
        self,
        store: SettingsStore,
        stored: str | None = None,
        authority: Authority | None = None,
        tries: SettingsStore | None = None,
    ) -> None:
        self.store = store
        self._stored = stored
        self.authority = authority
        if authority is not None and tries is None:
            from socialsafe.office.authority import TriesFile

            tries = TriesFile.for_authority(authority)
        self.tries = tries if tries is not None else store

    @property
    def stored(self) -> str | None:
        """The hash checked against; None when no admin passphrase is set (admin actions are open)."""
        return self._stored if self._stored is not None else passphrase_hash(None, self.store)

    @property
    def required(self) -> bool:
        return self.authority is not None or self.stored is not None

    @property
    def failures(self) -> int:
        try:
            return max(0, int(self.tries.setting(FAILURES_SETTING) or 0))
        except ValueError:
            return 0

    def _last_failure(self) -> dt.datetime | None:
        text = self.tries.setting(LAST_FAILURE_SETTING)
        if not text:
            return None
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            return None
        return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)

    def remaining(self, now: dt.datetime) -> int:
        """Whole seconds before the next try may be checked; 0 when it may be now."""
        wait = wait_after(self.failures)
        last = self._last_failure()
        if not wait or last is None:
            return 0
        left = (last - now).total_seconds() + wait
        # A clock put back cannot make the wait longer than it was.
        left = min(left, wait)
        return max(0, -int(-left // 1))

    def try_unlock(self, text: str, now: dt.datetime) -> Unlock:
        """Check ``text``, unless an earlier wrong try's wait is not over; OK when no passphrase is set.

        Only a try that is checked counts: one refused for waiting does not.
        """
        stored = self.stored
        if self.authority is None and stored is None:
            return Unlock(UnlockResult.OK)
        left = self.remaining(now)
        if left:
            return Unlock(UnlockResult.WAIT, left)
        if self.authority is not None:
            from socialsafe.trust.sealed import WrongPassphraseError

            try:
                key = self.authority.unlock(text)
            except WrongPassphraseError:
                key = None
            if key is not None:
                self.reset()
                return Unlock(UnlockResult.OK, key=key)
        elif stored is not None and check_passphrase(text, stored):
            self.reset()
            return Unlock(UnlockResult.OK)
        failures = self.failures + 1
        self.tries.set_setting(FAILURES_SETTING, str(failures))
        self.tries.set_setting(LAST_FAILURE_SETTING, now.astimezone(dt.UTC).isoformat())
        return Unlock(UnlockResult.WRONG, wait_after(failures))

    def reset(self) -> None:
        if self.tries.setting(FAILURES_SETTING) not in (None, "0"):
            self.tries.set_setting(FAILURES_SETTING, "0")
        if self.tries.setting(LAST_FAILURE_SETTING):
            self.tries.set_setting(LAST_FAILURE_SETTING, "")


# Erasing one person -----------------------------------------------------------------------


class EraseError(ValueError):
    """Who to erase cannot be worked out; the message says why in a sentence or two."""


class NoOneToEraseError(EraseError):
    """No learner record and no roster entry matches."""


class SeveralToEraseError(EraseError):
    """Erasing by name matches more than one person (different email addresses): the email is needed."""

    def __init__(self, message: str, name: str, school: str, emails: list[str]) -> None:
        super().__init__(message)
        self.name, self.school, self.emails = name, school, emails


@dataclass(frozen=True)
class LearnerRecordToErase:
    """One learner record of the person, on this PC or (through the shared folder) on another."""

    id: str
    name: str
    school: str
    email: str | None
    role: str
    device_id: str
    where: str  # said to the person: this PC, copied from another PC, another PC through the shared folder

    @property
    def description(self) -> str:
        return ", ".join(part for part in (self.name, self.school, self.email or "", self.role) if part)


@dataclass
class ErasePlan:
    """What erasing one person will delete, found before anything is changed (:func:`erase_plan`)."""

    name: str  # the person, as asked for (empty when asked for by email)
    school: str
    email: str | None
    share: Path | None  # the shared folder set, reached or not
    records: list[LearnerRecordToErase]
    learner_ids: set[str]  # every learner record of the person, here and on the share: one erasure each
    local_ids: set[str]  # those in this PC's database
    attempts: int
    signoffs: int
    roster: dict[Path, list[str]]  # roster file -> the entries to remove, described
    identities: set[tuple[str, ...]]
    names: set[tuple[str, str]]  # name and school, when erasing by name
    share_error: Exception | None = None

    def records_said(self) -> str:
        """ "3 quiz attempts and 1 sign-off": what the plan erases besides the learner records, as said to a person."""
        return _("{attempts} and {signoffs}").format(
            attempts=ngettext("{n} quiz attempt", "{n} quiz attempts", self.attempts).format(n=self.attempts),
            signoffs=ngettext("{n} sign-off", "{n} sign-offs", self.signoffs).format(n=self.signoffs),
        )

    @property
    def learners(self) -> list[tuple[str, str]]:
        """(description, where) of each learner record."""
        return [(r.description, r.where) for r in self.records]

    @property
    def devices(self) -> set[str]:
        """The PCs the learner records were made on."""
        return {r.device_id for r in self.records}

    @property
    def roster_entries(self) -> int:
        return sum(len(entries) for entries in self.roster.values())

    @property
    def unknown(self) -> bool:
        return not self.learner_ids and not any(self.roster.values())


@dataclass
class RosterOutcome:
    """Taking the person off one roster file: ``problem`` is None when done."""

    file: Path
    problem: str | None = None  # "share": the shared folder could not be reached; "file": see ``details``
    details: list[str] | None = None  # the roster's own problems, then the error, for "file"


@dataclass
class EraseResult:
    """What :func:`erase_person` did."""

    erased: int  # learner records deleted on this PC
    erasures: int  # erasure records written (one per learner id, here and on other PCs)
    roster: list[RosterOutcome]
    synced: bool = False  # the erasure reached the shared folder
    sync_problems: list[str] | None = None

    @property
    def share_reached(self) -> bool:
        return self.synced


class EraseShareError(ShareError):
    """Erased on this PC, but the shared folder could not be reached to share it; ``result`` says what was done."""

    def __init__(self, message: str, result: EraseResult) -> None:
        super().__init__(message)
        self.result = result


def erase_plan(
    settings: Settings, store: Store, email: str | None = None, name: str | None = None, school: str | None = None
) -> ErasePlan:
    """Find everything erasing one person will delete, changing nothing.

    The person is given by ``email``, or by ``name`` and ``school``. Their
    learner records are found on this PC and, read-only, in the shared
    folder's device files; their roster entries in the share's roster and the
    data folder's. Raises :class:`NoOneToEraseError` when nobody matches,
    :class:`SeveralToEraseError` when a name matches people with different email
    addresses, and :class:`EraseError` when neither an email nor a name and
    school is given.
    """
    from socialsafe import roster
    from socialsafe.domain.people import normalise_name, person_identity, person_key
    from socialsafe.sync.engine import SyncReport, merge, roster_signing
    from socialsafe.sync.share import DEVICES, ShareError, check_share

    email = (email or "").strip() or None
    name, school = normalise_name(name or ""), normalise_name(school or "")
    if not email and not (name and school):
        raise EraseError(_("Say who to erase: an email address, or a name with a school."))
    share = settings.share_folder(store.setting(SHARE_SETTING))[0]
    data_dir = settings.data_dir

    def identity(x: roster.PersonFacts) -> tuple[str, ...]:
        return person_identity(x.name, x.school, x.email)

    target = person_identity(name, school, email)
    key = person_key(name, school)

    def wanted(x: roster.PersonFacts) -> bool:
        return identity(x) == target if email else person_key(x.name, x.school) == key

    local = [x for seed in store.learners() if wanted(seed) for x in store.same_person(seed)]
    local = list({x.id: x for x in local}.values())
    identities = {target} | {identity(x) for x in local}
    names = set() if email else {key}

    # Every PC's records, read from the share without writing to it: the person's learner records made on
    # PCs this one has not synced with since need an erasure record each, or those PCs could not tell who
    # the erasure is about.
    share_error: Exception | None = None
    signing = None  # how the share's staff list is read: signed, once the share has an admin authority
    theirs: list[Any] = []  # the share's learner records
    share_attempts: set[str] = set()
    share_acks: set[str] = set()
    if share is not None:
        try:
            check_share(share)
            if (share / DEVICES).is_dir():
                merged = merge(store, share, SyncReport())
                signing = roster_signing(store, merged.trust)
                merged.apply_erasures(store.learners(merged=False))
                local_ids = {x.id for x in local}
                for learner in merged.shown_learners():  # as the office's merges show them
                    if learner.id not in local_ids and (wanted(learner) or identity(learner) in identities):
                        theirs.append(learner)
                ids = local_ids | {t.id for t in theirs}
                share_attempts = {a.id for a in merged.attempts_of(ids)}
                share_acks = {s.id for s in merged.acks_of(ids)}
        except (ShareError, OSError) as error:
            share_error = error
    attempts = {a.id for x in local for a in store.attempts(x.id)} | share_attempts
    signoffs = {s.id for x in local for s in store.acknowledgements(x.id)} | share_acks

    records = [
        LearnerRecordToErase(
            x.id,
            x.name,
            x.school,
            x.email,
            x.role,
            x.device_id,
            _("this PC") if x.device_id == store.device_id else _("copied from another PC"),
        )
        for x in local
    ]
    records += [
        LearnerRecordToErase(
            t.id, t.name, t.school, t.email, t.role, t.device_id, _("another PC, through the shared folder")
        )
        for t in theirs
    ]

    def described(n: str, s: str, e: str | None, r: str) -> str:
        return ", ".join(part for part in (n, s, e or "", r) if part)

    places = [roster.roster_file(share, data_dir)] if share is not None else []
    places.append(roster.roster_file(None, data_dir))  # the data folder's, used before a share was set
    on_roster: dict[Path, list[str]] = {}
    roster_emails: set[str] = set()
    for place in places:
        at_share = share is not None and place == roster.roster_file(share, data_dir)
        if at_share and share_error is not None:
            continue
        listed, _problems = roster.read_for_reports(
            share if at_share else None, data_dir, signing if at_share else None
        )
        _kept, removed = roster.remove_person(listed, identities, names)
        if removed:
            on_roster[place] = [described(p.name, p.school, p.email, p.role) for p in removed]
            roster_emails |= {(p.email or "").strip().casefold() for p in removed if (p.email or "").strip()}
    emails = {e for e in ((r.email or "").strip().casefold() for r in records) if e}
    if not email and len(emails | roster_emails) > 1:
        known = sorted(emails | roster_emails)
        raise SeveralToEraseError(
            _(
                "More than one person called {name} at {school} is known, with different email addresses ({emails})."
            ).format(name=name, school=school, emails=", ".join(known)),
            name,
            school,
            known,
        )
    plan = ErasePlan(
        name=name,
        school=school,
        email=email,
        share=share,
        records=records,
        learner_ids={r.id for r in records},
        local_ids={x.id for x in local},
        attempts=len(attempts),
        signoffs=len(signoffs),
        roster=on_roster,
        identities=identities,
        names=names,
        share_error=share_error,
    )
    if plan.unknown:
        where = (
            _("on this PC, in the shared folder or on the roster")
            if share is not None and share_error is None
            else _("on this PC or on its roster")
        )
        who = (
            _("No one with the email address {email} is known {where}.").format(email=email, where=where)
            if email
            else _("No one called {name} at {school} is known {where}.").format(name=name, school=school, where=where)
        )
        if share_error is not None:
            who += " " + _("The shared folder cannot be reached now, so it was not searched.")
        raise NoOneToEraseError(who)
    return plan


def erase_person(
    settings: Settings,
    store: Store,
    plan: ErasePlan | None = None,
    content: Content | None = None,
    *,
    email: str | None = None,
    name: str | None = None,
    school: str | None = None,
    key: AdminKey | None = None,
) -> EraseResult:
    """Erase everything ``plan`` found: erasure records, this PC's learner records, roster entries; then sync.

    The erasure records are written first, so that if anything after is
    interrupted the next sync finishes the job. Roster files that cannot be
    changed are reported in the result, not raised. With a shared folder set,
    the erasure is shared at once; when the shared folder cannot be reached,
    :class:`EraseShareError` (a ShareError) is raised, after everything on
    this PC is done, carrying the result. ``content``: the loaded quiz packs
    the sync needs (loaded here when not given). Without a plan, the person is
    given by ``email``, or ``name`` and ``school``, as to :func:`erase_plan`. ``key``: the admin key,
    once the share has the office's authority: the erasure and the roster carry its signature.
    """
    if plan is None:
        plan = erase_plan(settings, store, email=email, name=name, school=school)
    from socialsafe import roster
    from socialsafe.log import log
    from socialsafe.office.authority import maybe_prover, prune_adopted
    from socialsafe.sync.engine import ADOPTED_COPY, roster_signing, share_trust, sync
    from socialsafe.sync.share import ShareError

    prove = maybe_prover(key)
    for learner_id in sorted(plan.learner_ids):
        store.record_erasure(learner_id, prove=prove)
    erased = store.erase(plan.local_ids)
    log.info("erased %d learner records here on request; %d erasure records", erased, len(plan.learner_ids))
    result = EraseResult(erased=erased, erasures=len(plan.learner_ids), roster=[])
    share, data_dir = plan.share, settings.data_dir
    signing = None
    if share is not None and plan.share_error is None:
        signing = roster_signing(store, share_trust(store, share), key)
        if key is not None:
            try:
                prune_adopted(share, key, plan.learner_ids, store.path.parent / ADOPTED_COPY, owner=store.device_id)
            except OSError as error:  # the erasure still applies to them at every merge
                log.warning("could not take the erased person out of the adopted records on %s: %s", share, error)
    for place in plan.roster:
        at_share = share is not None and place == roster.roster_file(share, data_dir)
        try:
            current = roster.load(share if at_share else None, data_dir, signing if at_share else None)
            kept, removed = roster.remove_person(current, plan.identities, plan.names)
            if removed:
                roster.save(
                    kept,
                    share if at_share else None,
                    data_dir,
                    owner=store.device_id,
                    signing=signing if at_share else None,
                )
            result.roster.append(RosterOutcome(place))
        except ShareError:
            result.roster.append(RosterOutcome(place, "share"))
        except (roster.RosterError, OSError) as error:
            problems = error.problems if isinstance(error, roster.RosterError) else []
            result.roster.append(RosterOutcome(place, "file", [str(p) for p in problems] + [str(error)]))
    if share is not None:
        content = content if content is not None else settings.load_content()
        if content.current:
            try:
                report = sync(store, content, share)
            except ShareError as error:
                raise EraseShareError(str(error), result) from error
            result.sync_problems = [str(p) for p in report.problems]
            for problem in report.problems:
                log.warning("sync after erase: %s", problem)
            result.synced = True
    return result
