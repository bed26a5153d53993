# ruff: noqa: F811  (pytest fixtures imported from test_ui_admin, used as arguments)
"""The office's staff list page through the real widgets: import with a preview, add by hand, exemptions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDialog, QFileDialog
from pytestqt.qtbot import QtBot

from socialsafe import roster
from socialsafe.domain.status import Status
from socialsafe.ui.admin import OfficeArea
from socialsafe.ui.admin.roster_page import ExemptionDialog, ImportPreviewDialog, PersonDialog, RosterPage
from socialsafe.ui.main_window import MainWindow
from test_ui_admin import admin, loaded, no_keyboard, tile_counts, unlock, window  # noqa: F401  (fixtures)

STAFF = """name,email,role,school
Fay Green,fay@example.org,teacher,Oak Primary
Gus Hill,,Support staff,Riverside Academy
Eve Long,,teacher,Oak Primary
Fay Green,fay@example.org,teacher,Oak Primary
Hal Ives,,headmaster,Oak Primary
Ida Jones,,volunteer,
"""


def open_staff_list(qtbot: QtBot, window: MainWindow, admin: Any) -> tuple[OfficeArea, RosterPage]:
    area = unlock(qtbot, window, admin)
    titles = [area.tab_bar.tabText(i) for i in range(area.tab_bar.count())]
    area.tab_bar.setCurrentIndex(titles.index("Staff list"))
    page = area.roster_page
    assert page.isVisible()
    assert no_keyboard(page) == []
    return area, page


def choose_file(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))


def answer(monkeypatch: pytest.MonkeyPatch, kind: type[QDialog], act: Callable[[Any], int]) -> list[Any]:
    """Stand in for ``kind``'s exec: ``act`` does what the person would and gives the result."""
    seen: list[Any] = []

    def exec_(self: Any) -> int:
        seen.append(self)
        return act(self)

    monkeypatch.setattr(kind, "exec", exec_)
    return seen


def reloaded(qtbot: QtBot, area: OfficeArea, change: Callable[[], None]) -> None:
    with qtbot.waitSignal(area.loaded, timeout=10_000):
        change()
    loaded(qtbot, area)


def saved(window: MainWindow) -> list[roster.RosterPerson]:
    return roster.read_for_reports(None, window.settings.data_dir)[0]


def test_import_previews_then_cancel_saves_nothing_and_import_adds_not_started_people(
    qtbot: QtBot, window: MainWindow, admin: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    area, page = open_staff_list(qtbot, window, admin)
    assert page.table.rowCount() == 0
    assert tile_counts(area)[Status.NOT_STARTED] == "Not started: 1"
    staff = tmp_path / "staff.csv"
    staff.write_text(STAFF, encoding="utf-8")
    choose_file(monkeypatch, staff)

    dialogs = answer(monkeypatch, ImportPreviewDialog, lambda d: QDialog.DialogCode.Rejected)
    page.import_button.click()
    [dialog] = dialogs
    summary = dialog.summary.text()
    assert "0 people already on the staff list." in summary
    assert "1 person who already uses SocialSafe on this PC." in summary
    assert "2 new people." in summary
    assert "1 duplicate row left out." in summary
    assert "2 rows with problems left out." in summary
    left_out = dialog.left_out.text()
    assert "Line 5: Fay Green is already on line 2" in left_out
    assert "Line 6: role headmaster is not one of the policy's roles" in left_out
    assert "Line 7: Ida Jones has no school" in left_out
    assert dialog.import_button.isEnabled()
    assert saved(window) == []
    assert not (window.settings.data_dir / roster.LOCAL_ROSTER).exists()
    assert page.table.rowCount() == 0

    answer(monkeypatch, ImportPreviewDialog, lambda d: QDialog.DialogCode.Accepted)
    reloaded(qtbot, area, page.import_button.click)
    assert [p.name for p in saved(window)] == ["Fay Green", "Gus Hill", "Eve Long"]
    assert page.table.rowCount() == 3
    assert page.table.item(1, 2).text() == "Support staff"
    assert tile_counts(area)[Status.NOT_STARTED] == "Not started: 3"
    names = [s.name for s in area.dashboard.shown_summaries()]
    assert {"Fay Green", "Gus Hill"} <= set(names)
    assert names.count("Eve Long") == 1  # matched, not added twice


def test_add_a_person_by_hand_checked_like_an_imported_row(
    qtbot: QtBot, window: MainWindow, admin: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    area, page = open_staff_list(qtbot, window, admin)

    def fill(name: str, school: str, email: str = "") -> Callable[[Any], int]:
        def act(dialog: PersonDialog) -> int:
            dialog.name.setText(name)
            dialog.email.setText(email)
            dialog.role.setCurrentIndex(dialog.role.findData("volunteer"))
            dialog.school.setText(school)
            dialog.accept()
            return dialog.result()

        return act

    dialogs = answer(monkeypatch, PersonDialog, fill("Jo King", ""))
    page.add_button.click()
    assert "Jo King has no school" in dialogs[0].message.text()
    dialogs = answer(monkeypatch, PersonDialog, fill("Jo King", "Oak Primary", "not an email"))
    page.add_button.click()
    assert "does not look right" in dialogs[0].message.text()
    assert saved(window) == []

    answer(monkeypatch, PersonDialog, fill("Jo King", "Oak Primary", "jo@example.org"))
    reloaded(qtbot, area, page.add_button.click)
    [jo] = saved(window)
    assert (jo.name, jo.email, jo.role, jo.school) == ("Jo King", "jo@example.org", "volunteer", "Oak Primary")
    assert page.selected() == jo
    assert tile_counts(area)[Status.NOT_STARTED] == "Not started: 2"

    dialogs = answer(monkeypatch, PersonDialog, fill("Jo King", "Oak Primary", "jo@example.org"))
    page.add_button.click()
    assert "already on the staff list" in dialogs[0].message.text()
    assert len(saved(window)) == 1


def test_mark_exempt_with_a_reason_then_clear_it(
    qtbot: QtBot, window: MainWindow, admin: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    roster.save(
        [roster.RosterPerson("Fay Green", None, "teacher", OAK_PRIMARY, None, "")],
        None,
        window.settings.data_dir,
    )
    area, page = open_staff_list(qtbot, window, admin)
    assert tile_counts(area)[Status.NOT_STARTED] == "Not started: 2"
    assert not page.exempt_button.isEnabled()  # no one chosen
    page.table.selectRow(0)
    assert page.exempt_button.isEnabled()
    until = dt.date.today() + dt.timedelta(days=90)

    def exempt(dialog: ExemptionDialog) -> int:
        assert not dialog.clear_button.isEnabled()
        dialog.until.setDate(QDate(until.year, until.month, until.day))
        dialog.reason.setText("On maternity leave")
        return QDialog.DialogCode.Accepted

    answer(monkeypatch, ExemptionDialog, exempt)
    reloaded(qtbot, area, page.exempt_button.click)
    [fay] = saved(window)
    assert (fay.exempt_until, fay.exempt_reason) == (until, "On maternity leave")
    assert page.table.item(0, 5).text() == "On maternity leave"
    assert tile_counts(area)[Status.EXEMPT] == "Exempt: 1"
    assert tile_counts(area)[Status.NOT_STARTED] == "Not started: 1"

    def clear(dialog: ExemptionDialog) -> int:
        assert dialog.clear_button.isEnabled()
        dialog.clear_button.click()
        return dialog.result()

    answer(monkeypatch, ExemptionDialog, clear)
    reloaded(qtbot, area, page.exempt_button.click)
    [fay] = saved(window)
    assert (fay.exempt_until, fay.exempt_reason) == (None, "")
    assert tile_counts(area)[Status.EXEMPT] == "Exempt: 0"
    assert tile_counts(area)[Status.NOT_STARTED] == "Not started: 2"


def test_a_share_that_cannot_be_written_shows_one_message_and_loses_nothing(
    qtbot: QtBot, window: MainWindow, admin: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _area, page = open_staff_list(qtbot, window, admin)
    messages: list[str] = []
    monkeypatch.setattr("PySide6.QtWidgets.QMessageBox.warning", lambda *a: messages.append(a[2]))

    def refuse(*args: object, **kwargs: object) -> None:
        raise roster.ShareError("The shared folder cannot be used. Your results are kept on this PC.")

    monkeypatch.setattr(roster, "save", refuse)

    def fill(dialog: PersonDialog) -> int:
        dialog.name.setText("Jo King")
        dialog.school.setText(OAK_PRIMARY)
        dialog.accept()
        return dialog.result()

    answer(monkeypatch, PersonDialog, fill)
    page.add_button.click()
    assert messages == ["The shared folder cannot be used. Your results are kept on this PC."]
    assert page.people == []
    assert page.table.rowCount() == 0
    assert "cannot be used" in page.message.text()


OAK_PRIMARY = "Oak Primary"
