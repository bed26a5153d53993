"""Driving the real app in tests: build the window, find widgets, answer as a person would."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from socialsafe.content.loader import Content, load_all
from socialsafe.content.model import QuestionType
from socialsafe.preferences import SYSTEM, Preferences
from socialsafe.preferences import save as save_preferences
from socialsafe.storage.store import Store
from socialsafe.ui.app import make_app
from socialsafe.ui.main_window import MainWindow
from socialsafe.ui.style import apply_style


def open_window(
    qtbot: QtBot, store: Store, roots: list[Path], scale: float = 1.0, theme: str | None = None
) -> MainWindow:
    """The app's window at 1024×600; ``scale`` and ``theme`` become this PC's display preferences, as if chosen."""
    app = make_app()
    apply_style(app, scale)
    if scale != 1.0 or theme is not None:
        save_preferences(store, None, Preferences(text_scale=scale, theme=theme or SYSTEM))
    window = MainWindow(store, load_all(roots))
    qtbot.addWidget(window)
    window.resize(1024, 600)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    return window


def content_of(window: MainWindow) -> Content:
    return window.content


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def press(qtbot: QtBot, key: Qt.Key) -> None:
    """A key press where the keyboard focus is, as a person's key would go."""
    qtbot.keyClick(focused(), key)


def type_text(qtbot: QtBot, text: str) -> None:
    qtbot.keyClicks(focused(), text)


def visible_buttons(root: QWidget) -> list[QPushButton]:
    return [b for b in root.findChildren(QPushButton) if b.isVisibleTo(root)]


def button_named(root: QWidget, text: str) -> QPushButton:
    found = [b for b in visible_buttons(root) if b.text() == text or b.accessibleName() == text]
    assert found, f"no visible button {text!r}; have {[b.text() for b in visible_buttons(root)]}"
    return found[0]


def labels_text(root: QWidget) -> str:
    return "\n".join(label.text() for label in root.findChildren(QLabel) if label.isVisibleTo(root))


def add_person(qtbot: QtBot, window: MainWindow, name: str, role_index: int, school: str, pin: str = "") -> None:
    """Fill 'Add yourself' by keyboard: Tab moves from field to field."""
    qtbot.mouseClick(window.who.add_button, Qt.MouseButton.LeftButton)
    assert focused() is window.who.name
    type_text(qtbot, name)
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is window.who.role
    for _ in range(role_index):
        press(qtbot, Qt.Key.Key_Down)
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is window.who.school
    window.who.school.selectAll()  # typing replaces a school filled in for us
    type_text(qtbot, school)
    if pin:
        window.who.pin.setFocus()
        type_text(qtbot, pin)
    press(qtbot, Qt.Key.Key_Return)


def answer_current(qtbot: QtBot, window: MainWindow, right: bool) -> None:
    """Answer the question on screen by keyboard: number keys, then Enter to check, Enter to go on."""
    asked = window.quiz.asked
    assert asked is not None
    numbers = [n for n, o in enumerate(asked.options, start=1) if o.correct == right]
    if asked.question.type is not QuestionType.MULTIPLE or not right:
        numbers = numbers[:1]
    for number in numbers:
        press(qtbot, Qt.Key(Qt.Key.Key_0 + number))
    press(qtbot, Qt.Key.Key_Return)
    assert window.quiz.verdict is not None, "Enter did not check the answer"
    assert window.quiz.verdict.correct is right
    press(qtbot, Qt.Key.Key_Return)


def answer_all(qtbot: QtBot, window: MainWindow, right: bool) -> None:
    while window.stack.currentWidget() is window.quiz:
        answer_current(qtbot, window, right)
