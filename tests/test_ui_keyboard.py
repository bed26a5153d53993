"""The whole app by keyboard alone (WCAG 2.1.1, 2.1.2, 2.4.3, 2.4.7, 2.4.11).

Nothing here clicks, calls a slot or moves the focus by hand: after the
window is first activated, every step is a key a person would press where the
keyboard focus is. At each screen, a round of Tab checks the stops: each is
shown, enabled, named, in sight and looks different while it has the focus,
the round comes back to where it began (no trap) and it reaches every control.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QFileDialog, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from conftest import MINI
from socialsafe import admin
from socialsafe.config import SHARE_SETTING
from socialsafe.content.model import QuestionType
from socialsafe.storage.store import Store
from socialsafe.ui.admin.exports import ExportDialog
from socialsafe.ui.main_window import MainWindow
from test_ui_admin import PASSPHRASE, loaded, pack_of, seed, shown_names
from ui_helpers import (
    accessible_name,
    focused,
    focused_control,
    labels_text,
    open_window,
    press,
    tab_round,
    tab_to,
    type_text,
)

NAME = "Amina Okafor"


def settle(qtbot: QtBot) -> None:
    """Let the event loop run, as it does between a person's key presses (old screens' widgets go)."""
    qtbot.wait(5)


def space(qtbot: QtBot) -> None:
    press(qtbot, Qt.Key.Key_Space)
    settle(qtbot)


def check_round(qtbot: QtBot) -> list[QWidget]:
    """A round of Tab and one of Shift+Tab from where the focus is: the same stops, in reverse."""
    start = focused_control()
    forwards = tab_round(qtbot)
    assert focused_control() is start
    backwards = tab_round(qtbot, backwards=True)
    assert focused_control() is start
    # The same stops the other way round (leaving out any that came on as the focus moved: a list's
    # first row is chosen when the keyboard first enters it, and that turns on 'Continue').
    both = [w for w in forwards if w in backwards]
    assert [w for w in backwards if w in both] == [start, *reversed(both[1:])]
    return forwards


def reactivate(qtbot: QtBot, window: QWidget) -> None:
    """What a window manager does when a dialog closes: make its window the active one again.

    The offscreen platform the tests run on has no window manager, so nothing
    else would; the keyboard focus then goes back to the window's focus widget.
    """
    if not window.isActiveWindow():
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow, timeout=2000)


def shift_tab(qtbot: QtBot) -> None:
    qtbot.keyClick(focused(), Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)


def button_called(name: str):
    return lambda widget: isinstance(widget, QPushButton) and accessible_name(widget) == name


# The learner ------------------------------------------------------------------------------------------


def add_yourself(qtbot: QtBot, window: MainWindow) -> None:
    who = window.who
    assert focused_control() is who.add_button  # nobody on this PC yet: the keyboard starts on "add me"
    check_round(qtbot)
    space(qtbot)
    assert focused_control() is who.name
    stops = check_round(qtbot)
    form = [who.name, who.role, who.school, who.email, who.pin, who.save_button]
    assert [s for s in stops if s in form] == form  # the fields in the order they are shown

    type_text(qtbot, NAME)
    press(qtbot, Qt.Key.Key_Tab)
    assert focused_control() is who.role
    while who.role.currentData() != "teacher":  # the arrow keys choose in a closed list
        before = who.role.currentIndex()
        press(qtbot, Qt.Key.Key_Down)
        assert who.role.currentIndex() == before + 1
    press(qtbot, Qt.Key.Key_Tab)
    assert focused_control() is who.school
    type_text(qtbot, "Oak Hill Primary")
    tab_to(qtbot, lambda w: w is who.save_button)
    space(qtbot)


def read_module(qtbot: QtBot, window: MainWindow) -> None:
    """On a module's page: read it with the arrow keys, then start its quiz."""
    page = window.module_page
    assert focused_control() is page.start_button
    check_round(qtbot)
    for _ in range(10):  # back from the Start button to the text
        shift_tab(qtbot)
        if focused_control() is page.reader:
            break
    for key in (Qt.Key.Key_Down, Qt.Key.Key_PageDown, Qt.Key.Key_End):
        press(qtbot, key)
    assert focused_control() is page.reader  # reading keeps the keyboard in the text...
    tab_to(qtbot, lambda w: w is page.start_button)  # ...and Tab takes it on
    space(qtbot)


def move_to(qtbot: QtBot, window: MainWindow, number: int) -> None:
    """Move the keyboard to option ``number`` with the arrow keys."""
    rows = [row.button for row in window.quiz.rows]
    for _ in range(len(rows)):
        at = rows.index(focused_control()) + 1
        if at == number:
            return
        press(qtbot, Qt.Key.Key_Down if at < number else Qt.Key.Key_Up)
        assert rows.index(focused_control()) + 1 != at, f"the arrow key did not move on from option {at}"
    assert rows.index(focused_control()) + 1 == number


def answer_question(qtbot: QtBot, window: MainWindow, first: bool) -> None:
    """Choose the right answer with keys only, check it with Enter and go on with Enter."""
    quiz = window.quiz
    asked = quiz.asked
    assert asked is not None
    assert focused_control() is quiz.rows[0].button  # the keyboard starts on the first option
    if first:
        check_round(qtbot)
    right = [n for n, option in enumerate(asked.options, start=1) if option.correct]
    kind = asked.question.type
    if kind is QuestionType.TRUE_FALSE:
        press(qtbot, Qt.Key(Qt.Key.Key_0 + right[0]))  # the number keys pick
    elif kind is QuestionType.MULTIPLE:
        for number in right:  # arrows move, Space ticks
            move_to(qtbot, window, number)
            press(qtbot, Qt.Key.Key_Space)
    else:
        move_to(qtbot, window, right[0])
        press(qtbot, Qt.Key.Key_Space)
    chosen = [n for n, row in enumerate(quiz.rows, start=1) if row.button.isChecked()]
    assert chosen == right
    if first:
        check_round(qtbot)  # the Check button has joined the round
    press(qtbot, Qt.Key.Key_Return)
    assert quiz.verdict is not None
    assert quiz.verdict.correct
    assert quiz.feedback.isVisible()
    # The keyboard goes to the feedback, to be read (again) line by line; Enter goes on from there.
    assert focused_control() is quiz.feedback_text
    if first:
        check_round(qtbot)  # after checking: the options are done with; the feedback and Next are in the round
        press(qtbot, Qt.Key.Key_Down)
        assert focused_control() is quiz.feedback_text  # the arrow keys read on, in the text
    press(qtbot, Qt.Key.Key_Return)
    settle(qtbot)


def take_quiz(qtbot: QtBot, window: MainWindow) -> None:
    first = True
    while window.stack.currentWidget() is window.quiz:
        answer_question(qtbot, window, first)
        first = False
    assert window.stack.currentWidget() is window.results
    assert "✔ Passed" in labels_text(window.results)


def test_the_whole_learner_journey_by_keyboard(qtbot: QtBot, store: Store) -> None:
    window = open_window(qtbot, store, [MINI])
    add_yourself(qtbot, window)
    assert window.stack.currentWidget() is window.home
    assert "Hello, Amina Okafor" in labels_text(window.home)

    for title in ("Friend requests from pupils", "Photographs"):  # the modules a teacher takes
        check_round(qtbot)
        tab_to(qtbot, button_called(f"Start: {title}"))
        space(qtbot)
        assert window.module_page.title.text() == title
        read_module(qtbot, window)
        take_quiz(qtbot, window)
        check_round(qtbot)
        tab_to(qtbot, button_called("Back to my modules"))
        space(qtbot)
        assert window.stack.currentWidget() is window.home

    # Every module passed: the keyboard is on "Sign the policy".
    assert accessible_name(focused_control()) == "Sign the policy"
    check_round(qtbot)
    space(qtbot)
    assert window.stack.currentWidget() is window.signoff
    assert focused_control() is window.signoff.name
    check_round(qtbot)
    type_text(qtbot, NAME)
    press(qtbot, Qt.Key.Key_Return)
    settle(qtbot)
    assert window.stack.currentWidget() is window.home
    assert "your training is complete and valid until" in focused_control().toPlainText()  # the signing card

    check_round(qtbot)
    tab_to(qtbot, button_called("My record and certificate"))
    space(qtbot)
    assert window.stack.currentWidget() is window.record
    assert focused_control() is window.record.tree
    check_round(qtbot)
    press(qtbot, Qt.Key.Key_Down)
    assert window.record.tree.currentItem() is not None
    tab_to(qtbot, button_called("Back to my modules"))
    space(qtbot)
    assert window.stack.currentWidget() is window.home


def test_the_sync_bar_is_last_in_the_tab_order(qtbot: QtBot, store: Store, tmp_path: Path) -> None:
    """Screens made after the window start (new buttons, a quiz's options) still come before the bar at its foot."""
    share = tmp_path / "share"
    share.mkdir()
    store.set_setting(SHARE_SETTING, str(share))
    window = open_window(qtbot, store, [MINI])
    try:
        assert window.sync_bar.isVisible()
        add_yourself(qtbot, window)
        stops = check_round(qtbot)  # in reading order: the home page's buttons, then the bar's
        assert window.sync_button in stops
        tab_to(qtbot, button_called("Start: Photographs"))
        space(qtbot)
        space(qtbot)  # Start the quiz
        assert window.stack.currentWidget() is window.quiz
        stops = check_round(qtbot)
        assert stops.index(window.quiz.leave_button) < stops.index(window.sync_button)
    finally:
        assert window.stop_sync(10), "a sync was still running at the end of the test"


def test_the_number_keys_choose_only_while_the_keyboard_is_in_the_quiz(qtbot: QtBot, store: Store) -> None:
    """WCAG 2.1.4: a one-key shortcut acts only where the focus is: the question's options and buttons."""
    window = open_window(qtbot, store, [MINI])
    add_yourself(qtbot, window)
    tab_to(qtbot, button_called("Start: Photographs"))
    space(qtbot)
    space(qtbot)  # Start the quiz
    rows = window.quiz.rows
    while focused_control() is not window.switch_button:  # back up to the header, outside the quiz
        shift_tab(qtbot)
    press(qtbot, Qt.Key.Key_1)
    assert not any(row.button.isChecked() for row in rows)
    assert window.stack.currentWidget() is window.quiz
    tab_to(qtbot, lambda w: w is window.quiz.leave_button)  # in the quiz, the same key chooses
    press(qtbot, Qt.Key.Key_1)
    assert rows[0].button.isChecked()


# The office -------------------------------------------------------------------------------------------


@pytest.fixture
def office_window(qtbot: QtBot, store: Store) -> MainWindow:
    window = open_window(qtbot, store, [MINI])
    seed(store, pack_of(window))
    admin.set_passphrase(store, PASSPHRASE)
    window.switch_person()  # 'Who are you?' afresh, with the people just added
    return window


def choose_down(qtbot: QtBot, combo: QComboBox, text: str) -> None:
    """Press Down in a closed list until ``text`` is chosen."""
    for _ in range(combo.count()):
        if combo.currentText() == text:
            return
        press(qtbot, Qt.Key.Key_Down)
    assert combo.currentText() == text


def test_the_office_by_keyboard(
    qtbot: QtBot, office_window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = office_window
    check_round(qtbot)
    tab_to(qtbot, lambda w: w is window.office_button)
    space(qtbot)
    assert window.office is not None
    gate = window.office.gate
    assert gate is not None
    qtbot.waitUntil(lambda: focused_control() is gate.passphrase, timeout=2000)
    check_round(qtbot)
    type_text(qtbot, "not the passphrase")
    press(qtbot, Qt.Key.Key_Return)
    assert "not the admin passphrase" in gate.message.text()
    assert focused_control() is gate.passphrase
    type_text(qtbot, PASSPHRASE)
    press(qtbot, Qt.Key.Key_Return)
    area = window.office.area
    assert area is not None
    loaded(qtbot, area)
    dashboard = area.dashboard
    assert window.focusWidget() is dashboard.table  # where the keyboard will be...
    reactivate(qtbot, window)
    assert focused_control() is dashboard.table  # ...once the window is active again
    stops = check_round(qtbot)
    order = [area.tab_bar, area.refresh_button, area.lock_button, dashboard.school, dashboard.role]
    order += [dashboard.status, dashboard.search, dashboard.table, dashboard.open_button, dashboard.export_button]
    assert [s for s in stops if s in order] == [
        *order[order.index(dashboard.table) :],
        *order[: order.index(dashboard.table)],
    ]

    # Filters: the arrow keys in the lists, typing in the search.
    tab_to(qtbot, lambda w: w is dashboard.school)
    choose_down(qtbot, dashboard.school, "Oak Primary")
    assert shown_names(area) == ["Amina Okafor", "Ben Carter", "Eve Long"]
    tab_to(qtbot, lambda w: w is dashboard.search)
    type_text(qtbot, "ben")
    assert shown_names(area) == ["Ben Carter"]
    check_round(qtbot)  # with text in the search, its clear button shows: the round is the same
    press(qtbot, Qt.Key.Key_Backspace)
    press(qtbot, Qt.Key.Key_Backspace)
    press(qtbot, Qt.Key.Key_Backspace)
    assert shown_names(area) == ["Amina Okafor", "Ben Carter", "Eve Long"]

    # A person's record: Enter on their row, Escape back.
    tab_to(qtbot, lambda w: w is dashboard.table)
    press(qtbot, Qt.Key.Key_Down)
    press(qtbot, Qt.Key.Key_Return)
    settle(qtbot)
    assert area.people.currentWidget() is area.person
    assert focused_control() is area.person.tree
    check_round(qtbot)
    press(qtbot, Qt.Key.Key_Escape)
    settle(qtbot)
    assert area.people.currentWidget() is dashboard
    assert focused_control() is dashboard.table

    # Export the people shown: the dialog opens on the format, Save as… writes the file.
    target = tmp_path / "people.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "")))
    tab_to(qtbot, lambda w: w is dashboard.export_button)
    space(qtbot)
    dialog = area.dialog
    assert isinstance(dialog, ExportDialog)
    qtbot.waitUntil(lambda: focused_control() is dialog.format, timeout=2000)
    check_round(qtbot)
    choose_down(qtbot, dialog.format, "CSV, safe to open in Excel (.csv)")
    with qtbot.waitSignal(area.exported, timeout=10_000):
        tab_to(qtbot, lambda w: w is dialog.save_button)
        space(qtbot)
    assert target.read_text(encoding="utf-8-sig").count("\n") == 4  # the heading and three people
    assert "Saved 3 rows" in area.state.text()
    reactivate(qtbot, window)
    assert focused_control() is dashboard.export_button  # back where it was before the dialog

    # The sections: the arrow keys on the tab bar.
    tab_to(qtbot, lambda w: w is area.tab_bar)
    for section in (area.chart, area.insight, area.roster_page):
        press(qtbot, Qt.Key.Key_Right)
        settle(qtbot)
        assert section.isVisible()
        check_round(qtbot)
        tab_to(qtbot, lambda w: w is area.tab_bar)

    # This PC's settings, on the "PCs and proof" section: a dialog of its own, left with Escape.
    tab_to(qtbot, lambda w: w is area.tab_bar)
    press(qtbot, Qt.Key.Key_Right)
    settle(qtbot)
    assert area.pcs_page.isVisible()
    check_round(qtbot)
    tab_to(qtbot, lambda w: w is area.settings_button)
    space(qtbot)
    settings = window.settings_dialog
    assert settings is not None
    qtbot.waitUntil(settings.isActiveWindow, timeout=2000)
    # The keyboard is in the dialog: on its scrolling body (it scrolls by keys at large text) or the first choice.
    assert focused_control() in (settings.scroller, settings.minutes)
    check_round(qtbot)
    press(qtbot, Qt.Key.Key_Escape)
    assert not settings.isVisible()
    reactivate(qtbot, window)
    assert focused_control() is area.settings_button

    tab_to(qtbot, lambda w: w is area.lock_button)
    space(qtbot)
    assert window.office.area is None
    assert window.stack.currentWidget() is window.who
    assert focused_control() is window.who.people  # the next person picks their name
