"""Report rows, CSV/JSON/table export and whole-file writes, on real stores and real files."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import os
import random
from pathlib import Path

import pytest

from conftest import MINI
from helpers_packs import PACK_TOML, copy_pack, edit
from socialsafe import export, files
from socialsafe.content.loader import Content, load_all, load_pack
from socialsafe.content.model import Pack
from socialsafe.domain.people import person_identity
from socialsafe.domain.quiz import draw
from socialsafe.domain.status import Status
from socialsafe.reports import (
    ModuleRow,
    PersonRow,
    columns,
    group_people,
    module_rows,
    person_row_of,
    person_rows,
)
from socialsafe.storage.models import Learner
from socialsafe.storage.store import Store

FRIENDS, PHOTOS = "friend-requests", "photos"
COMPLETIONS_COLUMNS = (
    "name, email, role, school, modules_passed, modules_total, acknowledged_at, completed_at, expires_on, status"
)
MODULES_COLUMNS = (
    "name, email, role, school, module_id, module_title, status, best_score_percent, attempts, "
    "first_passed_at, last_activity_at, policy_version"
)


def noon(day: str) -> dt.datetime:
    """Midday on that day on this PC's calendar, as an aware time."""
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(12)).astimezone()


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@pytest.fixture
def content(mini_pack: Pack) -> Content:
    return Content(packs=[mini_pack])


@pytest.fixture
def v2(tmp_path: Path) -> Pack:
    """Policy version 2.0 of the mini pack, with the photos clause (USE-9) reworded."""
    folder = copy_pack(tmp_path / "mini-v2")
    edit(folder / PACK_TOML, 'version = "1.0"\nadopted', 'version = "2.0"\nadopted')
    edit(folder / PACK_TOML, 'version = "1.0.0"', 'version = "2.0.0"')
    edit(folder / PACK_TOML, "under any circumstances.", "under any circumstances, nor of their work.")
    return load_pack(folder)


def complete(store: Store, pack: Pack, learner: Learner, on: str = "2025-07-01") -> None:
    """Both modules passed by manual records the day before, signed off on ``on``."""
    before = (day(on) - dt.timedelta(days=1)).isoformat()
    store.record_manual(learner.id, pack, pack.module(FRIENDS), 2, 2, noon(before))
    store.record_manual(learner.id, pack, pack.module(PHOTOS), 1, 2, noon(before))
    store.acknowledge(learner.id, pack, learner.name, at=noon(on), source="manual")


def only(rows: list[PersonRow], name: str) -> PersonRow:
    [row] = [r for r in rows if r.name == name]
    return row


def module_row(rows: list[ModuleRow], name: str, module_id: str) -> ModuleRow:
    [row] = [r for r in rows if r.name == name and r.module_id == module_id]
    return row


# Columns --------------------------------------------------------------------


def test_the_columns_are_those_of_the_share_contract() -> None:
    assert ", ".join(columns(PersonRow)) == COMPLETIONS_COLUMNS
    assert ", ".join(columns(ModuleRow)) == MODULES_COLUMNS


# People and statuses ----------------------------------------------------------


def test_a_learner_with_no_records_is_not_started(store: Store, content: Content) -> None:
    store.add_learner("Nora North", "teacher", "Oak Primary")

    [row] = person_rows(store, content, day("2026-06-15"))

    assert row == PersonRow("Nora North", "", "teacher", "Oak Primary", 0, 2, "", "", "", "not_started")
    modules = module_rows(store, content, day("2026-06-15"))
    assert [(m.module_id, m.status, m.attempts, m.best_score_percent) for m in modules] == [
        (FRIENDS, "not_started", 0, None),
        (PHOTOS, "not_started", 0, None),
    ]
    assert all(m.first_passed_at == m.last_activity_at == "" for m in modules)


def test_an_open_attempt_and_a_failed_one_are_in_progress(store: Store, content: Content, mini_pack: Pack) -> None:
    ivy = store.add_learner("Ivy Irwin", "support_staff", "Oak Primary", email="ivy@oak.example")
    friends = mini_pack.module(FRIENDS)
    store.start_attempt(ivy.id, mini_pack, friends, draw(friends.questions, friends.draw, random.Random(1)))
    store.record_manual(ivy.id, mini_pack, mini_pack.module(PHOTOS), 0, 2, noon("2026-06-01"), note="paper quiz")

    [row] = person_rows(store, content, day("2026-06-15"))
    modules = module_rows(store, content, day("2026-06-15"))

    assert (row.status, row.modules_passed, row.modules_total, row.email) == ("in_progress", 0, 2, "ivy@oak.example")
    friends_row = module_row(modules, "Ivy Irwin", FRIENDS)
    assert (friends_row.status, friends_row.attempts, friends_row.best_score_percent) == ("in_progress", 0, None)
    assert friends_row.last_activity_at == dt.date.today().isoformat()
    photos_row = module_row(modules, "Ivy Irwin", PHOTOS)
    assert (photos_row.status, photos_row.attempts, photos_row.best_score_percent) == ("not_passed", 1, 0)
    assert (photos_row.first_passed_at, photos_row.last_activity_at) == ("", "2026-06-01")


def test_manual_records_and_a_paper_sign_off_complete_the_training(
    store: Store, content: Content, mini_pack: Pack
) -> None:
    cara = store.add_learner("Cara Cole", "teacher", "Oak Primary")
    store.record_manual(cara.id, mini_pack, mini_pack.module(FRIENDS), 1, 2, noon("2026-02-27"))  # below the mark
    store.record_manual(cara.id, mini_pack, mini_pack.module(FRIENDS), 2, 2, noon("2026-03-01"))
    store.record_manual(cara.id, mini_pack, mini_pack.module(PHOTOS), 1, 2, noon("2026-03-02"))
    store.acknowledge(cara.id, mini_pack, "Cara Cole", at=noon("2026-03-03"), source="manual")

    [row] = person_rows(store, content, day("2026-06-15"))
    modules = module_rows(store, content, day("2026-06-15"))

    assert row == PersonRow(
        "Cara Cole", "", "teacher", "Oak Primary", 2, 2, "2026-03-03", "2026-03-03", "2027-03-03", "complete"
    )
    friends_row = module_row(modules, "Cara Cole", FRIENDS)
    assert dataclasses.astuple(friends_row)[4:] == (
        FRIENDS,
        "Friend requests from pupils",
        "passed",
        100,
        2,
        "2026-03-01",
        "2026-03-01",
        "1.0",
    )
    photos_row = module_row(modules, "Cara Cole", PHOTOS)
    assert (photos_row.status, photos_row.best_score_percent, photos_row.first_passed_at) == (
        "passed",
        50,
        "2026-03-02",
    )


@pytest.mark.parametrize(
    ("today", "status"),
    [
        ("2026-05-31", Status.COMPLETE),  # 31 days before expiry
        ("2026-06-01", Status.DUE_SOON),  # 30 days before
        ("2026-07-01", Status.DUE_SOON),  # the day it expires
        ("2026-07-02", Status.EXPIRED),
    ],
)
def test_the_same_records_are_complete_then_due_soon_then_expired(
    store: Store, content: Content, mini_pack: Pack, today: str, status: Status
) -> None:
    dan = store.add_learner("Dan Dale", "teacher", "Oak Primary")
    complete(store, mini_pack, dan, on="2025-07-01")

    [row] = person_rows(store, content, day(today))

    assert (row.status, row.completed_at, row.expires_on) == (status, "2025-07-01", "2026-07-01")


def test_a_new_policy_version_needs_an_update_and_carries_unchanged_passes_over(
    store: Store, mini_pack: Pack, v2: Pack
) -> None:
    ursula = store.add_learner("Ursula Underwood", "teacher", "Oak Primary")
    complete(store, mini_pack, ursula, on="2026-03-01")
    both = Content(packs=[mini_pack, v2])

    [row] = person_rows(store, both, day("2026-06-15"))
    modules = module_rows(store, both, day("2026-06-15"))

    assert row == PersonRow("Ursula Underwood", "", "teacher", "Oak Primary", 1, 2, "", "", "", "update_needed")
    friends_row = module_row(modules, "Ursula Underwood", FRIENDS)  # its clause did not change: carried over
    assert (friends_row.status, friends_row.first_passed_at, friends_row.attempts, friends_row.policy_version) == (
        "passed",
        "2026-02-28",
        1,
        "2.0",
    )
    photos_row = module_row(modules, "Ursula Underwood", PHOTOS)  # its clause was reworded: take it again
    assert (photos_row.status, photos_row.attempts, photos_row.first_passed_at) == ("not_started", 0, "")


def test_after_the_update_the_new_version_is_complete(store: Store, mini_pack: Pack, v2: Pack) -> None:
    ursula = store.add_learner("Ursula Underwood", "teacher", "Oak Primary")
    complete(store, mini_pack, ursula, on="2026-03-01")
    store.record_manual(ursula.id, v2, v2.module(PHOTOS), 2, 2, noon("2026-04-01"))
    store.acknowledge(ursula.id, v2, "Ursula Underwood", at=noon("2026-04-02"), source="manual")

    [row] = person_rows(store, Content(packs=[mini_pack, v2]), day("2026-06-15"))

    assert (row.status, row.modules_passed, row.acknowledged_at, row.completed_at) == (
        "complete",
        2,
        "2026-04-02",
        "2026-04-02",
    )


def test_learner_records_with_one_email_are_one_person(store: Store, content: Content, mini_pack: Pack) -> None:
    first = store.add_learner("Sam Jones", "support_staff", "Oak Primary", email="sam@oak.example")
    second = store.add_learner("Samantha Jones", "teacher", "Oak Primary", email=" SAM@Oak.Example ")
    store.record_manual(first.id, mini_pack, mini_pack.module(FRIENDS), 2, 2, noon("2026-03-01"))
    store.record_manual(second.id, mini_pack, mini_pack.module(PHOTOS), 2, 2, noon("2026-03-02"))
    store.acknowledge(second.id, mini_pack, "Samantha Jones", at=noon("2026-03-03"))

    [row] = person_rows(store, content, day("2026-06-15"))

    # The newest learner record gives the name and the role.
    assert (row.name, row.role, row.email, row.status, row.modules_passed) == (
        "Samantha Jones",
        "teacher",
        "SAM@Oak.Example",
        "complete",
        2,
    )


def test_who_is_a_person() -> None:
    assert person_identity("Ann Lee", "Oak", " Ann@Example.ORG ") == person_identity("A. Lee", "Elm", "ann@example.org")
    assert person_identity("  ann   LEE ", " oak  primary", None) == person_identity("Ann Lee", "Oak Primary", "")
    assert person_identity("Ann Lee", "Oak", None) != person_identity("Ann Lee", "Elm", None)
    assert person_identity("Ann Lee", "Oak", "ann@example.org") != person_identity("Ann Lee", "Oak", None)


def test_group_people_without_email_by_name_and_school(store: Store) -> None:
    a = store.add_learner("Ann Lee", "teacher", "Oak")
    b = store.add_learner("Ann Lee", "teacher", "Elm")
    # A second record of the same person, as another PC would have it (the store refuses a twin).
    twin = Learner(name="ann  lee", role="volunteer", school="OAK", device_id="other-pc")

    groups = group_people([a, b, twin])

    assert sorted(len(g) for g in groups) == [1, 2]


def test_the_role_limits_the_modules(store: Store, content: Content, mini_pack: Pack) -> None:
    vic = store.add_learner("Vic Vale", "volunteer", "Oak Primary")
    store.record_manual(vic.id, mini_pack, mini_pack.module(FRIENDS), 2, 2, noon("2026-03-01"))
    store.acknowledge(vic.id, mini_pack, "Vic Vale", at=noon("2026-03-02"))

    [row] = person_rows(store, content, day("2026-06-15"))

    assert (row.status, row.modules_passed, row.modules_total) == ("complete", 1, 1)
    assert [m.module_id for m in module_rows(store, content, day("2026-06-15"))] == [FRIENDS]


def test_rows_are_sorted_by_name(store: Store, content: Content) -> None:
    for name in ("zoë Young", "Ánna Bell", "bob Crane"):
        store.add_learner(name, "teacher", "Oak")

    # Without regard to case or accents, as a person would sort them.
    assert [r.name for r in person_rows(store, content)] == ["Ánna Bell", "bob Crane", "zoë Young"]


def test_one_row_per_person_and_policy(store: Store, mini_pack: Pack, tmp_path: Path) -> None:
    other = copy_pack(tmp_path / "other")
    edit(other / PACK_TOML, 'id = "example"', 'id = "other"')
    edit(other / PACK_TOML, 'id = "example-policy"', 'id = "other-policy"')
    content = load_all([MINI, other])
    store.add_learner("Ann Lee", "teacher", "Oak")
    store.add_learner("Bob Crane", "teacher", "Oak")

    rows = person_rows(store, content, day("2026-06-15"), policy_id="other-policy")

    assert len(person_rows(store, content, day("2026-06-15"))) == 4
    assert [r.name for r in rows] == ["Ann Lee", "Bob Crane"]


# CSV and JSON -------------------------------------------------------------------

NASTY = [
    "=SUM(A1)",
    "+44 7700 900123",
    "-x",
    "@home",
    "\tTabbed",
    "\rCarriage",
    "Smith, Jo",
    'Jo "JJ" Smith',
    "two\nlines",
    "Zoë Ångström-Éclair",
    "مريم حداد",  # right-to-left
    "שרה כהן",
    "Plain Name",
]


def nasty_rows() -> list[PersonRow]:
    return [
        PersonRow(name, f"{i}@x.example", "teacher", name, i, 2, "", "2026-03-03", "2027-03-03", "complete")
        for i, name in enumerate(NASTY)
    ]


def test_csv_has_a_bom_a_header_and_neutralised_formulas(tmp_path: Path) -> None:
    out = tmp_path / "completions.csv"
    rows = nasty_rows()

    export.write_rows(out, columns(PersonRow), rows, export.ExportFormat.CSV)

    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    read = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert read[0] == columns(PersonRow)
    assert len(read) == len(rows) + 1
    for name, cells in zip(NASTY, read[1:], strict=True):
        expected = "'" + name if name[0] in "=+-@\t\r" else name
        assert cells[0] == expected
        assert cells[3] == expected  # the school column too
        assert cells[9] == "complete"


def test_csv_leaves_ordinary_text_and_numbers_alone() -> None:
    row = ModuleRow("Ann", "", "teacher", "Oak", "m", "Title", "not_passed", None, 0, "", "", "1.0")

    [_header, cells] = list(csv.reader(io.StringIO(export.to_csv(columns(ModuleRow), [row]).decode("utf-8-sig"))))

    assert cells == ["Ann", "", "teacher", "Oak", "m", "Title", "not_passed", "", "0", "", "", "1.0"]


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@x", "\t", "\rx"])
def test_neutralise_formula_like_cells(cell: str) -> None:
    assert export.neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["", "1", "a=b", "Ann-Marie", " =x", "'quoted"])
def test_neutralise_leaves_other_cells(cell: str) -> None:
    assert export.neutralise(cell) == cell


def test_json_round_trips_without_neutralising(tmp_path: Path) -> None:
    out = tmp_path / "completions.json"
    rows = nasty_rows()

    export.write_rows(out, columns(PersonRow), rows, export.ExportFormat.JSON)

    data = out.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    assert [PersonRow(**item) for item in json.loads(data.decode("utf-8"))] == rows


def test_json_keeps_numbers_and_a_missing_score_is_null(store: Store, content: Content) -> None:
    store.add_learner("Ann Lee", "teacher", "Oak")

    data = json.loads(export.to_json(module_rows(store, content)))

    assert data[0]["attempts"] == 0
    assert data[0]["best_score_percent"] is None
    assert list(data[0]) == columns(ModuleRow)


def test_xlsx_keeps_formula_like_names_as_text(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    row = PersonRow("=SUM(A1)", "", "teacher", "Oak", 0, 2, "", "", "", "not_started")
    export.write_rows(tmp_path / "x.xlsx", columns(PersonRow), [row], export.ExportFormat.XLSX)
    cell = load_workbook(tmp_path / "x.xlsx").active["A2"]
    assert (cell.value, cell.data_type) == ("=SUM(A1)", "s")


def test_the_format_comes_from_the_flag_else_the_suffix() -> None:
    assert export.format_for(Path("a.CSV")) is export.ExportFormat.CSV
    assert export.format_for(Path("a.json")) is export.ExportFormat.JSON
    assert export.format_for(Path("a.xlsx")) is export.ExportFormat.XLSX
    assert export.format_for(Path("a.txt"), "json") is export.ExportFormat.JSON
    for name in ("a.pdf", "a", "a.csv.bak"):
        with pytest.raises(export.UnknownFormatError):
            export.format_for(Path(name))


def test_the_table_lines_up_and_keeps_control_characters_off_the_terminal() -> None:
    rows = [
        PersonRow("Ann\x1b[2JLee", "", "teacher", "Oak", 0, 2, "", "", "", "in_progress"),
        PersonRow("two\nlines", "", "teacher", "Oak", 2, 2, "", "", "", "complete"),
    ]

    text = export.to_table(columns(PersonRow), rows)

    lines = text.splitlines()
    assert len(lines) == 4  # heading, rule, two rows
    assert "\x1b" not in text
    assert "two lines" in lines[3]
    assert lines[0].startswith("Name")
    status_at = lines[0].index("Status")
    assert lines[2][status_at:] == "in_progress"
    assert lines[3][status_at:] == "complete"


# Whole-file writes --------------------------------------------------------------


def test_write_atomic_writes_and_replaces_leaving_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "report.csv"

    files.write_atomic(target, b"first")
    files.write_atomic(target, b"second")

    assert target.read_bytes() == b"second"
    assert [p.name for p in tmp_path.iterdir()] == ["report.csv"]


def test_a_failed_replace_keeps_the_old_file_and_removes_the_temporary_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.csv"
    target.write_bytes(b"old")

    def refuse(src: object, dst: object) -> None:
        raise PermissionError(13, "The file is open in another program")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(PermissionError):
        files.write_atomic(target, b"new")

    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.csv"]


def test_a_failed_write_leaves_no_file_at_all(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match=r"The disk that holds .* is full"):
        export.write_rows(tmp_path / "out.json", columns(PersonRow), nasty_rows(), export.ExportFormat.JSON)

    assert list(tmp_path.iterdir()) == []


def test_the_temporary_file_is_in_the_same_folder_and_named_tmp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[Path] = []
    real_replace = os.replace

    def spy(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        seen.append(Path(src))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    files.write_atomic(tmp_path / "x.csv", b"x")

    [temp] = seen
    assert temp.parent == tmp_path
    assert temp.name.startswith(".tmp-")


def test_person_row_of_a_learner_covers_all_their_records(store: Store, content: Content, mini_pack: Pack) -> None:
    first = store.add_learner("Sam Jones", "teacher", "Oak Primary", email="sam@oak.example")
    second = store.add_learner("Sam Jones", "teacher", "Elm Primary", email="SAM@oak.example")
    store.add_learner("Someone Else", "teacher", "Oak Primary")
    store.record_manual(first.id, mini_pack, mini_pack.module(FRIENDS), 2, 2, noon("2026-03-01"))
    store.record_manual(second.id, mini_pack, mini_pack.module(PHOTOS), 2, 2, noon("2026-03-02"))

    row = person_row_of(store, content, first.id, mini_pack.policy.id, day("2026-06-15"))

    assert row is not None
    assert (row.school, row.modules_passed, row.status) == ("Elm Primary", 2, "in_progress")
    assert person_row_of(store, content, "no-such-learner", mini_pack.policy.id) is None


def test_a_file_another_program_holds_gives_a_message_that_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def locked(path: Path, data: bytes) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(export, "write_export", locked)
    with pytest.raises(OSError, match=r"it may be open in another program \(Excel\?\)"):
        export.write_rows(tmp_path / "out.csv", columns(PersonRow), nasty_rows(), export.ExportFormat.CSV)
