"""Forms and buttons as a keyboard and a screen reader meet them (issue #17, items 4 to 6).

* Enter, and the keypad's Enter, press the push button the keyboard is on, as Space does: on a learner
  screen (no dialog, where Qt does nothing with Enter on a button) and in a dialog (where Qt pressed the
  dialog's default button instead); Enter typed in a field still sends the form.
* A form that refuses what was typed marks the field at fault (drawn differently, the message as its
  accessible description, the keyboard on it) and the mark goes as soon as the field is changed: 'Add
  yourself', 'Start your training', the PIN, the office's passphrase, its face-to-face and paper records,
  and this PC's shared folder.
* Optional fields say so in their label, not only in a placeholder.
* 'My record': each answer says right or wrong in words (and the right answer), and no cell is empty.

The placeholder's contrast as drawn is in ``tests/test_contrast.py``.
"""

from __future__ import annotations

import random
from pathlib import Path
from types import SimpleNamespace

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QAccessible, QColor, QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QLineEdit,
    QPushButton,
    QTreeWidgetItem,
    QTreeWidgetItemIterator,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot

from conftest import MINI
from socialsafe import admin
from socialsafe.config import Settings
from socialsafe.content.loader import load_pack
from socialsafe.domain.quiz import draw
from socialsafe.storage.store import Store
from socialsafe.ui.admin.gate import GateDialog
from socialsafe.ui.admin.person import PaperDialog, SessionDialog
from socialsafe.ui.app import make_app
from socialsafe.ui.fields import clear_invalid, is_invalid, mark_invalid
from socialsafe.ui.main_window import MainWindow
from socialsafe.ui.settings_dialog import SettingsDialog
from socialsafe.ui.style import current_palette
from socialsafe.ui.who_page import PinDialog
from socialsafe.ui.widgets import button
from test_roster_door import with_staff
from test_ui_admin import PASSPHRASE, gate_of
from ui_helpers import accessible_name, focused, focused_control, labelled_by, open_window, press, tab_to, type_text

WAIT_MS = 10_000


@pytest.fixture(autouse=True)
def _styled() -> None:
    """The app's style sheet, for the dialogs a test makes without the window (a refused field's look is in it)."""
    make_app()


def shown(qtbot: QtBot, widget: QWidget) -> QWidget:
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow, timeout=2000)
    return widget


def showing(text: str):
    """A test for :func:`tab_to`: a push button with ``text`` on it."""
    return lambda widget: isinstance(widget, QPushButton) and widget.text().replace("&", "") == text


def enter(qtbot: QtBot, keypad: bool = False) -> None:
    """Enter where the keyboard is: the main Enter key, or the keypad's."""
    if keypad:
        qtbot.keyClick(focused(), Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
    else:
        qtbot.keyClick(focused(), Qt.Key.Key_Return)


# Enter presses the focused button ---------------------------------------------------------------------------


def test_enter_and_the_keypads_enter_press_a_button_on_a_learner_screen(qtbot: QtBot, store: Store) -> None:
    window = open_window(qtbot, store, [MINI])
    who = window.who
    assert focused() is who.add_button  # nobody on this PC yet: the keyboard starts on 'I'm new: add me'
    enter(qtbot)
    assert who.stack.currentIndex() == 1, "Enter on 'I'm new: add me' did not open 'Add yourself'"
    assert focused() is who.name
    tab_to(qtbot, showing("Cancel"))
    enter(qtbot, keypad=True)
    assert who.stack.currentIndex() == 0, "the keypad's Enter on Cancel did not go back to the names"
    assert store.learners() == []


def test_enter_in_a_field_still_sends_the_form(qtbot: QtBot, store: Store) -> None:
    window = open_window(qtbot, store, [MINI])
    who = window.who
    enter(qtbot)
    type_text(qtbot, "Jo Bloggs")
    press(qtbot, Qt.Key.Key_Tab)
    press(qtbot, Qt.Key.Key_Down)  # the first role
    who.school.setText("Oak Hill")
    who.name.setFocus()
    enter(qtbot)
    assert [learner.name for learner in store.learners()] == ["Jo Bloggs"]
    assert window.learner is not None


def test_modified_or_held_enter_does_not_press_a_button(qtbot: QtBot) -> None:
    holder = QWidget()
    qtbot.addWidget(holder)
    pressed: list[bool] = []
    widget = button("Go", "Go")
    widget.clicked.connect(lambda: pressed.append(True))
    QVBoxLayout(holder).addWidget(widget)
    shown(qtbot, holder)
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert pressed == []  # Ctrl+Enter is a shortcut's, not a press
    held = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier, "\r", True)
    QApplication.sendEvent(widget, held)
    assert pressed == []  # a key held down repeats: the button is pressed once, when the key goes down
    qtbot.keyClick(widget, Qt.Key.Key_Return)
    assert pressed == [True]


def test_enter_on_a_dialogs_button_presses_that_button_not_the_default(qtbot: QtBot, store: Store) -> None:
    window = open_window(qtbot, store, [MINI])
    admin.set_passphrase(store, PASSPHRASE)
    gate = gate_of(qtbot, window)
    shown(qtbot, gate)
    assert gate.ok_button.isDefault()
    gate.cancel_button.setFocus()
    enter(qtbot)
    assert gate.result() == QDialog.DialogCode.Rejected
    assert not gate.isVisible()
    assert not gate.message.isVisible(), "Enter on Cancel tried the (empty) passphrase"
    assert window.office is None or window.office.area is None

    gate = gate_of(qtbot, window)
    shown(qtbot, gate)
    gate.passphrase.setFocus()
    qtbot.keyClicks(gate.passphrase, PASSPHRASE)
    enter(qtbot, keypad=True)  # typed in the field: the dialog's default button, Open
    assert gate.result() == QDialog.DialogCode.Accepted
    assert window.office is not None
    assert window.office.area is not None


def test_enter_on_cancel_in_a_save_and_cancel_dialog(qtbot: QtBot) -> None:
    pack = load_pack(MINI)
    dialog = PaperDialog(SimpleNamespace(name="Ann Lee", role="teacher"), pack)
    qtbot.addWidget(dialog)
    shown(qtbot, dialog)
    tab_to(qtbot, showing("Cancel"))
    enter(qtbot)
    assert dialog.result() == QDialog.DialogCode.Rejected


# Fields a form refused --------------------------------------------------------------------------------------


def share_of(field: QWidget, role: str) -> float:
    """How much of ``field``, as drawn, is in the theme's colour ``role``."""
    image = field.grab().toImage()
    wanted = QColor(getattr(current_palette(), role))
    pixels = [image.pixelColor(x, y) for x in range(image.width()) for y in range(image.height())]
    return sum(pixel == wanted for pixel in pixels) / len(pixels)


def looks_refused(field: QWidget) -> bool:
    """Whether ``field`` is drawn as refused: tinted in the theme's 'wrong' background (with the keyboard on it,
    its border is the focus ring, dashed; without, a dashed border in the 'wrong' colour)."""
    return share_of(field, "wrong_bg") > 0.3


def assert_refused(field: QWidget, message: str) -> None:
    assert is_invalid(field)
    assert message in field.accessibleDescription(), field.accessibleDescription()
    assert focused_control() is field, f"the keyboard is on {focused_control()!r}, not the refused field"
    assert looks_refused(field)


def assert_cleared(field: QWidget, description: str = "") -> None:
    assert not is_invalid(field)
    assert field.accessibleDescription() == description
    assert not looks_refused(field)


def test_the_mark_is_a_border_a_description_and_the_focus_and_goes_at_the_first_change(qtbot: QtBot) -> None:
    holder = QWidget()
    qtbot.addWidget(holder)
    field, other = QLineEdit(), QLineEdit()
    field.setAccessibleDescription("Four digits.")
    layout = QVBoxLayout(holder)
    layout.addWidget(field)
    layout.addWidget(other)
    shown(qtbot, holder)
    other.setFocus()
    before = field.grab().toImage()
    mark_invalid(field, "✖ A PIN has exactly 4 digits.", focus=False)
    assert field.grab().toImage() != before
    assert looks_refused(field)
    assert share_of(field, "wrong_border") > 0.02  # its border, in dashes (not only a colour)
    # The words first, then what the field said before; the symbol is for the eye only.
    assert field.accessibleDescription() == "A PIN has exactly 4 digits. Four digits."
    assert focused() is other
    mark_invalid(field, "Still wrong.")
    assert field.accessibleDescription() == "Still wrong. Four digits."  # not the first message as 'its own'
    assert focused() is field
    qtbot.keyClicks(field, "1")
    assert_cleared(field, "Four digits.")
    clear_invalid(field)  # twice is harmless
    assert field.accessibleDescription() == "Four digits."


def test_add_yourself_marks_each_field_it_refuses(qtbot: QtBot, store: Store) -> None:
    window = open_window(qtbot, store, [MINI])
    who = window.who
    enter(qtbot)  # I'm new: add me
    enter(qtbot)  # nothing typed
    assert who.add_error.text() == "Please enter your name."
    assert_refused(who.name, "Please enter your name.")
    type_text(qtbot, "Jo Bloggs")
    assert_cleared(who.name)

    enter(qtbot)
    assert_refused(who.role, "Please choose your role.")
    press(qtbot, Qt.Key.Key_Down)
    assert_cleared(who.role)

    who.name.setFocus()  # Enter sends the form from a text field
    enter(qtbot)
    assert_refused(who.school, "Please enter your school.")
    type_text(qtbot, "Oak Hill")

    who.pin.setFocus()
    type_text(qtbot, "12")
    enter(qtbot)
    assert_refused(who.pin, "A PIN has exactly 4 digits.")
    assert "a PIN stops others" in who.pin.accessibleDescription()  # its own description still said after
    press(qtbot, Qt.Key.Key_Backspace)
    assert_cleared(who.pin, "On a shared PC, a PIN stops others opening your training by mistake.")
    press(qtbot, Qt.Key.Key_Backspace)

    who.email.setFocus()
    type_text(qtbot, "not an address")
    enter(qtbot)
    assert_refused(who.email, "That email address does not look right.")  # refused by the store, marked here
    assert store.learners() == []

    # A new form starts with nothing marked.
    who.refresh()
    who.show_add()
    assert not any(is_invalid(f) for f in (who.name, who.role, who.school, who.email, who.pin))


def test_a_school_not_chosen_from_the_list_is_marked(qtbot: QtBot, store: Store) -> None:
    with_staff(store)
    window = open_window(qtbot, store, [MINI])
    who = window.who
    who.show_add()
    who.name.setText("Ben Hughes")
    who.role.setCurrentIndex(1)
    who.save_button.setFocus()
    enter(qtbot)
    assert_refused(who.school_list, "Please choose your school from the list.")
    press(qtbot, Qt.Key.Key_Down)
    assert_cleared(who.school_list, "Choose your school from the list with the arrow keys.")


def test_start_your_training_marks_a_short_pin(qtbot: QtBot, store: Store) -> None:
    with_staff(store)
    window = open_window(qtbot, store, [MINI])
    window.who.search.setText("Dafydd")
    press(qtbot, Qt.Key.Key_Return)
    type_text(qtbot, "12")
    press(qtbot, Qt.Key.Key_Return)
    assert_refused(window.who.start_pin, "A PIN has exactly 4 digits.")
    press(qtbot, Qt.Key.Key_Backspace)
    assert not is_invalid(window.who.start_pin)


def test_a_wrong_pin_is_marked(qtbot: QtBot, store: Store) -> None:
    learner = store.add_learner("Ivy Stone", "teacher", "Oak Hill Primary", pin="4821")
    dialog = PinDialog(learner)
    qtbot.addWidget(dialog)
    shown(qtbot, dialog)
    dialog.pin.setFocus()
    qtbot.keyClicks(dialog.pin, "1111")
    enter(qtbot)
    assert_refused(dialog.pin, "That PIN is not right.")
    assert dialog.pin.selectedText() == "1111"  # typing replaces it
    type_text(qtbot, "4821")
    assert not is_invalid(dialog.pin)
    enter(qtbot)
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_the_passphrase_gate_marks_the_passphrase_it_refuses(qtbot: QtBot, store: Store) -> None:
    settings = Settings(data_dir=store.path.parent)
    gate = GateDialog(store, settings)
    qtbot.addWidget(gate)
    shown(qtbot, gate)
    assert gate.first_use
    assert gate.repeat is not None
    gate.passphrase.setFocus()
    type_text(qtbot, "short")
    enter(qtbot)
    assert_refused(gate.passphrase, "The passphrase must be at least")
    gate.passphrase.selectAll()
    type_text(qtbot, PASSPHRASE)
    assert not is_invalid(gate.passphrase)
    gate.repeat.setFocus()
    type_text(qtbot, PASSPHRASE + "!")
    enter(qtbot)
    assert_refused(gate.repeat, "The two passphrases are not the same")
    type_text(qtbot, PASSPHRASE)
    assert not is_invalid(gate.repeat)
    enter(qtbot)
    assert gate.result() == QDialog.DialogCode.Accepted

    gate = GateDialog(store, settings)
    qtbot.addWidget(gate)
    shown(qtbot, gate)
    gate.passphrase.setFocus()
    type_text(qtbot, "not the passphrase")
    enter(qtbot)
    assert_refused(gate.passphrase, "That is not the admin passphrase.")
    assert gate.gate.failures == 1  # one Enter, one try: not the field's and then the default button's
    type_text(qtbot, "c")
    assert not is_invalid(gate.passphrase)
    gate.reject()


def test_the_offices_record_dialogs_mark_what_they_refuse(qtbot: QtBot) -> None:
    pack = load_pack(MINI)
    person = SimpleNamespace(name="Ann Lee", role="teacher")
    session = SessionDialog(person, pack)
    qtbot.addWidget(session)
    shown(qtbot, session)
    session.score.setValue(12)
    session.note.setFocus()
    enter(qtbot)  # Save, the dialog's default button
    assert session.isVisible()
    assert_refused(session.score, "The score must be between 0 and the maximum score")
    assert session.error.text().startswith("✖ The score must be")
    assert "The score must be" in session.score.lineEdit().accessibleDescription()  # where a reader lands
    press(qtbot, Qt.Key.Key_Down)
    assert_cleared(session.score)
    session.module.clear()
    enter(qtbot)
    assert_refused(session.module, "There is no module to record")
    session.reject()

    paper = PaperDialog(person, pack)
    qtbot.addWidget(paper)
    shown(qtbot, paper)
    paper.signed_name.setFocus()
    paper.signed_name.selectAll()
    press(qtbot, Qt.Key.Key_Delete)
    enter(qtbot)
    assert paper.isVisible()
    assert_refused(paper.signed_name, "Type the name as it is signed on the paper copy.")
    type_text(qtbot, "Ann Lee")
    assert_cleared(paper.signed_name)
    enter(qtbot)
    assert paper.result() == QDialog.DialogCode.Accepted


def test_a_shared_folder_that_fails_its_check_is_marked(
    qtbot: QtBot, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    theirs = tmp_path / "Backups"
    theirs.mkdir()
    (theirs / "socialsafe-share.json").write_text('{"format": "someone-else", "version": 7}\n', encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(theirs)))
    dialog = SettingsDialog(store, Settings(data_dir=store.path.parent), 5)
    qtbot.addWidget(dialog)
    shown(qtbot, dialog)
    dialog.choose_button.setFocus()
    enter(qtbot)
    qtbot.waitUntil(lambda: not dialog.checking, timeout=WAIT_MS)
    assert_refused(dialog.share_line, "This folder was not saved.")
    dialog.stop_button.setEnabled(True)
    dialog.stop_sharing()
    assert not is_invalid(dialog.share_line)
    dialog.reject()


# Optional fields say so --------------------------------------------------------------------------------------


def form_label(field: QWidget) -> str:
    """The visible label of ``field`` in its form, as Qt relates it to the field for a screen reader."""
    text = labelled_by(field)  # not buddy() on every label: see docs/accessibility.md, 'For developers'
    assert text, f"{field!r} has no label"
    return text.replace("&", "")


def test_optional_fields_say_so_in_their_label(qtbot: QtBot, store: Store) -> None:
    window = open_window(qtbot, store, [MINI])
    who = window.who
    who.show_add()
    for field in (who.email, who.pin):
        assert "(optional)" in form_label(field)
        assert "optional" in accessible_name(field)
        assert "optional" not in field.placeholderText().casefold()  # the label says it, in sight
    for field in (who.name, who.school):
        assert "optional" not in form_label(field)
    pack = load_pack(MINI)
    person = SimpleNamespace(name="Ann Lee", role="teacher")
    for dialog in (SessionDialog(person, pack), PaperDialog(person, pack)):
        qtbot.addWidget(dialog)
        assert "(optional)" in form_label(dialog.note)
        assert "(optional)" in accessible_name(dialog.note)


# My record: words in every cell ------------------------------------------------------------------------------


def record_rows(window: MainWindow) -> list[QTreeWidgetItem]:
    rows = []
    iterator = QTreeWidgetItemIterator(window.record.tree)
    while iterator.value():
        rows.append(iterator.value())
        iterator += 1
    return rows


def said_in(item: QTreeWidgetItem, column: int) -> str:
    """What a screen reader is given for a cell: its accessible text, else the text shown."""
    return str(item.data(column, Qt.ItemDataRole.AccessibleTextRole) or item.text(column))


def test_my_record_says_right_and_wrong_in_words_and_leaves_no_cell_empty(qtbot: QtBot, store: Store) -> None:
    pack = load_pack(MINI)
    learner = store.add_learner("Dev Patel", "teacher", "Oak Hill Primary")
    friends = pack.module("friend-requests")
    attempt = store.start_attempt(learner.id, pack, friends, draw(friends.questions, 3, random.Random(1)))
    store.record_answer(attempt.id, "fr-1", "", ["b"], False)
    store.record_answer(attempt.id, "fr-2", "", ["false"], True)
    store.record_answer(attempt.id, "fr-3", "s1", ["reply"], False)
    store.record_answer(attempt.id, "gone", "", ["x"], False)  # a question the course no longer has
    store.finish_attempt(attempt.id, 1, False)
    window = open_window(qtbot, store, [MINI])
    window.sign_in(learner.id)
    tab_to(qtbot, showing("My record"))
    enter(qtbot)  # Enter on 'My record' opens it
    assert window.stack.currentWidget() is window.record
    rows = record_rows(window)
    tried = next(row for row in rows if row.text(1) == "Friend requests from pupils")
    window.record.tree.setCurrentItem(tried)
    press(qtbot, Qt.Key.Key_Right)  # open the attempt, as the tree's description says, to read its answers

    empty = [(row.text(1), c) for row in rows for c in range(3) if not said_in(row, c).strip()]
    assert empty == [], "cells a screen reader would read as 'blank'"
    for row in rows:
        for column in range(3):
            if row.text(column) == "—":
                assert said_in(row, column) != "—", "a dash is said in words"

    # Each answer: what was asked and answered, the right answer when it was wrong, and Right or Wrong in words.
    answers = {row.text(1).split(" — ")[0]: row for row in rows if "you answered:" in row.text(1)}
    friend_request = answers["A Year 5 pupil sends you a friend request. What do you do?"]
    right = "The right answer: Decline it and tell the Headteacher or designated safeguarding lead."
    assert friend_request.text(1).endswith(f"you answered: Ignore it.\n{right}")
    assert (friend_request.text(2), said_in(friend_request, 2)) == ("✖ Wrong", "Wrong")
    told = answers["If you decline a pupil's friend request, you do not need to tell anyone."]
    assert "The right answer" not in told.text(1)
    assert (told.text(2), said_in(told, 2)) == ("✔ Right", "Right")
    first = answers["What do you do first?"]
    assert first.text(1).endswith("\nThe right answer: Do not reply, and block or decline the contact.")
    assert said_in(first, 2) == "Wrong"
    gone = next(row for row in rows if row.text(1).startswith("A question no longer in the course"))
    assert "The right answer" not in gone.text(1)  # the course no longer says
    assert said_in(gone, 2) == "Wrong"
    assert [row.text(1) for row in rows if row.parent() is None] == ["0 completions", "0 sign-offs", "1 attempt"]

    # What Qt hands a screen reader, cell by cell, is those words.
    cells = cells_said(window)
    assert all(all(cell.strip() for cell in row) for row in cells), cells
    right = next(row.text(1) for row in rows if row.text(1).startswith("If you decline a pupil's friend request"))
    assert ["during this attempt", right, "Right"] in cells


def cells_said(window: MainWindow) -> list[list[str]]:
    """Each row of 'My record' as Qt's accessibility layer gives it to a screen reader: the name of each cell."""
    interface = QAccessible.queryAccessibleInterface(window.record.tree)
    assert interface is not None
    names = [interface.child(n).text(QAccessible.Text.Name) for n in range(interface.childCount())]
    assert names[:3] == ["When", "What", "Result"]  # the column headings come first
    return [names[n : n + 3] for n in range(3, len(names), 3)]


def test_my_record_with_nothing_yet_says_so_in_every_cell(qtbot: QtBot, store: Store) -> None:
    learner = store.add_learner("Eve Long", "teacher", "Oak Hill Primary")
    window = open_window(qtbot, store, [MINI])
    window.sign_in(learner.id)
    tab_to(qtbot, showing("My record"))
    enter(qtbot)
    rows = record_rows(window)
    assert [row.text(1) for row in rows if row.childCount() == 0] == [
        "Not completed yet",
        "No sign-off yet",
        "No attempts yet",
    ]
    assert all(said_in(row, c).strip() for row in rows for c in range(3))
    assert {said_in(row, 0) for row in rows if row.childCount() == 0} == {"no date"}
    assert ["no date", "No attempts yet", "no result"] in cells_said(window)
