"""Every screen at the smallest supported size, at normal and 150% text.

Set SOCIALSAFE_SCREENSHOTS=DIR to keep a PNG of each screen to look at.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QTextBrowser,
    QWidget,
)
from pytestqt.qtbot import QtBot

from socialsafe.content.model import ModuleKind, QuestionType
from socialsafe.resources import bundled
from socialsafe.storage.store import Store
from socialsafe.ui.main_window import MainWindow
from ui_helpers import add_person, answer_all, answer_current, button_named, open_window, press, type_text

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
    seen_feedback = False
    while window.stack.currentWidget() is window.quiz:
        asked = window.quiz.asked
        assert asked is not None
        if not seen_feedback:
            window.quiz.pick(1)
            yield "question-picked"
            if asked.question.type is QuestionType.MULTIPLE:
                window.quiz.pick(1)  # untick it again, so the answer below is the only one
        answer_current(qtbot, window, right=seen_feedback)
        if not seen_feedback:
            seen_feedback = True
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


def clipped(root: QWidget) -> list[str]:
    """Visible controls narrower than their text needs: text a person could not read."""
    problems = []
    for widget in root.findChildren(QWidget):
        if not widget.isVisibleTo(root) or widget.width() == 0:
            continue
        wraps = isinstance(widget, QLabel) and widget.wordWrap()
        if isinstance(widget, QAbstractButton | QComboBox | QLineEdit) or (isinstance(widget, QLabel) and not wraps):
            needed = widget.minimumSizeHint().width()
            if widget.width() < needed:
                text = getattr(widget, "text", lambda: "")()
                problems.append(f"{type(widget).__name__} {text!r}: {widget.width()} < {needed}")
    return problems


INTERACTIVE = (QAbstractButton, QComboBox, QLineEdit, QAbstractItemView, QAbstractSpinBox, QTextBrowser)


def unnamed(root: QWidget) -> list[str]:
    """Visible interactive widgets a screen reader could not name."""
    return [
        f"{type(w).__name__} {getattr(w, 'text', lambda: '')()!r}"
        for w in root.findChildren(QWidget)
        if isinstance(w, INTERACTIVE) and w.isVisibleTo(root) and not w.accessibleName().strip()
    ]


@pytest.mark.parametrize("scale", [1.0, 1.5])
def test_every_screen_fits_1024_by_600(qtbot: QtBot, store: Store, scale: float) -> None:
    window = open_window(qtbot, store, [bundled("quizzes")], scale=scale)
    out = os.environ.get("SOCIALSAFE_SCREENSHOTS")
    names = []
    for name in screens(qtbot, window):
        qtbot.wait(1)  # let layouts settle
        assert (window.width(), window.height()) == (1024, 600)
        assert clipped(window) == [], name
        assert unnamed(window) == [], name
        if out:
            Path(out).mkdir(parents=True, exist_ok=True)
            window.grab().save(str(Path(out) / f"{name}-{int(scale * 100)}.png"))
        names.append(name)
    assert names[-1] == "who"
    assert button_named(window.who, "Continue as the selected person")
