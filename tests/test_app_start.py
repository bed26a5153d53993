"""Starting the app: the start-up check, and clear refusals instead of tracebacks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from socialsafe import cli
from socialsafe.log import setup_logging
from socialsafe.storage.store import Store


def socialsafe(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SOCIALSAFE_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-m", "socialsafe", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_startup_check_opens_the_first_window_and_exits(tmp_path: Path) -> None:
    result = socialsafe("gui", "--startup-check", home=tmp_path / "home")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "home" / "socialsafe.db").is_file()
    assert (tmp_path / "home" / "logs" / "socialsafe.log").is_file()


def test_a_network_data_folder_is_refused_with_one_sentence(tmp_path: Path) -> None:
    result = socialsafe("--data-dir", "//fileserver/staff/socialsafe", "gui", "--startup-check", home=tmp_path)
    assert result.returncode == 1
    assert "network drive" in result.stderr
    assert "Traceback" not in result.stderr
    assert not Path("//fileserver").exists()  # nothing made on the way (on Linux that is /fileserver)


def test_a_damaged_database_is_set_aside_and_said_so_not_crashed_on(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    damaged = b"this is not a database, it is a shopping list" * 100
    (home / "socialsafe.db").write_bytes(damaged)
    result = socialsafe("gui", "--startup-check", home=home)
    assert result.returncode == 0, result.stderr
    assert "damaged" in result.stderr
    assert "Traceback" not in result.stderr
    (kept,) = (home / "backups").glob("broken-*.db")
    assert kept.read_bytes() == damaged  # kept as it was, never deleted
    assert str(kept) in result.stderr


# Run in its own process: after an event loop has run and quit, Qt's offscreen platform activates no
# further window, which the other tests in this process need.
LOOK_THEN_QUIT = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from socialsafe.config import Settings
from socialsafe.ui import app
from socialsafe.ui.main_window import MainWindow

def look_then_quit():
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QMessageBox) and widget.isVisible():
            print("box:", widget.windowTitle(), "|", widget.text())
        if isinstance(widget, MainWindow):
            print("names:", widget.who.people.count())
    QApplication.quit()

app.make_app()  # first, so that the timer has an event loop to fire in
QTimer.singleShot(500, look_then_quit)
sys.exit(app.run(Settings.resolve(sys.argv[1], None, None)))
"""


def test_the_person_is_told_in_the_app_when_their_records_were_restored(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    store = Store(home / "socialsafe.db")
    store.add_learner("Sam Jones", "volunteer", "Oak")
    assert store.take_daily_backup() is not None
    store.close()
    (home / "socialsafe.db").write_bytes(b"\0" * 8192)  # a power cut left it zeroed
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-c", LOOK_THEN_QUIT, str(home)], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr
    box = next(line for line in result.stdout.splitlines() if line.startswith("box:"))
    assert "Your records were repaired" in box
    assert "damaged" in box
    assert "restored" in box
    assert "Traceback" not in result.stdout + result.stderr
    assert "names: 1" in result.stdout  # Sam is back, from the backup


def test_an_unexpected_error_goes_to_the_log_not_the_screen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*_args: object, **_kwargs: object) -> int:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(cli, "cmd_validate", broken)
    assert cli.main(["--data-dir", str(tmp_path / "home"), "validate"]) == 1
    err = capsys.readouterr().err
    assert "Something went wrong (RuntimeError)" in err
    assert "Traceback" not in err
    log = (tmp_path / "home" / "logs" / "socialsafe.log").read_text()
    assert "Traceback" in log
    assert "disk on fire" in log


def test_a_fault_while_making_the_window_is_said_in_words(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from socialsafe.config import Settings
    from socialsafe.ui import app, who_page

    def broken(*_args: object) -> None:
        raise RuntimeError("the first screen fell over")

    monkeypatch.setattr(who_page.WhoPage, "refresh", broken)
    seen: list[str] = []
    monkeypatch.setattr(app, "cannot_start", lambda message, _check: seen.append(message) or 1)
    setup_logging(tmp_path / "home")
    assert app.run(Settings.resolve(str(tmp_path / "home"), None, None)) == 1
    (message,) = seen
    assert "could not start" in message
    assert "RuntimeError" not in message
    assert str(tmp_path / "home" / "logs" / "socialsafe.log") in message
    assert "the first screen fell over" in (tmp_path / "home" / "logs" / "socialsafe.log").read_text()
