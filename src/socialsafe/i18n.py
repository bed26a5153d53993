"""Translations and locale-aware formatting.

Every visible string goes through :func:`_` (gettext). The catalog in force
can change while the app runs, so ``_`` looks it up at each call. Dates and
numbers go through Babel in the same locale.
"""

from __future__ import annotations

import datetime as dt
import gettext
import locale as _locale
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as _babel_format_date
from babel.dates import format_datetime as _babel_format_datetime
from babel.numbers import format_percent as _babel_format_percent

DOMAIN = "socialsafe"
SOURCE_LOCALE = "en_GB"
LOCALE_DIR = Path(__file__).parent / "locale"

_translations: gettext.NullTranslations = gettext.NullTranslations()
_locale_code = SOURCE_LOCALE


def _(message: str) -> str:
    return _translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translations.ngettext(singular, plural, n)


def system_locale() -> str:
    code = _locale.getlocale(_locale.LC_MESSAGES)[0] if hasattr(_locale, "LC_MESSAGES") else None
    return code or SOURCE_LOCALE


def set_locale(code: str | None = None) -> str:
    """Switch translations and formats to ``code`` (default: the system's); returns the one in force."""
    global _translations, _locale_code
    wanted = code or system_locale()
    try:
        parsed = Locale.parse(wanted.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        parsed = Locale.parse(SOURCE_LOCALE)
    _locale_code = str(parsed)
    _translations = gettext.translation(DOMAIN, LOCALE_DIR, languages=[_locale_code, parsed.language], fallback=True)
    return _locale_code


def current_locale() -> str:
    return _locale_code


def format_date(value: dt.date, length: str = "long") -> str:
    return _babel_format_date(value, format=length, locale=_locale_code)


def format_datetime(value: dt.datetime, length: str = "medium") -> str:
    """A UTC time shown in the PC's local time zone."""
    return _babel_format_datetime(value.astimezone(), format=length, locale=_locale_code)


def format_percent(fraction: float) -> str:
    return _babel_format_percent(fraction, locale=_locale_code)
