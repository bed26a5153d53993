"""Display & language through the real widgets: themes, text size, per-person preferences, and the PC's settings
kept in the office.

Set SOCIALSAFE_SCREENSHOTS=DIR to keep a PNG of the dialog and of the office's settings in each theme.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from conftest import MINI
from socialsafe.preferences import Preferences, load, save
from socialsafe.storage.store import Store
from socialsafe.ui import style
from socialsafe.ui.display_dialog import DisplayDialog
from socialsafe.ui.main_window import MainWindow
from test_ui_screens import clipped, unnamed
from ui_helpers import add_person, focused, open_pc_settings, open_window

TEACHER = 1
PASSPHRASE = "correct horse battery"


@pytest.fixture
def window(qtbot: QtBot, store: Store) -> Iterator[MainWindow]:
    window = open_window(qtbot, store, [MINI])
    yield window
    # The next test starts from the look every window starts from.
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    style.apply_style(app, 1.0, "system")


def signed_in(qtbot: QtBot, window: MainWindow, name: str = "Amina Okafor") -> str:
    add_person(qtbot, window, name, TEACHER, "Oak Hill Primary")
    assert window.learner is not None
    return window.learner.id


def key(qtbot: QtBot, code: Qt.Key, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.ControlModifier) -> None:
    """A key pressed where the keyboard is, as a person's would be (shortcuts included)."""
    qtbot.keyClick(focused(), code, modifiers)


def display_dialog(qtbot: QtBot, window: MainWindow) -> DisplayDialog:
    qtbot.mouseClick(window.display_button, Qt.MouseButton.LeftButton)
    return shown(qtbot, window.display_dialog)


def shown(qtbot: QtBot, dialog: DisplayDialog | None) -> DisplayDialog:
    assert dialog is not None
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=2000)
    return dialog


def choose(combo: Any, data: object) -> None:
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)


def window_colour() -> str:
    return QApplication.palette().color(QPalette.ColorRole.Window).name()


# The header ---------------------------------------------------------------------------------


def test_everyone_has_display_and_language_and_no_one_has_the_pcs_settings_in_the_header(
    qtbot: QtBot, window: MainWindow
) -> None:
    header_buttons = [b for b in window.header.findChildren(QPushButton) if b.isVisibleTo(window)]
    assert window.display_button in header_buttons
    assert window.display_button.accessibleName() == "Display and language"
    assert window.display_button.text() == "Display && language"  # shown as "Display & language"
    assert window.display_button.focusPolicy() != Qt.FocusPolicy.NoFocus
    assert not any("Settings" in b.text() or "Settings" in b.accessibleName() for b in header_buttons)
    assert not hasattr(window, "settings_button")
    signed_in(qtbot, window)
    assert window.display_button.isVisible()  # a learner too
    assert not window.office_button.isVisible()


def test_ctrl_shift_d_opens_the_dialog(qtbot: QtBot, window: MainWindow) -> None:
    key(qtbot, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    dialog = shown(qtbot, window.display_dialog)
    assert focused() is dialog.language
    dialog.reject()


# The dialog ---------------------------------------------------------------------------------


def test_the_dialog_shows_each_choice_at_once_and_save_keeps_it_for_the_person(
    qtbot: QtBot, window: MainWindow, store: Store
) -> None:
    learner_id = signed_in(qtbot, window)
    dialog = display_dialog(qtbot, window)
    assert "Amina Okafor" in dialog.intro.text()
    assert unnamed(dialog) == []
    choose(dialog.theme, "dark")
    assert style.current_theme().name == "dark"  # shown at once, before Save
    assert window_colour() == style.THEMES["dark"].colours.window
    choose(dialog.text_size, 1.5)
    assert style.current_scale() == 1.5
    assert QApplication.font().pointSizeF() == pytest.approx(style.BASE_POINTS * 1.5)
    assert load(store, learner_id) == Preferences()  # nothing kept yet
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert load(store, learner_id) == Preferences(text_scale=1.5, theme="dark")
    assert load(store, None) == Preferences()  # the PC's are the PC's


def test_cancel_puts_everything_back(qtbot: QtBot, window: MainWindow, store: Store) -> None:
    learner_id = signed_in(qtbot, window)
    dialog = display_dialog(qtbot, window)
    choose(dialog.theme, "high-contrast")
    choose(dialog.text_size, 2.0)
    assert style.current_theme().name == "high-contrast"
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert style.current_theme().name == "light"
    assert style.current_scale() == 1.0
    assert load(store, learner_id) == Preferences()


def test_choosing_a_language_asks_the_window_to_switch_and_the_dialog_follows(
    qtbot: QtBot, window: MainWindow, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str | None] = []
    monkeypatch.setattr(window, "set_language", lambda code: asked.append(code) or "en_GB", raising=False)
    learner_id = signed_in(qtbot, window)
    dialog = display_dialog(qtbot, window)
    assert [dialog.language.itemText(i) for i in range(dialog.language.count())] == [
        "Follow the system",
        "English",
        "Cymraeg",
    ]
    choose(dialog.language, "cy")
    assert asked == ["cy"]
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert load(store, learner_id).language == "cy"
    window.switch_person()  # the PC's language again
    assert asked == ["cy", None]
    window.who.refresh()
    window.who.people.setCurrentRow(0)
    window.who._continue()
    assert asked == ["cy", None, "cy"]  # theirs again at sign-in


@pytest.mark.parametrize(("scale", "theme"), [(1.0, "light"), (2.0, "high-contrast"), (1.0, "dark")])
def test_the_dialog_fits_is_named_and_keyboard_reachable(qtbot: QtBot, store: Store, scale: float, theme: str) -> None:
    window = open_window(qtbot, store, [MINI], scale=scale, theme=theme)
    try:
        dialog = display_dialog(qtbot, window)
        qtbot.wait(1)
        assert dialog.width() <= 1024
        assert dialog.height() <= 600
        assert clipped(dialog) == []
        assert unnamed(dialog) == []
        order = [focused()]
        for _ in range(4):
            qtbot.keyClick(focused(), Qt.Key.Key_Tab)
            order.append(focused())
        assert order[:3] == [dialog.language, dialog.text_size, dialog.theme]
        assert set(order[3:]) == {dialog.save_button, dialog.cancel_button}
        out = os.environ.get("SOCIALSAFE_SCREENSHOTS")
        if out:
            Path(out).mkdir(parents=True, exist_ok=True)
            dialog.grab().save(str(Path(out) / f"display-dialog-{int(scale * 100)}-{theme}.png"))
        dialog.reject()
    finally:
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        style.apply_style(app, 1.0, "system")


# Text size keys ---------------------------------------------------------------------------------


def test_ctrl_plus_minus_and_zero_step_the_text_size_and_remember_it_per_person(
    qtbot: QtBot, window: MainWindow, store: Store
) -> None:
    learner_id = signed_in(qtbot, window)
    key(qtbot, Qt.Key.Key_Equal)
    assert style.current_scale() == 1.15
    key(qtbot, Qt.Key.Key_Plus)
    assert style.current_scale() == 1.3
    for _ in range(6):
        key(qtbot, Qt.Key.Key_Plus)
    assert style.current_scale() == 2.0  # no further than 200%
    assert "200%" in window.person_line.accessibleDescription()  # said, not only seen
    key(qtbot, Qt.Key.Key_Minus)
    assert style.current_scale() == 1.75
    assert load(store, learner_id).text_scale == 1.75
    assert load(store, None).text_scale == 1.0

    window.switch_person()  # the next person gets the PC's size
    assert style.current_scale() == 1.0
    key(qtbot, Qt.Key.Key_Plus)  # on 'Who are you?': the PC's size
    assert load(store, None).text_scale == 1.15
    assert load(store, learner_id).text_scale == 1.75

    window.sign_in(learner_id)
    assert style.current_scale() == 1.75  # theirs, back at sign-in
    key(qtbot, Qt.Key.Key_0)
    assert style.current_scale() == 1.0
    assert load(store, learner_id).text_scale == 1.0


def test_a_person_who_has_not_chosen_gets_the_pcs_look(qtbot: QtBot, window: MainWindow, store: Store) -> None:
    save(store, None, Preferences(text_scale=1.3, theme="high-contrast"))
    window.switch_person()
    assert (style.current_scale(), style.current_theme().name) == (1.3, "high-contrast")
    signed_in(qtbot, window)
    assert (style.current_scale(), style.current_theme().name) == (1.3, "high-contrast")


# Themes ---------------------------------------------------------------------------------


def test_status_colours_and_the_palette_follow_the_theme(qtbot: QtBot, window: MainWindow, store: Store) -> None:
    learner_id = signed_in(qtbot, window)
    status = next(w for w in window.home.findChildren(QLabel) if w.property("tone") == "neutral")
    assert status.text().startswith("○ Not started")  # a symbol and words, not colour alone
    for theme in ("light", "dark", "high-contrast"):
        save(store, learner_id, Preferences(theme=theme))
        window.sign_in(learner_id)
        status = next(w for w in window.home.findChildren(QLabel) if w.property("tone") == "neutral")
        status.ensurePolished()
        colours = style.THEMES[theme].colours
        assert status.palette().color(QPalette.ColorRole.WindowText).name() == colours.neutral
        assert window_colour() == colours.window
        assert QApplication.palette().color(QPalette.ColorRole.Text).name() == colours.text


def test_following_the_system_changes_with_it_while_the_app_runs(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The offscreen platform has no colour scheme of its own: the system's answer is stood in for."""
    hints = QApplication.styleHints()
    system_dark = [False]
    monkeypatch.setattr(style, "_system_dark", lambda app: system_dark[0])
    assert style.current_choice() == "system"
    assert style.current_theme().name == "light"
    system_dark[0] = True
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)  # the system switched to dark while the app runs
    assert style.current_theme().name == "dark"
    assert window_colour() == style.THEMES["dark"].colours.window
    system_dark[0] = False
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert style.current_theme().name == "light"
    # A theme the person chose stays, whatever the system does.
    window.apply_preferences(Preferences(theme="high-contrast"))
    system_dark[0] = True
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert style.current_theme().name == "high-contrast"


# The PC's settings: the office's ---------------------------------------------------------------


@pytest.fixture
def admin(monkeypatch: pytest.MonkeyPatch) -> Any:
    from socialsafe import admin

    return admin


def test_the_pcs_settings_open_from_the_office_and_close_when_it_locks(
    qtbot: QtBot, window: MainWindow, admin: Any
) -> None:
    dialog = open_pc_settings(qtbot, window, PASSPHRASE)
    assert dialog.isVisible()
    assert window.office is not None
    assert window.office.area is not None
    settings = window.office.area.settings_button
    assert settings.accessibleName() == "PC settings"  # the words on it (WCAG 2.5.3), then what they mean:
    assert settings.accessibleDescription().startswith("This PC's settings")
    window.office.lock()
    assert not dialog.isVisible()  # never left open for the next person at the PC


# The screen check itself ---------------------------------------------------------------------------


def test_the_screen_check_finds_a_control_cut_off_by_the_window(qtbot: QtBot) -> None:
    root = QWidget()
    qtbot.addWidget(root)
    root.resize(300, 200)
    outside = QPushButton("Far away", root)
    outside.setAccessibleName("Far away")
    outside.setGeometry(250, 150, 120, 40)
    squeezed = QPushButton("Squeezed", root)
    squeezed.setAccessibleName("Squeezed")
    root.show()
    squeezed.ensurePolished()
    squeezed.setMinimumSize(0, 0)  # the style sheet's minimum height set aside, as a cramped layout might
    squeezed.setGeometry(0, 0, 120, 4)
    found = clipped(root)
    assert any("Far away" in problem and "cut off" in problem for problem in found)
    assert any("Squeezed" in problem and "squeezed" in problem for problem in found)
