"""Layout in a 1024 × 600 window (issue #17): the office's buttons and list, the Display dialog, the mouse
wheel over drop-downs, and pages opening at their top.

Set SOCIALSAFE_SCREENSHOTS=DIR to keep PNGs of the office at each text size, scrolled down step by step.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QPointF, QRect, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QApplication,
    QComboBox,
    QDateEdit,
    QScrollArea,
    QSpinBox,
    QTableView,
    QWidget,
)
from pytestqt.qtbot import QtBot

from conftest import MINI
from socialsafe.storage.store import Store
from socialsafe.ui.admin import OfficeArea
from socialsafe.ui.main_window import MainWindow
from test_ui_admin import admin, pack_of, seed, unlock
from test_ui_reading import ready_to_sign
from ui_helpers import add_person, answer_all, button_named, open_window

__all__ = ["admin"]  # the office tests' fixture, used here by name

SHOTS = os.environ.get("SOCIALSAFE_SCREENSHOTS")
TEACHER = 1  # where "Teacher" is in the list of roles of 'Add yourself'
MORE = [
    ("Grace Hopper", "Oak Primary", "teacher"),
    ("Kwame Mensah", "Riverside Academy", "support_staff"),
    ("Lucia Fernandez", "Hillside High", "volunteer"),
    ("Tom Nguyen", "Oak Primary", "teacher"),
    ("Sara Lindqvist", "Riverside Academy", "teacher"),
    ("Omar Haddad", "Hillside High", "support_staff"),
    ("Bethan Jones", "Oak Primary", "volunteer"),
    ("Ivan Petrov", "Riverside Academy", "teacher"),
    ("Mei Chen", "Hillside High", "teacher"),
    ("Rhys Morgan", "Oak Primary", "support_staff"),
    ("Zara Ali", "Riverside Academy", "volunteer"),
    ("Felix Wagner", "Hillside High", "teacher"),
    ("Niamh Byrne", "Oak Primary", "teacher"),
    ("Yusuf Demir", "Riverside Academy", "support_staff"),
    ("Amina Okafor", "Oak Primary School", "teacher"),  # one person twice: the office suggests merging them
]


def office(qtbot: QtBot, store: Store, admin: Any, scale: float, theme: str = "light") -> tuple[MainWindow, OfficeArea]:
    """The office at ``scale`` in a 1024 × 600 window, with twenty people: the office tests' five (one of each
    status) and fifteen more, one of them a duplicate."""
    window = open_window(qtbot, store, [MINI], scale=scale, theme=theme)
    seed(store, pack_of(window))
    for name, school, role in MORE:
        store.add_learner(name, role, school)
    area = unlock(qtbot, window, admin)
    assert len(area.dashboard.shown_summaries()) == 20
    # As a window manager would once the passphrase's dialog has gone (the offscreen platform has none).
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    qtbot.wait(10)  # the page lays itself out once the list has loaded
    assert (window.width(), window.height()) == (1024, 600)
    return window, area


def shown_rect(widget: QWidget) -> QRect:
    """The part of ``widget`` (in its window's coordinates) not scrolled away nor cut off by what holds it."""
    shown = widget.rect()
    while not widget.isWindow():
        shown.translate(widget.pos())
        parent = widget.parentWidget()
        assert parent is not None
        shown = shown & parent.rect()
        widget = parent
    return shown


def whole_in_sight(widget: QWidget) -> bool:
    place = QRect(widget.mapTo(widget.window(), QPoint(0, 0)), widget.size())
    return widget.isVisible() and shown_rect(widget) == place


def rows_in_sight(table: QTableView) -> int:
    """How many of the table's rows a person sees whole: in the window, not under its headings."""
    header = table.horizontalHeader()
    headings = shown_rect(header)
    window = table.window()
    count = 0
    for row in range(table.model().rowCount()):
        rect = table.visualRect(table.model().index(row, 0))
        place = QRect(table.viewport().mapTo(window, rect.topLeft()), rect.size())
        if (shown_rect(table.viewport()) & place) == place and not place.intersects(headings):
            count += 1
    return count


def scrolling_around(widget: QWidget) -> list[QAbstractScrollArea]:
    """``widget`` (if it is one) and the scroll areas around it that can scroll up and down now."""
    found: list[QAbstractScrollArea] = []
    current: QWidget | None = widget
    while current is not None:
        if isinstance(current, QAbstractScrollArea):
            bar = current.verticalScrollBar()
            if bar.maximum() > bar.minimum():
                found.append(current)
        current = current.parentWidget()
    return found


def page_of(widget: QWidget) -> QScrollArea:
    """The scrolling page ``widget`` is on."""
    parent = widget.parentWidget()
    while not isinstance(parent, QScrollArea):
        assert parent is not None, "not on a scrolling page"
        parent = parent.parentWidget()
    return parent


def wheel(widget: QWidget, down: bool = True) -> None:
    """One notch of the mouse wheel over the middle of ``widget``."""
    middle = QPointF(widget.rect().center())
    event = QWheelEvent(
        middle,
        QPointF(widget.mapToGlobal(middle.toPoint())),
        QPoint(0, 0),
        QPoint(0, -120 if down else 120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def keep(window: QWidget, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        window.grab().save(str(Path(SHOTS) / f"{name}.png"))


# The office ------------------------------------------------------------------------------------


@pytest.mark.parametrize("theme", ["light", "dark", "high-contrast"])
def test_at_normal_text_every_main_button_of_the_office_is_in_sight(
    qtbot: QtBot, store: Store, admin: Any, theme: str
) -> None:
    window, area = office(qtbot, store, admin, 1.0, theme)
    keep(window, f"layout-office-100-{theme}")
    dashboard = area.dashboard
    assert area.duplicates_button.isVisible()  # the busiest the list's foot gets
    buttons = [area.refresh_button, area.lock_button, dashboard.open_button, dashboard.export_button]
    buttons += [dashboard.governors_button, area.group_button, area.duplicates_button]
    assert [b.text() for b in buttons if not whole_in_sight(b)] == []
    assert whole_in_sight(dashboard.search)
    assert whole_in_sight(dashboard.role)
    # Nothing to scroll to: the page fits, and the list of everyone takes the height left over.
    assert scrolling_around(dashboard.table) == [dashboard.table]
    assert rows_in_sight(dashboard.table) >= 4


@pytest.mark.parametrize(("language", "height"), [("en_GB", 560), ("cy", 600)])
def test_in_welsh_and_in_the_window_a_small_screen_opens_every_main_button_is_in_sight(
    qtbot: QtBot, store: Store, admin: Any, language: str, height: int
) -> None:
    """Welsh words are longer; and on a 1024 × 600 screen the window opens 560 high (``start_size``)."""
    window, area = office(qtbot, store, admin, 1.0)
    if language != "en_GB":
        window.set_language(language)  # the office closes as every screen is made again: open it again
        area = unlock(qtbot, window, admin)
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    window.resize(1024, height)
    qtbot.wait(10)
    keep(window, f"layout-office-100-{language}-{height}")
    dashboard = area.dashboard
    assert area.duplicates_button.isVisible()
    buttons = [area.refresh_button, area.lock_button, dashboard.open_button, dashboard.export_button]
    buttons += [dashboard.governors_button, area.group_button, area.duplicates_button]
    assert [b.text() for b in buttons if not whole_in_sight(b)] == []
    assert scrolling_around(dashboard.table) == [dashboard.table]
    assert rows_in_sight(dashboard.table) >= 4


@pytest.mark.parametrize("scale", [1.5, 2.0])
def test_with_large_text_the_page_scrolls_and_the_list_shows_its_rows_under_its_headings(
    qtbot: QtBot, store: Store, admin: Any, scale: float
) -> None:
    window, area = office(qtbot, store, admin, scale)
    table = area.dashboard.table
    page = page_of(table)
    # One thing scrolls, never the list inside a scrolling page: here the page, the list showing every row.
    assert scrolling_around(table) == [page]
    bar = page.verticalScrollBar()
    steps, within = 0, 0
    while bar.value() < bar.maximum():
        keep(window, f"layout-office-{int(scale * 100)}-{steps}")
        bar.setValue(bar.value() + page.viewport().height() // 3)
        steps += 1
        top = table.mapTo(page.viewport(), QPoint(0, 0)).y()
        if top <= 0 and top + table.height() >= page.viewport().height():
            # Scrolled into the list: a good many rows in sight, and its headings above them.
            assert rows_in_sight(table) >= 5
            assert whole_in_sight(table.horizontalHeader())
            within += 1
    keep(window, f"layout-office-{int(scale * 100)}-end")
    assert within >= 2
    dashboard = area.dashboard
    for widget in (dashboard.open_button, dashboard.export_button, area.group_button):
        page.ensureWidgetVisible(widget)
        assert whole_in_sight(widget), widget.text()


def test_every_office_section_tab_is_in_sight_at_the_largest_text(qtbot: QtBot, store: Store, admin: Any) -> None:
    window, area = office(qtbot, store, admin, 2.0)
    tabs = area.tab_bar
    shown = shown_rect(tabs)
    for index in range(tabs.count()):
        place = tabs.tabRect(index).translated(tabs.mapTo(window, QPoint(0, 0)))
        assert shown.contains(place), tabs.tabText(index)
    assert tabs.tabText(1) == "By school and role"  # drawn on two lines, named whole


def test_keys_moving_down_the_list_scroll_the_page_with_them(qtbot: QtBot, store: Store, admin: Any) -> None:
    window, area = office(qtbot, store, admin, 2.0)
    table = area.dashboard.table
    table.setFocus()
    table.setCurrentIndex(table.model().index(0, 0))
    for _ in range(15):
        qtbot.keyClick(table, Qt.Key.Key_Down)
    current = table.visualRect(table.currentIndex())
    place = QRect(table.viewport().mapTo(window, current.topLeft()), current.size())
    assert (shown_rect(table.viewport()) & place) == place
    assert not place.intersects(shown_rect(table.horizontalHeader()))


def test_a_section_or_a_persons_record_opens_at_its_top(qtbot: QtBot, store: Store, admin: Any) -> None:
    _window, area = office(qtbot, store, admin, 2.0)
    bar = page_of(area.dashboard.table).verticalScrollBar()
    bar.setValue(bar.maximum())
    area.tab_bar.setCurrentIndex(3)
    assert bar.value() == 0
    area.tab_bar.setCurrentIndex(0)
    assert bar.value() == 0
    bar.setValue(bar.maximum())
    area.open_person(area.dashboard.shown_summaries()[3])
    assert bar.value() == 0
    title = area.person.title  # in sight from its top (a page too wide for the window scrolls sideways too)
    place = QRect(title.mapTo(title.window(), QPoint(0, 0)), title.size())
    assert shown_rect(title).top() == place.top()
    assert shown_rect(title).height() == place.height()


# The Display & language dialog -------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en_GB", "cy"])
@pytest.mark.parametrize(("width", "height"), [(1024, 600), (800, 560)])
def test_the_display_dialog_fits_the_window_with_its_buttons_in_sight(
    qtbot: QtBot, store: Store, width: int, height: int, language: str
) -> None:
    window = open_window(qtbot, store, [MINI], scale=2.0)
    window.set_language(language)
    add_person(qtbot, window, "Priya Sharma-Whitfield", TEACHER, "Oak Primary")  # the dialog names her
    window.resize(width, height)
    window.open_display()
    dialog = window.display_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    keep(dialog, f"layout-display-{width}x{height}-{language}")
    frame = dialog.frameGeometry()
    assert frame.height() <= window.height()
    assert frame.width() <= window.width()
    for button in (dialog.save_button, dialog.cancel_button):
        assert whole_in_sight(button), button.text()
    # What does not fit scrolls, above the buttons; Tab brings each choice into sight.
    dialog.theme.setFocus()
    page_of(dialog.theme).ensureWidgetVisible(dialog.theme)
    assert whole_in_sight(dialog.theme)
    dialog.reject()


# The mouse wheel ---------------------------------------------------------------------------------


def test_the_wheel_over_a_drop_down_the_keyboard_is_not_in_scrolls_the_page(
    qtbot: QtBot, store: Store, admin: Any
) -> None:
    _window, area = office(qtbot, store, admin, 2.0)
    role = area.dashboard.role
    area.dashboard.table.setFocus()  # the keyboard is elsewhere
    bar = page_of(area.dashboard.table).verticalScrollBar()
    before = bar.value()
    for _ in range(2):
        wheel(role)
    assert role.currentIndex() == 0  # "All roles", as it was
    assert bar.value() > before  # the page scrolled instead
    # With the keyboard in it (clicked or tabbed to), the wheel goes through its choices as usual.
    role.setFocus()
    wheel(role)
    assert role.currentIndex() == 1


def test_a_wheel_turn_never_gives_a_drop_down_spin_box_or_date_the_keyboard(
    qtbot: QtBot, store: Store, admin: Any
) -> None:
    _window, area = office(qtbot, store, admin, 1.0)
    combos = area.findChildren(QComboBox)
    assert len(combos) >= 4
    assert [c.accessibleName() for c in combos if c.focusPolicy() != Qt.FocusPolicy.StrongFocus] == []
    controls: list[QWidget] = [QSpinBox(), QDateEdit()]  # as the office's record dialogs have
    for control in controls:
        qtbot.addWidget(control)
        control.show()
        assert control.focusPolicy() == Qt.FocusPolicy.StrongFocus, type(control).__name__


# Pages open at their top -------------------------------------------------------------------------


def test_a_page_opens_at_its_top_however_far_down_it_was_left(qtbot: QtBot, store: Store) -> None:
    window = open_window(qtbot, store, [MINI], scale=2.0)
    window.sign_in(ready_to_sign(store))  # the keyboard on 'Sign the policy', near the top
    areas = [a for a in window.home.findChildren(QAbstractScrollArea) if a.verticalScrollBar().maximum() > 0]
    assert areas, "the home page does not scroll at 200 %: nothing to check"
    for area in areas:
        area.verticalScrollBar().setValue(area.verticalScrollBar().maximum())
    [pack] = window.content.current
    window.open_record(pack.id)
    window.show_home()
    qtbot.wait(5)  # and once it is laid out
    assert [a.verticalScrollBar().value() for a in areas] == [0] * len(areas)


def test_a_page_opens_as_near_its_top_as_shows_the_focus(qtbot: QtBot, store: Store) -> None:
    """At 200 % the first Start is a screen below the greeting: the page opens there, wherever it was left."""
    window = open_window(qtbot, store, [MINI], scale=2.0)
    add_person(qtbot, window, "Priya Sharma", TEACHER, "Oak Primary")
    area = page_of(window.home.findChildren(QScrollArea)[0].widget())
    bar = area.verticalScrollBar()
    qtbot.waitUntil(lambda: whole_in_sight(QApplication.focusWidget()))
    opened = bar.value()
    assert 0 < opened < bar.maximum()
    for value in (bar.minimum(), bar.maximum()):
        bar.setValue(value)
        [pack] = window.content.current
        window.open_record(pack.id)
        window.show_home()
        qtbot.wait(5)
        assert bar.value() == opened


def test_the_window_opens_no_bigger_than_the_screen_has_room_for() -> None:
    from PySide6.QtCore import QSize

    from socialsafe.ui.main_window import start_size

    assert start_size(QSize(1920, 1040)) == (1024, 700)
    assert start_size(QSize(1024, 600)) == (1024, 560)  # a small laptop: its foot on the screen
    assert start_size(QSize(1366, 728)) == (1024, 688)
    assert start_size(None) == (1024, 700)


# A learner's record ----------------------------------------------------------------------------


@pytest.mark.parametrize("scale", [1.0, 2.0])
def test_my_record_scrolls_one_thing_the_page_or_its_history(qtbot: QtBot, store: Store, scale: float) -> None:
    """Issue #17: never a list scrolling inside a scrolling page. At 200 % the page scrolls and the history
    shows every row, opened attempts too; at normal text the page fits and the history has the room left."""
    window = open_window(qtbot, store, [MINI], scale=scale)
    window.resize(1024, 600)
    add_person(qtbot, window, "Amina Okafor", 1, "Oak Hill Primary")
    for _ in range(3):
        qtbot.mouseClick(button_named(window.home, "Start: Photographs"), Qt.MouseButton.LeftButton)
        qtbot.mouseClick(window.module_page.start_button, Qt.MouseButton.LeftButton)
        answer_all(qtbot, window, right=False)
        window.show_home()
    window.open_record(pack_of(window).id)
    record = window.record
    tree = record.tree
    qtbot.wait(10)
    if scale == 1.0:
        assert scrolling_around(tree) in ([], [tree])  # the page fits: only the history may scroll its rows
        assert whole_in_sight(record.save_button)
    else:
        assert scrolling_around(tree) == [record.area]
    attempts = tree.topLevelItem(2)
    assert attempts is not None
    tree.expandItem(attempts.child(0))  # an attempt's answers
    qtbot.wait(10)
    around = scrolling_around(tree)
    assert around in ([], [tree]) if scale == 1.0 else around == [record.area]
    keep(window, f"layout-record-{int(scale * 100)}")
