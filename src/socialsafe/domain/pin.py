"""Optional 4-digit PINs that keep one person's progress their own on a shared PC.

A PIN is stored only as a salted scrypt hash. It is a courtesy lock against
picking the wrong name, not a password: four digits cannot be more.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

_N, _R, _P = 2**14, 8, 1


def is_valid_pin(pin: str) -> bool:
    return re.fullmatch(r"[0-9]{4}", pin) is not None


def hash_pin(pin: str) -> str:
    if not is_valid_pin(pin):
        raise ValueError("a PIN is exactly 4 digits")
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return "$".join(["scrypt", str(_N), str(_R), str(_P), _b64(salt), _b64(digest)])


def check_pin(pin: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        trial = hashlib.scrypt(
            pin.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=len(base64.b64decode(digest))
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(trial, base64.b64decode(digest))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
