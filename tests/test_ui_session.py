"""A face-to-face session for several people, in the office, through the real widgets (issue #16).

Set SOCIALSAFE_SCREENSHOTS=DIR to keep a PNG of the dialog at each text size to look at.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QPushButton
from pytestqt.qtbot import QtBot

from conftest import MINI
from socialsafe import admin
from socialsafe.domain.status import Status
from socialsafe.i18n import format_date
from socialsafe.office.sessions import course_modules
from socialsafe.resources import bundled
from socialsafe.storage.store import Store
from socialsafe.ui.admin import OfficeArea
from socialsafe.ui.admin.session import BelowPassMarkConfirmation, GroupSessionDialog
from socialsafe.ui.fields import is_invalid
from test_ui_admin import loaded, tile_counts, unlock
from test_ui_screens import clipped
from ui_helpers import (
    Heard,
    focused_control,
    label_not_in_name,
    listen,
    no_keyboard,
    open_window,
    press,
    said_by,
    small_targets,
    tab_round,
    type_text,
    unnamed,
)

OAK, DDERWEN = "Oak Primary", "Ysgol y Dderwen"
WAIT_MS = 10_000

# Thirty staff at one INSET day: Welsh, Polish, Czech, Irish and Arabic-script names among them.
STAFF = [
    ("Siân O'Brien-Jones", "teacher", DDERWEN),
    ("Dafydd ap Llywelyn", "support_staff", DDERWEN),
    ("Gwenllïan Rhys", "volunteer", DDERWEN),
    ("Rhodri Ifans", "teacher", DDERWEN),
    ("Llinos Gruffydd", "trustee", DDERWEN),
    ("Łukasz Wójcik", "agency_worker", OAK),
    ("Małgorzata Żak", "teacher", OAK),
    ("Grzegorz Brzęczyszczykiewicz", "support_staff", OAK),
    ("Zofia Kołodziej", "volunteer", OAK),
    ("Tereza Nováková", "volunteer", OAK),
    ("Jiří Dvořák", "support_staff", OAK),
    ("Přemysl Šťastný", "teacher", OAK),
    ("Kateřina Horáková", "parent_helper", OAK),
    ("Seán O'Sullivan", "teacher", OAK),
    ("Niamh MacCárthaigh", "parent_helper", OAK),
    ("Aoife Ní Bhriain", "trustee", OAK),
    ("Pádraig Mac Giolla Phádraig", "teacher", OAK),
    ("Siobhán O'Connor", "work_experience", OAK),
    ("فاطمة الزهراء", "teacher", OAK),
    ("محمد عبد الله", "support_staff", OAK),
    ("عائشة بنت أحمد", "volunteer", OAK),
    ("Amina Okafor", "teacher", OAK),
    ("Ben Carter", "support_staff", OAK),
    ("Priya Sharma", "teacher", OAK),
    ("Chen Wei", "other", OAK),
    ("Zoë Dubois", "teacher", OAK),
    ("José Álvarez", "agency_worker", OAK),
    ("Olu Adeyemi", "teacher", OAK),
    ("Hannah Schmidt", "volunteer", OAK),
    ("Kwame Mensah", "support_staff", OAK),
]


# Driving the dialog -------------------------------------------------------------------------------------------


def office_for(qtbot: QtBot, store: Store, roots: list[Path], staff: list[tuple[str, str, str]], scale: float = 1.0):
    window = open_window(qtbot, store, roots, scale=scale)
    for name, role, school in staff:
        store.add_learner(name, role, school)
    area = unlock(qtbot, window, admin)
    return window, area


def open_dialog(qtbot: QtBot, area: OfficeArea) -> GroupSessionDialog:
    """The People page's button, as a person clicks it."""
    assert area.people.currentWidget() is area.dashboard
    qtbot.mouseClick(area.group_button, Qt.MouseButton.LeftButton)
    dialog = area.dialog
    assert isinstance(dialog, GroupSessionDialog)
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=2000)
    return dialog


def shown_names(dialog: GroupSessionDialog) -> list[str]:
    return [dialog.entry(item).attendee.name for item in dialog.shown_items()]


def ticked_names(dialog: GroupSessionDialog) -> list[str]:
    return sorted(person.name for person in dialog.ticked())


def search(qtbot: QtBot, dialog: GroupSessionDialog, text: str) -> list[str]:
    dialog.search.setFocus()
    dialog.search.clear()
    if all(ord(c) < 256 for c in text):
        type_text(qtbot, text)
    else:
        dialog.search.insert(text)  # as a keyboard layout's input method gives it: Qt's test keys are Latin-1 only
    return shown_names(dialog)


def save(qtbot: QtBot, dialog: GroupSessionDialog) -> None:
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)


def answer_confirmation(choice: str, seen: list[str]) -> None:
    """When the question below the pass mark shows, note its words and press ``choice`` ("record" or "cancel")."""

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, BelowPassMarkConfirmation):
            QTimer.singleShot(10, answer)  # not shown yet
            return
        seen.append(box.text())
        assert unnamed(box) == []
        assert label_not_in_name(box) == []
        assert box.defaultButton() is box.cancel_button  # Enter does not record: the record must be chosen
        (box.record_button if choice == "record" else box.cancel_button).click()

    QTimer.singleShot(0, answer)


def attempts_by_name(store: Store) -> dict[str, list[Any]]:
    return {learner.name: store.attempts(learner.id) for learner in store.learners()}


@pytest.fixture
def heard(monkeypatch: pytest.MonkeyPatch) -> list[Heard]:
    """What is told to assistive technology: every Alert and Announcement, in order."""
    return listen(monkeypatch)


# Thirty people, the whole course, one go ----------------------------------------------------------------


def test_a_session_for_thirty_people_over_the_whole_course_in_one_go(
    qtbot: QtBot, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    window, area = office_for(qtbot, store, [bundled("quizzes")], STAFF)
    [pack] = window.content.current
    modules = [m.id for m in course_modules(pack)]
    assert len(modules) == 8  # the whole policy: 30 people are 240 records
    signed: list[str] = []

    def prove(row: Any) -> str:
        signed.append(type(row).__name__)
        return "the office's signature"

    monkeypatch.setattr(area, "prove", lambda: prove)  # as the office's authority would sign them
    monkeypatch.setattr(BelowPassMarkConfirmation, "exec", lambda box: pytest.fail("asked, with no score below"))
    dialog = open_dialog(qtbot, area)
    assert dialog.search.hasFocus()
    assert len(dialog.items()) == 30

    # Found on their letters, as the office's search finds them.
    assert search(qtbot, dialog, "obrien") == ["Siân O'Brien-Jones"]
    assert search(qtbot, dialog, "maccarthaigh") == ["Niamh MacCárthaigh"]
    assert search(qtbot, dialog, "lukasz wojcik") == ["Łukasz Wójcik"]
    assert search(qtbot, dialog, "Šťastný") == ["Přemysl Šťastný"]
    assert search(qtbot, dialog, "فاطمة") == ["فاطمة الزهراء"]
    assert search(qtbot, dialog, "dderwen") == [n for n, _r, s in sorted(STAFF) if s == DDERWEN]
    assert "showing 5 of 30" in dialog.count.text()
    dialog.search.clear()
    qtbot.mouseClick(dialog.tick_button, Qt.MouseButton.LeftButton)
    assert dialog.count.text() == "30 people ticked"

    assert dialog.whole.isChecked()  # the whole course, unless modules are chosen
    dialog.score.setValue(9)
    dialog.max_score.setValue(10)
    dialog.note.setText("INSET day, hall")
    assert dialog.pass_mark.text() == "Pass mark: 80% (8 of 10)"
    assert dialog.below_warning == ""
    save(qtbot, dialog)

    assert dialog.done_page.isVisible()
    today = dt.date.today()
    summary = dialog.summary.toPlainText()
    first = f"✔ Recorded the face-to-face session of {format_date(today)} for 30 people: 240 records."
    assert summary.splitlines()[:2] == [first, "Score: 9 of 10."]
    assert "Passed: 30 people." in summary
    assert "Below the pass mark" not in summary
    assert "Added" not in summary  # everyone was on this PC already

    # Every record, in the database.
    recorded = attempts_by_name(store)
    assert sorted(recorded) == sorted(name for name, _role, _school in STAFF)
    for name, attempts in recorded.items():
        assert sorted(a.module_id for a in attempts) == sorted(modules), name
        assert {(a.source, a.score, a.max_score, a.passed, a.note, a.proof) for a in attempts} == {
            ("manual", 9, 10, True, "INSET day, hall", "the office's signature")
        }, name
        assert {a.finished_at.astimezone().date() for a in attempts if a.finished_at} == {today}
    assert signed == ["Attempt"] * 240

    # The office's list is read again and says what was done.
    loaded(qtbot, area)
    assert area.state.text().startswith("✔ Recorded the face-to-face session for 30 people: 240 records.")
    assert tile_counts(area)[Status.IN_PROGRESS] == "In progress: 30"  # every module passed; no sign-off yet
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()


# Below the pass mark ------------------------------------------------------------------------------------------


def test_a_score_below_the_pass_mark_is_shown_said_and_asked_about(
    qtbot: QtBot, store: Store, heard: list[Heard]
) -> None:
    staff = [("Siân O'Brien-Jones", "teacher", DDERWEN), ("Tereza Nováková", "volunteer", OAK), *STAFF[5:7]]
    _window, area = office_for(qtbot, store, [MINI], staff)
    dialog = open_dialog(qtbot, area)
    # Ticked by keyboard: find, go down to the list, Space.
    for name in ("sian", "tereza"):
        search(qtbot, dialog, name)
        press(qtbot, Qt.Key.Key_Tab)
        assert focused_control() is dialog.people
        dialog.people.setCurrentItem(dialog.shown_items()[0])
        press(qtbot, Qt.Key.Key_Space)
    assert ticked_names(dialog) == ["Siân O'Brien-Jones", "Tereza Nováková"]

    # The mini pack's modules have different pass marks: each is shown, for the maximum given.
    dialog.max_score.setValue(10)
    assert (
        dialog.pass_mark.text() == "Pass marks: Friend requests from pupils: 80% (8 of 10); Photographs: 50% (5 of 10)"
    )
    dialog.score.setValue(8)
    assert dialog.below_warning == ""
    dialog.score.setValue(6)
    assert dialog.below_warning == (
        "⚠ Below the pass mark of Friend requests from pupils: these people will be recorded as not passed in it."
    )
    dialog.score.setValue(4)
    assert dialog.below_warning == "⚠ Below the pass mark: these people will be recorded as not passed."
    assert said_by(heard, "⚠ Below the pass mark: these people will be recorded") is dialog.warning
    dialog.max_score.setValue(20)
    assert (
        dialog.pass_mark.text()
        == "Pass marks: Friend requests from pupils: 80% (16 of 20); Photographs: 50% (10 of 20)"
    )
    dialog.max_score.setValue(10)

    # Save asks first; Cancel records nothing.
    seen: list[str] = []
    answer_confirmation("cancel", seen)
    save(qtbot, dialog)
    assert seen == [
        "4 of 10 is below the pass mark of Friend requests from pupils, Photographs: 2 people will be recorded as "
        "not passed.\n\nRecord the session anyway?"
    ]
    assert all(store.attempts(learner.id) == [] for learner in store.learners())
    assert not dialog.done_page.isVisible()

    answer_confirmation("record", seen)
    save(qtbot, dialog)
    assert len(seen) == 2
    recorded = attempts_by_name(store)
    assert {(a.module_id, a.passed) for a in recorded["Siân O'Brien-Jones"]} == {
        ("friend-requests", False),
        ("photos", False),
    }
    assert [(a.module_id, a.passed) for a in recorded["Tereza Nováková"]] == [("friend-requests", False)]
    summary = dialog.summary.toPlainText()
    assert (
        "⚠ Below the pass mark, recorded as not passed: 2 people:\n  • Siân O'Brien-Jones\n  • Tereza Nováková\n"
        "Photographs is not for their role, so it was left out for:\n  • Tereza Nováková"
    ) in summary
    assert said_by(heard, "✔ Recorded the face-to-face session of") is dialog.summary


def test_nothing_ticked_or_no_module_chosen_is_said_and_records_nothing(
    qtbot: QtBot, store: Store, heard: list[Heard]
) -> None:
    _window, area = office_for(qtbot, store, [MINI], STAFF[:3])
    dialog = open_dialog(qtbot, area)
    save(qtbot, dialog)
    assert said_by(heard, "Tick the people who were at the session") is dialog.error
    assert focused_control() is dialog.people
    # The field at fault marked, the problem said with it (WCAG 3.3.1); ticking someone answers it.
    assert is_invalid(dialog.people)
    assert dialog.people.accessibleDescription().startswith("Tick the people who were at the session")

    qtbot.mouseClick(dialog.tick_button, Qt.MouseButton.LeftButton)
    assert not is_invalid(dialog.people)
    dialog.chosen.setChecked(True)
    boxes = [row.box for row in dialog.module_rows.values()]
    assert not any(box.isChecked() for box in boxes)
    save(qtbot, dialog)
    assert said_by(heard, "Tick the modules the session covered") is dialog.error
    assert all(is_invalid(box) for box in boxes)
    assert focused_control() is boxes[0]
    assert boxes[0].accessibleDescription().startswith("Tick the modules the session covered")
    assert all(store.attempts(learner.id) == [] for learner in store.learners())
    boxes[-1].click()
    assert not any(is_invalid(box) for box in boxes)

    dialog.score.setValue(9)
    dialog.max_score.setValue(5)
    save(qtbot, dialog)
    assert said_by(heard, "The score must be between 0 and the maximum score") is dialog.error
    assert is_invalid(dialog.score)
    assert focused_control() in (dialog.score, dialog.score.lineEdit())
    assert all(store.attempts(learner.id) == [] for learner in store.learners())


# The attendance list ------------------------------------------------------------------------------------------


def test_an_attendance_list_with_a_bad_row_ticks_no_one_until_it_is_corrected(
    qtbot: QtBot, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, heard: list[Heard]
) -> None:
    _window, area = office_for(qtbot, store, [MINI], STAFF[:2])  # Siân and Dafydd are on this PC
    attendance = tmp_path / "attendance.csv"
    rows = [
        "sian obrien-jones,,teacher,ysgol y dderwen",  # Siân, as typed on a sign-in sheet
        "Niamh MacCárthaigh,niamh@oak.example,parent_helper,Oak Primary",
        "Bob Roe,,headmaster,Oak Primary",
        "Tereza Nováková,tereza at oak,volunteer,Oak Primary",
    ]
    attendance.write_text("name,email,role,school\n" + "\n".join(rows) + "\n", encoding="utf-8-sig")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(attendance), "")))
    dialog = open_dialog(qtbot, area)

    qtbot.mouseClick(dialog.load_button, Qt.MouseButton.LeftButton)
    assert dialog.problems_frame.isVisible()
    problems = dialog.problems_text.text().splitlines()
    assert problems == [
        "✖ attendance.csv has 2 problems, so no one in it was ticked. Correct them and load it again:",
        "Line 4: role headmaster is not one of the policy's roles",
        "Line 5: the email address tereza at oak does not look right",
    ]
    assert said_by(heard, "role headmaster is not one of the policy's roles") is dialog.problems_text
    assert dialog.ticked() == []
    save(qtbot, dialog)
    assert "attendance.csv has problems" in dialog.error.text()
    assert len(store.learners()) == 2
    assert all(store.attempts(learner.id) == [] for learner in store.learners())

    # Corrected, and loaded again: Siân is ticked, Niamh joins the list, new.
    attendance.write_text("name,email,role,school\n" + "\n".join(rows[:2]) + "\n", encoding="utf-8-sig")
    qtbot.mouseClick(dialog.load_button, Qt.MouseButton.LeftButton)
    assert not dialog.problems_frame.isVisible()
    assert dialog.file_line.text() == "✔ Loaded attendance.csv: 2 people ticked, 1 of them new to the office."
    assert ticked_names(dialog) == ["Niamh MacCárthaigh", "Siân O'Brien-Jones"]
    [niamh] = [i for i in dialog.items() if dialog.entry(i).attendee.name == "Niamh MacCárthaigh"]
    assert niamh.text() == "Niamh MacCárthaigh — Oak Primary · Parent helper · new: added to this PC when saved"

    # Photographs only: for teachers and support staff, so nothing for Niamh, a parent helper.
    dialog.chosen.setChecked(True)
    dialog.module_rows["photos"].box.click()
    assert dialog.pass_mark.text() == "Pass mark: 50% (5 of 10)"
    dialog.score.setValue(9)
    save(qtbot, dialog)

    recorded = attempts_by_name(store)
    assert [(a.module_id, a.passed) for a in recorded["Siân O'Brien-Jones"]] == [("photos", True)]
    assert recorded["Niamh MacCárthaigh"] == []
    [added] = [x for x in store.learners() if x.name == "Niamh MacCárthaigh"]
    assert (added.email, added.role, added.school) == ("niamh@oak.example", "parent_helper", OAK)
    summary = dialog.summary.toPlainText().splitlines()
    assert summary[0].endswith("for 2 people: 1 record.")
    assert summary[1:] == [
        "Score: 9 of 10.",
        "Passed: 1 person.",
        "Added to this PC: 1 person:",
        "  • Niamh MacCárthaigh",
        "No module chosen applies to the role of 1 person, so nothing was recorded for them:",
        "  • Niamh MacCárthaigh",
    ]


# It fits, is named and is reached by keyboard ----------------------------------------------------------------


@pytest.mark.parametrize("scale", [1.0, 2.0])
def test_the_dialog_fits_1024_by_600_is_named_and_keyboard_reachable(
    qtbot: QtBot, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scale: float
) -> None:
    window, area = office_for(qtbot, store, [MINI], STAFF, scale=scale)
    out = os.environ.get("SOCIALSAFE_SCREENSHOTS")
    assert clipped(window) == []
    assert area.group_button.isVisibleTo(window)
    assert area.group_button.accessibleName().startswith("Record a group session")
    dialog = open_dialog(qtbot, area)
    attendance = tmp_path / "attendance.csv"
    attendance.write_text("name,email,role,school\nBob Roe,,headmaster,Oak Primary\n", encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(attendance), "")))
    qtbot.mouseClick(dialog.load_button, Qt.MouseButton.LeftButton)  # the problems show too
    dialog.score.setValue(1)  # and the warning
    qtbot.wait(1)

    def check(name: str) -> None:
        assert dialog.width() <= window.width(), name
        assert dialog.height() <= window.height(), name
        assert clipped(dialog) == [], name
        assert unnamed(dialog) == [], name
        assert no_keyboard(dialog) == [], name
        assert small_targets(dialog) == [], name
        assert label_not_in_name(dialog) == [], name
        if out:
            Path(out).mkdir(parents=True, exist_ok=True)
            dialog.grab().save(str(Path(out) / f"office-group-session-{name}-{int(scale * 100)}.png"))

    check("form")
    dialog.scroller.verticalScrollBar().setValue(0)  # the warning scrolled itself into sight: back to the top
    dialog.search.setFocus()
    stops = tab_round(qtbot)
    for control in (dialog.search, dialog.people, dialog.tick_button, dialog.load_button, dialog.leave_out_button):
        assert control in stops
    for control in (dialog.whole, dialog.score, dialog.max_score, dialog.note, dialog.save_button):
        assert control in stops

    qtbot.mouseClick(dialog.leave_out_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.tick_button, Qt.MouseButton.LeftButton)
    dialog.score.setValue(9)
    save(qtbot, dialog)
    assert dialog.done_page.isVisible()
    assert focused_control() is dialog.close_button
    check("done")
    tab_round(qtbot)
    press(qtbot, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_it_is_behind_the_admin_passphrase(qtbot: QtBot, store: Store) -> None:
    window = open_window(qtbot, store, [MINI])
    wanted = "Record a group session…"
    assert not [b for b in window.findChildren(QPushButton) if b.text() == wanted]  # no office, no button
    area = unlock(qtbot, window, admin)
    assert [b for b in window.findChildren(QPushButton) if b.text() == wanted] == [area.group_button]


def test_names_are_shown_as_typed_never_as_markup(qtbot: QtBot, store: Store) -> None:
    odd = "<img src='x.png'><b>Ana</b> O'Hara"
    _window, area = office_for(qtbot, store, [MINI], [(odd, "teacher", "<i>Oak</i>")])
    dialog = open_dialog(qtbot, area)
    [item] = dialog.items()
    assert item.text() == f"{odd} — <i>Oak</i> · Teacher"
    qtbot.mouseClick(dialog.tick_button, Qt.MouseButton.LeftButton)
    dialog.score.setValue(0)
    seen: list[str] = []
    answer_confirmation("record", seen)
    save(qtbot, dialog)
    assert f"  • {odd}" in dialog.summary.toPlainText().splitlines()  # below the pass mark, by name, as typed
    assert "<img" not in dialog.summary.toHtml()  # shown, never read as markup
