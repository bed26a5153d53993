"""The office's authority through the real widgets: the first set-up on a shared folder (with what it adopts
shown first), the passphrase proved against the authority, trusting PCs, and checking a certificate."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from conftest import MINI, query
from socialsafe.config import SHARE_SETTING
from socialsafe.office import authority as office
from socialsafe.storage.store import Store
from socialsafe.sync.engine import sync
from socialsafe.trust import authority as auth
from socialsafe.ui.admin import data
from socialsafe.ui.admin.adopt import AdoptDialog
from socialsafe.ui.admin.gate import GateDialog
from socialsafe.ui.admin.office import OfficeArea
from socialsafe.ui.main_window import MainWindow
from sync_helpers import add_result, mini_content, new_pc
from test_ui_admin import gate_of, loaded, type_into
from ui_helpers import open_window, unnamed

PASSPHRASE = "correct horse battery"
WAIT_MS = 15_000


@pytest.fixture
def window(qtbot: QtBot, store: Store, share: Path) -> MainWindow:
    store.set_setting(SHARE_SETTING, str(share))
    return open_window(qtbot, store, [MINI])


def another_pc(tmp_path: Path, share: Path, name: str = "pc-b") -> Store:
    """A PC that has used the shared folder: Cara's face-to-face result recorded there, and synced."""
    pc = new_pc(tmp_path, name)
    content = mini_content()
    add_result(pc, content.current[0], "Cara Cole")
    sync(pc, content, share)
    return pc


def when_shown(qtbot: QtBot, kind: type, act: object) -> None:
    """Answer the next modal dialog of ``kind`` as a person would, as soon as it opens."""

    def attempt() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, kind):
            act(dialog)  # type: ignore[operator]
        else:
            QTimer.singleShot(50, attempt)

    QTimer.singleShot(50, attempt)


def test_the_first_set_up_shows_what_it_adopts_then_makes_the_authority(
    qtbot: QtBot, window: MainWindow, share: Path, tmp_path: Path
) -> None:
    another_pc(tmp_path, share).close()
    gate = gate_of(qtbot, window)
    assert gate.setting_up
    assert gate.repeat is not None
    type_into(qtbot, gate.passphrase, "too short", enter=False)
    type_into(qtbot, gate.repeat, "too short")
    assert "at least 12 characters" in gate.message.text()
    assert not (share / "authority").exists()

    shown: list[str] = []

    def adopt(dialog: AdoptDialog) -> None:
        shown.append(dialog.details.toPlainText())
        assert unnamed(dialog) == []
        qtbot.mouseClick(dialog.adopt_button, Qt.MouseButton.LeftButton)

    when_shown(qtbot, AdoptDialog, adopt)
    type_into(qtbot, gate.passphrase, PASSPHRASE, enter=False)
    type_into(qtbot, gate.repeat, PASSPHRASE)

    qtbot.waitUntil(lambda: window.office is not None and window.office.area is not None, timeout=WAIT_MS)
    assert "Cara Cole" in shown[0]  # the office saw whose records it adopted before it did
    made = auth.loads((share / "authority" / "authority.json").read_bytes())
    area = window.office.area  # type: ignore[union-attr]
    assert area is not None
    assert area.key is not None
    assert area.key.public == made.public
    assert (share / "authority" / "adopted.jsonl").is_file()
    assert office.enrolled_here(window.store, made)


@pytest.fixture
def with_authority(window: MainWindow, share: Path) -> auth.AdminKey:
    result = office.set_up(window.settings, window.store, PASSPHRASE)
    assert result.key is not None
    return result.key


def open_office(qtbot: QtBot, window: MainWindow) -> OfficeArea:
    gate = gate_of(qtbot, window)
    assert not gate.first_use
    assert gate.gate.authority is not None
    type_into(qtbot, gate.passphrase, PASSPHRASE)
    assert window.office is not None
    area = window.office.area
    assert area is not None
    return loaded(qtbot, area)


def test_the_passphrase_opens_the_authority_and_the_office_signs_what_it_records(
    qtbot: QtBot, window: MainWindow, with_authority: auth.AdminKey, share: Path
) -> None:
    gate = gate_of(qtbot, window)
    type_into(qtbot, gate.passphrase, "not the passphrase at all")
    assert "not the admin passphrase" in gate.message.text()
    gate.reject()

    area = open_office(qtbot, window)

    assert area.key is not None
    assert area.key.public == with_authority.public
    pack = data.policy_pack(area.content)
    assert pack is not None
    person = data.PersonRecords(learners=[])  # someone only the office knows of yet
    person.learners.append(window.store.add_learner("Dan Dee", "teacher", "Oak Primary"))
    data.record_paper_signoff(window.store, person, pack, "Dan Dee", dt.date.today(), None, area.prove())
    [(proof,)] = query(window.store.path, "SELECT proof FROM acknowledgement WHERE signed_name = 'Dan Dee'")
    assert proof


def test_the_pcs_page_approves_a_waiting_pc_and_trusts_this_one(
    qtbot: QtBot,
    window: MainWindow,
    with_authority: auth.AdminKey,
    share: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pc = another_pc(tmp_path, share)  # a PC set up after the authority: it waits for approval
    waiting_id = pc.device_id
    pc.close()
    area = open_office(qtbot, window)
    area.tab_bar.setCurrentIndex(area.sections.indexOf(area.sections.widget(4)))
    page = area.pcs_page
    qtbot.waitUntil(lambda: page.view is not None and page.waiting.rowCount() == 1, timeout=WAIT_MS)
    assert unnamed(page) == []
    assert not page.trust_button.isVisible()  # the set-up trusted this PC
    assert "trusts this PC" in page.this_pc.text()

    page.waiting.selectRow(0)
    assert page.approve_button.isEnabled()
    asked: list[str] = []

    def yes(parent: object, title: str, text: str, *args: object) -> QMessageBox.StandardButton:
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", yes)
    qtbot.mouseClick(page.approve_button, Qt.MouseButton.LeftButton)

    assert page.view.waiting[0].fingerprint in asked[0]  # the key to compare on that PC
    enrolled = query(window.store.path, "SELECT subject_id, proof FROM enrolment WHERE subject_id = ?", waiting_id)
    assert len(enrolled) == 1
    assert enrolled[0][1]
    qtbot.waitUntil(lambda: page.waiting.rowCount() == 0, timeout=WAIT_MS)


def test_a_certificate_code_is_checked_in_the_office(
    qtbot: QtBot, window: MainWindow, with_authority: auth.AdminKey, share: Path
) -> None:
    from socialsafe.training import certificate_for, sign_off

    pack = next(p for p in window.content.packs if p.id == "example")
    learner = window.store.add_learner("Eve Long", "teacher", "Oak Primary")
    for module in pack.modules:
        window.store.record_manual(learner.id, pack, module, 2, 2, dt.datetime.now(dt.UTC))
    sign_off(window.store, window.content, learner, pack, "Eve Long")
    certificate = certificate_for(window.store, window.content, learner, pack)
    assert certificate is not None
    sync(window.store, window.content, share)
    area = open_office(qtbot, window)
    page = area.pcs_page

    type_into(qtbot, page.code, certificate.code.lower())
    qtbot.waitUntil(lambda: page.check_button.isEnabled() and "✔" in page.result.text(), timeout=WAIT_MS)
    assert "Eve Long" in page.result.text()

    type_into(qtbot, page.code, "ZZZZ-ZZZZ-ZZZZ")
    qtbot.waitUntil(lambda: page.check_button.isEnabled() and "✖" in page.result.text(), timeout=WAIT_MS)
    assert "not genuine" in page.result.text()


def test_with_the_authority_missing_the_gate_says_why_and_opens_nothing(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "site.toml"
    config.write_text('admin_authority = "K3Q7-M2XD-9F4A-T8WC"\n', "utf-8")
    monkeypatch.setenv("SOCIALSAFE_SITE_CONFIG", str(config))

    gate = gate_of(qtbot, window)

    assert isinstance(gate, GateDialog)
    assert gate.missing
    assert "cannot be found" in gate.intro.text()
    assert not gate.ok_button.isEnabled()
    assert not gate.passphrase.isEnabled()


def test_a_shared_folder_that_does_not_answer_does_not_hang_the_gate(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from socialsafe.ui.admin import gate as gate_module

    stuck = threading.Event()
    real = office.resolve

    def hung(share: Path | None, store: object, write_back: bool = True) -> object:
        if share is not None:
            stuck.wait(10)  # a network drive that never answers (let go when the test ends)
        return real(share, store, write_back)  # type: ignore[arg-type]

    monkeypatch.setattr(office, "resolve", hung)
    monkeypatch.setattr(gate_module, "SHARE_SECONDS", 0.3)
    try:
        gate = gate_of(qtbot, window)
        assert gate.missing  # nothing met yet here, and the folder cannot say: nothing can be proved
        assert "does not answer" in gate.intro.text()
        assert not gate.ok_button.isEnabled()
    finally:
        stuck.set()


def test_records_not_counted_are_listed_with_the_reason_in_plain_text(
    qtbot: QtBot, window: MainWindow, with_authority: auth.AdminKey, share: Path
) -> None:
    from sync_helpers import learner, write_device

    device = "11111111-2222-4333-8444-555555555555"
    write_device(share, device, [learner(device, "Bob <img src=x> Roe")], head=None)
    area = open_office(qtbot, window)
    page = area.pcs_page
    qtbot.waitUntil(lambda: page.apart.rowCount() == 1, timeout=WAIT_MS)

    cells = [page.apart.item(0, c).text() for c in range(page.apart.columnCount())]
    headings = [page.apart.horizontalHeaderItem(c).text() for c in range(page.apart.columnCount())]
    row = dict(zip(headings, cells, strict=True))
    assert row["Why"].startswith("not signed")
    assert row["People"] == "Bob <img src=x> Roe, Oak Primary"  # shown as typed, never as a picture
    assert row["File"] == f"{device}.jsonl"
