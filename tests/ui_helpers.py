"""Driving the real app in tests: build the window, find widgets, answer as a person would."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QObject, QPoint, QRect, Qt
from PySide6.QtGui import QAccessible, QImage
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QButtonGroup,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QTabBar,
    QTextBrowser,
    QTreeView,
    QWidget,
)
from pytestqt.qtbot import QtBot

from socialsafe import admin as admin_module
from socialsafe.content.loader import Content, load_all
from socialsafe.content.model import QuestionType
from socialsafe.preferences import SYSTEM, Preferences
from socialsafe.preferences import save as save_preferences
from socialsafe.storage.store import Store
from socialsafe.ui.app import make_app
from socialsafe.ui.main_window import MainWindow
from socialsafe.ui.settings_dialog import SettingsDialog
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


# Walking every widget of a screen: what a screen reader is told, what the keyboard reaches --------------

# Widgets a person acts on, or reads as a whole (a text browser); each must have a name a screen reader can say.
INTERACTIVE = (
    QAbstractButton,
    QComboBox,
    QLineEdit,
    QAbstractItemView,
    QAbstractSpinBox,
    QAbstractSlider,
    QTabBar,
    QTextBrowser,
)


def shown_widgets(root: QWidget) -> list[QWidget]:
    """``root`` and every widget of its own window under it that is shown (dialogs it owns are walked on their own)."""
    return [
        w
        for w in [root, *root.findChildren(QWidget)]
        if w.window() is root.window() and (w is root or w.isVisibleTo(root))
    ]


def describe(widget: QWidget) -> str:
    text = getattr(widget, "text", None)
    shown = text() if callable(text) else ""
    where = "" if widget.isWindow() else f" in {type(widget.parent()).__name__}"
    return f"{type(widget).__name__} {widget.objectName() or shown!r}{where}"


def labelled_by(widget: QWidget) -> str:
    """The text of the label that names ``widget`` (its buddy), as Qt hands it to a screen reader."""
    interface = QAccessible.queryAccessibleInterface(widget)
    if interface is None:
        return ""
    labels = interface.relations(QAccessible.RelationFlag.Label)
    return " ".join(label.text(QAccessible.Text.Name) for label, _relation in labels).strip()


def accessible_name(widget: QWidget) -> str:
    """The name a screen reader says for ``widget``: the Name text of Qt's accessible interface for it.

    Qt works it out as a screen reader gets it: the accessible name set, else the
    button's text, else the label whose buddy the widget is. One exception: on
    Linux Qt names a combo box by its current choice (its label reaches Orca as a
    relation); Windows, where school PCs are, names it by its accessible name or
    its label, so that is what is checked for a combo box everywhere.
    """
    if isinstance(widget, QComboBox):
        return (widget.accessibleName() or labelled_by(widget)).strip()
    interface = QAccessible.queryAccessibleInterface(widget)
    return interface.text(QAccessible.Text.Name).strip() if interface is not None else ""


def is_part_of(widget: QWidget) -> bool:
    """A piece of another control that speaks for it: a spin box's text field, a view's viewport, a scroll bar.

    Worked out from the widget's kind and place, not with ``focusProxy()`` or
    ``parentWidget()``: PySide6 6.12 on Python 3.11 gives back None from such calls
    without counting a reference to it, and a walk of every widget makes enough of
    them to crash Python ("deallocating None").
    """
    if isinstance(widget, QAbstractSlider):
        return widget.focusPolicy() == Qt.FocusPolicy.NoFocus
    if widget.isWindow():
        return False
    parent = widget.parent()
    if isinstance(parent, QAbstractScrollArea) and widget is parent.viewport():
        return True
    if not isinstance(widget, QLineEdit):
        return False
    return isinstance(parent, QAbstractSpinBox) or (isinstance(parent, QComboBox) and parent.isEditable())


def takes_focus(widget: QWidget) -> bool:
    return bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus)


def unnamed(root: QWidget) -> list[str]:
    """Everything shown under ``root`` a screen reader could not name.

    Interactive widgets (buttons, fields, lists, tables, tabs, sliders) and any
    other widget that takes the keyboard focus (a text browser, a chart) need a
    name; an icon-only button too; an image needs alternative text; a tab bar
    needs text on every tab.
    """
    problems = []
    for widget in shown_widgets(root):
        if isinstance(widget, QLabel):
            pixmap = widget.pixmap()
            if not pixmap.isNull() and not accessible_name(widget):
                problems.append(f"image {describe(widget)} has no alternative text")
            continue
        if is_part_of(widget) or not (isinstance(widget, INTERACTIVE) or takes_focus(widget)):
            continue
        if widget is root and not isinstance(widget, INTERACTIVE):
            continue  # a dialog is named by its title
        if not accessible_name(widget):
            icon_only = isinstance(widget, QAbstractButton) and not widget.text() and not widget.icon().isNull()
            problems.append(("icon-only button " if icon_only else "") + f"{describe(widget)} has no accessible name")
        if isinstance(widget, QTabBar):
            interface = QAccessible.queryAccessibleInterface(widget)
            for index in range(widget.count()):
                tab = interface.child(index) if interface is not None else None
                if tab is None or not tab.text(QAccessible.Text.Name).strip():
                    problems.append(f"tab {index} of {describe(widget)} has no name")
    return problems


def _words(text: str) -> str:
    """Text as said: '&' as 'and', no punctuation, one space between words, lower case."""
    text = text.replace("&", " and ")
    return " ".join("".join(c if c.isalnum() or c in "'’" else " " for c in text).split()).casefold()


def label_not_in_name(root: QWidget) -> list[str]:
    """Controls shown with words whose accessible name does not hold them (WCAG 2.5.3).

    A person using speech says what they see ("click Continue"): the name a
    screen reader and speech software get must contain the visible words.
    """
    problems = []
    for widget in shown_widgets(root):
        if not isinstance(widget, QAbstractButton) or is_part_of(widget):
            continue
        shown = _words(widget.text().replace("&&", "\0").replace("&", "").replace("\0", "&"))  # no shortcut mark
        if shown and shown not in _words(accessible_name(widget)):
            problems.append(f"{describe(widget)} is named {accessible_name(widget)!r}")
    return problems


LEAST_TARGET = 24  # px: WCAG 2.5.8's smallest target, for a pointer


def small_targets(root: QWidget) -> list[str]:
    """Things shown under ``root`` to click that are under 24 by 24 px (WCAG 2.5.8).

    Controls, each tab of a tab bar, the rows of lists, tables and trees, and
    their column headings. A field's clear button is left out: it empties the
    field, which the field itself, 44 px high, does too (2.5.8's 'equivalent').
    """
    problems = []
    for widget in shown_widgets(root):
        if not isinstance(widget, INTERACTIVE) or is_part_of(widget) or isinstance(widget.parent(), QLineEdit):
            continue
        sizes: list[tuple[str, int, int]] = []
        if isinstance(widget, QTabBar):
            sizes = [
                (widget.tabText(i), widget.tabRect(i).width(), widget.tabRect(i).height())
                for i in range(widget.count())
            ]
        elif isinstance(widget, QHeaderView):
            if widget.orientation() == Qt.Orientation.Horizontal and widget.count():
                sizes = [("headings", widget.width(), widget.height())]
        elif isinstance(widget, QAbstractItemView):
            model = widget.model()
            rows = [model.index(row, 0) for row in range(min(model.rowCount(), 5))]
            if isinstance(widget, QTreeView) and rows:
                rows += [model.index(row, 0, rows[0]) for row in range(min(model.rowCount(rows[0]), 5))]
            for index in rows:
                rect = widget.visualRect(index)
                if rect.height():  # a row filtered out has none
                    sizes.append((f"row {index.row()}", rect.width(), rect.height()))
        elif not isinstance(widget, QTextBrowser):
            sizes = [("", widget.width(), widget.height())]
        problems += [
            f"{describe(widget)} {part}: {width}×{height}"
            for part, width, height in sizes
            if min(width, height) < LEAST_TARGET
        ]
    return problems


def no_keyboard(root: QWidget) -> list[str]:
    """Visible controls the keyboard cannot reach (a line edit's clear button is a mouse shortcut only)."""
    return [
        f"{describe(w)} {w.accessibleName()!r}"
        for w in shown_widgets(root)
        if isinstance(w, INTERACTIVE)
        and w.focusPolicy() == Qt.FocusPolicy.NoFocus
        and not is_part_of(w)
        and not isinstance(w.parent(), QAbstractItemView | QLineEdit)  # a view's headers; a field's clear button
    ]


# The keyboard: Tab stops, focus indicators, traps ------------------------------------------------------------


def speaking_for(widget: QWidget) -> QWidget:
    """The control the focus is in: a spin box rather than its text field."""
    if is_part_of(widget):
        parent = widget.parent()
        assert isinstance(parent, QWidget)
        return parent
    return widget


def focused_control() -> QWidget:
    return speaking_for(focused())


def _stop_key(widget: QWidget) -> object:
    """Radio buttons of one exclusive group are one Tab stop (the arrow keys move within it)."""
    if isinstance(widget, QRadioButton):
        group = widget.group()
        if isinstance(group, QButtonGroup) and group.exclusive():
            return group
    return widget


def tab_targets(window: QWidget) -> set[object]:
    """What Tab should reach in ``window``: every shown, enabled control that takes Tab focus."""
    return {
        _stop_key(speaking_for(w))
        for w in window.findChildren(QWidget)
        if w.window() is window and w.isVisible() and w.isEnabled() and takes_focus(w)
    }


def seen(widget: QWidget) -> QRect:
    """The part of ``widget`` that shows, in its window's coordinates: not scrolled away nor cut off by what holds
    it (empty when none of it shows)."""
    shown = widget.rect()
    while not widget.isWindow():
        shown.translate(widget.pos())
        parent = widget.parent()
        assert isinstance(parent, QWidget)
        shown = shown & parent.rect()
        widget = parent
    return shown


def in_sight(widget: QWidget) -> bool:
    """Whether some of ``widget`` shows in its window: not scrolled away nor cut off by what holds it."""
    return not seen(widget).isEmpty()


def stop_problems(widget: QWidget) -> list[str]:
    """Why ``widget``, just given the focus by Tab, is not a good stop: hidden, disabled, unnamed, covered."""
    problems = []
    if not widget.isVisible():
        problems.append("hidden")
    if not widget.isEnabled():
        problems.append("disabled")
    if not accessible_name(widget):
        problems.append("unnamed")
    if not in_sight(widget):
        problems.append("out of sight (scrolled away or cut off)")
    window = widget.window()
    corner = widget.mapTo(window, widget.rect().center())
    if not window.rect().contains(corner):
        problems.append("its middle is outside the window")
    return [f"{describe(widget)}: {p}" for p in problems]


def focus_ring_shows(widget: QWidget, focused_image: QImage) -> bool:
    """Whether ``widget`` looks different now it has lost the focus: a visible focus indicator."""
    return widget.grab().toImage() != focused_image


def place(widget: QWidget) -> QRect:
    """Where ``widget`` is seen in its window now: what shows of it, if it shows (a text taller than the page it
    scrolls in runs on under the buttons below the page, unseen), else all of it."""
    shown = seen(widget)
    return shown if not shown.isEmpty() else QRect(widget.mapTo(widget.window(), QPoint(0, 0)), widget.size())


def reads_before(first: QRect, second: QRect) -> bool:
    """Whether a person reading the window (top to bottom, each line left to right) meets ``first`` first."""
    if first.bottom() < second.top():
        return True
    if second.bottom() < first.top():
        return False
    return first.left() < second.left()  # on the same line


def tab_round(qtbot: QtBot, limit: int = 60, backwards: bool = False) -> list[QWidget]:
    """Press Tab (or Shift+Tab) until the focus comes back to where it started; the controls it stopped on.

    Every stop must be shown, enabled, named, in sight and show that it has the
    focus (it looks different once the focus moves on); the round must end where
    it began (no keyboard trap) having reached every control of the window; and
    going forwards, Tab must follow the reading order, top to bottom and left to
    right, but for the one step from the last control back to the first.
    """
    start = focused_control()
    window = start.window()
    targets = tab_targets(window)  # as the round starts (a control may come on as the focus moves)
    stops = [start]
    problems = stop_problems(start)
    against_reading: list[str] = []
    shift = Qt.KeyboardModifier.ShiftModifier if backwards else Qt.KeyboardModifier.NoModifier
    for _ in range(limit):
        before = stops[-1]
        image = before.grab().toImage()
        qtbot.keyClick(focused(), Qt.Key.Key_Tab, shift)
        now = focused_control()
        if now is not before and not focus_ring_shows(before, image):
            problems.append(f"{describe(before)}: no visible focus indicator")
        # Both measured now: a page that scrolled to show ``now`` moved ``before`` with it.
        if not backwards and reads_before(place(now), place(before)):
            against_reading.append(f"{describe(before)} -> {describe(now)}")
        if now is start:
            break
        assert now.window() is window, f"Tab left the window for {describe(now)}"
        problems += stop_problems(now)
        stops.append(now)
    else:
        went = [describe(s) for s in stops]
        raise AssertionError(f"a keyboard trap: Tab never came back to {describe(start)}; it went {went}")
    assert problems == [], problems
    assert len(against_reading) <= 1, f"Tab goes against the reading order: {against_reading}"
    missed = targets - {_stop_key(s) for s in stops}
    assert not missed, f"Tab never reached {[describe(m) if isinstance(m, QWidget) else m for m in missed]}"
    return stops


def tab_to(qtbot: QtBot, found, limit: int = 40) -> QWidget:
    """Press Tab until ``found(widget)`` holds for the control with the focus; that control."""
    for _ in range(limit):
        if found(focused_control()):
            return focused_control()
        press(qtbot, Qt.Key.Key_Tab)
    raise AssertionError(f"Tab never reached the control looked for; it is on {describe(focused_control())}")


def open_pc_settings(qtbot: QtBot, window: MainWindow, passphrase: str) -> SettingsDialog:
    """This PC's settings, the only way there is: the office's 'PC settings', behind the admin passphrase."""
    if window.office is None or window.office.area is None:
        if admin_module.passphrase_hash(window.settings, window.store) is None:
            admin_module.set_passphrase(window.store, passphrase)
        qtbot.mouseClick(window.office_button, Qt.MouseButton.LeftButton)
        assert window.office is not None
        gate = window.office.gate
        assert gate is not None
        qtbot.waitExposed(gate)
        gate.passphrase.setFocus()
        qtbot.keyClicks(gate.passphrase, passphrase)
        qtbot.keyClick(gate.passphrase, Qt.Key.Key_Return)
    area = window.office.area
    assert area is not None
    area.tab_bar.setCurrentIndex(area.sections.count() - 1)  # "PCs and proof", where this PC's settings are
    qtbot.mouseClick(area.settings_button, Qt.MouseButton.LeftButton)
    dialog = window.settings_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=2000)
    return dialog


# What assistive technology is told -----------------------------------------------------------------------


@dataclass
class Heard:
    kind: str  # "alert" or "announcement"
    source: QObject
    text: str


def listen(monkeypatch: pytest.MonkeyPatch) -> list[Heard]:
    """Every Alert and assertive Announcement the app hands to assistive technology from now on, in order."""
    events: list[Heard] = []
    real = QAccessible.updateAccessibility

    def update(event: Any) -> None:
        kind, source = event.type(), event.object()
        if kind == QAccessible.Event.Announcement:
            assert event.politeness() == QAccessible.AnnouncementPoliteness.Assertive
            events.append(Heard("announcement", source, event.message()))
        elif kind == QAccessible.Event.Alert:
            events.append(Heard("alert", source, source.accessibleDescription()))
        real(event)

    monkeypatch.setattr(QAccessible, "updateAccessibility", staticmethod(update))
    return events


def said_by(heard: list[Heard], part: str) -> QWidget:
    """The widget that said ``part``, as an Alert and an assertive Announcement, while it was on screen."""
    found = [event for event in heard if part in event.text]
    assert {event.kind for event in found} == {"alert", "announcement"}, [event.text for event in heard]
    source = found[-1].source
    assert isinstance(source, QWidget)
    assert source.isVisible()
    return source
