"""What a certificate says, and the code that finds its record again."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass


@dataclass(frozen=True)
class ModuleLine:
    title: str
    score: int
    max_score: int
    passed_on: dt.date
    carried_over: bool = False


@dataclass(frozen=True)
class CertificateData:
    name: str
    role: str  # the role code; the UI shows it in words
    school: str
    organisation: str
    policy_title: str
    policy_version: str
    completed_on: dt.date
    expires_on: dt.date
    modules: list[ModuleLine]
    code: str  # "" until the certificate is issued (it has a record then, found again by this code)


CODE_LENGTH = 12
# Crockford's base32: no I, L, O or U. Typed back, O is read as 0 and I or L as 1.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_TYPED = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_code() -> str:
    """A certificate's verification code: 60 random bits, so no one can guess or work out another's.

    It proves nothing by itself: it finds the certificate's record, which the PC that issued
    it published in its signed device file (``docs/share-format.md``), so checking a code is
    asking the office's verified records whether that certificate was issued, and to whom.
    """
    number = secrets.randbits(5 * CODE_LENGTH)
    chars = "".join(_ALPHABET[(number >> (5 * i)) & 31] for i in range(CODE_LENGTH))
    return "-".join(chars[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normal_code(text: str) -> str | None:
    """A code as typed (any case, spaces or none, O for 0) in its printed form; None when it cannot be one."""
    letters = "".join(text.upper().split()).replace("-", "").translate(_TYPED)
    if len(letters) != CODE_LENGTH or any(c not in _ALPHABET for c in letters):
        return None
    return "-".join(letters[i : i + 4] for i in range(0, CODE_LENGTH, 4))
