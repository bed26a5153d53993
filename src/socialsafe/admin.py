"""The admin passphrase: hashing it, checking it, and slowing down guessers. No Qt here.

The passphrase guards the admin actions (records made by hand, paper sign-offs,
erasure, the roster) in the app and on the command line alike. It is stored
only as a salted scrypt hash, in the PIN hashes' format
(``scrypt$N$r$p$salt$digest``, salt and digest in base64) with a higher cost.
The hash in force is this PC's saved one, else the site config's
(:func:`socialsafe.config.effective`); when the site config sets one, IT owns
it and this PC cannot set its own.

Wrong tries are throttled: after 3 in a row, each further try waits 2, 4, 8 …
up to 300 seconds after the last failure. The count and the time of the last
failure are kept in this PC's settings, so restarting the app does not reset
them; the right passphrase does.
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
from typing import Protocol

from socialsafe.config import ADMIN_HASH_SETTING, Settings, effective
from socialsafe.i18n import _
from socialsafe.site_config import site_config

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

    @property
    def ok(self) -> bool:
        return self.result is UnlockResult.OK


def wait_after(failures: int) -> int:
    """Seconds to wait after ``failures`` wrong tries in a row: 0, 0, then 2, 4, 8 … up to 300."""
    if failures <= FREE_TRIES:
        return 0
    return min(MAX_WAIT, FIRST_WAIT << min(failures - FREE_TRIES - 1, 16))


class AdminGate:
    """Checks the admin passphrase against the hash in force, with wrong tries slowed down.

    ``stored``: the hash to check against; by default the one in force
    (:func:`passphrase_hash`). ``now`` is passed in (an aware datetime) so that
    tests need not wait.
    """

    def __init__(self, store: SettingsStore, stored: str | None = None) -> None:
        self.store = store
        self._stored = stored

    @property
    def stored(self) -> str | None:
        """The hash checked against; None when no admin passphrase is set (admin actions are open)."""
        return self._stored if self._stored is not None else passphrase_hash(None, self.store)

    @property
    def required(self) -> bool:
        return self.stored is not None

    @property
    def failures(self) -> int:
        try:
            return max(0, int(self.store.setting(FAILURES_SETTING) or 0))
        except ValueError:
            return 0

    def _last_failure(self) -> dt.datetime | None:
        text = self.store.setting(LAST_FAILURE_SETTING)
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
        if stored is None:
            return Unlock(UnlockResult.OK)
        left = self.remaining(now)
        if left:
            return Unlock(UnlockResult.WAIT, left)
        if check_passphrase(text, stored):
            self.reset()
            return Unlock(UnlockResult.OK)
        failures = self.failures + 1
        self.store.set_setting(FAILURES_SETTING, str(failures))
        self.store.set_setting(LAST_FAILURE_SETTING, now.astimezone(dt.UTC).isoformat())
        return Unlock(UnlockResult.WRONG, wait_after(failures))

    def reset(self) -> None:
        if self.store.setting(FAILURES_SETTING) not in (None, "0"):
            self.store.set_setting(FAILURES_SETTING, "0")
        if self.store.setting(LAST_FAILURE_SETTING):
            self.store.set_setting(LAST_FAILURE_SETTING, "")
