"""The admin key sealed with the admin passphrase: Argon2id, then AES-256-GCM.

The sealed key sits in the share's authority file, so that any office PC
with the passphrase can act, and anyone who can read the share can copy it
and guess passphrases on their own computer. What makes that slow is the
cost of Argon2id (RFC 9106's second recommended setting: 64 MiB, 3 passes,
4 lanes, about a fifth of a second a guess) and the passphrase's length,
which is why the authority's passphrase must be longer than a PC's own.
Opening the seal with the right passphrase is also the proof that whoever
typed it is the office: a wrong passphrase fails AES-GCM's check, and a
sealed key that does not belong to the authority's public key is refused.
"""

from __future__ import annotations

import os
import unicodedata
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from socialsafe.trust.keys import KEY_BYTES, b64, private_key, private_raw, public_raw, unb64

KDF = "argon2id"
CIPHER = "aes-256-gcm"
MEMORY_KIB, ITERATIONS, LANES = 64 * 1024, 3, 4
# A sealed key asking for more than this is refused, not computed: it could only be meant to stall a PC.
MAX_MEMORY_KIB, MAX_ITERATIONS, MAX_LANES = 1024 * 1024, 16, 16
_SALT_BYTES, _NONCE_BYTES = 16, 12


class SealError(ValueError):
    """The sealed key is not one this SocialSafe can open (damaged, or asking for unreasonable work)."""


class WrongPassphraseError(ValueError):
    """The passphrase does not open the sealed key."""


def _normal(passphrase: str) -> bytes:
    """The same passphrase typed on any keyboard gives the same bytes (composed accents)."""
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def _aad(public: bytes) -> bytes:
    # Ties the sealed bytes to the public key beside them: a seal moved under another key does not open.
    return b"socialsafe/sealed-admin-key\n" + public


def _derive(passphrase: str, salt: bytes, memory: int, iterations: int, lanes: int) -> bytes:
    kdf = Argon2id(salt=salt, length=32, iterations=iterations, lanes=lanes, memory_cost=memory)
    return kdf.derive(_normal(passphrase))


def seal(key: Ed25519PrivateKey, passphrase: str) -> dict[str, Any]:
    """``key`` sealed with ``passphrase``, as the authority file holds it."""
    salt, nonce = os.urandom(_SALT_BYTES), os.urandom(_NONCE_BYTES)
    secret = _derive(passphrase, salt, MEMORY_KIB, ITERATIONS, LANES)
    sealed = AESGCM(secret).encrypt(nonce, private_raw(key), _aad(public_raw(key)))
    return {
        "kdf": KDF,
        "memory_kib": MEMORY_KIB,
        "iterations": ITERATIONS,
        "lanes": LANES,
        "salt": b64(salt),
        "cipher": CIPHER,
        "nonce": b64(nonce),
        "ciphertext": b64(sealed),
    }


def _number(data: dict[str, Any], key: str, low: int, high: int) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise SealError(key)
    return value


def unseal(data: Any, passphrase: str, public: bytes) -> Ed25519PrivateKey:
    """The private key of ``public`` sealed in ``data``; WrongPassphraseError when ``passphrase`` does not open it."""
    if not isinstance(data, dict) or data.get("kdf") != KDF or data.get("cipher") != CIPHER:
        raise SealError("format")
    lanes = _number(data, "lanes", 1, MAX_LANES)
    memory = _number(data, "memory_kib", 8 * lanes, MAX_MEMORY_KIB)
    iterations = _number(data, "iterations", 1, MAX_ITERATIONS)
    salt = unb64(data.get("salt"))
    nonce = unb64(data.get("nonce"), _NONCE_BYTES)
    sealed = unb64(data.get("ciphertext"), KEY_BYTES + 16)
    if salt is None or not 8 <= len(salt) <= 64 or nonce is None or sealed is None:
        raise SealError("fields")
    secret = _derive(passphrase, salt, memory, iterations, lanes)
    try:
        raw = AESGCM(secret).decrypt(nonce, sealed, _aad(public))
    except InvalidTag:
        raise WrongPassphraseError() from None
    key = private_key(raw)
    if public_raw(key) != public:
        raise SealError("key")  # cannot happen unless the seal was made for another key with the same bytes
    return key
