"""What a screen reader gets from every screen (WCAG 1.1.1, 1.3.1, 4.1.2, 4.1.3).

Names: on every screen of the app, in every state worth a look (feedback
shown, a problem shown, a dialog open), each control a person can act on has
a name a screen reader can say, icon-only buttons included, and each image has
alternative text. The name checked is the one Qt's accessibility gives a
screen reader (see ``ui_helpers.unnamed``).

Announcements: feedback after an answer, the result of a quiz and every
problem the app reports is said, not only shown. ``said`` records each event
the app hands to ``QAccessible.updateAccessibility`` (Qt's one door to
assistive technology): an Alert and an Announcement of the very text shown.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QLabel, QWidget
from pytestqt.qtbot import QtBot

from conftest import MINI
from socialsafe import admin, roster
from socialsafe.config import SHARE_SETTING
from socialsafe.content.loader import load_pack
from socialsafe.content.model import QuestionType
from socialsafe.i18n import SOURCE_LOCALE, current_locale, set_locale
from socialsafe.storage.store import Store
from socialsafe.ui.admin import OfficeArea
from socialsafe.ui.admin.exports import ExportDialog
from socialsafe.ui.admin.gate import GateDialog
from socialsafe.ui.admin.person import EraseConfirmation
from socialsafe.ui.admin.roster_page import ExemptionDialog, ImportPreviewDialog, PersonDialog
from socialsafe.ui.error_dialog import ErrorDialog
from socialsafe.ui.fields import is_invalid
from socialsafe.ui.language import apply_qt_language, reset_qt_language
from socialsafe.ui.main_window import MainWindow
from socialsafe.ui.settings_dialog import SettingsDialog
from socialsafe.ui.who_page import PinDialog
from test_ui_admin import PASSPHRASE, gate_of, loaded, office_screens, open_person, pack_of, seed, type_into
from ui_helpers import (
    add_person,
    answer_all,
    button_named,
    describe,
    focused,
    label_not_in_name,
    open_window,
    press,
    small_targets,
    type_text,
    unnamed,
)

TEACHER = 1
WAIT_MS = 10_000
OAK_PRIMARY = "Oak Primary"


def shown(qtbot: QtBot, widget: QWidget) -> QWidget:
    widget.show()
    qtbot.waitExposed(widget)
    qtbot.wait(1)  # let layouts settle
    return widget


def click(qtbot: QtBot, widget: QWidget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)
    qtbot.wait(1)


# Every widget of every screen has a name -------------------------------------------------------------


def quiz_screens(qtbot: QtBot, window: MainWindow, right: bool) -> Iterator[tuple[str, QWidget]]:
    """Each question as asked, then with its feedback; answered right or wrong by keyboard."""
    while window.stack.currentWidget() is window.quiz:
        asked = window.quiz.asked
        assert asked is not None
        kind = asked.question.type.value
        yield f"question ({kind})", window
        numbers = [n for n, o in enumerate(asked.options, start=1) if o.correct == right]
        if asked.question.type is not QuestionType.MULTIPLE or not right:
            numbers = numbers[:1]
        for number in numbers:
            press(qtbot, Qt.Key(Qt.Key.Key_0 + number))
        yield f"question ({kind}), answer chosen", window
        press(qtbot, Qt.Key.Key_Return)
        yield f"feedback ({kind}, {'right' if right else 'wrong'})", window
        press(qtbot, Qt.Key.Key_Return)
        qtbot.wait(1)


def learner_screens(qtbot: QtBot, window: MainWindow, store: Store) -> Iterator[tuple[str, QWidget]]:
    who = window.who
    yield "who are you, nobody yet", window
    click(qtbot, who.add_button)
    yield "add yourself", window
    click(qtbot, who.save_button)
    assert who.add_error.isVisible()
    yield "add yourself, with a problem", window
    click(qtbot, button_named(who, "Cancel and go back to the list of names"))
    add_person(qtbot, window, "Amina Okafor", TEACHER, "Oak Hill Primary")
    yield "home, new", window
    qtbot.keyClick(focused(), Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    display = window.display_dialog
    assert display is not None
    yield "display & language", shown(qtbot, display)
    display.reject()
    window.activateWindow()  # as the window manager does when a dialog closes (offscreen has none)
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    click(qtbot, button_named(window.home, "Read the policy at a glance"))
    yield "the policy at a glance", window
    click(qtbot, button_named(window.module_page, "Back to my modules"))
    click(qtbot, button_named(window.home, "Start: Photographs"))
    yield "module", window
    click(qtbot, window.module_page.start_button)
    yield from quiz_screens(qtbot, window, right=False)
    yield "results, not passed", window
    click(qtbot, button_named(window.results, "Try again"))  # Photographs has no other questions: not "fresh"
    yield from quiz_screens(qtbot, window, right=True)
    yield "results, passed", window
    click(qtbot, button_named(window.results, "Back to my modules"))
    yield "home, in progress", window
    click(qtbot, button_named(window.home, "Start: Friend requests from pupils"))
    click(qtbot, window.module_page.start_button)
    yield from quiz_screens(qtbot, window, right=True)
    yield "results, sign now", window
    click(qtbot, button_named(window.results, "Sign the policy now"))
    yield "sign-off", window
    type_text(qtbot, "Somebody Else")
    press(qtbot, Qt.Key.Key_Return)
    assert window.signoff.error.isVisible()
    yield "sign-off, with a problem", window
    window.signoff.name.clear()
    type_text(qtbot, "Amina Okafor")
    press(qtbot, Qt.Key.Key_Return)
    qtbot.wait(1)
    yield "home, complete", window
    click(qtbot, button_named(window.home, "My record and certificate"))
    yield "my record", window
    click(qtbot, window.switch_button)
    yield "who are you, one person", window

    for number in range(6):  # enough people for the search box, with something typed in it
        store.add_learner(f"Person {number}", "volunteer", "Oak Hill Primary")
    # Ctrl+Shift+S, 'Switch person', shows the list afresh.
    qtbot.keyClick(focused(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    who.search.setFocus()
    type_text(qtbot, "Person")
    yield "who are you, searching", window

    learner = store.add_learner("Ivy Stone", "teacher", "Oak Hill Primary", pin="4821")
    pin = shown(qtbot, PinDialog(learner, window))
    yield "PIN", pin
    assert isinstance(pin, PinDialog)
    qtbot.keyClicks(pin.pin, "1111")
    qtbot.keyClick(pin.pin, Qt.Key.Key_Return)
    assert pin.error.isVisible()
    yield "PIN, wrong", pin
    pin.reject()
    error = shown(qtbot, ErrorDialog("details", store.path.parent / "logs" / "socialsafe.log", window))
    yield "something went wrong", error
    error.reject()


def test_every_learner_screen_names_every_control(qtbot: QtBot, store: Store) -> None:
    window = open_window(qtbot, store, [MINI])
    names = []
    for name, root in learner_screens(qtbot, window, store):
        qtbot.wait(1)
        assert unnamed(root) == [], name
        assert small_targets(root) == [], name
        assert label_not_in_name(root) == [], name
        names.append(name)
    assert len(names) > 30
    assert {"feedback (multiple, wrong)", "feedback (true_false, right)", "my record", "PIN, wrong"} <= set(names)


def new_version(tmp_path: Path) -> list[Path]:
    """The mini pack and version 1.1 of its policy, in which one clause's text changed."""
    old, new = tmp_path / "packs" / "1.0", tmp_path / "packs" / "1.1"
    shutil.copytree(MINI, old)
    shutil.copytree(MINI, new)
    header = (new / "pack.toml").read_text()
    header = header.replace('version = "1.0"', 'version = "1.1"').replace('version = "1.0.0"', 'version = "1.1.0"')
    (new / "pack.toml").write_text(header.replace("any circumstances.", "any circumstances, nor share them."))
    return [old, new]


def test_what_changed_and_the_settings_name_every_control(
    qtbot: QtBot, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    roots = new_version(tmp_path)
    pack = load_pack(roots[0])
    learner = store.add_learner("Nia Evans", "teacher", "Oak Hill Primary")
    then = dt.datetime.now(dt.UTC) - dt.timedelta(days=30)
    for module in pack.modules:
        store.record_manual(learner.id, pack, module, 2, 2, then)
    store.acknowledge(learner.id, pack, "Nia Evans", at=then, source="manual")
    window = open_window(qtbot, store, roots)
    window.sign_in(learner.id)
    assert unnamed(window) == [], "home, update needed"
    click(qtbot, button_named(window.home, "See what changed in the policy"))
    assert window.module_page.title.text() == "What changed in the policy"
    assert unnamed(window) == [], "what changed"

    settings = shown(qtbot, SettingsDialog(store, window.settings, 5, window))
    assert isinstance(settings, SettingsDialog)
    assert unnamed(settings) == [], "settings"
    folder = tmp_path / "share"
    folder.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(folder)))
    click(qtbot, settings.choose_button)
    qtbot.waitUntil(lambda: not settings.checking, timeout=WAIT_MS)
    assert settings.share_message.isVisible()
    assert unnamed(settings) == [], "settings, folder checked"
    settings.reject()


def office_extras(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> Iterator[tuple[str, QWidget]]:
    """The office screens ``office_screens`` leaves out: a wrong passphrase, a search, the staff list's dialogs."""
    gate = gate_of(qtbot, window)
    type_into(qtbot, gate.passphrase, "not the passphrase")
    assert gate.message.isVisible()
    yield "office gate, wrong passphrase", gate
    type_into(qtbot, gate.passphrase, PASSPHRASE)
    assert window.office is not None
    area = window.office.area
    assert area is not None
    loaded(qtbot, area)
    type_into(qtbot, area.dashboard.search, "Oak", enter=False)  # its clear button shows
    yield "office, searching", window
    open_person(qtbot, area, "Ben Carter")
    plan = admin.erase_plan(window.settings, window.store, email="ben@example.org")
    yield "office, erase confirmation", shown(qtbot, EraseConfirmation(plan, "Ben Carter", OAK_PRIMARY, window))
    area.show_everyone()

    page = area.roster_page
    area.tab_bar.setCurrentIndex(3)
    staff = "name,email,role,school\nFay Green,,teacher,Oak Primary\nHal Ives,,headmaster,Oak Primary\n"
    preview = roster.preview(page.people, window.store.learners(), staff)
    dialog = shown(qtbot, ImportPreviewDialog(preview, "staff.csv", page))
    yield "staff list, import preview", dialog
    dialog.reject()
    person = shown(qtbot, PersonDialog(page.people, window.store, page))
    assert isinstance(person, PersonDialog)
    yield "staff list, add a person", person
    person.accept()  # nothing filled in: it says what to correct
    yield "staff list, add a person, with a problem", person
    person.reject()
    [fay] = roster.apply(page.people, preview)[:1]
    yield "staff list, exemption", shown(qtbot, ExemptionDialog(fay, page))


def test_every_office_screen_names_every_control(qtbot: QtBot, store: Store) -> None:
    window = open_window(qtbot, store, [MINI])
    seed(store, pack_of(window))
    names = []
    for name, root in office_screens(qtbot, window, admin):
        qtbot.waitExposed(root)
        qtbot.wait(1)
        assert unnamed(root) == [], name
        assert small_targets(root) == [], name
        assert label_not_in_name(root) == [], name
        names.append(name)
    assert len(names) == 10


def test_the_other_office_screens_name_every_control(qtbot: QtBot, store: Store, tmp_path: Path) -> None:
    window = open_window(qtbot, store, [MINI])
    seed(store, pack_of(window))
    admin.set_passphrase(store, PASSPHRASE)
    names = []
    for name, root in office_extras(qtbot, window, tmp_path):
        qtbot.wait(1)
        assert unnamed(root) == [], name
        assert small_targets(root) == [], name
        assert label_not_in_name(root) == [], name
        if isinstance(root, QDialog) and name != "office gate, wrong passphrase":
            root.reject()
        names.append(name)
    assert len(names) == 7


# Feedback and problems are said, not only shown ------------------------------------------------------


@dataclass
class Said:
    """One event for assistive technology: an Alert or an Announcement, and what the widget showed then."""

    kind: str
    source: QObject
    text: str  # what is said
    visible: bool  # whether the widget was on screen as it was said
    shown: str  # the widget's text then (a label's), or ""


@pytest.fixture
def said(monkeypatch: pytest.MonkeyPatch) -> list[Said]:
    """Every Alert and Announcement the app raises, in order."""
    heard: list[Said] = []
    real = QAccessible.updateAccessibility

    def update(event: Any) -> None:
        kind, source = event.type(), event.object()
        if kind in (QAccessible.Event.Announcement, QAccessible.Event.Alert):
            if kind == QAccessible.Event.Announcement:
                assert event.politeness() == QAccessible.AnnouncementPoliteness.Assertive
                text, name = event.message(), "announcement"
            else:
                text, name = source.accessibleDescription(), "alert"
            visible = isinstance(source, QWidget) and source.isVisible()
            heard.append(Said(name, source, text, visible, source.text() if isinstance(source, QLabel) else ""))
        real(event)

    monkeypatch.setattr(QAccessible, "updateAccessibility", staticmethod(update))
    return heard


def announced(said: list[Said], part: str) -> QWidget:
    """The widget whose text holding ``part`` was said, as an Alert and as an Announcement, while it showed it."""
    found = [event for event in said if part in event.text]
    assert {event.kind for event in found} == {"alert", "announcement"}, (
        f"{part!r} was not said; said: {[event.text for event in said]}"
    )
    for event in found:
        assert event.visible, f"{part!r} was said by a widget not on screen"
        if event.shown:
            assert part in event.shown, f"{part!r} was said, but {event.shown!r} was shown"
    source = found[-1].source
    assert isinstance(source, QWidget)
    return source


def test_quiz_feedback_and_results_are_said(qtbot: QtBot, store: Store, said: list[Said]) -> None:
    window = open_window(qtbot, store, [MINI])
    add_person(qtbot, window, "Amina Okafor", TEACHER, "Oak Hill Primary")
    click(qtbot, button_named(window.home, "Start: Photographs"))
    click(qtbot, window.module_page.start_button)
    asked = window.quiz.asked
    assert asked is not None
    # Each option says what it answers: the question is a label a screen reader would not reach by Tab.
    for row in window.quiz.rows:
        assert asked.prompt.replace("*", "") in row.button.accessibleDescription()
    wrong = next(n for n, o in enumerate(asked.options, start=1) if not o.correct)
    press(qtbot, Qt.Key(Qt.Key.Key_0 + wrong))
    press(qtbot, Qt.Key.Key_Return)
    source = announced(said, "✖ Not quite.")
    assert source is window.quiz.feedback_text
    [text] = [event.text for event in said if event.kind == "announcement" and event.source is source]
    assert asked.options[wrong - 1].feedback in text  # why, in words
    assert "“Staff should not post photographs of pupils under any circumstances.” (the policy, " in text
    assert "USE-9" not in text  # the policy's words, not our ids or labels
    assert focused() is window.quiz.feedback_text  # the feedback is said after the focus moved to it
    said.clear()
    press(qtbot, Qt.Key.Key_Return)
    answer_all(qtbot, window, right=True)
    assert announced(said, "✔ That's right.") is window.quiz.feedback_text
    outcome = announced(said, "✔ Passed. The pass mark is 50%.")
    [text] = [event.text for event in said if event.kind == "announcement" and event.source is outcome]
    assert text.startswith("You scored 1 out of 2 (50%). ✔ Passed.")  # the score, shown above it, too


def test_add_yourself_and_pin_problems_are_said(qtbot: QtBot, store: Store, said: list[Said]) -> None:
    window = open_window(qtbot, store, [MINI])
    click(qtbot, window.who.add_button)
    click(qtbot, window.who.save_button)
    assert announced(said, "Please enter your name.") is window.who.add_error

    learner = store.add_learner("Ivy Stone", "teacher", "Oak Hill Primary", pin="4821")
    pin = shown(qtbot, PinDialog(learner, window))
    assert isinstance(pin, PinDialog)
    qtbot.keyClicks(pin.pin, "1111")
    qtbot.keyClick(pin.pin, Qt.Key.Key_Return)
    assert announced(said, "That PIN is not right.") is pin.error
    pin.reject()


def test_a_sign_off_that_does_not_match_is_said(qtbot: QtBot, store: Store, said: list[Said]) -> None:
    pack = load_pack(MINI)
    learner = store.add_learner("Nia Evans", "teacher", "Oak Hill Primary")
    for module in pack.modules:
        store.record_manual(learner.id, pack, module, 2, 2, dt.datetime.now(dt.UTC))
    window = open_window(qtbot, store, [MINI])
    window.sign_in(learner.id)
    click(qtbot, button_named(window.home, "Sign the policy"))
    type_text(qtbot, "Somebody Else")
    press(qtbot, Qt.Key.Key_Return)
    assert announced(said, "type your name as it is shown: Nia Evans") is window.signoff.error
    # The field is marked, the keyboard on it, the message in what is said with it (WCAG 3.3.1).
    name = window.signoff.name
    assert is_invalid(name)
    assert focused() is name
    assert name.accessibleDescription().startswith(window.signoff.error.text())
    assert "You are signing:" in name.accessibleDescription()  # its own description kept after the problem
    type_text(qtbot, "Nia Evans")  # typed over what was refused: the mark goes
    assert not is_invalid(name)
    assert name.accessibleDescription().startswith("You are signing:")


def test_the_settings_folder_check_and_a_failed_sync_are_said(
    qtbot: QtBot, store: Store, tmp_path: Path, said: list[Said], monkeypatch: pytest.MonkeyPatch
) -> None:
    not_a_folder = tmp_path / "a file"
    not_a_folder.write_text("not a folder", encoding="utf-8")
    store.set_setting(SHARE_SETTING, str(not_a_folder))
    window = open_window(qtbot, store, [MINI])
    try:
        qtbot.waitUntil(lambda: any("sent to the office later" in event.text for event in said), timeout=WAIT_MS)
        assert announced(said, "⚠ Your results are safe on this PC and will") is window.sync_status
        assert unnamed(window) == []

        theirs = tmp_path / "Backups"
        theirs.mkdir()
        (theirs / "socialsafe-share.json").write_text('{"format": "someone-else", "version": 7}\n', encoding="utf-8")
        monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(theirs)))
        settings = shown(qtbot, SettingsDialog(store, window.settings, 5, window))
        assert isinstance(settings, SettingsDialog)
        click(qtbot, settings.choose_button)
        assert announced(said, f"Checking {theirs}") is settings.share_message
        qtbot.waitUntil(lambda: not settings.checking, timeout=WAIT_MS)
        assert announced(said, "This folder was not saved.") is settings.share_message
        settings.reject()
    finally:
        assert window.stop_sync(WAIT_MS / 1000), "a sync was still running at the end of the test"


@pytest.fixture
def office(qtbot: QtBot, store: Store) -> tuple[MainWindow, OfficeArea]:
    window = open_window(qtbot, store, [MINI])
    seed(store, pack_of(window))
    admin.set_passphrase(store, PASSPHRASE)
    gate = gate_of(qtbot, window)
    type_into(qtbot, gate.passphrase, PASSPHRASE)
    assert window.office is not None
    area = window.office.area
    assert area is not None
    return window, loaded(qtbot, area)


def test_a_wrong_passphrase_is_said(qtbot: QtBot, store: Store, said: list[Said]) -> None:
    window = open_window(qtbot, store, [MINI])
    admin.set_passphrase(store, PASSPHRASE)
    gate = gate_of(qtbot, window)
    assert isinstance(gate, GateDialog)
    type_into(qtbot, gate.passphrase, "not the passphrase")
    assert announced(said, "✖ That is not the admin passphrase.") is gate.message
    gate.reject()


def test_roster_import_problems_are_said(
    qtbot: QtBot,
    office: tuple[MainWindow, OfficeArea],
    said: list[Said],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    _window, area = office
    page = area.roster_page
    area.tab_bar.setCurrentIndex(3)
    staff = tmp_path / "staff.csv"
    staff.write_text("name,email,role,school\nHal Ives,,headmaster,Oak Primary\n", encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(staff), "")))

    def look_then_cancel(dialog: ImportPreviewDialog) -> int:
        dialog.show()
        dialog.reject()
        return QDialog.DialogCode.Rejected

    monkeypatch.setattr(ImportPreviewDialog, "exec", look_then_cancel)
    click(qtbot, page.import_button)
    assert isinstance(announced(said, "Line 2: role headmaster is not one of the policy's roles"), QLabel)

    staff.write_bytes(b"\xff\xfe\x00broken")  # not text a staff list can be read from
    said.clear()
    click(qtbot, page.import_button)
    assert announced(said, "⚠") is page.message

    dialog = shown(qtbot, PersonDialog(page.people, page.store, page))
    assert isinstance(dialog, PersonDialog)
    dialog.accept()  # nothing filled in
    assert announced(said, dialog.message.text()) is dialog.message
    dialog.reject()


def test_an_export_that_fails_is_said(
    qtbot: QtBot,
    office: tuple[MainWindow, OfficeArea],
    said: list[Said],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    _window, area = office
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("in the way", encoding="utf-8")  # the export cannot go inside it
    target = blocked / "people.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "")))
    click(qtbot, area.dashboard.export_button)
    assert isinstance(area.dialog, QDialog)
    with qtbot.waitSignal(area.export_failed, timeout=WAIT_MS):
        area.dialog.accept()
    assert announced(said, "✖ Cannot write") is area.state


# The language in force is told to assistive technology ---------------------------------------------------


def spoken_language(widget: QWidget) -> str:
    """The language a screen reader is told ``widget`` is in (Qt's accessible Locale attribute)."""
    interface = QAccessible.queryAccessibleInterface(widget)
    assert interface is not None
    attributes = interface.attributesInterface()
    assert attributes is not None
    return attributes.attributeValue(QAccessible.Attribute.Locale).name()


def test_the_language_shown_is_the_language_told_to_a_screen_reader(qtbot: QtBot, store: Store) -> None:
    apply_qt_language(current_locale())  # as the app does before it opens its window
    window = open_window(qtbot, store, [MINI])
    try:
        assert spoken_language(window.who.add_button) == "en_GB"
        window.set_language("cy")  # as 'Display & language' does
        assert window.who.add_button.text() != "I'm new: add me"  # in Welsh now
        for widget in (window, window.who.add_button, window.office_button, window.home):
            assert spoken_language(widget) == "cy_GB", describe(widget)
        add_person(qtbot, window, "Amina Okafor", TEACHER, "Oak Hill Primary")
        pin = shown(qtbot, PinDialog(store.learners()[0], window))  # a dialog made now
        assert spoken_language(pin) == "cy_GB"
        pin.reject()
    finally:
        set_locale(SOURCE_LOCALE)
        reset_qt_language()


def test_in_welsh_the_words_on_each_button_are_in_its_name(qtbot: QtBot, store: Store) -> None:
    """Qt has no Welsh for its own buttons: the app gives them its words, so the name said is the name seen."""
    window = open_window(qtbot, store, [MINI])
    try:
        window.set_language("cy")
        assert label_not_in_name(window) == [], "who are you"
        click(qtbot, window.who.add_button)
        assert label_not_in_name(window) == [], "add yourself"
        add_person(qtbot, window, "Amina Okafor", TEACHER, "Oak Hill Primary")
        assert label_not_in_name(window) == [], "home"
        learner = store.add_learner("Ivy Stone", "teacher", "Oak Hill Primary", pin="4821")
        dialogs = [
            PinDialog(learner, window),
            SettingsDialog(store, window.settings, 5, window),
            ExportDialog(3, window),
            ErrorDialog("details", store.path.parent / "logs" / "socialsafe.log", window),
        ]
        for dialog in dialogs:
            shown(qtbot, dialog)
            assert label_not_in_name(dialog) == [], dialog.windowTitle()
            assert unnamed(dialog) == [], dialog.windowTitle()
            dialog.reject()
    finally:
        set_locale(SOURCE_LOCALE)
        reset_qt_language()


# Signing in by paste: a password manager can fill the PIN and the passphrase (WCAG 3.3.8) -----------------


def paste(qtbot: QtBot, text: str) -> None:
    QApplication.clipboard().setText(text)
    qtbot.keyClick(focused(), Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)


def test_the_pin_and_the_passphrase_can_be_pasted(qtbot: QtBot, store: Store) -> None:
    window = open_window(qtbot, store, [MINI])
    learner = store.add_learner("Ivy Stone", "teacher", "Oak Hill Primary", pin="4821")
    pin = shown(qtbot, PinDialog(learner, window))
    assert isinstance(pin, PinDialog)
    pin.activateWindow()
    qtbot.waitUntil(lambda: pin.pin.hasFocus(), timeout=2000)
    paste(qtbot, "4821")
    assert pin.pin.text() == "4821"
    press(qtbot, Qt.Key.Key_Return)
    assert pin.result() == QDialog.DialogCode.Accepted

    admin.set_passphrase(store, PASSPHRASE)
    gate = gate_of(qtbot, window)
    gate.activateWindow()
    qtbot.waitUntil(lambda: gate.passphrase.hasFocus(), timeout=2000)
    paste(qtbot, PASSPHRASE)
    press(qtbot, Qt.Key.Key_Return)
    assert window.office is not None
    assert window.office.area is not None  # the office opened
