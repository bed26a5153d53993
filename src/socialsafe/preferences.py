"""A person's display preferences: language, text size and theme, kept on this PC.

Each person's are saved under ``prefs.<learner id>``; the PC's own (used on
'Who are you?', when no one is signed in) under ``prefs.pc``. A person who has
not chosen anything yet gets the PC's. Values are stored as JSON and read
forgivingly: anything unreadable falls back to the default, so a bad value can
never stop the app from starting.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Final, Protocol

SYSTEM: Final = "system"
LIGHT: Final = "light"
DARK: Final = "dark"
HIGH_CONTRAST: Final = "high-contrast"
THEMES: Final = (SYSTEM, LIGHT, DARK, HIGH_CONTRAST)

# Text sizes offered, as a fraction of the normal size (WCAG 1.4.4: up to 200%).
TEXT_SCALES: Final = (1.0, 1.15, 1.3, 1.5, 1.75, 2.0)

PC_KEY: Final = "prefs.pc"
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})*")


class SettingsReader(Protocol):
    """This PC's saved settings, to read (the Store, or the first screen's plain reads)."""

    def setting(self, key: str, default: str | None = None) -> str | None: ...


class SettingsStore(SettingsReader, Protocol):
    """This PC's saved settings (:class:`socialsafe.storage.store.Store`)."""

    def set_setting(self, key: str, value: str) -> None: ...


@dataclass
class Preferences:
    """``language`` None follows the system; ``text_scale`` 1.5 is 150% text; ``theme`` one of :data:`THEMES`."""

    language: str | None = None
    text_scale: float = 1.0
    theme: str = SYSTEM


def key_of(learner_id: str | None) -> str:
    return f"prefs.{learner_id}" if learner_id else PC_KEY


def nearest_scale(value: float) -> float:
    """The offered text size closest to ``value``."""
    return min(TEXT_SCALES, key=lambda step: abs(step - value))


def bigger(scale: float) -> float:
    """The next text size up (the largest stays the largest)."""
    return next((step for step in TEXT_SCALES if step > scale + 1e-6), TEXT_SCALES[-1])


def smaller(scale: float) -> float:
    """The next text size down (the normal size stays the normal size)."""
    return next((step for step in reversed(TEXT_SCALES) if step < scale - 1e-6), TEXT_SCALES[0])


def _language(value: Any) -> str | None:
    if isinstance(value, str) and _LANGUAGE.fullmatch(value.strip()):
        return value.strip()
    return None


def _scale(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 1.0
    number = float(value)
    if number != number or number in (float("inf"), float("-inf")):  # NaN and infinities
        return 1.0
    return nearest_scale(number)


def _theme(value: Any) -> str:
    return value if isinstance(value, str) and value in THEMES else SYSTEM


def parse(text: str | None) -> Preferences | None:
    """Preferences from their stored JSON; None when nothing usable is stored."""
    if not text:
        return None
    try:
        raw = json.loads(text)
    except ValueError:
        return None
    if not isinstance(raw, dict):
        return None
    return Preferences(
        language=_language(raw.get("language")),
        text_scale=_scale(raw.get("text_scale", 1.0)),
        theme=_theme(raw.get("theme", SYSTEM)),
    )


def dumps(prefs: Preferences) -> str:
    return json.dumps(
        {
            "language": _language(prefs.language),
            "text_scale": _scale(prefs.text_scale),
            "theme": _theme(prefs.theme),
        },
        sort_keys=True,
    )


def load(store: SettingsReader, learner_id: str | None) -> Preferences:
    """The person's saved preferences; the PC's when they have none (or no one is signed in); else the defaults."""
    if learner_id:
        own = parse(store.setting(key_of(learner_id)))
        if own is not None:
            return own
    return parse(store.setting(PC_KEY)) or Preferences()


def save(store: SettingsStore, learner_id: str | None, prefs: Preferences) -> None:
    """Keep ``prefs`` for the person (or, with no one signed in, for the PC); bad values are saved as defaults."""
    store.set_setting(key_of(learner_id), dumps(prefs))
