"""Starting the app: the start-up check, and clear refusals instead of tracebacks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from socialsafe import cli


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


def test_a_damaged_database_is_reported_not_crashed_on(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "socialsafe.db").write_bytes(b"this is not a database, it is a shopping list" * 100)
    result = socialsafe("gui", "--startup-check", home=home)
    assert result.returncode == 1
    assert "cannot be opened" in result.stderr
    assert "Traceback" not in result.stderr
    assert (home / "socialsafe.db").read_bytes().startswith(b"this is not a database")  # left as it was


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
