"""Hostile or broken input from the shared folder, as the command line meets it: real processes, real files.

What anyone can write into the shared folder (a name, a device name, a file
name) reaches the terminal and the log escaped, never obeyed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from socialsafe.log import log, printable, setup_logging
from sync_helpers import attempt, header, learner, new_id, run, write_device

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
    assert not any(line.startswith("2026-01-01") for line in synced.stdout.splitlines())
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
