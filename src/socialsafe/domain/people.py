"""Who is a person: learner records from many PCs that describe one human being."""

from __future__ import annotations


def normalise_name(text: str) -> str:
    """Trimmed, inner white space collapsed: how names are kept and compared."""
    return " ".join(text.split())


def person_key(name: str, school: str) -> tuple[str, str]:
    return normalise_name(name).casefold(), normalise_name(school).casefold()


def person_identity(name: str, school: str, email: str | None) -> tuple[str, ...]:
    """The share contract's key: the email trimmed and case-folded where present,
    else the name and school (trimmed, inner white space collapsed, case-folded)."""
    address = (email or "").strip().casefold()
    if address:
        return ("email", address)
    return ("name", *person_key(name, school))
