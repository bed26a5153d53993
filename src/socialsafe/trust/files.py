"""A whole file signed at once: its header carries the SHA-256 of the bytes after it, and a signature over both.

One signature a file, not one a record: a school's share holds hundreds of
thousands of records, and checking an Ed25519 signature takes tens of
microseconds, while hashing them all takes a fraction of a second. Device
files (signed by their PC's key) and the office's adopted records (signed by
the admin key) are written this way; :mod:`socialsafe.sync.records` and
``docs/share-format.md`` give their fields.
"""

from __future__ import annotations

import hashlib
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from socialsafe.trust import keys
from socialsafe.trust.keys import Purpose

SIGNATURE = "signature"


def signed_header(header: dict[str, Any], body: bytes, key: Ed25519PrivateKey, purpose: Purpose) -> dict[str, Any]:
    """``header`` with the key that signs it, the hash of ``body`` and the signature of all of it."""
    signed = {**header, "public_key": keys.b64(keys.public_raw(key)), "body_sha256": hashlib.sha256(body).hexdigest()}
    signed[SIGNATURE] = keys.sign(key, purpose, signed)
    return signed


def signer_of(header: dict[str, Any], body: bytes, purpose: Purpose) -> bytes | None:
    """The public key that signed ``header`` and ``body`` as they are, or None when they were not, or were changed."""
    public = keys.unb64(header.get("public_key"), keys.KEY_BYTES)
    digest = header.get("body_sha256")
    if public is None or not isinstance(digest, str) or digest != hashlib.sha256(body).hexdigest():
        return None
    unsigned = {k: v for k, v in header.items() if k != SIGNATURE}
    return public if keys.verify(public, purpose, unsigned, header.get(SIGNATURE)) else None
