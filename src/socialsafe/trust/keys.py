"""Ed25519 keys, the exact bytes a signature covers, and the short fingerprint people compare.

A signature always covers ``socialsafe/<purpose>`` and a newline, then the
object in canonical JSON (keys sorted, no spaces, UTF-8, no NaN): a signature
made for one purpose (a PC's device file, say) can never pass for another (an
office record). Keys and signatures travel as standard base64 text.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
from enum import StrEnum
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

KEY_BYTES = 32
SIGNATURE_BYTES = 64
# Crockford's base32: no I, L, O or U, so a fingerprint read aloud or typed is not mistaken.
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class Purpose(StrEnum):
    AUTHORITY = "authority"  # the share's authority document, signed by its own key
    OFFICE_RECORD = "office-record"  # one record only the office may make (an erasure, a face-to-face result …)
    DEVICE_FILE = "device-file"  # a PC's device file header, covering the hash of its records
    ADOPTED_FILE = "adopted-file"  # the records the office adopted when it set up its authority
    ROSTER = "roster"  # the staff list
    PACK = "pack"  # a quiz pack placed in the share's content folder


def canonical(value: Any) -> bytes:
    """``value`` as canonical JSON bytes; ValueError for what JSON cannot say exactly (NaN, infinity)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def signed_bytes(purpose: Purpose, value: Any) -> bytes:
    return b"socialsafe/" + purpose.value.encode("ascii") + b"\n" + canonical(value)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: Any, size: int | None = None) -> bytes | None:
    """The bytes of base64 ``text``, or None when it is not base64 (of ``size`` bytes, when given)."""
    if not isinstance(text, str) or len(text) > 4 * 1024 * 1024:
        return None
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        return None
    if size is not None and len(data) != size:
        return None
    return data


def new_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def private_raw(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def private_key(raw: bytes) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(raw)


def public_raw(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


@functools.lru_cache(maxsize=256)
def _public_key(raw: bytes) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(raw)


def sign(key: Ed25519PrivateKey, purpose: Purpose, value: Any) -> str:
    """The base64 signature of ``value`` for ``purpose``."""
    return b64(key.sign(signed_bytes(purpose, value)))


def verify(public: bytes, purpose: Purpose, value: Any, signature: Any) -> bool:
    """Whether ``signature`` (base64 text) is ``public``'s signature of ``value`` for ``purpose``; never raises."""
    raw = unb64(signature, SIGNATURE_BYTES)
    if raw is None or len(public) != KEY_BYTES:
        return False
    try:
        _public_key(public).verify(raw, signed_bytes(purpose, value))
    except (InvalidSignature, ValueError, UnicodeEncodeError):
        return False
    return True


def fingerprint(public: bytes) -> str:
    """A key's short name for people to compare: 16 characters in 4 groups (80 bits of its SHA-256)."""
    number = int.from_bytes(hashlib.sha256(public).digest()[:10], "big")
    chars = "".join(_CROCKFORD[(number >> shift) & 31] for shift in range(75, -1, -5))
    return "-".join(chars[i : i + 4] for i in range(0, 16, 4))


def same_fingerprint(text: str, public: bytes) -> bool:
    """Whether ``text`` (a fingerprint as typed, or the whole public key in base64) names ``public``."""
    whole = unb64(text.strip(), KEY_BYTES)
    if whole is not None:
        return whole == public
    typed = text.strip().upper().replace(" ", "").replace("-", "").translate(str.maketrans("OIL", "011"))
    return typed == fingerprint(public).replace("-", "")
