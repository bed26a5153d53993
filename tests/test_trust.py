"""The cryptography the office's authority rests on: signatures, the sealed admin key, the authority file, pins."""

from __future__ import annotations

import json
from typing import Any

import pytest

from socialsafe.trust import authority as auth
from socialsafe.trust import keys, sealed
from socialsafe.trust.files import signed_header, signer_of
from socialsafe.trust.keys import Purpose

PASSPHRASE = "correct horse battery"


@pytest.fixture(scope="module")
def office() -> auth.AdminKey:
    return auth.create(PASSPHRASE, "OFFICE-PC")


# Signatures -------------------------------------------------------------------------------------------------


def test_a_signature_holds_for_its_purpose_and_its_exact_value_only() -> None:
    key = keys.new_key()
    public = keys.public_raw(key)
    value = {"kind": "erasure", "learner_id": "x", "score": 0.8}
    signature = keys.sign(key, Purpose.OFFICE_RECORD, value)

    assert keys.verify(public, Purpose.OFFICE_RECORD, dict(reversed(value.items())), signature)  # key order aside
    assert not keys.verify(public, Purpose.DEVICE_FILE, value, signature)  # never passes for another purpose
    assert not keys.verify(public, Purpose.OFFICE_RECORD, {**value, "learner_id": "y"}, signature)
    assert not keys.verify(keys.public_raw(keys.new_key()), Purpose.OFFICE_RECORD, value, signature)


@pytest.mark.parametrize("signature", [None, "", "not base64!", keys.b64(b"short"), 7, "A" * 10_000_000])
def test_a_signature_that_is_no_signature_is_simply_not_good(signature: Any) -> None:
    public = keys.public_raw(keys.new_key())
    assert not keys.verify(public, Purpose.OFFICE_RECORD, {"a": 1}, signature)


def test_nothing_json_cannot_say_exactly_is_signed() -> None:
    with pytest.raises(ValueError, match="JSON"):
        keys.canonical({"pass_mark": float("nan")})
    public = keys.public_raw(keys.new_key())
    assert not keys.verify(public, Purpose.OFFICE_RECORD, {"x": float("inf")}, keys.b64(bytes(64)))


def test_a_fingerprint_is_short_and_read_back_however_it_is_typed() -> None:
    public = keys.public_raw(keys.new_key())
    print_ = keys.fingerprint(public)
    assert len(print_) == 19
    assert print_.count("-") == 3
    assert keys.same_fingerprint(print_.lower().replace("-", " "), public)
    assert keys.same_fingerprint(keys.b64(public), public)  # the whole key works too
    assert not keys.same_fingerprint(keys.fingerprint(keys.public_raw(keys.new_key())), public)


def test_a_whole_file_signature_covers_every_byte_after_the_header() -> None:
    key = keys.new_key()
    body = b'{"kind":"learner"}\n{"kind":"attempt"}\n'
    header = signed_header({"kind": "header", "device_id": "d"}, body, key, Purpose.DEVICE_FILE)

    assert signer_of(header, body, Purpose.DEVICE_FILE) == keys.public_raw(key)
    assert signer_of(header, body + b"\n", Purpose.DEVICE_FILE) is None
    assert signer_of(header, body.replace(b"attempt", b"erasure"), Purpose.DEVICE_FILE) is None
    assert signer_of({**header, "device_id": "e"}, body, Purpose.DEVICE_FILE) is None
    assert signer_of(header, body, Purpose.ADOPTED_FILE) is None


# The sealed admin key ------------------------------------------------------------------------------------


def test_the_sealed_key_opens_with_the_passphrase_only(office: auth.AdminKey) -> None:
    sealed_key = office.authority.document["sealed_key"]
    assert keys.public_raw(sealed.unseal(sealed_key, PASSPHRASE, office.public)) == office.public
    with pytest.raises(sealed.WrongPassphraseError):
        sealed.unseal(sealed_key, "correct horse batterY", office.public)
    # Typed with a decomposed accent, a passphrase is the same passphrase.
    accented = auth.create("Siân's office key 2026", "PC")
    seal = accented.authority.document["sealed_key"]
    assert sealed.unseal(seal, "Sia\u0302n's office key 2026", accented.public)


def test_a_seal_moved_under_another_key_does_not_open(office: auth.AdminKey) -> None:
    other = auth.create(PASSPHRASE, "PC")
    with pytest.raises(sealed.WrongPassphraseError):
        sealed.unseal(office.authority.document["sealed_key"], PASSPHRASE, other.public)


@pytest.mark.parametrize(
    "change",
    [
        {"memory_kib": 64 * 1024 * 1024},  # 64 GiB: made to stall a PC, refused before any work
        {"iterations": 10_000},
        {"lanes": 0},
        {"kdf": "md5"},
        {"ciphertext": "AAAA"},
        {"salt": None},
    ],
)
def test_a_seal_asking_for_unreasonable_work_or_malformed_is_refused(
    office: auth.AdminKey, change: dict[str, Any]
) -> None:
    with pytest.raises(sealed.SealError):
        sealed.unseal({**office.authority.document["sealed_key"], **change}, PASSPHRASE, office.public)


# The authority file and pins -----------------------------------------------------------------------------


def test_the_authority_file_is_checked_by_its_own_signature(office: auth.AdminKey) -> None:
    text = office.authority.text()
    assert auth.loads(text).public == office.public
    changed = json.loads(text)
    changed["made_on"] = "SOMEONE-ELSE"
    with pytest.raises(auth.AuthorityError, match="signature"):
        auth.parse(changed)
    with pytest.raises(auth.AuthorityError):
        auth.loads("[" * 100_000)


def test_a_new_passphrase_is_the_next_revision_of_the_same_key(office: auth.AdminKey) -> None:
    resealed = office.resealed("a new passphrase for the office")
    assert resealed.public == office.public
    assert resealed.authority.revision == office.authority.revision + 1
    assert resealed.authority.unlock("a new passphrase for the office").public == office.public
    with pytest.raises(sealed.WrongPassphraseError):
        resealed.authority.unlock(PASSPHRASE)


def test_a_pc_pins_the_first_authority_and_keeps_it_against_a_swap(office: auth.AdminKey) -> None:
    first = auth.choose(office.authority.text().encode(), None, None)
    assert first.authority is not None
    assert first.newly_pinned
    swapped = auth.create("an attacker's passphrase", "ATTACKER")
    kept = auth.choose(swapped.authority.text().encode(), office.authority.text(), None)
    assert kept.authority is not None
    assert kept.authority.public == office.public
    assert kept.restore
    assert any("replaced" in p for p in kept.problems)
    # Deleted from the share: the pinned one stands, and is written back.
    gone = auth.choose(None, office.authority.text(), None)
    assert gone.authority is not None
    assert gone.restore


def test_an_older_revision_does_not_bring_back_an_old_passphrase(office: auth.AdminKey) -> None:
    newer = office.resealed("a new passphrase for the office")
    older = auth.choose(office.authority.text().encode(), newer.authority.text(), None)
    assert older.authority is not None
    assert older.authority.revision == newer.authority.revision
    assert older.restore
    taken = auth.choose(newer.authority.text().encode(), office.authority.text(), None)
    assert taken.authority is not None
    assert taken.newly_pinned
    assert taken.authority.revision == newer.authority.revision


def test_the_site_config_pin_wins_over_what_a_pc_met_first(office: auth.AdminKey) -> None:
    other = auth.create("an attacker's passphrase", "ATTACKER")
    site = office.authority.fingerprint
    # The PC met the attacker's first; IT's pin puts the office's in force.
    fixed = auth.choose(office.authority.text().encode(), other.authority.text(), site)
    assert fixed.authority is not None
    assert fixed.authority.public == office.public
    refused = auth.choose(other.authority.text().encode(), None, site)
    assert refused.authority is None
    assert any("site config" in p for p in refused.problems)
