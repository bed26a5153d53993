"""The admin passphrase: its hash, where it comes from, and the slow-down after wrong tries (time injected)."""

from __future__ import annotations

import base64
import datetime as dt
import os
import unicodedata
from pathlib import Path

import pytest

from socialsafe import admin
from socialsafe.admin import (
    AdminGate,
    PassphraseError,
    UnlockResult,
    check_passphrase,
    hash_passphrase,
    passphrase_hash,
    set_passphrase,
    wait_after,
)
from socialsafe.config import ADMIN_HASH_SETTING, Settings, effective
from socialsafe.domain.pin import hash_pin
from socialsafe.site_config import check_value
from socialsafe.storage.store import Store

SECRET = "correct horse battery"
T0 = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def stored() -> str:
    return hash_passphrase(SECRET)


def site_file() -> Path:
    """The site config file the test's environment names (see conftest)."""
    return Path(os.environ["SOCIALSAFE_SITE_CONFIG"])


def write_site_hash(value: str) -> None:
    site_file().write_text(f'admin_passphrase_hash = "{value}"\n', encoding="utf-8")


# Hashing ----------------------------------------------------------------------------------


def test_the_hash_is_salted_scrypt_in_the_pin_format_with_a_higher_cost(stored: str) -> None:
    scheme, n, r, p, salt, digest = stored.split("$")
    assert (scheme, r, p) == ("scrypt", "8", "1")
    assert len(base64.b64decode(salt)) == 16
    assert len(base64.b64decode(digest)) == 32
    assert int(n) > int(hash_pin("1234").split("$")[1])
    assert check_value(ADMIN_HASH_SETTING, stored) == stored  # the site config accepts it as it is
    assert hash_passphrase(SECRET) != stored  # a new salt every time
    assert SECRET not in stored


def test_only_the_right_passphrase_matches(stored: str) -> None:
    assert check_passphrase(SECRET, stored)
    assert not check_passphrase(SECRET.upper(), stored)
    assert not check_passphrase(SECRET + " ", stored)
    assert not check_passphrase("", stored)


def test_the_same_passphrase_typed_with_decomposed_accents_matches() -> None:
    stored = hash_passphrase("café crème 2026")
    assert check_passphrase(unicodedata.normalize("NFD", "café crème 2026"), stored)


@pytest.mark.parametrize(
    "bad",
    ["", "plain text", "scrypt$x$8$1$AAAA$AAAA", "bcrypt$16384$8$1$AAAAAAAAAAA=$AAAAAAAAAAAAAAAAAAAAAA==", "$$$$$"],
)
def test_a_malformed_hash_never_matches(bad: str) -> None:
    assert not check_passphrase(SECRET, bad)


def test_a_hash_asking_for_too_much_memory_is_refused_not_computed(stored: str) -> None:
    _scheme, _n, r, p, salt, digest = stored.split("$")
    assert not check_passphrase(SECRET, "$".join(["scrypt", str(2**24), r, p, salt, digest]))


def test_a_pin_style_hash_is_checked_too() -> None:
    # Same format, so a hash made with the PIN's cost (as another tool might) is read.
    assert check_passphrase("1234", hash_pin("1234"))


@pytest.mark.parametrize("text", ["", "        ", "short", "1234567", "   abc   "])
def test_a_blank_or_short_passphrase_is_refused(text: str) -> None:
    with pytest.raises(PassphraseError):
        hash_passphrase(text)


def test_eight_characters_are_enough() -> None:
    assert check_passphrase("12345678", hash_passphrase("12345678"))


# Where the hash in force comes from -------------------------------------------------------


def test_no_passphrase_is_set_at_first(store: Store, data_dir: Path) -> None:
    settings = Settings(data_dir=data_dir)
    assert passphrase_hash(settings, store) is None
    assert passphrase_hash(None, None) is None
    assert not AdminGate(store).required


def test_set_passphrase_saves_its_hash_on_this_pc(store: Store, data_dir: Path) -> None:
    set_passphrase(store, SECRET)
    saved = store.setting(ADMIN_HASH_SETTING)
    assert saved is not None
    assert check_passphrase(SECRET, saved)
    assert passphrase_hash(Settings(data_dir=data_dir), store) == saved
    assert effective(ADMIN_HASH_SETTING, Settings(data_dir=data_dir), store).value == saved
    with pytest.raises(PassphraseError):
        set_passphrase(store, "short")
    assert store.setting(ADMIN_HASH_SETTING) == saved  # unchanged by the refusal


def test_the_site_config_hash_is_used_when_this_pc_has_none(store: Store, stored: str) -> None:
    write_site_hash(stored)
    assert passphrase_hash(None, store) == stored
    assert AdminGate(store).required


def test_this_pc_cannot_set_its_own_when_the_site_config_sets_one(store: Store, stored: str) -> None:
    write_site_hash(stored)
    with pytest.raises(PassphraseError, match="IT"):
        set_passphrase(store, "another passphrase")
    assert store.setting(ADMIN_HASH_SETTING) is None


def test_a_saved_hash_that_is_not_valid_is_passed_over(store: Store, stored: str) -> None:
    store.set_setting(ADMIN_HASH_SETTING, "not a hash")
    assert passphrase_hash(None, store) is None
    write_site_hash(stored)
    assert passphrase_hash(None, store) == stored


# Slowing down wrong tries -----------------------------------------------------------------


def test_waits_grow_from_the_third_wrong_try_up_to_five_minutes() -> None:
    assert [wait_after(n) for n in range(0, 13)] == [0, 0, 0, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]
    assert wait_after(10_000) == 300


def test_with_no_passphrase_set_every_try_unlocks(store: Store) -> None:
    assert AdminGate(store).try_unlock("anything", T0).ok


def test_the_right_passphrase_unlocks(store: Store, stored: str) -> None:
    gate = AdminGate(store, stored)
    assert gate.try_unlock(SECRET, T0).result is UnlockResult.OK


def test_wrong_tries_wait_2_4_8_seconds_after_the_third(store: Store, stored: str) -> None:
    gate = AdminGate(store, stored)
    now = T0
    first = gate.try_unlock("wrong one", now)
    assert (first.result, first.wait) == (UnlockResult.WRONG, 0)
    assert gate.try_unlock("wrong two", now).wait == 0
    third = gate.try_unlock("wrong three", now)
    assert (third.result, third.wait) == (UnlockResult.WRONG, 2)
    # During the wait even the right passphrase is not checked, and the try does not count.
    early = gate.try_unlock(SECRET, now + dt.timedelta(seconds=1))
    assert (early.result, early.wait) == (UnlockResult.WAIT, 1)
    assert gate.failures == 3
    now += dt.timedelta(seconds=2)
    assert gate.try_unlock("wrong four", now).wait == 4
    assert gate.try_unlock("x", now + dt.timedelta(seconds=3.2)) == admin.Unlock(UnlockResult.WAIT, 1)
    now += dt.timedelta(seconds=4)
    assert gate.try_unlock("wrong five", now).wait == 8
    now += dt.timedelta(seconds=8)
    assert gate.try_unlock(SECRET, now).ok
    assert gate.failures == 0
    assert gate.remaining(now) == 0
    assert gate.try_unlock("wrong again", now).wait == 0  # counting starts again


def test_the_wait_stops_growing_at_300_seconds(store: Store, stored: str) -> None:
    gate = AdminGate(store, stored)
    now = T0
    waits = []
    for _ in range(14):
        unlock = gate.try_unlock("wrong", now)
        assert unlock.result is UnlockResult.WRONG
        waits.append(unlock.wait)
        now += dt.timedelta(seconds=unlock.wait)
    assert waits[-3:] == [300, 300, 300]
    assert gate.remaining(now - dt.timedelta(seconds=1)) == 1


def test_the_count_survives_a_restart(data_dir: Path, stored: str) -> None:
    first = Store(data_dir / "socialsafe.db")
    gate = AdminGate(first, stored)
    for _ in range(3):
        gate.try_unlock("wrong", T0)
    first.close()
    again = Store(data_dir / "socialsafe.db")
    try:
        reopened = AdminGate(again, stored)
        assert reopened.failures == 3
        assert reopened.remaining(T0 + dt.timedelta(seconds=0.5)) == 2  # whole seconds, rounded up
        assert reopened.try_unlock(SECRET, T0 + dt.timedelta(seconds=1)).result is UnlockResult.WAIT
        assert reopened.try_unlock(SECRET, T0 + dt.timedelta(seconds=2)).ok
    finally:
        again.close()


def test_a_clock_put_back_does_not_lengthen_the_wait(store: Store, stored: str) -> None:
    gate = AdminGate(store, stored)
    for _ in range(3):
        gate.try_unlock("wrong", T0)
    assert gate.remaining(T0 - dt.timedelta(hours=5)) == 2


def test_a_garbled_count_in_the_settings_counts_as_none(store: Store, stored: str) -> None:
    store.set_setting(admin.FAILURES_SETTING, "lots")
    store.set_setting(admin.LAST_FAILURE_SETTING, "yesterday")
    gate = AdminGate(store, stored)
    assert gate.failures == 0
    assert gate.remaining(T0) == 0
    assert gate.try_unlock(SECRET, T0).ok


def test_setting_a_new_passphrase_clears_the_wrong_tries(store: Store) -> None:
    set_passphrase(store, SECRET)
    gate = AdminGate(store)
    for _ in range(5):
        gate.try_unlock("wrong", T0)
    assert gate.remaining(T0) > 0
    set_passphrase(store, "a new passphrase")
    assert gate.remaining(T0) == 0
    assert gate.try_unlock("a new passphrase", T0).ok
