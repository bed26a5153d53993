"""Translations and locale-aware formatting.

Every visible string goes through :func:`_` (gettext). The catalog in force
can change while the app runs, so ``_`` looks it up at each call. Dates and
numbers go through Babel in the same locale.

The language follows the system's unless ``SOCIALSAFE_LANG`` names another
(for testing, and for kiosk PCs). The pseudo-locale ``en_XA`` translates
nothing from a catalog: every message comes back with its letters accented and
bracketed, ``⟦Ŝŵîţçĥ ƥéŕšöñ⟧``, so that a string that was never marked for
translation stands out on screen. Its dates and numbers are en_GB's.
"""

from __future__ import annotations

import datetime as dt
import gettext
import locale as _locale
import os
import re
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as _babel_format_date
from babel.dates import format_datetime as _babel_format_datetime
from babel.numbers import format_percent as _babel_format_percent

DOMAIN = "socialsafe"
SOURCE_LOCALE = "en_GB"
LOCALE_DIR = Path(__file__).parent / "locale"
ENV_LANG = "SOCIALSAFE_LANG"  # a language code that beats the system's
PSEUDO_LOCALE = "en_XA"  # Android's and Chromium's code for an accented pseudo-English

_translations: gettext.NullTranslations = gettext.NullTranslations()
_locale_code = SOURCE_LOCALE
_format_locale = SOURCE_LOCALE  # the Babel locale for dates and numbers

# What the pseudo-locale leaves alone: {placeholders}, <tags>, &entities;, %s, and Markdown link targets.
_KEEP = re.compile(r"\{[^{}]*\}|<[^<>]*>|&#?\w+;|%(?:\(\w+\))?[sdif]|\]\([^()]*\)")
_ACCENTED = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "áƀçđéƒĝĥîĵķļɱñöƥǫŕšţûṽŵẋýžÅƁÇĐÉƑĜĤÎĴĶĻṀÑÖƤǪŔŜŢÛṼŴẊÝŽ",
)
PSEUDO_OPEN, PSEUDO_CLOSE = "⟦", "⟧"


def pseudo(text: str) -> str:
    """``text`` in pseudo-English: letters accented and the whole bracketed; placeholders and tags kept."""
    if not text:
        return text
    out, start = [], 0
    for kept in _KEEP.finditer(text):
        out.append(text[start : kept.start()].translate(_ACCENTED))
        out.append(kept.group())
        start = kept.end()
    out.append(text[start:].translate(_ACCENTED))
    return PSEUDO_OPEN + "".join(out) + PSEUDO_CLOSE


class PseudoTranslations(gettext.NullTranslations):
    """The pseudo-locale's 'catalog': every message translated by :func:`pseudo`."""

    def gettext(self, message: str) -> str:
        return pseudo(message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return pseudo(msgid1 if n == 1 else msgid2)


def _(message: str) -> str:
    return _translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translations.ngettext(singular, plural, n)


def _language_of(value: str | None) -> str | None:
    """'cy_GB' from 'cy_GB.UTF-8' or 'cy-GB'; None for nothing, 'C' or 'POSIX'."""
    code = (value or "").split(":")[0].split(".")[0].split("@")[0].strip().replace("-", "_")
    return code if code and code not in ("C", "POSIX") else None


def system_locale() -> str:
    """The language this PC's user works in: ``SOCIALSAFE_LANG``, else the system's, else en_GB."""
    for name in (ENV_LANG, "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        code = _language_of(os.environ.get(name))
        if code:
            return code
    code = None
    if hasattr(_locale, "LC_MESSAGES"):
        # A query (it changes nothing), and not getlocale(), which reads 'C.UTF-8' as en_US.
        code = _locale.setlocale(_locale.LC_MESSAGES)
    if not _language_of(code) and os.name == "nt":
        # Windows keeps the user's language in its settings, not the environment.
        code = _windows_locale()
    return _language_of(code) or SOURCE_LOCALE


def _windows_locale() -> str | None:
    """The Windows user's locale name, such as 'cy-GB'."""
    import ctypes

    windll: Any = getattr(ctypes, "windll", None)
    if windll is None:
        return None
    buffer = ctypes.create_unicode_buffer(85)
    if not windll.kernel32.GetUserDefaultLocaleName(buffer, len(buffer)):
        return None
    return str(buffer.value) or None


def set_locale(code: str | None = None) -> str:
    """Switch translations and formats to ``code`` (default: :func:`system_locale`); returns the one in force."""
    global _translations, _locale_code, _format_locale
    wanted = (code or system_locale()).replace("-", "_")
    if wanted.casefold() == PSEUDO_LOCALE.casefold():
        _locale_code, _format_locale = PSEUDO_LOCALE, SOURCE_LOCALE
        _translations = PseudoTranslations()
        return _locale_code
    try:
        parsed = Locale.parse(wanted)
    except (ValueError, UnknownLocaleError):
        parsed = Locale.parse(SOURCE_LOCALE)
    _locale_code = _format_locale = str(parsed)
    _translations = gettext.translation(DOMAIN, LOCALE_DIR, languages=[_locale_code, parsed.language], fallback=True)
    return _locale_code


def current_locale() -> str:
    """The locale in force: a Babel locale code such as ``en_GB`` or ``cy``, or :data:`PSEUDO_LOCALE`."""
    return _locale_code


def is_pseudo(code: str | None = None) -> bool:
    return (code or _locale_code) == PSEUDO_LOCALE


def format_date(value: dt.date, length: str = "long") -> str:
    return _babel_format_date(value, format=length, locale=_format_locale)


def format_datetime(value: dt.datetime, length: str = "medium") -> str:
    """A UTC time shown in the PC's local time zone."""
    return _babel_format_datetime(value.astimezone(), format=length, locale=_format_locale)


def format_percent(fraction: float) -> str:
    return _babel_format_percent(fraction, locale=_format_locale)
