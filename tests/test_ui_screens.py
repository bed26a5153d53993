"""Every screen at the smallest supported size, at normal, 150% and 200% text, in each theme.

Set SOCIALSAFE_SCREENSHOTS=DIR to keep a PNG of each screen to look at.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from socialsafe.content.model import ModuleKind, QuestionType
from socialsafe.resources import bundled
from socialsafe.storage.store import Store
from socialsafe.ui.main_window import MainWindow
from ui_helpers import (  # unnamed: the one walker for names, shared with the office's and the accessibility tests
    INTERACTIVE,
    add_person,
    answer_all,
    answer_current,
    button_named,
    open_window,
    press,
    type_text,
    unnamed,
)

TEACHER = 1


def screens(qtbot: QtBot, window: MainWindow) -> Iterator[str]:
    """Walk the bundled course, yielding a name at each screen worth a look."""
    yield "who-empty"
    window.who.show_add()
    yield "add-person"
    add_person(qtbot, window, "Priya Sharma-Whitfield", TEACHER, "Oak Hill Church of England Primary School")
    yield "home"
    pack = window.content.current[0]
    window.open_module(pack.id, pack.modules[0].id)
    yield "module"
    window.start_quiz()
    yield "question"
    feedback = ["feedback-wrong", "feedback-right"]  # the first answer wrong, the second right, both looked at
    while window.stack.currentWidget() is window.quiz:
        asked = window.quiz.asked
        assert asked is not None
        if len(feedback) == 2:
            window.quiz.pick(1)
            yield "question-picked"
            if asked.question.type is QuestionType.MULTIPLE:
                window.quiz.pick(1)  # untick it again, so the answer below is the only one
        if feedback:
            shot = feedback.pop(0)
            check_answer(qtbot, window, right=shot == "feedback-right")
            yield shot
            press(qtbot, Qt.Key.Key_Return)
        else:
            answer_current(qtbot, window, right=True)
    yield "results"
    window.show_home()
    yield "home-after"
    for module in pack.modules[1:]:
        if module.kind is ModuleKind.QUIZ:
            window.open_module(pack.id, module.id)
            window.start_quiz()
            answer_all(qtbot, window, right=True)
    yield "results-sign-now"
    window.open_signoff(pack.id)
    yield "sign-off"
    type_text(qtbot, "Priya Sharma-Whitfield")
    press(qtbot, Qt.Key.Key_Return)
    yield "home-complete"
    window.open_record(pack.id)
    yield "my-record"
    window.open_summary(pack.id)
    yield "policy-at-a-glance"
    window.switch_person()
    yield "who"


def settle(qtbot: QtBot) -> None:
    """Let layouts settle: one layout's request can post another for the layout around it."""
    qtbot.wait(1)
    for _round in range(3):
        QApplication.sendPostedEvents()
        QApplication.processEvents()


def check_answer(qtbot: QtBot, window: MainWindow, right: bool) -> None:
    """Answer the question on screen by keyboard and check it: its feedback is shown."""
    asked = window.quiz.asked
    assert asked is not None
    numbers = [n for n, o in enumerate(asked.options, start=1) if o.correct == right]
    for number in numbers if right and asked.question.type is QuestionType.MULTIPLE else numbers[:1]:
        press(qtbot, Qt.Key(Qt.Key.Key_0 + number))
    press(qtbot, Qt.Key.Key_Return)
    assert window.quiz.verdict is not None
    assert window.quiz.verdict.correct is right


def clipped(root: QWidget) -> list[str]:
    """Visible controls narrower than their text needs, or cut off by the edge of the window (and not in a
    scroll area, which would bring them into view): text a person could not read, a button they could not see."""
    problems = []
    window = root.window()
    for widget in root.findChildren(QWidget):
        if not widget.isVisibleTo(root) or widget.width() == 0:
            continue
        wraps = isinstance(widget, QLabel) and widget.wordWrap()
        text = widget.text() if isinstance(widget, QAbstractButton | QLabel | QLineEdit) else ""
        if isinstance(widget, QAbstractButton | QComboBox | QLineEdit) or (isinstance(widget, QLabel) and not wraps):
            needed = widget.minimumSizeHint().width()
            if widget.width() < needed:
                problems.append(f"{type(widget).__name__} {text!r}: {widget.width()} < {needed}")
        if isinstance(widget, QAbstractButton):
            tall = widget.minimumSizeHint().height()
            if widget.height() < tall:
                problems.append(f"{type(widget).__name__} {text!r} squeezed: {widget.height()} < {tall} high")
        if isinstance(widget, (*INTERACTIVE, QLabel)) and not _scrolls(widget, window):
            shown = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
            if not window.rect().contains(shown):
                problems.append(f"{type(widget).__name__} {text!r}: cut off by the window's edge at {shown}")
    return problems


def _scrolls(widget: QWidget, window: QWidget) -> bool:
    """Whether ``widget`` is inside something that scrolls (a scroll area's contents, a view's cells)."""
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        if isinstance(parent.parentWidget(), QAbstractScrollArea) and parent.objectName() == "qt_scrollarea_viewport":
            return True
        parent = parent.parentWidget()
    return False


@pytest.mark.parametrize(
    ("scale", "theme"),
    [(1.0, "light"), (1.5, "light"), (2.0, "light"), (1.0, "dark"), (1.0, "high-contrast"), (2.0, "high-contrast")],
)
def test_every_screen_fits_1024_by_600(qtbot: QtBot, store: Store, scale: float, theme: str) -> None:
    window = open_window(qtbot, store, [bundled("quizzes")], scale=scale, theme=theme)
    out = os.environ.get("SOCIALSAFE_SCREENSHOTS")
    names = []
    for name in screens(qtbot, window):
        settle(qtbot)
        assert (window.width(), window.height()) == (1024, 600)
        assert clipped(window) == [], name
        assert unnamed(window) == [], name
        if out:
            Path(out).mkdir(parents=True, exist_ok=True)
            suffix = "" if theme == "light" else f"-{theme}"
            window.grab().save(str(Path(out) / f"{name}-{int(scale * 100)}{suffix}.png"))
        names.append(name)
    assert names[-1] == "who"
    assert button_named(window.who, "Continue as the selected person")
