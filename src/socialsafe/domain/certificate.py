"""What a certificate says, and the short code that ties it to the records behind it."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Iterable
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
    code: str


def verification_code(learner_id: str, policy_version: str, completed_on: dt.date, record_ids: Iterable[str]) -> str:
    """A short code derived from the records: the same records always give the same code.

    An office manager can read it back against the records to check a
    certificate was not typed up by hand. Crockford-like base32, no 0/O or 1/I.
    """
    text = "|".join([learner_id, policy_version, completed_on.isoformat(), *sorted(record_ids)])
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    code = base64.b32encode(digest).decode("ascii").translate(str.maketrans("", "", "=01IO"))[:10]
    return f"{code[:5]}-{code[5:]}"
