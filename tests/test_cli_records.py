"""``record``, ``acknowledge``, ``report`` and ``export`` as IT staff run them: real processes, real files."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
import zoneinfo
from pathlib import Path
from typing import Any

import pytest

from conftest import MINI
from socialsafe.storage.store import Store

POLICY = "example-policy"
TEACHER = ["--name", "Ann Lee", "--school", "Oak Primary"]


def socialsafe(*args: str, home: Path, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the command with the mini pack loaded, as a separate process."""
    environment = {**os.environ, "SOCIALSAFE_HOME": str(home), **env}
    for name in ("SOCIALSAFE_SHARE", "SOCIALSAFE_PACKS", "SOCIALSAFE_ADMIN_PASSPHRASE"):
        if name not in env:
            environment.pop(name, None)
    result = subprocess.run(
        [sys.executable, "-m", "socialsafe", "--packs", str(MINI), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=environment,
        cwd=cwd,
        timeout=120,
    )
    assert "Traceback" not in result.stderr
    assert "Traceback" not in result.stdout
    return result


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert len(result.stdout.splitlines()) == 1, result.stdout
    return result.stdout


def one_sentence(result: subprocess.CompletedProcess[str], code: int) -> str:
    assert result.returncode == code, result.stdout + result.stderr
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert lines
    return lines[-1]


def record(home: Path, *args: str, person: list[str] = TEACHER, **env: str) -> subprocess.CompletedProcess[str]:
    return socialsafe("record", *person, "--role", "teacher", *args, home=home, **env)


def exported(home: Path, tmp_path: Path, by: str = "person", **env: str) -> list[dict[str, Any]]:
    """The rows ``export --format json`` writes, for the mini pack's policy."""
    out = tmp_path / f"export-{by}.json"
    ok(socialsafe("export", "--out", str(out), "--by", by, "--format", "json", home=home, **env))
    rows: list[dict[str, Any]] = json.loads(out.read_text("utf-8"))
    if by == "module":
        return [r for r in rows if r["module_id"] in {"friend-requests", "photos"}]
    return [r for r in rows if r["modules_total"] == 2]  # the mini pack has 2 modules for a teacher


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


# record and acknowledge --------------------------------------------------------


def test_record_then_acknowledge_completes_the_training(home: Path, tmp_path: Path) -> None:
    first = ok(record(home, "--module", "friend-requests", "--score", "2", "--max-score", "2", "--note", "INSET day"))
    second = ok(record(home, "--module", "photos", "--score", "1", "--max-score", "2"))
    signed = ok(socialsafe("acknowledge", *TEACHER, "--policy", POLICY, home=home))

    assert first.startswith("Added Ann Lee (Oak Primary, teacher) to this PC. Recorded a pass")
    assert "Added" not in second
    assert "Added" not in signed
    assert "Status: complete." in signed
    [row] = exported(home, tmp_path)
    today = dt.date.today().isoformat()
    assert row == {
        "name": "Ann Lee",
        "email": "",
        "role": "teacher",
        "school": "Oak Primary",
        "modules_passed": 2,
        "modules_total": 2,
        "acknowledged_at": today,
        "completed_at": today,
        "expires_on": row["expires_on"],
        "status": "complete",
    }


def test_records_are_marked_manual_with_their_note(home: Path) -> None:
    ok(record(home, "--module", "photos", "--score", "0", "--max-score", "2", "--note", "  paper quiz  "))
    ok(socialsafe("acknowledge", *TEACHER, "--policy", POLICY, home=home))

    store = Store(home / "socialsafe.db")
    try:
        [learner] = store.learners()
        [attempt] = store.attempts(learner.id)
        [signoff] = store.acknowledgements(learner.id)
    finally:
        store.close()
    assert (attempt.source, attempt.note, attempt.passed, attempt.score, attempt.max_score) == (
        "manual",
        "paper quiz",
        False,
        0,
        2,
    )
    assert (signoff.source, signoff.signed_name, signoff.policy_id) == ("manual", "Ann Lee", POLICY)


def test_a_below_the_mark_record_says_so(home: Path, tmp_path: Path) -> None:
    said = ok(record(home, "--module", "photos", "--score", "0", "--max-score", "2"))

    assert "below the pass mark" in said
    photos = next(r for r in exported(home, tmp_path, "module") if r["module_id"] == "photos")
    assert (photos["status"], photos["attempts"], photos["best_score_percent"]) == ("not_passed", 1, 0)


def test_the_same_person_is_found_again_by_name_and_school(home: Path, tmp_path: Path) -> None:
    ok(record(home, "--module", "friend-requests", "--score", "2", "--max-score", "2"))
    again = ok(
        record(
            home,
            "--module",
            "photos",
            "--score",
            "2",
            "--max-score",
            "2",
            person=["--name", "  ann   LEE ", "--school", "oak primary"],
        )
    )

    assert "Added" not in again
    [row] = exported(home, tmp_path)
    assert (row["name"], row["modules_passed"]) == ("Ann Lee", 2)


def test_the_same_person_is_found_again_by_email(home: Path, tmp_path: Path) -> None:
    with_email = ["--name", "Ann Lee", "--school", "Oak Primary", "--email", "ann@oak.example"]
    ok(record(home, "--module", "friend-requests", "--score", "2", "--max-score", "2", person=with_email))
    again = ok(
        record(
            home,
            "--module",
            "photos",
            "--score",
            "2",
            "--max-score",
            "2",
            person=["--name", "Ann Lee-Smith", "--school", "Oak", "--email", " ANN@oak.example"],
        )
    )

    assert "Added" not in again
    [row] = exported(home, tmp_path)
    assert (row["email"], row["modules_passed"]) == ("ann@oak.example", 2)


def test_acknowledging_an_unknown_person_adds_them_as_other(home: Path, tmp_path: Path) -> None:
    said = ok(socialsafe("acknowledge", "--name", "Vic Vale", "--school", "Oak Primary", "--policy", POLICY, home=home))

    assert said.startswith("Added Vic Vale (Oak Primary, other) to this PC.")
    rows = [r for r in exported(home, tmp_path, "module") if r["name"] == "Vic Vale"]
    assert [r["module_id"] for r in rows] == ["friend-requests"]  # the modules for "other"


def test_the_date_is_noon_on_that_day_in_local_time(home: Path, tmp_path: Path) -> None:
    zone = "Pacific/Auckland"
    ok(record(home, "--module", "photos", "--score", "2", "--max-score", "2", "--date", "2026-01-05", TZ=zone))
    ok(socialsafe("acknowledge", *TEACHER, "--policy", POLICY, "--date", "2026-01-06", home=home, TZ=zone))

    store = Store(home / "socialsafe.db")
    try:
        [learner] = store.learners()
        [attempt] = store.attempts(learner.id)
        [signoff] = store.acknowledgements(learner.id)
    finally:
        store.close()
    noon = dt.datetime(2026, 1, 5, 12, tzinfo=zoneinfo.ZoneInfo(zone))
    assert attempt.finished_at == attempt.started_at == noon
    assert signoff.acknowledged_at == noon + dt.timedelta(days=1)
    # Dates in reports are on the calendar of the PC that makes them.
    photos = next(r for r in exported(home, tmp_path, "module", TZ=zone) if r["module_id"] == "photos")
    assert photos["first_passed_at"] == "2026-01-05"


# Exit codes ----------------------------------------------------------------------


def no_one_recorded(home: Path) -> bool:
    """Whether the data folder holds no learner (or no database at all)."""
    if not (home / "socialsafe.db").exists():
        return True
    store = Store(home / "socialsafe.db")
    try:
        return store.learners() == []
    finally:
        store.close()


def test_an_unknown_module_exits_1_and_changes_nothing(home: Path) -> None:
    said = one_sentence(record(home, "--module", "no-such-module", "--score", "1", "--max-score", "2"), 1)

    assert "no-such-module" in said
    assert "friend-requests" in said  # the modules there are, to choose from
    assert no_one_recorded(home)


@pytest.mark.parametrize(
    "args",
    [
        ["--date", "2026-02-30"],
        ["--date", "05/01/2026"],
        ["--date", "20260105"],
        ["--date", (dt.date.today() + dt.timedelta(days=2)).isoformat()],
        ["--score", "3"],
        ["--score", "-1"],
        ["--score", "two"],
        ["--max-score", "0", "--score", "0"],
        ["--role", "chef"],
    ],
    ids=[
        "no such day",
        "not ISO",
        "ISO basic",
        "in the future",
        "above the maximum",
        "negative",
        "not a number",
        "max 0",
        "role",
    ],
)
def test_bad_values_exit_2_and_record_nothing(home: Path, args: list[str]) -> None:
    base = {"--module": "photos", "--score": "1", "--max-score": "2", "--role": "teacher"}
    for flag, value in zip(args[::2], args[1::2], strict=True):
        base[flag] = value
    flat = [item for pair in base.items() for item in pair]

    result = socialsafe("record", *TEACHER, *flat, home=home)

    one_sentence(result, 2)
    assert no_one_recorded(home)


def test_missing_required_options_exit_2(home: Path) -> None:
    one_sentence(socialsafe("record", "--name", "Ann", "--school", "Oak", home=home), 2)
    one_sentence(socialsafe("acknowledge", "--name", "Ann", home=home), 2)
    one_sentence(socialsafe("export", home=home), 2)


def test_acknowledge_with_several_policies_needs_the_policy(home: Path) -> None:
    # --packs adds the mini pack's policy to the bundled one.
    said = one_sentence(socialsafe("acknowledge", *TEACHER, home=home), 2)

    assert "--policy" in said


def test_an_unknown_policy_exits_1(home: Path) -> None:
    said = one_sentence(socialsafe("acknowledge", *TEACHER, "--policy", "nope", home=home), 1)

    assert "nope" in said


def test_a_bad_email_exits_2(home: Path) -> None:
    person = [*TEACHER, "--email", "not an email"]

    one_sentence(record(home, "--module", "photos", "--score", "1", "--max-score", "2", person=person), 2)


# export and report ---------------------------------------------------------------


def test_export_csv_by_suffix_has_a_bom_header_and_neutralised_cells(home: Path, tmp_path: Path) -> None:
    person = ["--name", "=SUM(A1)", "--school", '@home, "quoted" Zoë\'s', "--email", "x@oak.example"]
    ok(record(home, "--module", "photos", "--score", "2", "--max-score", "2", person=person))
    out = tmp_path / "completions.csv"

    said = ok(socialsafe("export", "--out", str(out), home=home))

    assert str(out) in said
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0][:4] == ["name", "email", "role", "school"]
    assert {tuple(r[:4]) for r in rows[1:]} == {("'=SUM(A1)", "x@oak.example", "teacher", "'@home, \"quoted\" Zoë's")}
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".tmp-")] == []


def test_export_by_module_json(home: Path, tmp_path: Path) -> None:
    ok(record(home, "--module", "photos", "--score", "1", "--max-score", "2", "--date", "2026-01-05"))

    rows = exported(home, tmp_path, "module")

    assert [(r["module_id"], r["status"], r["best_score_percent"], r["first_passed_at"]) for r in rows] == [
        ("friend-requests", "not_started", None, ""),
        ("photos", "passed", 50, "2026-01-05"),
    ]


def test_export_replaces_an_existing_file(home: Path, tmp_path: Path) -> None:
    out = tmp_path / "list.json"
    out.write_text("old", "utf-8")
    ok(record(home, "--module", "photos", "--score", "1", "--max-score", "2"))

    ok(socialsafe("export", "--out", str(out), home=home))

    assert isinstance(json.loads(out.read_text("utf-8")), list)


def test_export_xlsx_is_a_formatted_sheet_with_real_dates(home: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    ok(record(home, "--module", "photos", "--score", "2", "--max-score", "2", "--date", "2026-11-20"))
    out = tmp_path / "list.xlsx"
    ok(socialsafe("export", "--out", str(out), "--by", "module", home=home))

    sheet = load_workbook(out).active
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref is not None
    rows = list(sheet.iter_rows(values_only=True))
    photos = next(r for r in rows[1:] if "photos" in r)
    assert any(isinstance(v, dt.datetime) and v.date() == dt.date(2026, 11, 20) for v in photos)
    assert "Passed" in photos


@pytest.mark.parametrize("name", ["list.pdf", "list", "list.csv.bak"])
def test_export_an_unknown_suffix_is_a_usage_error(home: Path, tmp_path: Path, name: str) -> None:
    said = one_sentence(socialsafe("export", "--out", str(tmp_path / name), home=home), 2)

    assert "--format" in said
    assert not (tmp_path / name).exists()


def test_export_an_unknown_format_is_a_usage_error(home: Path, tmp_path: Path) -> None:
    one_sentence(socialsafe("export", "--out", str(tmp_path / "a.csv"), "--format", "pdf", home=home), 2)


def test_export_into_a_missing_folder_exits_1(home: Path, tmp_path: Path) -> None:
    out = tmp_path / "no-such-folder" / "list.csv"

    said = one_sentence(socialsafe("export", "--out", str(out), home=home), 1)

    assert str(out) in said


def test_report_prints_a_table(home: Path) -> None:
    ok(record(home, "--module", "photos", "--score", "1", "--max-score", "2"))

    result = socialsafe("report", home=home)

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("Name ") and line.rstrip().endswith("Status") for line in lines)
    assert any(line.startswith("Ann Lee ") and line.endswith("in_progress") for line in lines)
    modules = socialsafe("report", "--by", "module", home=home)
    assert modules.returncode == 0
    assert any("photos" in line and "passed" in line for line in modules.stdout.splitlines())


def test_report_with_no_one_here_says_so(home: Path) -> None:
    said = ok(socialsafe("report", home=home))

    assert said.strip() == "No one has used SocialSafe on this PC yet."


# A whole session for many (#16) -------------------------------------------------


def attendees(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "attendance.csv"
    path.write_text("name,email,role,school\n" + "".join(f"{row}\n" for row in rows), "utf-8-sig")
    return path


def test_one_session_for_everyone_in_the_attendance_file_and_every_module(home: Path, tmp_path: Path) -> None:
    path = attendees(
        tmp_path,
        "Siân O'Brien-Jones,,support_staff,Ysgol y Dderwen",
        "Łukasz Wójcik,l.wojcik@oak.sch.uk,agency_worker,Oak Primary",
        "Tereza Nováková,,volunteer,Oak Primary",
    )

    result = socialsafe(
        "record", "--attendees", str(path), "--module", "all", "--policy", POLICY, "--score", "9", "--max-score",
        "10", "--note", "INSET day, hall", home=home,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1] == "Recorded the session for 3 people."
    assert all("Recorded a pass for" in line for line in lines[:-1]), lines
    assert "2 modules: 9 of 10" in lines[0]  # photos is for teachers and support staff only, in the mini pack
    assert "Friend requests from pupils: 9 of 10" in lines[1]
    store = Store(home / "socialsafe.db")
    try:
        learners = {x.name: x for x in store.learners()}
        assert set(learners) == {"Siân O'Brien-Jones", "Łukasz Wójcik", "Tereza Nováková"}
        for learner in learners.values():
            attempts = store.attempts(learner.id)
            every = ["friend-requests", "photos"] if learner.role == "support_staff" else ["friend-requests"]
            assert sorted(a.module_id for a in attempts) == every
            assert {(a.source, a.note, a.passed) for a in attempts} == {("manual", "INSET day, hall", True)}
    finally:
        store.close()


def test_a_session_below_the_pass_mark_says_so_for_each_person(home: Path, tmp_path: Path) -> None:
    path = attendees(tmp_path, "Ann Lee,,teacher,Oak Primary", "Bob Roe,,teacher,Oak Primary")
    result = socialsafe(
        "record", "--attendees", str(path), "--module", "photos", "--score", "1", "--max-score", "10", home=home
    )
    assert result.returncode == 0, result.stderr
    assert [line.split(" to this PC. ")[1].split(" for ")[0] for line in result.stdout.splitlines()[:-1]] == [
        "Recorded a result below the pass mark"
    ] * 2


def test_a_bad_row_in_the_attendance_file_records_nothing(home: Path, tmp_path: Path) -> None:
    path = attendees(tmp_path, "Ann Lee,,teacher,Oak Primary", "Bob Roe,,headmaster,Oak Primary")

    result = socialsafe(
        "record", "--attendees", str(path), "--module", "photos", "--score", "9", "--max-score", "10", home=home
    )

    assert result.returncode == 1
    assert f"{path}:3: role headmaster is not one of the policy's roles" in result.stderr
    assert "nothing was recorded" in result.stderr
    assert no_one_recorded(home)


@pytest.mark.parametrize(
    "args",
    [
        ["--attendees", "x.csv", "--name", "Ann Lee"],  # both
        ["--name", "Ann Lee", "--school", "Oak Primary"],  # no role
    ],
)
def test_who_was_there_is_said_one_way(home: Path, args: list[str]) -> None:
    result = socialsafe("record", *args, "--module", "photos", "--score", "9", "--max-score", "10", home=home)
    assert result.returncode == 2, result.stdout + result.stderr
