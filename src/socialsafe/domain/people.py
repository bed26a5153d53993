"""Who is a person: learner records from many PCs that describe one human being."""

from __future__ import annotations

import unicodedata

# Letters NFKD does not take apart, written as a person without them would type them.
_PLAIN = str.maketrans(
    {"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ħ": "h", "Ħ": "H", "ı": "i", "ß": "ss",
     "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "þ": "th", "Þ": "TH", "ð": "d", "Ð": "D"}
)  # fmt: skip


def letters(text: str) -> str:
    """``text`` compared on its letters and digits alone (``shared/contracts/share-format.md``, "Who is a
    person"): accents folded (Siân = Sian, Łukasz = Lukasz), case folded, and everything else (apostrophes,
    hyphens, full stops, white space) dropped, so "Siân O'Brien-Jones" is "sian obrien jones".
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_PLAIN)).casefold()
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c))


def normalise_name(text: str) -> str:
    """Trimmed, inner white space collapsed: how names are kept and compared."""
    return " ".join(text.split())


def person_key(name: str, school: str) -> tuple[str, str]:
    """A name and school as the contract compares them: on their letters and digits (:func:`letters`).

    A text with no letter or digit at all (a name of dashes) keeps its own form, so that it is never
    one person with every other such text.
    """
    return letters(name) or normalise_name(name).casefold(), letters(school) or normalise_name(school).casefold()


def person_identity(name: str, school: str, email: str | None) -> tuple[str, ...]:
    """The share contract's key: the email trimmed and case-folded where present,
    else the name and school on their letters and digits (:func:`person_key`)."""
    address = (email or "").strip().casefold()
    if address:
        return ("email", address)
    return ("name", *person_key(name, school))
