"""The office console through the real widgets: the passphrase gate, everyone's training, a person, exports.

Set SOCIALSAFE_SCREENSHOTS=DIR to keep a PNG of each office screen to look at.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import random
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLineEdit,
    QTreeWidgetItemIterator,
    QWidget,
)
from pytestqt.qtbot import QtBot

from conftest import MINI
from socialsafe.config import IDLE_SETTING, SHARE_SETTING, Settings
from socialsafe.content.loader import load_all
from socialsafe.content.model import Pack
from socialsafe.domain.quiz import draw
from socialsafe.domain.status import Status
from socialsafe.storage.store import Store
from socialsafe.sync import engine
from socialsafe.sync.engine import SyncReport
from socialsafe.ui.admin import OfficeArea
from socialsafe.ui.admin.gate import GateDialog
from socialsafe.ui.admin.models import PeopleColumn
from socialsafe.ui.app import make_app
from socialsafe.ui.main_window import MainWindow
from socialsafe.ui.style import apply_style
from test_ui_screens import clipped
from ui_helpers import no_keyboard, open_window, unnamed

PASSPHRASE = "correct horse battery"
WAIT_MS = 10_000
NOW = dt.datetime.now(dt.UTC)
OAK, RIVERSIDE = "Oak Primary", "Riverside Academy"


# The admin module: the real one, or a tiny stand-in while it is being written --------------------


def _stand_in_admin() -> types.ModuleType:
    """Just enough of socialsafe.admin's agreed API for these tests, kept in memory."""
    import hashlib

    module = types.ModuleType("socialsafe.admin")
    key = "admin_passphrase_hash"

    class Unlock:
        def __init__(self, ok: bool, wait_seconds: float = 0.0) -> None:
            self.ok, self.wait_seconds = ok, wait_seconds

    class AdminGate:
        def __init__(self, store: Store) -> None:
            self.store, self.failures, self.until = store, 0, None

        def try_unlock(self, text: str, now: dt.datetime) -> Unlock:
            if self.until is not None and now < self.until:
                return Unlock(False, (self.until - now).total_seconds())
            if check_passphrase(text, self.store.setting(key) or ""):
                self.failures = 0
                return Unlock(True)
            self.failures += 1
            wait = 0 if self.failures < 3 else 2 ** (self.failures - 2)
            self.until = now + dt.timedelta(seconds=wait)
            return Unlock(False, wait)

    def check_passphrase(text: str, stored: str) -> bool:
        return stored == hashlib.sha256(text.encode()).hexdigest()

    module.Unlock = Unlock  # type: ignore[attr-defined]
    module.AdminGate = AdminGate  # type: ignore[attr-defined]
    module.check_passphrase = check_passphrase  # type: ignore[attr-defined]
    module.passphrase_hash = lambda settings, store: store.setting(key) or None  # type: ignore[attr-defined]
    module.set_passphrase = lambda store, text: store.set_setting(key, hashlib.sha256(text.encode()).hexdigest())  # type: ignore[attr-defined]
    return module


@pytest.fixture(autouse=True)
def admin(monkeypatch: pytest.MonkeyPatch) -> Any:
    try:
        from socialsafe import admin as real
    except ImportError:
        stand_in = _stand_in_admin()
        monkeypatch.setitem(sys.modules, "socialsafe.admin", stand_in)
        return stand_in
    return real


# Records to look at ------------------------------------------------------------------------


def pack_of(window: MainWindow) -> Pack:
    [pack] = window.content.current
    return pack


def complete(store: Store, pack: Pack, name: str, school: str, role: str, days_ago: int) -> None:
    learner = store.add_learner(name, role, school, f"{name.split()[0].lower()}@example.org")
    then = NOW - dt.timedelta(days=days_ago)
    for module in pack.modules:
        if module.applies_to(role):
            store.record_manual(learner.id, pack, module, 2, 2, then)
    store.acknowledge(learner.id, pack, name, at=then, source="manual")


def seed(store: Store, pack: Pack) -> None:
    """Five people, one of each everyday status; quiz answers for the question insight."""
    complete(store, pack, "Amina Okafor", OAK, "teacher", 10)  # complete
    complete(store, pack, "Ben Carter", OAK, "support_staff", 345)  # due soon
    complete(store, pack, "Cara Diaz", RIVERSIDE, "teacher", 400)  # expired
    dev = store.add_learner("Dev Patel", "volunteer", RIVERSIDE)  # in progress: a quiz, not passed
    store.add_learner("Eve Long", "teacher", OAK)  # not started
    friends = pack.module("friend-requests")
    for learner, right in ((dev, False), (store.learners()[0], True)):
        attempt = store.start_attempt(learner.id, pack, friends, draw(friends.questions, 2, random.Random(1)))
        store.record_answer(attempt.id, "fr-1", "", ["a"] if right else ["b"], right)
        store.record_answer(attempt.id, "fr-3", "s1", ["decline"] if right else ["reply"], right)
        store.record_answer(attempt.id, "fr-3", "s2", ["dsl"], True)
        store.finish_attempt(attempt.id, 2 if right else 0, right)


# Driving the office --------------------------------------------------------------------------


@pytest.fixture
def window(qtbot: QtBot, store: Store) -> MainWindow:
    window = open_window(qtbot, store, [MINI])
    seed(store, pack_of(window))
    return window


def gate_of(qtbot: QtBot, window: MainWindow) -> GateDialog:
    qtbot.mouseClick(window.office_button, Qt.MouseButton.LeftButton)
    assert window.office is not None
    gate = window.office.gate
    assert gate is not None
    qtbot.waitExposed(gate)
    return gate


def type_into(qtbot: QtBot, field: QLineEdit, text: str, enter: bool = True) -> None:
    field.setFocus()
    field.clear()
    qtbot.keyClicks(field, text)
    if enter:
        qtbot.keyClick(field, Qt.Key.Key_Return)


def loaded(qtbot: QtBot, area: OfficeArea) -> OfficeArea:
    qtbot.waitUntil(lambda: area.snapshot is not None and not area.loading, timeout=WAIT_MS)
    return area


def unlock(qtbot: QtBot, window: MainWindow, admin: Any) -> OfficeArea:
    if admin.passphrase_hash(window.settings, window.store) is None:
        admin.set_passphrase(window.store, PASSPHRASE)
    gate = gate_of(qtbot, window)
    type_into(qtbot, gate.passphrase, PASSPHRASE)
    assert window.office is not None
    area = window.office.area
    assert area is not None
    return loaded(qtbot, area)


def tile_counts(area: OfficeArea) -> dict[Status, str]:
    return {status: tile.count_text for status, tile in area.dashboard.tiles.items()}


def shown_names(area: OfficeArea) -> list[str]:
    return [s.name for s in area.dashboard.shown_summaries()]


def choose(combo: QComboBox, text: str) -> None:
    index = combo.findText(text)
    assert index >= 0, f"{text!r} not in {[combo.itemText(i) for i in range(combo.count())]}"
    combo.setCurrentIndex(index)


def open_person(qtbot: QtBot, area: OfficeArea, name: str) -> None:
    """Find the person with the search box, then Enter on their row, as a person would."""
    type_into(qtbot, area.dashboard.search, name, enter=False)
    table = area.dashboard.table
    table.setFocus()
    table.setCurrentIndex(table.model().index(0, 0))
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert area.people.currentWidget() is area.person
    assert area.person.title.text() == name


def tree_rows(area: OfficeArea) -> list[list[str]]:
    rows = []
    iterator = QTreeWidgetItemIterator(area.person.tree)
    while iterator.value():
        item = iterator.value()
        rows.append([item.text(c) for c in range(4)])
        iterator += 1
    return rows


def save_to(monkeypatch: pytest.MonkeyPatch, path: Path) -> list[object]:
    """Stand in for the save dialog: it 'chooses' ``path``."""
    calls: list[object] = []

    def chooser(*args: object, **kwargs: object) -> tuple[str, str]:
        calls.append(args)
        return str(path), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", chooser)
    return calls


def accept(qtbot: QtBot, dialog: QDialog) -> None:
    """Press the dialog's Save button."""
    box = dialog.findChild(QDialogButtonBox)
    assert box is not None
    save = box.button(QDialogButtonBox.StandardButton.Save)
    assert save is not None
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)


# The gate ----------------------------------------------------------------------------------


def test_first_use_sets_the_passphrase_twice_then_opens_the_office(
    qtbot: QtBot, window: MainWindow, admin: Any
) -> None:
    assert admin.passphrase_hash(window.settings, window.store) is None
    gate = gate_of(qtbot, window)
    assert gate.first_use
    assert gate.repeat is not None

    type_into(qtbot, gate.passphrase, "short", enter=False)
    type_into(qtbot, gate.repeat, "short")
    assert "at least 8 characters" in gate.message.text()
    assert gate.isVisible()

    type_into(qtbot, gate.passphrase, PASSPHRASE, enter=False)
    type_into(qtbot, gate.repeat, PASSPHRASE + "!")
    assert "not the same" in gate.message.text()
    assert window.office is not None
    assert window.office.area is None

    type_into(qtbot, gate.repeat, PASSPHRASE)
    assert not gate.isVisible()
    area = window.office.area
    assert area is not None
    assert window.stack.currentWidget() is area
    assert not window.office_button.isVisible()
    stored = admin.passphrase_hash(window.settings, window.store)
    assert stored is not None
    assert PASSPHRASE not in stored
    assert admin.check_passphrase(PASSPHRASE, stored)
    loaded(qtbot, area)


def test_a_wrong_passphrase_is_refused_then_throttled_and_the_right_one_opens(
    qtbot: QtBot, window: MainWindow, admin: Any
) -> None:
    admin.set_passphrase(window.store, PASSPHRASE)
    gate = gate_of(qtbot, window)
    assert not gate.first_use
    assert gate.repeat is None
    moment = [dt.datetime.now(dt.UTC)]
    gate.clock = lambda: moment[0]

    type_into(qtbot, gate.passphrase, "not it at all")
    assert "not the admin passphrase" in gate.message.text()
    assert gate.passphrase.text() == ""
    assert gate.passphrase.isEnabled()
    assert window.office is not None
    assert window.office.area is None
    # Wrong again and again: a wait comes, and the passphrase cannot even be typed meanwhile.
    for _ in range(4):
        if gate.waiting:
            break
        type_into(qtbot, gate.passphrase, "still not it")
    assert gate.waiting
    assert not gate.passphrase.isEnabled()
    assert not gate.ok_button.isEnabled()
    assert "try again in" in gate.message.text()
    left = gate.seconds_left()
    assert left >= 1
    gate.passphrase.setText(PASSPHRASE)
    gate.submit()
    assert window.office.area is None  # refused without being checked

    moment[0] += dt.timedelta(seconds=left + 1)
    qtbot.waitUntil(gate.passphrase.isEnabled, timeout=3000)
    assert "try again now" in gate.message.text()
    type_into(qtbot, gate.passphrase, PASSPHRASE)
    assert window.office.area is not None
    loaded(qtbot, window.office.area)


def test_leaving_the_office_or_going_idle_locks_it(qtbot: QtBot, window: MainWindow, admin: Any) -> None:
    office_area = unlock(qtbot, window, admin)
    office = window.office
    assert office is not None
    # Moving between the office's own sections keeps it open.
    office_area.tab_bar.setCurrentIndex(2)
    office_area.tab_bar.setCurrentIndex(0)
    assert office.area is office_area

    qtbot.mouseClick(office_area.lock_button, Qt.MouseButton.LeftButton)
    assert office.area is None
    assert window.stack.currentWidget() is window.who
    assert window.office_button.isVisible()
    # Opening it again asks for the passphrase again.
    gate = gate_of(qtbot, window)
    assert not gate.first_use
    gate.reject()

    # Idle: the main window's idle timer runs while the office is open, even when learners' is 'Never'.
    window.store.set_setting(IDLE_SETTING, "0")
    office_area = unlock(qtbot, window, admin)
    assert window.idle.isActive()
    assert window.idle.interval() + window._warn_ms == 5 * 60_000  # warned a minute before the 5 minutes are up
    with qtbot.waitSignal(window.idle.timeout, timeout=2000):
        window.idle.start(1)
    assert office.area is office_area  # warned first, not locked yet
    warning = window.idle_warning
    assert warning is not None
    assert warning.isVisible()
    assert "the office will lock in 60 seconds" in warning.text()
    qtbot.keyClick(warning, Qt.Key.Key_Return)  # "I'm still here"
    assert window.idle_warning is None
    assert office.area is office_area
    assert window.idle.isActive()

    window.open_settings()  # a dialog left open when the office manager walks away
    dialog = window.settings_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    with qtbot.waitSignal(window.idle.timeout, timeout=2000):
        window.idle.start(1)
    window._warn_ms = 10
    with qtbot.waitSignal(window.idle_end.timeout, timeout=2000):
        window.idle_end.start(10)  # nobody answers the warning
    assert office.area is None
    assert window.stack.currentWidget() is window.who
    assert not dialog.isVisible()  # not over the next person's screen
    assert window.who.notice.isVisible()
    assert window.who.notice.text().startswith("The office was locked because the PC was not used for a while.")

    # Switch person (Ctrl+Shift+S) leaves it too.
    unlock(qtbot, window, admin)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    keys = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(window.windowHandle(), Qt.Key.Key_S, keys)
    assert office.area is None


def test_learners_screens_offer_no_office_and_opening_it_signs_the_learner_out(
    qtbot: QtBot, window: MainWindow, admin: Any
) -> None:
    assert window.office_button.isVisible()  # on 'Who are you?'
    learner = window.store.learners()[0]
    window.sign_in(learner.id)
    assert window.learner is not None
    assert not window.office_button.isVisible()  # not on a learner's own screens
    admin.set_passphrase(window.store, PASSPHRASE)
    window.open_office()  # however it is reached, the office is not the learner's
    assert window.office is not None
    gate = window.office.gate
    assert gate is not None
    type_into(qtbot, gate.passphrase, PASSPHRASE)
    assert window.learner is None
    assert window.stack.currentWidget() is window.office.area
    assert window.office.area is not None
    loaded(qtbot, window.office.area)
    qtbot.mouseClick(window.office.area.lock_button, Qt.MouseButton.LeftButton)
    assert window.office_button.isVisible()


# Everyone's training ----------------------------------------------------------------------


def test_the_dashboard_counts_everyone_and_filters_by_school_role_status_and_search(
    qtbot: QtBot, qtmodeltester: Any, window: MainWindow, admin: Any
) -> None:
    area = unlock(qtbot, window, admin)
    dashboard = area.dashboard
    assert tile_counts(area) == {
        Status.COMPLETE: "Complete: 1",
        Status.DUE_SOON: "Due soon: 1",
        Status.EXPIRED: "Expired: 1",
        Status.UPDATE_NEEDED: "Update needed: 0",
        Status.IN_PROGRESS: "In progress: 1",
        Status.NOT_STARTED: "Not started: 1",
        Status.EXEMPT: "Exempt: 0",
    }
    assert shown_names(area) == ["Amina Okafor", "Ben Carter", "Cara Diaz", "Dev Patel", "Eve Long"]
    assert dashboard.shown.text() == "5 people"
    assert "This PC's records only" in area.state.text()
    model = dashboard.model
    amina = model.index(0, PeopleColumn.STATUS)
    assert model.data(amina) == "✔ Complete"  # in words, with a symbol
    assert model.data(model.index(2, PeopleColumn.STATUS)) == "✖ Expired"
    assert model.data(model.index(0, PeopleColumn.EXPIRES))
    assert model.data(model.index(0, PeopleColumn.NAME), Qt.ItemDataRole.ToolTipRole) == (
        "Amina Okafor <amina@example.org>"
    )
    qtmodeltester.check(model)
    qtmodeltester.check(dashboard.proxy)

    choose(dashboard.school, OAK)
    assert shown_names(area) == ["Amina Okafor", "Ben Carter", "Eve Long"]
    assert dashboard.shown.text() == "Showing 3 of 5 people"
    choose(dashboard.role, "Teacher")
    assert shown_names(area) == ["Amina Okafor", "Eve Long"]
    choose(dashboard.status, "○ Not started")
    assert shown_names(area) == ["Eve Long"]
    assert dashboard.filters_text() == "Shown: Oak Primary; Teacher; ○ Not started."
    qtmodeltester.check(dashboard.proxy)
    for combo in (dashboard.school, dashboard.role, dashboard.status):
        combo.setCurrentIndex(0)
    type_into(qtbot, dashboard.search, "riverside", enter=False)
    assert shown_names(area) == ["Cara Diaz", "Dev Patel"]
    type_into(qtbot, dashboard.search, "AMINA@example", enter=False)
    assert shown_names(area) == ["Amina Okafor"]
    type_into(qtbot, dashboard.search, "dev-pa tel", enter=False)  # on letters, as people are told apart (#16)
    assert shown_names(area) == ["Dev Patel"]
    dashboard.search.clear()

    # Sorting: a click on a heading; the model sorts by its keys and the filter keeps that order.
    header = dashboard.table.horizontalHeader()
    header.setSortIndicator(PeopleColumn.STATUS, Qt.SortOrder.DescendingOrder)
    assert shown_names(area)[0] == "Eve Long"  # not started sorts after complete
    header.setSortIndicator(PeopleColumn.EXPIRES, Qt.SortOrder.AscendingOrder)
    assert shown_names(area)[:3] == ["Cara Diaz", "Ben Carter", "Amina Okafor"]
    qtmodeltester.check(dashboard.proxy)

    # The chart's numbers are in words as well as in bars.
    assert "Oak Primary: 2 of 3 trained (67%)" in area.chart.description()
    area.chart.by.setCurrentIndex(1)
    assert "Teacher: 1 of 3 trained (33%)" in area.chart.description()
    assert "Teacher: 1 of 3 trained" in area.chart.numbers.toPlainText()


def test_the_list_loads_off_the_gui_thread_and_again_after_a_sync(qtbot: QtBot, window: MainWindow, admin: Any) -> None:
    area = unlock(qtbot, window, admin)
    area.refresh()
    assert area.loading
    assert area.state.text() == "Loading…"
    assert not area.refresh_button.isEnabled()
    loaded(qtbot, area)
    assert area.refresh_button.isEnabled()
    window.store.add_learner("Fay Green", "teacher", OAK)
    window.sync_worker.finished.emit(SyncReport())
    assert area.loading
    loaded(qtbot, area)
    assert "Fay Green" in shown_names(area)


# A person ----------------------------------------------------------------------------------


def test_a_persons_page_shows_every_attempt_with_its_answers_and_the_pc_it_came_from(
    qtbot: QtBot, window: MainWindow, admin: Any
) -> None:
    area = unlock(qtbot, window, admin)
    open_person(qtbot, area, "Dev Patel")
    rows = tree_rows(area)
    texts = ["\n".join(r) for r in rows]
    assert area.person.status.text().startswith("◐ In progress")
    assert any("Friend requests from pupils" in r[1] and "0 of 2, not passed" in r[2] for r in rows)
    short = window.store.device_id[:8]
    assert any(r[3] == f"{short} (this PC)" for r in rows)
    assert any("A Year 5 pupil sends you a friend request" in t and "answered: Ignore it." in t for t in texts)
    assert any("answered: Reply briefly" in t and "✖" in t for t in texts)
    assert "No sign-off yet" in "\n".join(texts)
    assert not area.person.certificate_button.isEnabled()  # nothing completed yet
    assert area.person.erase_button.isVisible()
    # Escape, or Back, returns to the list with the keyboard on the same person.
    qtbot.keyClick(area.person.tree, Qt.Key.Key_Escape)
    assert area.people.currentWidget() is area.dashboard
    index = area.dashboard.table.currentIndex()
    assert index.data() == "Dev Patel"


def test_recording_a_face_to_face_session_and_a_paper_signoff_completes_a_person(
    qtbot: QtBot, window: MainWindow, admin: Any
) -> None:
    area = unlock(qtbot, window, admin)
    open_person(qtbot, area, "Eve Long")
    assert area.person.status.text().startswith("○ Not started")

    for module in ("Friend requests from pupils", "Photographs"):
        qtbot.mouseClick(area.person.session_button, Qt.MouseButton.LeftButton)
        dialog = area.dialog
        qtbot.waitExposed(dialog)
        choose(dialog.module, module)
        dialog.max_score.setValue(5)
        dialog.score.setValue(6)
        accept(qtbot, dialog)
        assert "between 0 and the maximum" in dialog.error.text()  # 6 of 5 is refused
        dialog.score.setValue(4)
        dialog.note.setText("Staff meeting, room 4")
        accept(qtbot, dialog)
        assert not dialog.isVisible()
        loaded(qtbot, area)
    assert area.person.status.text().startswith("◐ In progress")
    assert "2 of 2 modules passed" in area.person.status.text()
    assert any("(face-to-face session) — Staff meeting, room 4" in r[1] for r in tree_rows(area))

    qtbot.mouseClick(area.person.paper_button, Qt.MouseButton.LeftButton)
    dialog = area.dialog
    qtbot.waitExposed(dialog)
    assert dialog.signed_name.text() == "Eve Long"
    dialog.day.setDate(dialog.day.date().addDays(-1))
    accept(qtbot, dialog)
    loaded(qtbot, area)
    assert area.person.status.text().startswith("✔ Complete")
    assert area.state.text().startswith("✔ Recorded the paper sign-off for Eve Long.")
    assert any(r[2] == "signed paper copy" for r in tree_rows(area))
    assert tile_counts(area)[Status.COMPLETE] == "Complete: 2"
    assert tile_counts(area)[Status.NOT_STARTED] == "Not started: 0"
    [eve] = [x for x in window.store.learners() if x.name == "Eve Long"]
    [signoff] = window.store.acknowledgements(eve.id)
    assert signoff.source == "manual"
    assert (dt.date.today() - signoff.acknowledged_at.astimezone().date()).days == 1
    assert {a.source for a in window.store.attempts(eve.id)} == {"manual"}


def test_a_certificate_is_reissued_for_a_person_on_this_pc(
    qtbot: QtBot, window: MainWindow, admin: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    area = unlock(qtbot, window, admin)
    open_person(qtbot, area, "Amina Okafor")
    target = tmp_path / "amina.pdf"
    save_to(monkeypatch, target)
    with qtbot.waitSignal(area.exported, timeout=WAIT_MS):
        qtbot.mouseClick(area.person.certificate_button, Qt.MouseButton.LeftButton)
    assert "Amina Okafor" in pdf_text(target)


def test_the_erase_button_asks_first_and_cancel_keeps_everything(
    qtbot: QtBot, window: MainWindow, admin: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from socialsafe.ui.admin.person import EraseConfirmation

    asked: list[str] = []

    def refuse(box: EraseConfirmation) -> int:
        asked.append(box.text())
        return 0

    monkeypatch.setattr(EraseConfirmation, "exec", refuse)
    before = len(window.store.learners())
    area = unlock(qtbot, window, admin)
    open_person(qtbot, area, "Amina Okafor")
    qtbot.mouseClick(area.person.erase_button, Qt.MouseButton.LeftButton)
    assert len(asked) == 1
    assert "Amina Okafor" in asked[0]
    assert len(window.store.learners()) == before


# Everyone on every PC ------------------------------------------------------------------------


def test_with_a_shared_folder_the_office_shows_every_pcs_people_and_their_certificates(
    qtbot: QtBot, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, admin: Any
) -> None:
    share = tmp_path / "share"
    share.mkdir()
    content = load_all([MINI])
    [pack] = content.current
    (tmp_path / "pc2").mkdir()
    other = Store(tmp_path / "pc2" / "socialsafe.db")
    try:
        complete(other, pack, "Zoe Quinn", RIVERSIDE, "teacher", 20)
        engine.sync(other, content, share)
        other_device = other.device_id
    finally:
        other.close()
    store.set_setting(SHARE_SETTING, str(share))
    app = make_app()
    apply_style(app)
    window = MainWindow(store, content, Settings(data_dir=store.path.parent), sync_at_start=False)
    qtbot.addWidget(window)
    window.resize(1024, 600)
    window.show()
    qtbot.waitExposed(window)
    area = unlock(qtbot, window, admin)
    assert shown_names(area) == ["Zoe Quinn"]
    assert area.state.text() == "Everyone on every PC, from the shared folder."
    open_person(qtbot, area, "Zoe Quinn")
    rows = tree_rows(area)
    assert any(r[3] == other_device[:8] for r in rows)
    assert not any("(this PC)" in r[3] for r in rows)
    target = tmp_path / "zoe.pdf"
    save_to(monkeypatch, target)
    with qtbot.waitSignal(area.exported, timeout=WAIT_MS):
        qtbot.mouseClick(area.person.certificate_button, Qt.MouseButton.LeftButton)
    assert "Zoe Quinn" in pdf_text(target)
    assert window.stop_sync(WAIT_MS / 1000)


def test_an_unreachable_shared_folder_shows_this_pcs_records_and_says_why(
    qtbot: QtBot, window: MainWindow, admin: Any, tmp_path: Path
) -> None:
    window.store.set_setting(SHARE_SETTING, str(tmp_path / "gone"))
    area = unlock(qtbot, window, admin)
    assert "The shared folder cannot be read now" in area.state.text()
    assert "Showing this PC's records only." in area.state.text()
    assert len(shown_names(area)) == 5


# Exports -----------------------------------------------------------------------------------


def export(qtbot: QtBot, area: OfficeArea, monkeypatch: pytest.MonkeyPatch, path: Path, fmt: str, by: str) -> Path:
    save_to(monkeypatch, path)
    qtbot.mouseClick(area.dashboard.export_button, Qt.MouseButton.LeftButton)
    dialog = area.dialog
    qtbot.waitExposed(dialog)
    choose(dialog.format, fmt)
    choose(dialog.by, by)
    with qtbot.waitSignal(area.exported, timeout=WAIT_MS) as signal:
        accept(qtbot, dialog)
    return Path(signal.args[0])


def test_exports_of_the_people_shown_read_back_as_csv_excel_and_json(
    qtbot: QtBot, window: MainWindow, admin: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    window.store.add_learner("=HYPERLINK(1) Smith", "teacher", OAK)
    area = unlock(qtbot, window, admin)
    choose(area.dashboard.school, OAK)
    assert len(shown_names(area)) == 4

    written = export(
        qtbot, area, monkeypatch, tmp_path / "oak", "CSV, safe to open in Excel (.csv)", "One row per person"
    )
    assert written == tmp_path / "oak.csv"
    raw = written.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert [r["name"] for r in rows] == ["'=HYPERLINK(1) Smith", "Amina Okafor", "Ben Carter", "Eve Long"]
    assert {r["status"] for r in rows} == {"complete", "due_soon", "not_started"}

    written = export(
        qtbot,
        area,
        monkeypatch,
        tmp_path / "oak.csv",
        "CSV, safe to open in Excel (.csv)",
        "One row per person and module",
    )
    modules = list(csv.DictReader(written.read_text(encoding="utf-8-sig").splitlines()))
    assert len(modules) == 8  # teachers and support staff have two modules each
    assert {r["module_id"] for r in modules} == {"friend-requests", "photos"}

    written = export(
        qtbot, area, monkeypatch, tmp_path / "oak.json", "JSON, for other programs (.json)", "One row per person"
    )
    data = json.loads(written.read_text(encoding="utf-8"))
    assert [d["name"] for d in data][1:] == ["Amina Okafor", "Ben Carter", "Eve Long"]
    assert data[1]["modules_passed"] == 2

    written = export(qtbot, area, monkeypatch, tmp_path / "oak.xlsx", "Excel workbook (.xlsx)", "One row per person")
    book = openpyxl.load_workbook(written)
    sheet = book.active
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:J5"
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["Name", "Email", "Role", "School"]
    assert header[-1] == "Status"
    assert sheet[1][0].font.b
    values = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    assert set(values) == {"=HYPERLINK(1) Smith", "Amina Okafor", "Ben Carter", "Eve Long"}
    assert values["=HYPERLINK(1) Smith"][0].data_type == "s"  # text, never a formula
    amina = values["Amina Okafor"]
    expires = amina[header.index("Expires")].value
    assert isinstance(expires, dt.datetime)  # a real date
    assert expires.date() == dt.date.fromisoformat(data[1]["expires_on"])
    assert amina[header.index("Expires")].number_format == "yyyy-mm-dd"
    assert amina[header.index("Status")].value == "Complete"
    assert amina[header.index("Role")].value == "Teacher"
    assert values["Eve Long"][header.index("Expires")].value is None


def test_the_governors_summary_is_one_pdf_page_with_the_counts(
    qtbot: QtBot, window: MainWindow, admin: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    area = unlock(qtbot, window, admin)
    target = tmp_path / "governors"
    save_to(monkeypatch, target)
    with qtbot.waitSignal(area.exported, timeout=WAIT_MS) as signal:
        qtbot.mouseClick(area.dashboard.governors_button, Qt.MouseButton.LeftButton)
    path = Path(signal.args[0])
    assert path == tmp_path / "governors.pdf"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp-")]
    document = QPdfDocument()
    assert document.load(str(path)) == QPdfDocument.Error.None_
    assert document.pageCount() == 1
    text = " ".join(document.getAllText(0).text().split())
    assert "summary for governors" in text
    assert "2 of 5 people are trained (40%)" in text
    assert "By school" in text
    assert "By role" in text
    assert OAK in text
    assert RIVERSIDE in text
    assert "Not started 1" in text
    document.close()


def pdf_text(path: Path) -> str:
    document = QPdfDocument()
    assert document.load(str(path)) == QPdfDocument.Error.None_
    text = " ".join(document.getAllText(p).text() for p in range(document.pageCount()))
    document.close()
    return text


# Question insight ----------------------------------------------------------------------------


def test_question_insight_counts_answers_and_exports_them(
    qtbot: QtBot, qtmodeltester: Any, window: MainWindow, admin: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    area = unlock(qtbot, window, admin)
    area.tab_bar.setCurrentIndex(2)
    model = area.insight.model
    qtmodeltester.check(model)
    qtmodeltester.check(area.insight.proxy)
    rows = {(r.question_id, r.step_id): r for r in model.rows}
    fr1 = rows[("fr-1", "")]
    assert (fr1.people_answered, fr1.answers, fr1.wrong_answers) == (2, 2, 1)
    assert fr1.most_chosen_wrong == "Ignore it. (1)"
    assert fr1.clause_ids == "USE-3"
    assert rows[("fr-3", "s2")].wrong_answers == 0
    # Most often wrong first.
    first = area.insight.proxy.index(0, 0)
    assert area.insight.proxy.data(area.insight.proxy.index(0, 4)).startswith("50%")
    assert first.isValid()
    target = tmp_path / "insight.csv"
    save_to(monkeypatch, target)
    with qtbot.waitSignal(area.exported, timeout=WAIT_MS):
        qtbot.mouseClick(area.insight.export_button, Qt.MouseButton.LeftButton)
    exported = list(csv.DictReader(target.read_text(encoding="utf-8-sig").splitlines()))
    assert exported[0]["question_id"] == "fr-1"
    assert exported[0]["most_chosen_wrong"] == "Ignore it. (1)"


# Every office screen fits, is named and can be reached by keyboard ------------------------


def office_screens(qtbot: QtBot, window: MainWindow, admin: Any) -> Iterator[tuple[str, QWidget]]:
    gate = gate_of(qtbot, window)
    yield "office-gate-first-use", gate
    type_into(qtbot, gate.passphrase, PASSPHRASE, enter=False)
    assert gate.repeat is not None
    type_into(qtbot, gate.repeat, PASSPHRASE)
    assert window.office is not None
    area = window.office.area
    assert area is not None
    loaded(qtbot, area)
    yield "office-everyone", window
    open_person(qtbot, area, "Dev Patel")
    yield "office-person", window
    qtbot.mouseClick(area.person.session_button, Qt.MouseButton.LeftButton)
    yield "office-face-to-face", area.dialog
    area.dialog.reject()
    qtbot.mouseClick(area.person.paper_button, Qt.MouseButton.LeftButton)
    yield "office-paper", area.dialog
    area.dialog.reject()
    area.show_everyone()
    area.dashboard.search.clear()
    qtbot.mouseClick(area.dashboard.export_button, Qt.MouseButton.LeftButton)
    yield "office-export", area.dialog
    area.dialog.reject()
    area.tab_bar.setCurrentIndex(1)
    yield "office-chart", window
    area.tab_bar.setCurrentIndex(2)
    yield "office-insight", window
    area.tab_bar.setCurrentIndex(3)
    yield "office-staff-list", window
    qtbot.mouseClick(area.lock_button, Qt.MouseButton.LeftButton)
    gate = gate_of(qtbot, window)
    for _ in range(3):
        type_into(qtbot, gate.passphrase, "wrong passphrase")
    yield "office-gate-wait", gate
    gate.reject()


@pytest.mark.parametrize("scale", [1.0, 1.5, 2.0])
def test_every_office_screen_fits_1024_by_600_is_named_and_keyboard_reachable(
    qtbot: QtBot, store: Store, admin: Any, scale: float
) -> None:
    window = open_window(qtbot, store, [MINI], scale=scale)
    seed(store, pack_of(window))
    out = os.environ.get("SOCIALSAFE_SCREENSHOTS")
    names = []
    for name, shown in office_screens(qtbot, window, admin):
        qtbot.waitExposed(shown)
        qtbot.wait(1)
        assert (window.width(), window.height()) == (1024, 600)
        assert clipped(shown) == [], name
        assert unnamed(shown) == [], name
        assert no_keyboard(shown) == [], name
        if out:
            Path(out).mkdir(parents=True, exist_ok=True)
            shown.grab().save(str(Path(out) / f"{name}-{int(scale * 100)}.png"))
        names.append(name)
    assert len(names) == 10


def test_the_office_button_is_reached_by_keyboard_from_the_first_screen(qtbot: QtBot, window: MainWindow) -> None:
    assert window.office_button.focusPolicy() != Qt.FocusPolicy.NoFocus
    assert window.office_button.accessibleName() == "Office"
    window.office_button.setFocus()
    qtbot.keyClick(window.office_button, Qt.Key.Key_Space)
    assert window.office is not None
    gate = window.office.gate
    assert gate is not None
    qtbot.waitExposed(gate)
    assert gate.passphrase.hasFocus() or gate.passphrase.isEnabled()
    qtbot.keyClick(gate, Qt.Key.Key_Escape)
    assert not gate.isVisible()
