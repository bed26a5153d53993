"""Sharing results through the real widgets: the PC's settings (in the office), 'Sync now', the status line,
a slow or missing share."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog
from pytestqt.qtbot import QtBot
from shiboken6 import isValid

from conftest import MINI
from socialsafe.config import SHARE_SETTING, Settings, Source
from socialsafe.content.loader import Content
from socialsafe.resources import bundled
from socialsafe.storage.store import Store
from socialsafe.sync import engine
from socialsafe.sync.engine import LAST_SYNC_SETTING, SyncReport
from socialsafe.ui.main_window import DEFAULT_SYNC_MINUTES, SYNC_MINUTES_SETTING, MainWindow
from socialsafe.ui.settings_dialog import SettingsDialog
from socialsafe.ui.sync_worker import first_sentence
from test_ui_screens import clipped, unnamed
from test_ui_screens import settle as settle_layouts
from ui_helpers import add_person, answer_all, button_named, focused, open_pc_settings, open_window, press, type_text

TEACHER = 1
PASSPHRASE = "correct horse battery"
MARKER = "socialsafe-share.json"
WAIT_MS = 10_000


@pytest.fixture
def share(tmp_path: Path) -> Path:
    folder = tmp_path / "S" / "Training" / "SocialSafe"
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
def pick_folder(monkeypatch: pytest.MonkeyPatch) -> Callable[[Path], list[object]]:
    """Stand in for the folder picker: it 'chooses' the folder given; returns the calls made to it."""
    calls: list[object] = []

    def choose(folder: Path) -> list[object]:
        def picker(*args: object, **kwargs: object) -> str:
            calls.append(args)
            return str(folder)

        monkeypatch.setattr(QFileDialog, "getExistingDirectory", picker)
        return calls

    return choose


def settle(qtbot: QtBot, window: MainWindow) -> None:
    """Wait until no sync runs or waits: a test must not end with a thread still using its store."""
    qtbot.waitUntil(lambda: not window.sync_worker.running and not window.sync_worker.queued, timeout=WAIT_MS)


@pytest.fixture
def windows(qtbot: QtBot) -> Iterator[list[MainWindow]]:
    """Windows opened by a test; their syncs are waited for before the store closes."""
    opened: list[MainWindow] = []
    yield opened
    for window in opened:
        # The window may be gone by now; the thread is joined directly.
        assert window.sync_worker.stop(WAIT_MS / 1000), "a sync was still running at the end of the test"
        area = window.office.area if window.office is not None and isValid(window.office) else None
        if area is not None and isValid(area):
            qtbot.waitUntil(lambda area=area: not area.loading, timeout=WAIT_MS)  # the office reads the store too


def open_with(qtbot: QtBot, store: Store, windows: list[MainWindow], roots: list[Path] | None = None) -> MainWindow:
    window = open_window(qtbot, store, roots or [MINI])
    windows.append(window)
    return window


def device_file(store: Store, share: Path) -> Path:
    return share / "devices" / f"{store.device_id}.jsonl"


def kinds(path: Path) -> list[str]:
    return [json.loads(line)["kind"] for line in path.read_text(encoding="utf-8").splitlines()]


# Settings: choosing the shared folder ------------------------------------------------


def test_choosing_a_folder_checks_it_at_once_marks_it_and_saves_it(
    qtbot: QtBot, store: Store, share: Path, pick_folder: Callable[[Path], list[object]], windows: list[MainWindow]
) -> None:
    window = open_with(qtbot, store, windows)
    assert not window.sync_bar.isVisible()  # nothing about sharing until a folder is set
    assert not window.sync_timer.isActive()
    dialog = open_pc_settings(qtbot, window, PASSPHRASE)
    assert dialog.share_line.text() == "None: results stay on this PC"
    assert not dialog.stop_button.isEnabled()
    picker = pick_folder(share)

    qtbot.mouseClick(dialog.choose_button, Qt.MouseButton.LeftButton)
    assert len(picker) == 1
    qtbot.waitUntil(lambda: not dialog.checking, timeout=WAIT_MS)

    marker = json.loads((share / MARKER).read_text(encoding="utf-8"))
    assert (marker["format"], marker["version"]) == ("socialsafe-share", 1)
    assert (share / "devices").is_dir()
    assert "can share results in this folder" in dialog.share_message.text()
    assert dialog.share_line.text() == f"{share} — not saved yet"
    assert store.setting(SHARE_SETTING) is None  # nothing saved before Save

    with qtbot.waitSignal(window.sync_worker.finished, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert store.setting(SHARE_SETTING) == str(share)
    assert window.sync_bar.isVisible()
    assert window.sync_timer.isActive()
    assert device_file(store, share).is_file()  # saving a new folder shares at once
    assert window.share_folder() == (share, Source.SAVED)

    again = open_pc_settings(qtbot, window, PASSPHRASE)
    assert again.share_line.text() == f"{share} — from this PC's settings"
    again.reject()


def test_a_folder_of_another_program_is_refused_and_nothing_is_saved(
    qtbot: QtBot, store: Store, tmp_path: Path, pick_folder: Callable[[Path], list[object]], windows: list[MainWindow]
) -> None:
    theirs = tmp_path / "Backups"
    theirs.mkdir()
    (theirs / MARKER).write_text('{"format": "someone-else", "version": 7}\n', encoding="utf-8")
    window = open_with(qtbot, store, windows)
    dialog = open_pc_settings(qtbot, window, PASSPHRASE)
    pick_folder(theirs)

    qtbot.mouseClick(dialog.choose_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.checking, timeout=WAIT_MS)

    message = dialog.share_message.text()
    assert "belongs to another program" in message
    assert "This folder was not saved." in message
    assert dialog.share_message.accessibleDescription() == message  # announced, not only shown
    assert dialog.share_line.text() == "None: results stay on this PC"
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert store.setting(SHARE_SETTING) is None
    assert sorted(p.name for p in theirs.iterdir()) == [MARKER]  # left as it was
    assert not window.sync_bar.isVisible()


def test_stop_sharing_clears_the_saved_folder(
    qtbot: QtBot, store: Store, share: Path, windows: list[MainWindow]
) -> None:
    store.set_setting(SHARE_SETTING, str(share))
    window = open_with(qtbot, store, windows)
    settle(qtbot, window)
    assert window.sync_bar.isVisible()
    dialog = open_pc_settings(qtbot, window, PASSPHRASE)
    assert dialog.share_line.text() == f"{share} — from this PC's settings"

    qtbot.mouseClick(dialog.stop_button, Qt.MouseButton.LeftButton)
    assert dialog.share_line.text() == "None: results stay on this PC"
    assert "Sharing stops when you press Save" in dialog.share_message.text()
    assert store.setting(SHARE_SETTING) == str(share)  # not before Save
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert not store.setting(SHARE_SETTING)
    assert not window.sync_bar.isVisible()
    assert not window.sync_timer.isActive()
    assert not window.request_sync()


@pytest.mark.parametrize(
    ("source", "where", "why"),
    [
        (Source.FLAG, "from the command line", "given on the command line"),
        (Source.ENVIRONMENT, "from the environment", "SOCIALSAFE_SHARE environment variable"),
    ],
)
def test_a_folder_from_a_flag_or_the_environment_cannot_be_changed_here(
    qtbot: QtBot,
    store: Store,
    share: Path,
    pick_folder: Callable[[Path], list[object]],
    source: Source,
    where: str,
    why: str,
) -> None:
    store.set_setting(SHARE_SETTING, "/somewhere/else")  # the flag or environment comes first
    settings = Settings(data_dir=store.path.parent, share=share, share_source=source)
    dialog = SettingsDialog(store, settings, 5)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.share_line.text() == f"{share} — {where}"
    assert why in dialog.choose_button.accessibleDescription()
    picker = pick_folder(share.parent)

    qtbot.mouseClick(dialog.choose_button, Qt.MouseButton.LeftButton)
    assert picker == []  # the folder picker is not even opened
    assert why in dialog.share_message.text()
    assert "cannot be changed here" in dialog.share_message.text()
    qtbot.mouseClick(dialog.stop_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert store.setting(SHARE_SETTING) == "/somewhere/else"


@pytest.mark.parametrize("scale", [1.0, 1.5, 2.0])
def test_settings_is_named_fits_and_is_keyboard_reachable(
    qtbot: QtBot, store: Store, share: Path, windows: list[MainWindow], scale: float
) -> None:
    store.set_setting(SHARE_SETTING, str(share))
    window = open_window(qtbot, store, [MINI], scale=scale)
    windows.append(window)
    dialog = open_pc_settings(qtbot, window, PASSPHRASE)
    assert dialog.width() <= 1024
    assert dialog.height() <= 600
    assert unnamed(dialog) == []
    assert clipped(dialog) == []
    dialog.minutes.setFocus()
    order = []
    for _ in range(5):
        press(qtbot, Qt.Key.Key_Tab)
        order.append(focused())
    assert order[:3] == [dialog.share_line, dialog.choose_button, dialog.stop_button]
    cancel = dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel)
    assert set(order[3:]) == {dialog.save_button, cancel}
    dialog.reject()


# Syncing from the window -------------------------------------------------------------


def test_sync_now_publishes_this_pc_and_the_status_line_follows(
    qtbot: QtBot, store: Store, share: Path, windows: list[MainWindow]
) -> None:
    store.set_setting(SHARE_SETTING, str(share))
    window = open_with(qtbot, store, windows)
    settle(qtbot, window)  # the sync at start
    # Plain words for whoever is at the PC; the details (for the office and IT) in the tooltip.
    assert window.sync_status.text().startswith("✔ Results are saved and were sent to the office (")
    assert "Last shared:" in window.sync_status.toolTip()
    assert "nothing waiting to be shared" in window.sync_status.toolTip()

    add_person(qtbot, window, "Amina Okafor", TEACHER, "Oak Hill Primary")
    assert window.sync_status.text() == "✔ Results are saved on this PC and will be sent to the office shortly."
    assert "1 result waiting to be shared" in window.sync_status.toolTip()
    before = store.setting(LAST_SYNC_SETTING)
    time.sleep(0.01)

    with qtbot.waitSignal(window.sync_worker.finished, timeout=WAIT_MS) as finished:
        qtbot.mouseClick(button_named(window, "Sync now"), Qt.MouseButton.LeftButton)
        assert window.sync_status.text() == "⟳ Sending results to the office…"
    report = finished.args[0]
    assert isinstance(report, SyncReport)
    assert report.published == 1
    assert kinds(device_file(store, share)) == ["header", "learner"]
    assert store.setting(LAST_SYNC_SETTING) != before
    assert window.sync_status.text().startswith("✔ Results are saved and were sent to the office (")
    status = window.sync_status.toolTip()
    assert status.startswith("✔ Last shared: ")
    assert "nothing waiting to be shared" in status
    assert window.sync_bar.property("state") == "ok"


def test_a_share_that_disappears_shows_a_calm_line_and_keeps_local_data(
    qtbot: QtBot, store: Store, share: Path, windows: list[MainWindow]
) -> None:
    store.set_setting(SHARE_SETTING, str(share))
    window = open_with(qtbot, store, windows)
    add_person(qtbot, window, "Amina Okafor", TEACHER, "Oak Hill Primary")
    settle(qtbot, window)
    with qtbot.waitSignal(window.sync_worker.finished, timeout=WAIT_MS):
        window.request_sync()
    published = device_file(store, share).read_bytes()
    moved = share.with_name("Moved away")
    share.rename(moved)  # the network drive has gone
    learners = [(x.id, x.name) for x in store.learners()]

    with qtbot.waitSignal(window.sync_worker.failed, timeout=WAIT_MS) as failed:
        qtbot.mouseClick(window.sync_button, Qt.MouseButton.LeftButton)

    assert "cannot be reached" in failed.args[0]
    # The learner is told their work is safe, in plain words; no folder path.
    expected = "⚠ Your results are safe on this PC and will be sent to the office later."
    assert window.sync_status.text() == expected
    assert window.sync_status.accessibleName() == expected
    assert window.sync_status.accessibleDescription() == expected  # announced to assistive technology
    # The details for IT, whole, in the tooltip.
    detail = f"⚠ Not shared: The shared folder {share} cannot be reached. Your results are safe on this PC."
    assert window.sync_status.toolTip() == detail
    assert window.sync_bar.property("state") == "error"
    assert [(x.id, x.name) for x in store.learners()] == learners
    assert (moved / "devices" / device_file(store, share).name).read_bytes() == published
    assert not share.exists()  # nothing made in its place

    # It comes back: the next sync says so.
    moved.rename(share)
    with qtbot.waitSignal(window.sync_worker.finished, timeout=WAIT_MS):
        window.sync_timer.timeout.emit()
    assert window.sync_status.text().startswith("✔ Results are saved and were sent to the office (")


def test_the_office_sees_the_details_a_learner_is_spared(
    qtbot: QtBot, store: Store, share: Path, windows: list[MainWindow]
) -> None:
    store.set_setting(SHARE_SETTING, str(share))
    window = open_with(qtbot, store, windows)
    add_person(qtbot, window, "Amina Okafor", TEACHER, "Oak Hill Primary")
    settle(qtbot, window)
    window.sync_timer.stop()
    window.switch_person()
    add_person(qtbot, window, "Ben Hughes", TEACHER, "Oak Hill Primary")
    learner_line = window.sync_status.text()
    assert learner_line == "✔ Results are saved on this PC and will be sent to the office shortly."
    window.switch_person()

    dialog = open_pc_settings(qtbot, window, PASSPHRASE)  # the office is open behind it
    dialog.reject()
    assert window.office is not None
    assert window.stack.currentWidget() is window.office.area
    office_line = window.sync_status.text()
    assert office_line.startswith("✔ Last shared: ")
    assert "results waiting to be shared" in office_line  # Ben, and the passphrase just set
    assert window.sync_status.accessibleName() == office_line

    # A problem names its folder in the office, and not on a learner's screen.
    window._sync_failed(f"The shared folder {share} cannot be reached. Check the network drive.")
    assert window.sync_status.toolTip() == (
        f"⚠ Not shared: The shared folder {share} cannot be reached. Your results are safe on this PC."
    )
    assert window.sync_status.text().startswith("⚠ Not shared: The shared folder ")
    window.switch_person()  # the office closes
    assert window.stack.currentWidget() is window.who
    assert str(share) not in window.sync_status.text()
    assert window.sync_status.text().startswith("⚠ Your results are safe on this PC and will")


def test_a_slow_share_never_freezes_the_window(
    qtbot: QtBot, store: Store, share: Path, windows: list[MainWindow], monkeypatch: pytest.MonkeyPatch
) -> None:
    store.set_setting(SHARE_SETTING, str(share))
    window = open_with(qtbot, store, windows)
    settle(qtbot, window)
    calls: list[Path] = []

    def slow_sync(store_: Store, content: Content, folder: Path) -> SyncReport:
        calls.append(folder)
        time.sleep(2)
        return SyncReport()

    monkeypatch.setattr(engine, "sync", slow_sync)
    ticks: list[float] = []
    ticker = QTimer()
    ticker.timeout.connect(lambda: ticks.append(time.monotonic()))
    ticker.start(50)

    started = time.monotonic()
    qtbot.mouseClick(window.sync_button, Qt.MouseButton.LeftButton)
    assert time.monotonic() - started < 0.5  # the click returns at once
    assert window.sync_status.text() == "⟳ Sending results to the office…"
    qtbot.wait(300)
    # The person carries on meanwhile: a click is handled and the page changes.
    qtbot.mouseClick(window.who.add_button, Qt.MouseButton.LeftButton)
    assert focused() is window.who.name
    type_text(qtbot, "Amina Okafor")
    press(qtbot, Qt.Key.Key_Tab)
    assert window.who.name.text() == "Amina Okafor"
    window.switch_person()
    assert window.stack.currentWidget() is window.who
    assert window.sync_worker.running
    assert window.sync_status.text() == "⟳ Sending results to the office…"

    with qtbot.waitSignal(window.sync_worker.finished, timeout=WAIT_MS):
        pass
    ticker.stop()
    assert time.monotonic() - started >= 2
    assert len(ticks) >= 20  # the event loop kept turning (about 40 ticks in 2 s)
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    assert max(gaps) < 0.5
    assert calls == [share]


def test_requests_while_a_sync_runs_are_queued_once(
    qtbot: QtBot, store: Store, share: Path, windows: list[MainWindow], monkeypatch: pytest.MonkeyPatch
) -> None:
    store.set_setting(SHARE_SETTING, str(share))
    window = open_with(qtbot, store, windows)
    settle(qtbot, window)
    release = threading.Event()
    calls: list[Path] = []
    running_at_once: list[int] = []
    active = [0]

    def gated_sync(store_: Store, content: Content, folder: Path) -> SyncReport:
        active[0] += 1
        running_at_once.append(active[0])
        calls.append(folder)
        release.wait(WAIT_MS / 1000)
        active[0] -= 1
        return SyncReport()

    monkeypatch.setattr(engine, "sync", gated_sync)
    window.request_sync()
    for _ in range(4):
        qtbot.mouseClick(window.sync_button, Qt.MouseButton.LeftButton)
        window.sync_timer.timeout.emit()
    qtbot.wait(100)
    assert calls == [share]
    assert window.sync_worker.queued

    with qtbot.waitSignals([window.sync_worker.finished, window.sync_worker.started], timeout=WAIT_MS):
        release.set()
    settle(qtbot, window)
    assert calls == [share, share]  # one more, not eight
    assert max(running_at_once) == 1


def test_quitting_does_not_wait_long_for_a_hung_share(
    qtbot: QtBot, store: Store, share: Path, windows: list[MainWindow], monkeypatch: pytest.MonkeyPatch
) -> None:
    store.set_setting(SHARE_SETTING, str(share))
    window = open_with(qtbot, store, windows)
    settle(qtbot, window)
    release = threading.Event()

    def hung_sync(store_: Store, content: Content, folder: Path) -> SyncReport:
        release.wait(WAIT_MS / 1000)
        return SyncReport()

    monkeypatch.setattr(engine, "sync", hung_sync)
    window.request_sync()
    window.request_sync()  # queued
    started = time.monotonic()
    assert window.stop_sync(0.3) is False
    assert time.monotonic() - started < 1.0
    assert not window.sync_worker.queued
    assert not window.sync_timer.isActive()
    release.set()


def test_finishing_a_module_and_signing_off_trigger_a_sync(
    qtbot: QtBot, store: Store, share: Path, windows: list[MainWindow], monkeypatch: pytest.MonkeyPatch
) -> None:
    store.set_setting(SHARE_SETTING, str(share))
    calls: list[Path] = []
    real_sync = engine.sync

    def counting_sync(store_: Store, content: Content, folder: Path) -> SyncReport:
        calls.append(folder)
        return real_sync(store_, content, folder)

    monkeypatch.setattr(engine, "sync", counting_sync)
    window = open_with(qtbot, store, windows)
    settle(qtbot, window)
    assert len(calls) == 1  # at start
    add_person(qtbot, window, "Amina Okafor", TEACHER, "Oak Hill Primary")
    qtbot.wait(50)
    assert len(calls) == 1  # adding a person waits for the next sync

    for module in ("Friend requests from pupils", "Photographs"):
        qtbot.mouseClick(button_named(window.home, f"Start: {module}"), Qt.MouseButton.LeftButton)
        qtbot.mouseClick(window.module_page.start_button, Qt.MouseButton.LeftButton)
        with qtbot.waitSignal(window.sync_worker.finished, timeout=WAIT_MS):
            answer_all(qtbot, window, right=True)
        assert window.stack.currentWidget() is window.results
        if module == "Friend requests from pupils":
            qtbot.mouseClick(button_named(window.results, "Back to my modules"), Qt.MouseButton.LeftButton)
    assert len(calls) == 3
    assert kinds(device_file(store, share)).count("attempt") == 2

    qtbot.mouseClick(button_named(window.results, "Sign the policy now"), Qt.MouseButton.LeftButton)
    type_text(qtbot, "Amina Okafor")
    with qtbot.waitSignal(window.sync_worker.finished, timeout=WAIT_MS):
        press(qtbot, Qt.Key.Key_Return)
    assert window.stack.currentWidget() is window.home
    assert len(calls) == 4
    assert "acknowledgement" in kinds(device_file(store, share))
    assert "nothing waiting to be shared" in window.sync_status.toolTip()


def test_the_periodic_sync_timer_uses_the_configured_interval(
    qtbot: QtBot, store: Store, share: Path, windows: list[MainWindow]
) -> None:
    store.set_setting(SHARE_SETTING, str(share))
    window = open_with(qtbot, store, windows)
    assert window.sync_timer.isActive()
    assert window.sync_timer.interval() == DEFAULT_SYNC_MINUTES * 60_000 == 5 * 60_000
    assert not window.sync_timer.isSingleShot()
    settle(qtbot, window)

    store.set_setting(SYNC_MINUTES_SETTING, "2")
    other = open_with(qtbot, store, windows)
    assert other.sync_timer.interval() == 2 * 60_000
    settle(qtbot, other)
    with qtbot.waitSignal(other.sync_worker.started, timeout=WAIT_MS):
        other.sync_timer.timeout.emit()
    settle(qtbot, other)


def test_no_sync_and_no_status_without_a_shared_folder(qtbot: QtBot, store: Store, windows: list[MainWindow]) -> None:
    window = open_with(qtbot, store, windows)
    add_person(qtbot, window, "Amina Okafor", TEACHER, "Oak Hill Primary")
    assert not window.sync_bar.isVisible()
    assert not window.sync_worker.running
    assert not window.sync_timer.isActive()
    assert not window.request_sync()
    assert [b for b in window.findChildren(type(window.sync_button)) if b.text() == "Sync now" and b.isVisible()] == []


# Fitting the status line --------------------------------------------------------------


def screens_with_sync(qtbot: QtBot, window: MainWindow) -> Iterator[str]:
    """The main screens, each while the status line is showing."""
    yield "who"
    window.who.show_add()
    yield "add-person"
    add_person(qtbot, window, "Priya Sharma-Whitfield", TEACHER, "Oak Hill Church of England Primary School")
    yield "home"
    pack = window.content.current[0]
    window.open_module(pack.id, pack.modules[0].id)
    yield "module"
    window.start_quiz()
    yield "question"
    asked = window.quiz.asked
    assert asked is not None
    window.quiz.pick(next(n for n, o in enumerate(asked.options, start=1) if not o.correct))
    press(qtbot, Qt.Key.Key_Return)
    yield "feedback"
    press(qtbot, Qt.Key.Key_Return)
    answer_all(qtbot, window, right=True)
    yield "results"
    window.open_signoff(pack.id)
    yield "sign-off"
    window.open_record(pack.id)
    yield "my-record"
    window.switch_person()
    yield "who-again"


@pytest.mark.parametrize("scale", [1.0, 1.5, 2.0])
def test_every_screen_fits_with_the_status_line(
    qtbot: QtBot, store: Store, share: Path, windows: list[MainWindow], scale: float
) -> None:
    store.set_setting(SHARE_SETTING, str(share))
    window = open_window(qtbot, store, [bundled("quizzes")], scale=scale)
    windows.append(window)
    settle(qtbot, window)
    names = []
    for name in screens_with_sync(qtbot, window):
        settle_layouts(qtbot)
        assert window.sync_bar.isVisible(), name
        assert (window.width(), window.height()) == (1024, 600)
        assert clipped(window) == [], name
        assert unnamed(window) == [], name
        names.append(name)
    assert names[-1] == "who-again"
    settle(qtbot, window)
    # The longest line: a failure naming a long folder path.
    window._sync_failed(
        f"The shared folder {share / ('a-long-folder-name-' * 4)} cannot be reached. "
        "Check the network drive is connected."
    )
    qtbot.wait(1)
    assert clipped(window) == []
    assert window.sync_status.height() >= window.sync_status.heightForWidth(window.sync_status.width())


def test_first_sentence_of_a_share_error() -> None:
    assert first_sentence("The folder S:\\Training.old is full. Your results are kept.") == (
        "The folder S:\\Training.old is full."
    )
    assert first_sentence("No full stop here") == "No full stop here"
    folder = Path("S:/St. Mary's/Training")
    message = f"The shared folder {folder} cannot be reached. Check the network drive is connected."
    assert first_sentence(message, folder) == f"The shared folder {folder} cannot be reached."


QUIT_WITH_A_HUNG_SYNC = """
import sys, time
from PySide6.QtCore import QTimer
from socialsafe.config import Settings
from socialsafe.sync import engine
from socialsafe.ui import app

def hung(*args, **kwargs):
    time.sleep(300)  # a network drive that does not answer

engine.sync = hung
make_app = app.make_app

def make_and_quit_soon():
    application = make_app()
    QTimer.singleShot(500, application.quit)
    return application

app.make_app = make_and_quit_soon
sys.exit(app.run(Settings.resolve(sys.argv[1], sys.argv[2], None)))
"""


def test_quitting_with_a_hung_sync_ends_the_process_soon(tmp_path: Path, share: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "SOCIALSAFE_HOME": str(tmp_path / "home")}
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", QUIT_WITH_A_HUNG_SYNC, str(tmp_path / "home"), str(share)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Destroyed while thread" not in result.stderr
    assert time.monotonic() - started < 30  # the bounded wait (3 s), not the 300 s sync
