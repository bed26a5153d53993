"""A full disk says so, in one sentence that names the folder, and loses nothing: real errors, real files.

Real full disks: ``/dev/full``; SQLite's own "database or disk is full" once the
database may not grow (``PRAGMA max_page_count``), which no machine can skip;
and, where this machine lets a test mount one, a 4 MB file system filled up
while the real command runs on it.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from conftest import MINI, query
from socialsafe import cli
from socialsafe.files import disk_full_message, is_disk_full
from socialsafe.storage import db
from socialsafe.storage.store import Store

ANN = ["--name", "Ann Lee", "--school", "Oak Primary", "--role", "teacher"]
BOB = ["--name", "Bob Roe", "--school", "Oak Primary", "--role", "teacher"]
RESULT = ["--module", "photos", "--score", "2", "--max-score", "2"]


def full_sentence(folder: Path) -> str:
    return f"The disk that holds {folder} is full: free some space on it and try again."


@pytest.fixture
def no_log_left_open() -> Iterator[None]:
    """The in-process command logs to the test's data folder: closed afterwards."""
    yield
    log = logging.getLogger("socialsafe")
    for handler in list(log.handlers):
        log.removeHandler(handler)
        handler.close()


def cap_databases(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every database connection from now on may not grow its file: SQLite's real SQLITE_FULL when it would."""
    real = db._on_connect

    def on_connect(connection: sqlite3.Connection, record: Any) -> None:
        real(connection, record)
        connection.execute("PRAGMA max_page_count = 1")  # raised to the pages it has: no more

    monkeypatch.setattr(db, "_on_connect", on_connect)


def fill(path: Path) -> None:
    """Add learners to the (capped) database until SQLite says it is full."""
    store = Store(path)
    try:
        for n in range(100_000):
            try:
                store.add_learner(f"Filler {n}", "teacher", "Oak Primary")
            except Exception as error:
                assert "database or disk is full" in str(error)  # noqa: PT017
                return
    finally:
        store.close()
    pytest.fail("the database never filled up")


# The classifier, on real errors --------------------------------------------------------------------------


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="/dev/full is Linux's")
def test_a_real_write_to_a_full_device_is_a_full_disk(tmp_path: Path) -> None:
    descriptor = os.open("/dev/full", os.O_WRONLY)
    try:
        with pytest.raises(OSError, match="No space left") as caught:
            os.write(descriptor, b"everyone's results")
    finally:
        os.close(descriptor)

    assert caught.value.errno == errno.ENOSPC
    assert is_disk_full(caught.value)
    assert disk_full_message(caught.value, tmp_path) == full_sentence(tmp_path)
    # Wrapped in our own message (raise … from …), it is still found.
    wrapped = RuntimeError("Cannot write the list")
    wrapped.__cause__ = caught.value
    assert disk_full_message(wrapped, tmp_path) == full_sentence(tmp_path)


def test_other_errors_are_not_a_full_disk(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError) as missing:
        (tmp_path / "no such file").read_bytes()
    assert disk_full_message(missing.value, tmp_path) is None
    # A disk I/O error on a disk with room is a failing disk or a lost network drive: not "full".
    assert shutil.disk_usage(tmp_path).free > 100 * 1024 * 1024
    assert disk_full_message(sqlite3.OperationalError("disk I/O error"), tmp_path) is None


# SQLite full, in the command -----------------------------------------------------------------------------


@pytest.mark.usefixtures("no_log_left_open")
def test_a_full_database_says_the_disk_is_full_and_loses_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    common = ["--data-dir", str(home), "--packs", str(MINI)]
    assert cli.main([*common, "record", *ANN, *RESULT]) == 0
    cap_databases(monkeypatch)
    fill(home / "socialsafe.db")
    capsys.readouterr()

    code = cli.main([*common, "record", *BOB, *RESULT])

    out, err = capsys.readouterr()
    assert code == 1
    assert err.strip() == full_sentence(home)
    assert out == ""
    monkeypatch.undo()
    assert query(home / "socialsafe.db", "PRAGMA integrity_check") == [("ok",)]
    names = {name for (name,) in query(home / "socialsafe.db", "SELECT name FROM learner")}
    assert "Ann Lee" in names
    assert "Bob Roe" not in names
    assert query(home / "socialsafe.db", "SELECT count(*) FROM attempt") == [(1,)]


# The app -------------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("no_log_left_open")
def test_the_app_says_the_disk_is_full(qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from socialsafe.log import setup_logging
    from socialsafe.ui.error_dialog import ErrorReporter
    from ui_helpers import labels_text

    log_path = setup_logging(tmp_path)
    reporter = ErrorReporter(log_path)
    Store(tmp_path / "socialsafe.db").close()
    cap_databases(monkeypatch)
    fill(tmp_path / "socialsafe.db")
    store = Store(tmp_path / "socialsafe.db")
    try:
        try:
            store.add_learner("Sam Jones", "volunteer", "Oak Primary")
        except Exception as error:  # what a screen would let through to the app's hook
            reporter(type(error), error, error.__traceback__)
        assert reporter.dialog is not None
        qtbot.addWidget(reporter.dialog)
        words = labels_text(reporter.dialog)
    finally:
        store.close()

    assert "The disk is full" in words
    assert full_sentence(tmp_path) in words
    assert "Everything saved before is kept" in words


# A really full file system -------------------------------------------------------------------------------


def can_mount_a_small_disk() -> bool:
    if not sys.platform.startswith("linux") or shutil.which("unshare") is None:
        return False
    try:
        tried = subprocess.run(
            ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", "mount -t tmpfs -o size=1m tmpfs /mnt"],
            capture_output=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return tried.returncode == 0


SCRIPT = r"""
set -u
mount -t tmpfs -o size=4m tmpfs "$SMALL"
ss() { "$PYTHON" -m socialsafe --packs "$MINI" "$@"; }
ss --data-dir "$SMALL/home" record $ANN $RESULT > "$OUT/1.out" 2> "$OUT/1.err"; echo $? > "$OUT/1.rc"
ss --data-dir "$OUT/office" record $ANN $RESULT > /dev/null 2>&1
printf 'the list from yesterday' > "$SMALL/list.csv"
dd if=/dev/zero of="$SMALL/filler" bs=4096 2> /dev/null
ss --data-dir "$SMALL/home" record $BOB $RESULT > "$OUT/2.out" 2> "$OUT/2.err"; echo $? > "$OUT/2.rc"
ss --data-dir "$OUT/office" export --out "$SMALL/list.csv" > "$OUT/3.out" 2> "$OUT/3.err"; echo $? > "$OUT/3.rc"
ls -A "$SMALL" > "$OUT/small.ls"
cp "$SMALL/list.csv" "$OUT/list.csv"
rm "$SMALL/filler"
ss --data-dir "$SMALL/home" export --out "$OUT/after.json" > "$OUT/4.out" 2> "$OUT/4.err"; echo $? > "$OUT/4.rc"
"""


@pytest.mark.skipif(not can_mount_a_small_disk(), reason="this machine does not let a test mount a small disk")
def test_a_really_full_disk_says_so_for_the_database_and_for_an_export(tmp_path: Path) -> None:
    small, out = tmp_path / "small", tmp_path / "out"
    small.mkdir()
    out.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOCIALSAFE_")}
    # Word-split by the script: names without spaces.
    words = {"ANN": "--name Ann --school Oak --role teacher", "BOB": "--name Bob --school Oak --role teacher"}
    env.update(SMALL=str(small), OUT=str(out), PYTHON=sys.executable, MINI=str(MINI), RESULT=" ".join(RESULT), **words)

    subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", SCRIPT], env=env, check=True, timeout=300
    )

    def said(step: int) -> tuple[int, str, str]:
        rc = int((out / f"{step}.rc").read_text())
        return rc, (out / f"{step}.out").read_text("utf-8"), (out / f"{step}.err").read_text("utf-8")

    assert said(1)[0] == 0, said(1)
    # The database on the full disk: one sentence, no traceback, no "logging error".
    rc, stdout, stderr = said(2)
    assert rc == 1, stdout + stderr
    assert stderr.strip() == full_sentence(small / "home"), stderr
    # The export to the full disk: one sentence; yesterday's list untouched, no temporary file left.
    rc, stdout, stderr = said(3)
    assert rc == 1, stdout + stderr
    assert stderr.strip() == full_sentence(small), stderr
    assert (out / "list.csv").read_text() == "the list from yesterday"
    assert [n for n in (out / "small.ls").read_text().split() if n.startswith(".tmp-")] == []
    # With room again, everything recorded before is there.
    rc, stdout, stderr = said(4)
    assert rc == 0, stderr
    names = {row["name"] for row in json.loads((out / "after.json").read_text("utf-8"))}
    assert "Ann" in names
    assert "Bob" not in names
