"""An unexpected error in the app: a calm dialog with 'Copy details' and the log's place, never a traceback,
and the window stays usable."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from conftest import MINI
from socialsafe.log import setup_logging
from socialsafe.storage.store import Store
from socialsafe.ui import error_dialog
from socialsafe.ui.error_dialog import ErrorDialog, ErrorReporter
from ui_helpers import labels_text, open_window

pytestmark = pytest.mark.qt_no_exception_capture  # the app's own hook must see the error, as in the real app


def dialogs() -> list[ErrorDialog]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, ErrorDialog) and w.isVisible()]


@pytest.fixture
def reporter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ErrorReporter:
    log_path = setup_logging(tmp_path)
    assert log_path is not None
    hook = ErrorReporter(log_path)
    monkeypatch.setattr(sys, "excepthook", hook)
    yield hook
    for handler in list(logging.getLogger("socialsafe").handlers):
        handler.close()
        logging.getLogger("socialsafe").removeHandler(handler)


def boom() -> None:
    raise RuntimeError("the printer caught fire")


def test_an_error_in_the_app_shows_a_calm_dialog_and_the_app_carries_on(
    qtbot: QtBot, tmp_path: Path, reporter: ErrorReporter
) -> None:
    store = Store(tmp_path / "socialsafe.db")
    store.add_learner("Sam Jones", "volunteer", "Oak")
    window = open_window(qtbot, store, [MINI])
    QTimer.singleShot(0, boom)  # an error in a slot, as a bug in any screen would raise it
    qtbot.waitUntil(lambda: len(dialogs()) == 1, timeout=3000)
    (dialog,) = dialogs()
    words = labels_text(dialog)
    assert "Something went wrong" in words
    assert "answers so far are saved" in words
    assert str(reporter.log_path) in words
    assert "Traceback" not in words
    assert "RuntimeError" not in words
    assert "printer" not in words

    # The details, for the office: versions and the whole traceback, on the clipboard.
    dialog.copy_button.click()
    copied = QGuiApplication.clipboard().text()
    assert copied.startswith("SocialSafe ")
    assert "Traceback" in copied
    assert "RuntimeError: the printer caught fire" in copied
    assert dialog.copy_button.text() == "Copied"
    # And in the log file.
    assert "RuntimeError: the printer caught fire" in Path(reporter.log_path or "").read_text(encoding="utf-8")

    # A second error while the message is up adds no second dialog.
    QTimer.singleShot(0, boom)
    qtbot.wait(50)
    assert len(dialogs()) == 1

    dialog.reject()
    qtbot.waitUntil(lambda: not dialogs(), timeout=2000)
    # The window still works: pick a name and go on.
    window.who.people.setCurrentRow(0)
    window.who.continue_button.click()
    assert window.stack.currentWidget() is window.home
    assert "Sam Jones" in window.person_line.text()


def test_every_control_on_the_dialog_is_named_and_reachable(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = ErrorDialog("details", tmp_path / "logs" / "socialsafe.log")
    qtbot.addWidget(dialog)
    dialog.show()
    buttons = [dialog.copy_button, dialog.folder_button]
    for widget in buttons:
        assert widget.accessibleName() == widget.text().replace("&", "")
        assert widget.focusPolicy() != 0


def test_a_start_up_check_says_it_on_stderr_instead(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    hook = ErrorReporter(tmp_path / "socialsafe.log", quiet=True)
    try:
        boom()
    except RuntimeError as error:
        hook(type(error), error, error.__traceback__)
    err = capsys.readouterr().err
    assert "Something went wrong" in err
    assert "Traceback" not in err
    assert not dialogs()


def test_a_dialog_deleted_with_its_window_does_not_silence_the_next_error(
    qtbot: QtBot, tmp_path: Path, reporter: ErrorReporter
) -> None:
    host = QWidget()
    reporter.window = host
    host.show()
    boom_now(reporter)
    qtbot.waitUntil(lambda: len(dialogs()) == 1, timeout=2000)
    host.deleteLater()  # the window the message sat over goes (a language switch remakes windows)
    qtbot.waitUntil(lambda: not dialogs(), timeout=2000)
    reporter.window = None
    boom_now(reporter)
    qtbot.waitUntil(lambda: len(dialogs()) == 1, timeout=2000)
    dialogs()[0].reject()


def test_when_the_message_itself_fails_the_error_is_still_logged_and_nothing_is_raised(
    reporter: ErrorReporter, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object) -> None:
        raise RuntimeError("no room for a dialog")

    monkeypatch.setattr(error_dialog, "ErrorDialog", broken)
    boom_now(reporter)  # must not raise: Python would print the traceback to a console
    text = Path(reporter.log_path or "").read_text(encoding="utf-8")
    assert "the printer caught fire" in text
    assert "no room for a dialog" in text


def boom_now(reporter: ErrorReporter) -> None:
    try:
        boom()
    except RuntimeError as error:
        reporter(type(error), error, error.__traceback__)


FAILING_CHECK = """
import sys
from PySide6.QtCore import QTimer
from socialsafe import cli
from socialsafe.ui import main_window

shown = main_window.MainWindow.showEvent

def show_then_fail(self, event):
    shown(self, event)
    QTimer.singleShot(0, lambda: 1 / 0)  # a fault in a slot, as the first screen is up

main_window.MainWindow.showEvent = show_then_fail
sys.exit(cli.main(["--data-dir", sys.argv[1], "gui", "--startup-check"]))
"""


def test_a_start_up_check_fails_on_an_error_the_app_would_carry_on_after(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-c", FAILING_CHECK, str(tmp_path / "home")],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 1
    assert "Something went wrong" in result.stderr
    assert "Traceback" not in result.stderr
    assert str(tmp_path / "home" / "logs" / "socialsafe.log") in result.stderr
    assert "ZeroDivisionError" in (tmp_path / "home" / "logs" / "socialsafe.log").read_text(encoding="utf-8")
