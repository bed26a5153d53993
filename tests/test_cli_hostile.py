"""Hostile or broken input from the shared folder, as the command line meets it: real processes, real files.

What anyone can write into the shared folder (a name, a device name, a file
name) reaches the terminal and the log escaped, never obeyed; a killed export
leaves its temporary file only until the next export; ``export`` and
``report`` say what they could not read, as ``sync`` does, and exit 1.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from socialsafe.files import host_name
from socialsafe.log import log, printable, setup_logging
from sync_helpers import attempt, command, environment, header, learner, new_id, run, write_device

EVE = "Eve\x1b[2J\rMallory\u202eevil"  # clears the screen, returns to the line's start, reverses the rest
EVE_SHOWN = "Eve\\x1b[2J"
DEVICE_NAME = "PC\x1b]0;owned\x07"  # sets the terminal window's title
FORGED = "\x1b[31mred\n2026-01-01 00:00:00,000 ERROR socialsafe: forged.jsonl"  # a file name that forges a log line
# What must never reach a terminal raw: C0 controls but the line break, DEL, C1, bidirectional controls.
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def hostile_share(share: Path, broken_line: bool = True) -> tuple[Path, dict[str, Any]]:
    """Another PC's device file: Eve's learner record and a pass; a device name and a line meant to cause trouble."""
    device = new_id()
    eve = learner(device, EVE, "Oak Primary", email="eve@oak.example")
    items: list[dict[str, Any] | str] = [eve, attempt(device, eve["id"])]
    if broken_line:
        items.append("{not json\n")
    path = write_device(share, device, items, head=header(device, device_name=DEVICE_NAME))
    return path, eve


def problem_lines(text: str, share: Path) -> list[str]:
    """The lines that name a file in the share: the problems, as sync prints them."""
    return [line for line in text.splitlines() if line.startswith(str(share))]


# Terminal and log output ---------------------------------------------------------------------------------


def test_printable_shows_every_control_character_and_leaves_the_rest() -> None:
    assert printable(EVE) == "Eve\\x1b[2J\\rMallory\\u202eevil"
    assert printable("a\nb\tc\x00\x07\x08\x7f\x85\x9b") == "a\\nb\\tc\\x00\\x07\\x08\\x7f\\x85\\x9b"
    assert (
        printable("\u2028\u2029\u200e\u200f\u061c\u2066\u2069") == "\\u2028\\u2029\\u200e\\u200f\\u061c\\u2066\\u2069"
    )
    assert printable("bad\udcffname") == "bad\\udcffname"  # a file name that is not valid text
    # Names in every script, accents, emoji (joiners included) and Windows paths read as they are.
    kept = "Siân Łukasz 日本 مرحبا 👩\u200d🏫 C:\\Users\\office\\S:\\Training"
    assert printable(kept) == kept
    assert RAW.search(printable("".join(map(chr, range(0x3000))))) is None


def test_sync_report_and_export_show_names_and_file_names_escaped(tmp_path: Path, share: Path) -> None:
    hostile_share(share)
    (share / "devices" / FORGED).write_text("not a device file", encoding="utf-8")
    home = tmp_path / "office"

    synced = run(home, share, "sync")
    report = run(home, share, "report")
    exported = run(home, share, "export", "--out", str(tmp_path / "list.csv"))

    for result in (synced, report, exported):
        assert RAW.search(result.stdout) is None, result.stdout
        assert RAW.search(result.stderr) is None, result.stderr
    # The file name's line break is shown, so the problem stays one line: nothing after it looks like a line of ours.
    shown = f"{share / 'devices'}/\\x1b[31mred\\n2026-01-01 00:00:00,000 ERROR socialsafe: forged.jsonl: "
    assert any(line.startswith(shown) for line in synced.stdout.splitlines()), synced.stdout
    assert any(line.startswith(shown) for line in report.stderr.splitlines()), report.stderr
    assert not any(line.startswith("2026-01-01") for line in (synced.stdout + report.stderr).splitlines())
    # Eve's name in the table: what was there, shown (a line break or tab in a cell is a space, as before).
    rows = [line for line in report.stdout.splitlines() if line.startswith("Eve")]
    assert rows, report.stdout
    assert all(row.startswith(EVE_SHOWN + " Mallory\\u202eevil") for row in rows), rows


def test_the_log_file_shows_values_escaped_and_keeps_one_line_per_entry(tmp_path: Path, share: Path) -> None:
    hostile_share(share)
    (share / "devices" / FORGED).write_text("not a device file", encoding="utf-8")
    home = tmp_path / "office"

    run(home, share, "report")

    text = (home / "logs" / "socialsafe.log").read_text(encoding="utf-8")
    assert RAW.search(text) is None, text
    assert "\\x1b[31mred\\n2026-01-01 00:00:00,000 ERROR socialsafe: forged.jsonl" in text
    assert not any(line.startswith("2026-01-01") for line in text.splitlines()), text


def test_log_records_escape_their_arguments_and_tracebacks_in_process(tmp_path: Path) -> None:
    path = setup_logging(tmp_path)
    assert path is not None
    try:
        log.warning("share: %s and %d", EVE + "\n2026-01-01 forged", 3)
        try:
            raise ValueError(f"bad name {EVE}")
        except ValueError:
            log.exception("while reading %s", DEVICE_NAME)
    finally:
        for handler in list(log.handlers):
            log.removeHandler(handler)
            handler.close()

    text = path.read_text(encoding="utf-8")
    assert RAW.search(text) is None, text
    assert f"share: {printable(EVE)}\\n2026-01-01 forged and 3" in text
    assert "while reading PC\\x1b]0;owned\\x07" in text
    assert f"ValueError: bad name {printable(EVE)}" in text
    assert "Traceback (most recent call last):" in text.splitlines()  # a traceback keeps its own lines
    assert not any(line.startswith("2026-01-01") for line in text.splitlines())


def test_erase_plan_and_roster_preview_show_names_escaped(tmp_path: Path, share: Path) -> None:
    hostile_share(share, broken_line=False)
    home = tmp_path / "office"
    staff = tmp_path / "staff.csv"
    # (A carriage return would end the CSV row: a CSV name holds the rest.)
    staff.write_text(
        "name,email,role,school\nEve\x1b[2J\u202eMallory,,teacher,\nAnn Lee,,\x1b[2Jcook,Oak\n", encoding="utf-8"
    )

    preview = run(home, share, "roster", "import", "--dry-run", str(staff))
    erased = run(home, share, "erase", "--email", "eve@oak.example", "--yes")

    for result in (preview, erased):
        assert RAW.search(result.stdout + result.stderr) is None, result.stdout + result.stderr
    assert f"{staff}:2: Eve\\x1b[2J\\u202eMallory has no school" in preview.stdout, preview.stdout
    assert f"{staff}:3: role \\x1b[2Jcook is not" in preview.stdout, preview.stdout
    assert erased.returncode == 0, erased.stderr
    assert "learner record: " + EVE_SHOWN in erased.stdout, erased.stdout


# A killed export -----------------------------------------------------------------------------------------

# The real export in its own process, held still once its temporary file is written and before it is
# renamed: it says "paused PATH" and waits for the file GO to appear (or to be killed).
PAUSED_EXPORT = r"""
import os, sys, time
from pathlib import Path

folder, go = sys.argv[1], Path(sys.argv[2])
real_fsync = os.fsync

def held_fsync(fd):
    name = os.readlink(f"/proc/self/fd/{fd}")
    if os.path.dirname(name) == folder and os.path.basename(name).startswith(".tmp-"):
        print("paused", name, flush=True)
        while not go.exists():
            time.sleep(0.02)
    real_fsync(fd)

os.fsync = held_fsync
from socialsafe.cli import main
sys.exit(main(sys.argv[3:]))
"""

needs_proc = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="holds the export still through /proc")


def start_paused_export(home: Path, out: Path, go: Path) -> tuple[subprocess.Popen[str], Path]:
    args = command(home, None, "export", "--out", str(out))[3:]  # without "python -m socialsafe"
    process = subprocess.Popen(
        [sys.executable, "-c", PAUSED_EXPORT, str(out.parent), str(go), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env=environment(),
    )
    assert process.stdout is not None
    said = process.stdout.readline()
    assert said.startswith("paused "), said + (process.stderr.read() if process.stderr else "")
    temp = Path(said.removeprefix("paused ").strip())
    assert temp.is_file()
    return process, temp


def someone_recorded(home: Path) -> None:
    result = run(
        home, None, "record", "--name", "Ann Lee", "--school", "Oak Primary", "--role", "teacher",
        "--module", "photos", "--score", "2", "--max-score", "2",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def temporary_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".tmp-"))


@needs_proc
def test_a_killed_exports_temporary_file_is_removed_by_the_next_export(tmp_path: Path) -> None:
    home, out = tmp_path / "office", tmp_path / "exports"
    out.mkdir()
    someone_recorded(home)
    process, temp = start_paused_export(home, out / "list.csv", tmp_path / "never")

    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=60)

    assert temp.is_file()  # everyone's data, hidden beside where the list was to go
    assert "Ann Lee" in temp.read_text(encoding="utf-8-sig")
    assert not (out / "list.csv").exists()

    again = run(home, None, "export", "--out", str(out / "list.csv"))

    assert again.returncode == 0, again.stderr
    assert temporary_files(out) == []
    assert "Ann Lee" in (out / "list.csv").read_text(encoding="utf-8-sig")


@needs_proc
def test_an_export_leaves_a_live_exports_file_and_other_programs_files_alone(tmp_path: Path) -> None:
    home, out, go = tmp_path / "office", tmp_path / "exports", tmp_path / "go"
    out.mkdir()
    someone_recorded(home)
    live, temp = start_paused_export(home, out / "first.csv", go)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(gone.stdout)
    here = host_name()
    kept = [
        ".tmp-notes.txt",  # another program's
        ".tmp-0123456789abcdef",  # a share file's, written by this app
        f".tmp-export-{here}-x-0123456789abcdef",  # not of the export form
        ".tmp-export-OTHER_PC-4242-0123456789abcdef",  # another PC's, new: it may be writing it now
    ]
    for name in kept:
        (out / name).write_text("someone's", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("not in this folder", encoding="utf-8")
    link = out / f".tmp-export-{here}-{dead_pid}-fedcba9876543210"  # a link, even under a dead process id
    link.symlink_to(elsewhere)
    old = out / ".tmp-export-OTHER_PC-4243-0123456789abcdef"  # another PC's, two days old: it crashed
    old.write_text("a crashed export's", encoding="utf-8")
    two_days_ago = os.stat(old).st_mtime - 2 * 24 * 60 * 60
    os.utime(old, (two_days_ago, two_days_ago))

    second = run(home, None, "export", "--out", str(out / "second.csv"))

    assert second.returncode == 0, second.stderr
    assert temp.is_file()  # the live export's, still being written
    assert all((out / name).read_text(encoding="utf-8") == "someone's" for name in kept)
    assert link.is_symlink()
    assert elsewhere.read_text(encoding="utf-8") == "not in this folder"
    assert not old.exists()

    go.touch()
    _out, err = live.communicate(timeout=120)
    assert live.returncode == 0, err
    assert "Ann Lee" in (out / "first.csv").read_text(encoding="utf-8-sig")
    assert not temp.exists()


# Share problems in export and report ---------------------------------------------------------------------


def test_export_and_report_say_each_share_problem_as_sync_does_and_exit_1(tmp_path: Path, share: Path) -> None:
    device_file, _eve = hostile_share(share)
    other = new_id()
    ann = learner(other, "Ann Lee", "Oak Primary")
    write_device(share, other, [ann, "[" * 50 + "\n", attempt(other, ann["id"], score="two")])
    (share / "devices" / "notes.txt").write_text("someone's notes", encoding="utf-8")
    out = tmp_path / "list.json"

    synced = run(tmp_path / "another-pc", share, "sync")
    exported = run(tmp_path / "office", share, "export", "--out", str(out))
    report = run(tmp_path / "office", share, "report")

    said = problem_lines(synced.stdout, share)
    assert len(said) >= 3, synced.stdout
    assert any(line.startswith(f"{device_file}:4: ") for line in said), said
    assert exported.returncode == 1, exported.stderr
    assert problem_lines(exported.stderr, share) == said
    assert "problems found (listed above)" in exported.stderr
    assert exported.stdout.startswith("Wrote "), exported.stdout  # the file is still written: all that could be read
    names = {row["name"] for row in json.loads(out.read_text(encoding="utf-8"))}
    assert {"Ann Lee", EVE} <= names
    assert report.returncode == 1, report.stderr
    assert problem_lines(report.stderr, share) == said
    assert any(line.startswith("Ann Lee") for line in report.stdout.splitlines()), report.stdout


def test_files_windows_puts_in_devices_are_said_but_fail_neither_sync_nor_export(tmp_path: Path, share: Path) -> None:
    other = new_id()
    write_device(share, other, [learner(other, "Ann Lee", "Oak Primary")])
    for name in ("desktop.ini", "Thumbs.db", ".DS_Store"):
        (share / "devices" / name).write_bytes(b"\x00clutter")

    synced = run(tmp_path / "office", share, "sync")
    exported = run(tmp_path / "office", share, "export", "--out", str(tmp_path / "list.csv"))
    report = run(tmp_path / "office", share, "report")

    for result in (synced, exported, report):
        assert result.returncode == 0, result.stdout + result.stderr
        assert "problem" not in result.stdout + result.stderr
    assert f"{share / 'devices' / 'desktop.ini'}: " in synced.stdout  # noted by sync, all the same
