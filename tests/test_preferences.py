"""Display preferences kept per person and per PC: saved, read back, and forgiving of bad stored values."""

from __future__ import annotations

import json

import pytest

from socialsafe.preferences import (
    PC_KEY,
    TEXT_SCALES,
    Preferences,
    bigger,
    key_of,
    load,
    nearest_scale,
    save,
    smaller,
)
from socialsafe.storage.store import Store


class Settings:
    """A stand-in for the store's key-value settings."""

    def __init__(self, values: dict[str, str] | None = None) -> None:
        self.values = dict(values or {})

    def setting(self, key: str, default: str | None = None) -> str | None:
        return self.values.get(key, default)

    def set_setting(self, key: str, value: str) -> None:
        self.values[key] = value


def test_nothing_saved_gives_the_defaults() -> None:
    assert load(Settings(), None) == Preferences(language=None, text_scale=1.0, theme="system")
    assert load(Settings(), "someone") == Preferences()


def test_a_persons_preferences_are_kept_in_the_store_and_read_back(store: Store) -> None:
    mine = Preferences(language="cy", text_scale=1.5, theme="high-contrast")
    save(store, "learner-1", mine)
    assert load(store, "learner-1") == mine
    assert json.loads(store.setting("prefs.learner-1") or "") == {
        "language": "cy",
        "text_scale": 1.5,
        "theme": "high-contrast",
    }
    assert load(store, None) == Preferences()  # the PC's are not touched
    assert load(store, "learner-2") == Preferences()  # nor anyone else's


def test_the_pc_has_its_own_and_a_person_with_none_gets_the_pcs() -> None:
    settings = Settings()
    save(settings, None, Preferences(text_scale=1.3, theme="dark"))
    assert PC_KEY in settings.values
    assert load(settings, None) == Preferences(text_scale=1.3, theme="dark")
    assert load(settings, "new-person") == Preferences(text_scale=1.3, theme="dark")
    save(settings, "new-person", Preferences(theme="light"))
    assert load(settings, "new-person") == Preferences(theme="light")  # their own, once they have chosen
    assert load(settings, None) == Preferences(text_scale=1.3, theme="dark")


def test_keys() -> None:
    assert key_of("abc") == "prefs.abc"
    assert key_of(None) == key_of("") == "prefs.pc"


@pytest.mark.parametrize(
    "stored",
    [
        "not json",
        "[1, 2, 3]",
        '"a string"',
        "null",
        "",
    ],
)
def test_unreadable_values_give_the_defaults(stored: str) -> None:
    assert load(Settings({"prefs.x": stored}), "x") == Preferences()


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ({"language": 42, "text_scale": 1.5, "theme": "dark"}, Preferences(None, 1.5, "dark")),
        ({"language": "../../etc", "text_scale": 1.5}, Preferences(None, 1.5, "system")),
        ({"language": "cy", "text_scale": "huge"}, Preferences("cy", 1.0, "system")),
        ({"text_scale": 9.0}, Preferences(text_scale=2.0)),  # never past the largest size
        ({"text_scale": 0.1}, Preferences(text_scale=1.0)),  # nor under the normal one
        ({"text_scale": 1.6}, Preferences(text_scale=1.5)),  # the nearest size offered
        ({"text_scale": float("nan")}, Preferences()),
        ({"text_scale": True}, Preferences()),
        ({"theme": "purple"}, Preferences()),
        ({"theme": None}, Preferences()),
        ({"language": "en_GB", "extra": "ignored"}, Preferences(language="en_GB")),
    ],
)
def test_bad_values_fall_back_one_by_one(stored: dict[str, object], expected: Preferences) -> None:
    assert load(Settings({"prefs.x": json.dumps(stored)}), "x") == expected


def test_saving_bad_values_saves_sound_ones() -> None:
    settings = Settings()
    save(settings, "x", Preferences(language="no good!", text_scale=7.0, theme="neon"))
    assert load(settings, "x") == Preferences(text_scale=2.0)


def test_text_sizes_step_up_to_200_percent_and_back() -> None:
    assert TEXT_SCALES == (1.0, 1.15, 1.3, 1.5, 1.75, 2.0)
    steps = [1.0]
    while bigger(steps[-1]) != steps[-1]:
        steps.append(bigger(steps[-1]))
    assert tuple(steps) == TEXT_SCALES
    assert smaller(2.0) == 1.75
    assert smaller(1.0) == 1.0
    assert bigger(1.6) == 1.75  # from a size in between: the next one offered
    assert smaller(1.6) == 1.5
    assert nearest_scale(1.2) == 1.15


def test_erasing_a_person_erases_their_preferences_and_no_one_elses(store: Store) -> None:
    ann = store.add_learner("Ann Jones", "teacher", "Oak", email="ann@oak.sch.uk")
    bob = store.add_learner("Bob Smith", "volunteer", "Oak")
    save(store, ann.id, Preferences(language="cy"))
    save(store, bob.id, Preferences(text_scale=2.0))
    save(store, None, Preferences(theme="dark"))
    store.erase({ann.id})
    assert store.setting(key_of(ann.id)) is None
    assert load(store, bob.id).text_scale == 2.0
    assert load(store, None).theme == "dark"
