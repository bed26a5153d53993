"""The shared folder, in process: device-file records, the share's rules, the merge, erasure, roster and reports.

Real folders stand for the share and real SQLite files for each PC; the
share's files are read back with ``json`` and ``csv`` (see ``sync_helpers``),
as another program would, and held to ``shared/contracts/share-format.md``.
"""

from __future__ import annotations

import collections
import datetime as dt
import errno
import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import socialsafe.files
from socialsafe.content.loader import Content, load_all
from socialsafe.content.model import Pack
from socialsafe.resources import bundled
from socialsafe.storage.store import Store
from socialsafe.sync import records as rec
from socialsafe.sync.engine import SyncReport, merged_people, sync
from socialsafe.sync.share import ShareError
from sync_helpers import (
    MARKER,
    MINI,
    UTC_TIME,
    acknowledgement,
    add_result,
    attempt,
    db_ids,
    db_rows,
    device_ids,
    erasure,
    file_state,
    header,
    learner,
    line,
    mini_pack,
    new_id,
    new_pc,
    read_device_file,
    read_report,
    snapshot,
    write_device,
)

B, C, D = new_id(), new_id(), new_id()  # other PCs' device ids


@pytest.fixture
def pc(tmp_path: Path) -> Iterator[Store]:
    store = new_pc(tmp_path, "pc1")
    yield store
    store.close()


def own_file(share: Path, store: Store) -> Path:
    return share / "devices" / f"{store.device_id}.jsonl"


def names_in_db(store: Store) -> set[str]:
    return {x.name for x in store.learners()}


def report_rows(share: Path, name: str = "completions.csv") -> list[dict[str, str]]:
    return read_report(share / "reports" / name)


def calm(message: str) -> None:
    """One sentence for a person: no traceback, no errno, on one line, saying the results are safe."""
    assert "\n" not in message.strip(), message
    assert "Traceback" not in message, message
    assert "Errno" not in message, message
    assert "kept" in message, message


# Records ---------------------------------------------------------------------------

NOW = dt.datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=dt.UTC)
ELSEWHERE = dt.timezone(dt.timedelta(hours=2))

ROUND_TRIP = [
    rec.LearnerRec(new_id(), new_id(), "Zoë O'Brien", "zoe@oak.example", "teacher", "Oak Primary", NOW),
    rec.LearnerRec(new_id(), new_id(), "مريم\nשרה", None, "work_experience", "=Oak", NOW.astimezone(ELSEWHERE)),
    rec.AttemptRec(
        new_id(), new_id(), new_id(), "example", "1.0.0", "1.0", "photos", NOW, NOW, 3, 4, 0.75, True, "quiz", None
    ),
    rec.AttemptRec(
        new_id(), new_id(), new_id(), "example", "1.0.0", "1.0", "photos", NOW, None, None, 4, 1.0, None, "quiz", None
    ),
    rec.AttemptRec(
        new_id(), new_id(), new_id(), "p", "2", "3", "m", NOW, NOW, 0, 1, 0.0, False, "manual", "INSET, hall"
    ),
    rec.AckRec(new_id(), new_id(), new_id(), "example-policy", "1.0", NOW.astimezone(ELSEWHERE)),
    rec.ErasureRec(new_id(), new_id(), new_id(), NOW),
]


@pytest.mark.parametrize("record", ROUND_TRIP, ids=lambda r: type(r).__name__)
def test_every_kind_round_trips_through_one_line(record: rec.Record) -> None:
    text = rec.to_line(record)

    assert text.endswith("\n")
    assert text.count("\n") == 1  # a new line in a name is escaped, never a line break
    data = json.loads(text)
    assert data["kind"] in ("learner", "attempt", "acknowledgement", "erasure")
    times = [v for k, v in data.items() if k.endswith("_at") and v is not None]
    assert times
    assert all(UTC_TIME.match(t) for t in times), times
    assert rec.parse_record(data) == record


@pytest.mark.parametrize("make", [learner, attempt, acknowledgement, erasure], ids=lambda f: f.__name__)
def test_unknown_fields_are_ignored(make: Callable[..., dict[str, Any]]) -> None:
    data = make(B, "Ann Lee") if make is learner else make(B, new_id())

    parsed = rec.parse_record({**data, "signature": {"alg": "future"}, "tags": [1, 2]})

    assert rec.to_json(parsed) == data


def drop(data: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != key}


# (what is wrong, the bad line given the file's device id and the learner id, a word the message must hold)
BAD_LINES: list[tuple[str, Callable[[str, str], dict[str, Any] | str | list[Any]], str]] = [
    ("learner without name", lambda d, lid: drop(learner(d, "X"), "name"), "name"),
    ("learner name a number", lambda d, lid: learner(d, 42), "name"),
    ("learner email a number", lambda d, lid: learner(d, "X", email=5), "email"),
    ("learner school null", lambda d, lid: learner(d, "X", school=None), "school"),
    ("learner without role", lambda d, lid: drop(learner(d, "X"), "role"), "role"),
    ("role not in the list", lambda d, lid: learner(d, "X", role="chef"), "role"),
    ("role in capitals", lambda d, lid: learner(d, "X", role="Teacher"), "role"),
    ("naive created_at", lambda d, lid: learner(d, "X", created_at="2026-01-05T10:00:00"), "created_at"),
    ("bad created_at", lambda d, lid: learner(d, "X", created_at="5 January 2026"), "created_at"),
    ("id not a UUID", lambda d, lid: learner(d, "X", id="1234"), "id"),
    ("id missing", lambda d, lid: drop(learner(d, "X"), "id"), "id"),
    ("device_id not a UUID", lambda d, lid: {**learner(d, "X"), "device_id": "OFFICE-PC-2"}, "device_id"),
    ("score a string", lambda d, lid: attempt(d, lid, score="2"), "score"),
    ("score a bool", lambda d, lid: attempt(d, lid, score=True), "score"),
    ("max_score a bool", lambda d, lid: attempt(d, lid, max_score=True), "max_score"),
    ("max_score missing", lambda d, lid: drop(attempt(d, lid), "max_score"), "max_score"),
    ("pass_mark above 1", lambda d, lid: attempt(d, lid, pass_mark=1.5), "pass_mark"),
    ("pass_mark below 0", lambda d, lid: attempt(d, lid, pass_mark=-0.1), "pass_mark"),
    ("pass_mark a string", lambda d, lid: attempt(d, lid, pass_mark="0.5"), "pass_mark"),
    ("pass_mark a bool", lambda d, lid: attempt(d, lid, pass_mark=True), "pass_mark"),
    ("pass_mark missing", lambda d, lid: drop(attempt(d, lid), "pass_mark"), "pass_mark"),
    ("passed a string", lambda d, lid: attempt(d, lid, passed="yes"), "passed"),
    ("passed a number", lambda d, lid: attempt(d, lid, passed=1), "passed"),
    ("attempt learner_id not a UUID", lambda d, lid: attempt(d, "Ann Lee"), "learner_id"),
    ("naive started_at", lambda d, lid: attempt(d, lid, started_at="2026-01-05T10:00:00.000000"), "started_at"),
    ("bad finished_at", lambda d, lid: attempt(d, lid, finished_at="yesterday"), "finished_at"),
    ("source not quiz or manual", lambda d, lid: attempt(d, lid, source="paper"), "source"),
    ("note a number", lambda d, lid: attempt(d, lid, note=7), "note"),
    ("module_id missing", lambda d, lid: drop(attempt(d, lid), "module_id"), "module_id"),
    ("ack without policy_id", lambda d, lid: drop(acknowledgement(d, lid), "policy_id"), "policy_id"),
    ("ack month 13", lambda d, lid: acknowledgement(d, lid, acknowledged_at="2026-13-01T00:00:00Z"), "acknowledged_at"),
    ("ack learner_id missing", lambda d, lid: drop(acknowledgement(d, lid), "learner_id"), "learner_id"),
    ("erasure learner_id not a UUID", lambda d, lid: erasure(d, lid + "x"), "learner_id"),
    ("erasure naive erased_at", lambda d, lid: erasure(d, lid, erased_at="2026-01-05T10:00:00"), "erased_at"),
    ("erasure learner_id a number", lambda d, lid: erasure(d, 7), "learner_id"),
    ("no kind", lambda d, lid: drop(learner(d, "X"), "kind"), "kind"),
    ("unknown kind", lambda d, lid: {**learner(d, "X"), "kind": "learnr"}, "kind"),
    ("a JSON list", lambda d, lid: [learner(d, "X")], "object"),
    ("a JSON string", lambda d, lid: json.dumps("learner") + "\n", "object"),
    ("not JSON", lambda d, lid: "this is not JSON\n", "not valid JSON"),
    ("a line with a broken end", lambda d, lid: line(learner(d, "X"))[:-3] + "\n", "not valid JSON"),
]


@pytest.mark.parametrize(("bad", "word"), [(b, w) for _n, b, w in BAD_LINES], ids=[n for n, _b, _w in BAD_LINES])
def test_a_bad_line_is_reported_with_file_and_line_and_everything_else_merges(
    pc: Store, content: Content, share: Path, bad: Callable[[str, str], Any], word: str
) -> None:
    ann = learner(B, "Ann Lee")
    ann_attempt = attempt(B, ann["id"])
    bad_line = bad(B, ann["id"])
    broken = write_device(share, B, [ann, bad_line if isinstance(bad_line, str) else line(bad_line), ann_attempt])
    cy = learner(C, "Cy Other")
    cy_attempt = attempt(C, cy["id"], module_id="friend-requests")
    write_device(share, C, [cy, cy_attempt])
    mine = add_result(pc, mini_pack(content), "Pat Here")

    report = sync(pc, content, share)

    [problem] = report.problems
    assert (problem.path, problem.line) == (broken, 3)
    assert word in problem.message
    assert str(problem) == f"{broken}:3: {problem.message}"
    # The line is left out (had it been read, an extra learner or attempt, or an erasure, would show) ...
    assert sorted(db_ids(pc.path, "learner")) == sorted([ann["id"], cy["id"], mine.learner_id])
    assert sorted(db_ids(pc.path, "attempt")) == sorted([ann_attempt["id"], cy_attempt["id"], mine.id])
    assert db_ids(pc.path, "erasure") == []
    # ... and the rest of that file and the other file are in the reports.
    assert sorted(r["name"] for r in report_rows(share)) == ["Ann Lee", "Cy Other", "Pat Here"]


@pytest.mark.parametrize("email", ["", "  "])
def test_an_empty_email_is_read_as_no_email(pc: Store, content: Content, share: Path, email: str) -> None:
    ann = learner(B, "Ann Lee", email=email)
    write_device(share, B, [ann, attempt(B, ann["id"])])

    report = sync(pc, content, share)

    assert report.problems == []
    assert [(r["name"], r["email"]) for r in report_rows(share)] == [("Ann Lee", "")]


def test_a_truncated_last_line_is_reported_as_cut_short(pc: Store, content: Content, share: Path) -> None:
    ann = learner(B, "Ann Lee")
    first = attempt(B, ann["id"], module_id="friend-requests")
    cut = line(attempt(B, ann["id"]))[:-40]  # a copy interrupted mid-line: no end, no new line
    broken = write_device(share, B, [ann, first, cut])

    report = sync(pc, content, share)

    [problem] = report.problems
    assert (problem.path, problem.line) == (broken, 4)
    assert "cut short" in problem.message
    assert db_ids(pc.path, "attempt") == [first["id"]]
    [row] = report_rows(share)
    assert (row["name"], row["modules_passed"]) == ("Ann Lee", "1")


@pytest.mark.parametrize(
    ("head", "word"),
    [
        (header(B, version=3), "version"),
        (header(B, version=17, format="socialsafe-device-log"), "version"),
        (learner(B, "First Line Learner"), "header"),
        (header(B, format="someone-elses-log"), "header"),
        ("\n", "header"),
        ("not json at all\n", "header"),
    ],
    ids=["version 3", "version 17", "a record first", "another format", "empty first line", "not JSON"],
)
def test_a_file_with_a_newer_or_missing_header_is_skipped_whole_and_reported(
    pc: Store, content: Content, share: Path, head: Any, word: str
) -> None:
    hidden = learner(B, "Hidden Person")
    skipped = write_device(share, B, [hidden, attempt(B, hidden["id"])], head=head)
    cy = learner(C, "Cy Other")
    write_device(share, C, [cy])

    report = sync(pc, content, share)

    [problem] = report.problems
    assert problem.path == skipped
    assert word in problem.message
    if isinstance(head, dict) and head.get("kind") == "header" and head["version"] != 1:
        assert str(head["version"]) in problem.message
    assert db_ids(pc.path, "learner") == [cy["id"]]
    assert db_ids(pc.path, "attempt") == []
    assert [r["name"] for r in report_rows(share)] == ["Cy Other"]


def test_a_header_with_fields_this_version_does_not_know_is_read(pc: Store, content: Content, share: Path) -> None:
    ann = learner(B, "Ann Lee")
    write_device(share, B, [ann], head=header(B, signing_key="future", written_by={"os": "Windows 11"}))

    report = sync(pc, content, share)

    assert report.problems == []
    assert db_ids(pc.path, "learner") == [ann["id"]]


def test_a_device_file_that_is_not_utf8_is_reported_and_the_others_merge(
    pc: Store, content: Content, share: Path
) -> None:
    write_device(share, B, [learner(B, "Ann Lee")])
    latin = share / "devices" / f"{B}.jsonl"
    latin.write_bytes(latin.read_bytes().replace(b"Ann Lee", "Zoë Lee".encode("latin-1")))
    cy = learner(C, "Cy Other")
    write_device(share, C, [cy])

    report = sync(pc, content, share)

    [problem] = report.problems
    assert problem.path == latin
    assert "UTF-8" in problem.message
    assert db_ids(pc.path, "learner") == [cy["id"]]


def test_several_bad_lines_in_several_files_are_each_reported(pc: Store, content: Content, share: Path) -> None:
    ann, cy = learner(B, "Ann Lee"), learner(C, "Cy Other")
    one = write_device(share, B, ["{oops\n", ann, learner(B, "X", role="chef"), attempt(B, ann["id"])])
    two = write_device(share, C, [cy, "\n", attempt(C, cy["id"], score="two")])

    report = sync(pc, content, share)

    assert sorted((p.path.name, p.line) for p in report.problems) == sorted(
        [(one.name, 2), (one.name, 4), (two.name, 4)]
    )
    assert sorted(db_ids(pc.path, "learner")) == sorted([ann["id"], cy["id"]])
    assert len(db_ids(pc.path, "attempt")) == 1


# The share --------------------------------------------------------------------------


def test_first_use_marks_the_folder_and_makes_its_layout(pc: Store, content: Content, pack: Pack, share: Path) -> None:
    add_result(pc, pack, "Ann Lee")

    sync(pc, content, share)

    marker = json.loads((share / MARKER).read_text("utf-8"))
    assert marker["format"] == "socialsafe-share"
    assert marker["version"] == 1
    assert UTC_TIME.match(marker["created_at"]), marker
    assert sorted(p.relative_to(share).as_posix() for p in share.rglob("*")) == [
        "devices",
        f"devices/{pc.device_id}.jsonl",
        "reports",
        "reports/completions.csv",
        "reports/modules.csv",
        MARKER,
    ]
    head, records = read_device_file(own_file(share, pc))
    assert head["device_id"] == pc.device_id
    assert len(records) == 2


def a_used_share(share: Path, marker: Any, own_device: str) -> None:
    """A folder holding a marker, another PC's file, reports and an old leftover of this PC's."""
    (share / MARKER).write_text(marker if isinstance(marker, str) else json.dumps(marker), "utf-8")
    write_device(share, B, [learner(B, "Ann Lee")])
    (share / "reports").mkdir()
    (share / "reports" / "completions.csv").write_text("whatever was here\n", "utf-8")
    stale = share / "devices" / f".tmp-{own_device}-0123456789abcdef"
    stale.write_text("left by a crash", "utf-8")
    old = time.time() - 3600
    os.utime(stale, (old, old))


@pytest.mark.parametrize(
    "marker",
    [
        {"format": "photo-backup", "version": 1},
        {"version": 1},
        {"format": "socialsafe-share", "version": 3},
        {"format": "socialsafe-share", "version": "2"},
        "not JSON {",
        ["socialsafe-share", 1],
    ],
    ids=["another format", "no format", "newer version", "version as text", "not JSON", "a list"],
)
def test_a_share_of_another_format_or_a_newer_version_is_refused_and_nothing_changes(
    pc: Store, content: Content, pack: Pack, share: Path, marker: Any
) -> None:
    add_result(pc, pack, "Pat Here")
    a_used_share(share, marker, pc.device_id)
    before, local = snapshot(share), db_rows(pc.path, with_settings=True)

    with pytest.raises(ShareError) as refused:
        sync(pc, content, share)
    with pytest.raises(ShareError):
        merged_people(pc, share)  # what export and report use

    assert str(share) in str(refused.value)
    assert "\n" not in str(refused.value)
    assert snapshot(share) == before
    assert db_rows(pc.path, with_settings=True) == local


def test_a_missing_share_is_refused_and_not_created(pc: Store, content: Content, pack: Pack, tmp_path: Path) -> None:
    add_result(pc, pack, "Pat Here")
    share = tmp_path / "S-drive" / "Training"
    local = db_rows(pc.path, with_settings=True)

    with pytest.raises(ShareError) as refused:
        sync(pc, content, share)

    calm(str(refused.value))
    assert not (tmp_path / "S-drive").exists()
    assert db_rows(pc.path, with_settings=True) == local


def test_a_share_path_that_is_a_file_is_refused(pc: Store, content: Content, tmp_path: Path) -> None:
    share = tmp_path / "share"
    share.write_text("a file, not a folder", "utf-8")

    with pytest.raises(ShareError):
        sync(pc, content, share)

    assert share.read_text("utf-8") == "a file, not a folder"


@pytest.mark.parametrize("name", ["devices", "reports"])
def test_a_file_where_a_share_folder_should_be_is_refused(
    pc: Store, content: Content, pack: Pack, share: Path, name: str
) -> None:
    add_result(pc, pack, "Pat Here")
    (share / name).write_text("in the way", "utf-8")
    local = db_rows(pc.path, with_settings=True)

    with pytest.raises(ShareError) as refused:
        sync(pc, content, share)

    assert name in str(refused.value)
    assert (share / name).read_text("utf-8") == "in the way"
    assert db_rows(pc.path, with_settings=True) == local


def opened_in(name: Any, folder: int | None) -> Path:
    """Where ``name`` is, when it is opened relative to the folder descriptor ``folder`` (as share writes are)."""
    if folder is None:
        return Path(name).resolve()
    return Path(os.readlink(f"/proc/self/fd/{folder}")) / name


def failing(share: Path, error: OSError, where: str = "") -> tuple[Callable[..., Any], Callable[..., Any]]:
    """os.replace and os.open that fail, for files in ``share`` (under ``where``) only."""
    real_replace, real_open = os.replace, os.open
    target = (share / where).resolve()

    def replace(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
        if opened_in(dst, kwargs.get("dst_dir_fd")).is_relative_to(target):
            raise error
        real_replace(src, dst, *args, **kwargs)

    def open_(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & os.O_CREAT and opened_in(path, kwargs.get("dir_fd")).is_relative_to(target):
            raise error
        return real_open(path, flags, *args, **kwargs)

    return replace, open_


WRITE_ERRORS = [
    ("replace", PermissionError(errno.EACCES, os.strerror(errno.EACCES))),
    ("replace", OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))),
    ("replace", OSError(errno.EIO, os.strerror(errno.EIO))),
    ("open", OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))),
    ("open", OSError(errno.EROFS, os.strerror(errno.EROFS))),
    ("open", PermissionError(errno.EPERM, os.strerror(errno.EPERM))),
]


@pytest.mark.parametrize(
    ("call", "error"), WRITE_ERRORS, ids=[f"{c} {errno.errorcode[e.errno]}" for c, e in WRITE_ERRORS]
)
def test_a_share_that_cannot_be_written_loses_nothing_and_publishes_next_time(
    pc: Store, content: Content, pack: Pack, share: Path, monkeypatch: pytest.MonkeyPatch, call: str, error: OSError
) -> None:
    first = add_result(pc, pack, "Ann Lee")
    sync(pc, content, share)
    waiting = add_result(pc, pack, "Bea Next", module_id="friend-requests")
    before, local = snapshot(share), db_rows(pc.path, with_settings=True)
    replace, open_ = failing(share, error)
    monkeypatch.setattr(
        socialsafe.files.os, call if call == "replace" else "open", replace if call == "replace" else open_
    )

    with pytest.raises(ShareError) as refused:
        sync(pc, content, share)

    calm(str(refused.value))
    assert snapshot(share) == before  # the old file whole, no temporary file left
    assert db_rows(pc.path, with_settings=True) == local
    monkeypatch.undo()
    sync(pc, content, share)
    assert {first.id, waiting.id} <= set(device_ids(own_file(share, pc), "attempt"))
    assert sorted(r["name"] for r in report_rows(share)) == ["Ann Lee", "Bea Next"]


@pytest.mark.parametrize(
    "error",
    [OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)), PermissionError(errno.EACCES, os.strerror(errno.EACCES))],
)
def test_a_share_that_cannot_be_written_on_first_use_is_left_empty(
    pc: Store, content: Content, pack: Pack, share: Path, monkeypatch: pytest.MonkeyPatch, error: OSError
) -> None:
    add_result(pc, pack, "Ann Lee")
    local = db_rows(pc.path, with_settings=True)
    monkeypatch.setattr(socialsafe.files.os, "open", failing(share, error)[1])

    with pytest.raises(ShareError) as refused:
        sync(pc, content, share)

    calm(str(refused.value))
    assert list(share.iterdir()) == []
    assert db_rows(pc.path, with_settings=True) == local


def test_reports_that_cannot_be_written_leave_the_old_ones_and_come_next_time(
    pc: Store, content: Content, pack: Pack, share: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_result(pc, pack, "Ann Lee")
    sync(pc, content, share)
    old_reports = snapshot(share / "reports")
    add_result(pc, pack, "Bea Next")
    monkeypatch.setattr(
        socialsafe.files.os,
        "replace",
        failing(share, PermissionError(errno.EACCES, os.strerror(errno.EACCES)), "reports")[0],
    )

    with pytest.raises(ShareError) as refused:
        sync(pc, content, share)

    calm(str(refused.value))
    assert snapshot(share / "reports") == old_reports
    assert [p.name for p in share.rglob(".tmp-*")] == []
    monkeypatch.undo()
    sync(pc, content, share)
    assert sorted(r["name"] for r in report_rows(share)) == ["Ann Lee", "Bea Next"]


OTHER_FILES = [
    "desktop.ini",
    "Thumbs.db",
    "x (conflicted copy).jsonl",
    f"{B} (conflicted copy 2026-11-25).jsonl",
    f"{C}-OFFICE-PC-2.jsonl",
    f"{D}.sync-conflict-20261125-123456-ABCDEF.jsonl",
    "a.sync-conflict-123.jsonl",
    "~$lock",
    f"{B}.jsonl.bak",
]


def test_other_files_under_devices_are_reported_once_and_never_read_or_changed(
    pc: Store, content: Content, share: Path
) -> None:
    ann = learner(B, "Ann Lee")
    write_device(share, B, [ann])
    devices = share / "devices"
    for name in OTHER_FILES:
        # Whole, valid device files: had any of them been read, "Copy Person" would be merged.
        body = line(header(B)) + line(learner(B, "Copy Person", id=new_id()))
        (devices / name).write_text(body, "utf-8")
    (devices / f"{D}.jsonl").mkdir()  # a folder with a device file's name
    (devices / f"{D}.jsonl" / "inside.jsonl").write_text(body, "utf-8")
    others = [devices / n for n in [*OTHER_FILES, f"{D}.jsonl"]]
    before = {p: file_state(p) for p in others if p.is_file()}

    for _ in range(2):
        report = sync(pc, content, share)

        assert collections.Counter(p.path for p in report.problems) == collections.Counter(others)
        assert all(p.line is None for p in report.problems)
        assert db_ids(pc.path, "learner") == [ann["id"]]
        assert {p: file_state(p) for p in others if p.is_file()} == before
        assert [r["name"] for r in report_rows(share)] == ["Ann Lee"]


def test_temporary_files_are_ignored_by_readers(pc: Store, content: Content, share: Path) -> None:
    ann = learner(B, "Ann Lee")
    write_device(share, B, [ann])
    devices = share / "devices"
    (devices / f".tmp-{C}-5f3a9e").write_text(line(header(C)) + line(learner(C, "Half Written")), "utf-8")
    (devices / ".tmp-").write_bytes(b"\xff\xfe garbage")
    (devices / f".tmp-{C}.jsonl").write_text("{cut", "utf-8")

    report = sync(pc, content, share)

    assert report.problems == []
    assert db_ids(pc.path, "learner") == [ann["id"]]


def test_own_stale_temporary_files_are_removed_and_no_others(pc: Store, content: Content, share: Path) -> None:
    sync(pc, content, share)
    (share / "roster").mkdir()
    old, fresh = time.time() - 11 * 60, time.time() - 60
    files = {
        share / "devices" / f".tmp-{pc.device_id}-aaaa": old,
        share / "reports" / f".tmp-{pc.device_id}-bbbb": old,
        share / "roster" / f".tmp-{pc.device_id}-cccc": old,
        share / "devices" / f".tmp-{pc.device_id}-fresh": fresh,
        share / "devices" / f".tmp-{B}-aaaa": old,
        share / "reports" / f".tmp-{B}-bbbb": old,
        share / "devices" / ".tmp-0123456789abcdef": old,
    }
    for path, moment in files.items():
        path.write_text("leftover", "utf-8")
        os.utime(path, (moment, moment))

    sync(pc, content, share)

    left = {p for p in files if p.exists()}
    assert left == {
        share / "devices" / f".tmp-{pc.device_id}-fresh",
        share / "devices" / f".tmp-{B}-aaaa",
        share / "reports" / f".tmp-{B}-bbbb",
        share / "devices" / ".tmp-0123456789abcdef",
    }


# The merge ---------------------------------------------------------------------------


def test_the_same_record_read_twice_or_from_two_files_counts_once(
    pc: Store, content: Content, pack: Pack, share: Path
) -> None:
    mine = add_result(pc, pack, "Pat Here")
    ann = learner(B, "Ann Lee")
    tried, signed = attempt(B, ann["id"]), acknowledgement(B, ann["id"])
    write_device(share, B, [ann, tried, signed])
    write_device(share, C, [signed, tried, ann, tried])  # a copy of B's records, one of them twice

    sync(pc, content, share)
    after_one = db_rows(pc.path)
    sync(pc, content, share)

    assert db_rows(pc.path) == after_one
    assert db_ids(pc.path, "learner") == sorted([ann["id"], mine.learner_id])
    assert db_ids(pc.path, "attempt") == sorted([tried["id"], mine.id])
    assert db_ids(pc.path, "acknowledgement") == [signed["id"]]
    assert sorted(r["name"] for r in report_rows(share)) == ["Ann Lee", "Pat Here"]
    ann_photos = [r for r in report_rows(share, "modules.csv") if (r["name"], r["module_id"]) == ("Ann Lee", "photos")]
    assert [r["attempts"] for r in ann_photos] == ["1"]


def test_only_this_pcs_records_and_only_finished_attempts_are_published(
    pc: Store, content: Content, pack: Pack, share: Path
) -> None:
    done = add_result(pc, pack, "Pat Here")
    photos = next(m for m in pack.modules if m.id == "photos")
    open_attempt = pc.start_attempt(done.learner_id, pack, photos, [])
    signed = pc.acknowledge(done.learner_id, pack, "Pat Here")
    ann = learner(B, "Ann Lee")
    write_device(share, B, [ann, attempt(B, ann["id"]), erasure(B, new_id())])

    sync(pc, content, share)
    sync(pc, content, share)  # what came from B is in the database now, and still not published

    _head, records = read_device_file(own_file(share, pc))
    assert {r["device_id"] for r in records if r["kind"] != "erasure"} == {pc.device_id}
    assert sorted(r["id"] for r in records if r["kind"] != "erasure") == sorted([done.learner_id, done.id, signed.id])
    assert open_attempt.id not in {r["id"] for r in records}

    pc.finish_attempt(open_attempt.id, 0, False)
    sync(pc, content, share)

    assert open_attempt.id in device_ids(own_file(share, pc), "attempt")


def test_the_device_file_is_rewritten_only_when_this_pcs_records_change(
    pc: Store, content: Content, pack: Pack, share: Path
) -> None:
    add_result(pc, pack, "Pat Here")
    sync(pc, content, share)
    mine, marker = own_file(share, pc), share / MARKER
    first, first_marker = file_state(mine), file_state(marker)

    sync(pc, content, share)
    assert file_state(mine) == first
    ann = learner(B, "Ann Lee")
    write_device(share, B, [ann, attempt(B, ann["id"])])
    sync(pc, content, share)  # new records from another PC: not this PC's file
    assert file_state(mine) == first
    reports = snapshot(share / "reports")
    sync(pc, content, share)  # reports too stay as they are when nothing changed
    assert snapshot(share / "reports") == reports

    added = add_result(pc, pack, "Pat Here", module_id="friend-requests")
    sync(pc, content, share)

    assert file_state(mine)[0] != first[0]
    assert file_state(mine)[1] != first[1]  # replaced whole, not written in place
    assert added.id in device_ids(mine, "attempt")
    assert file_state(marker) == first_marker


def test_reading_the_share_for_export_writes_nothing(pc: Store, pack: Pack, share: Path) -> None:
    add_result(pc, pack, "Pat Here")
    ann = learner(B, "Ann Lee")
    write_device(share, B, [ann, "{bad\n"])
    before = snapshot(share)

    people, problems = merged_people(pc, share)

    assert sorted(p.name for p in people) == ["Ann Lee", "Pat Here"]
    assert [p.line for p in problems] == [3]
    assert snapshot(share) == before


# Erasure ----------------------------------------------------------------------------------


def quiz_attempt(store: Store, pack: Pack, learner_id: str) -> str:
    """A finished quiz attempt with an answer, as the app makes one."""
    photos = next(m for m in pack.modules if m.id == "photos")
    started = store.start_attempt(learner_id, pack, photos, [])
    store.record_answer(started.id, "ph-1", "", ["a"], True)
    store.finish_attempt(started.id, 1, True)
    return started.id


def test_an_erasure_drops_the_learner_their_records_and_the_same_person_everywhere(
    tmp_path: Path, content: Content, pack: Pack, share: Path
) -> None:
    pc = new_pc(tmp_path, "pc1")
    # This PC's own records of the two people who will ask to be erased, and of two who stay.
    ann_here = pc.add_learner("Ann Lee", "teacher", "Oak Primary", " ANN@Oak.example ")
    ann_quiz = quiz_attempt(pc, pack, ann_here.id)
    pc.acknowledge(ann_here.id, pack, "Ann Lee")
    bob_here = pc.add_learner("bob   SMITH", "volunteer", " oak  primary ")
    add_result(pc, pack, bob_here.name, school=bob_here.school, module_id="friend-requests")
    kept = add_result(pc, pack, "Cy Keep")
    other_ann = add_result(pc, pack, "Ann Lee", school="Elm Academy", email="ann@elm.example")
    # PC C: its own learner records of the same two people.
    ann_c = learner(C, "Ann Lee", email="ann@oak.example")
    bob_c = learner(C, "Bob Smith", school="Oak Primary")
    c_records = [ann_c, attempt(C, ann_c["id"]), bob_c, attempt(C, bob_c["id"], module_id="friend-requests")]
    write_device(share, C, c_records)
    # PC D: records referring to C's learners, and another learner record of Ann.
    ann_d = learner(D, "A. Lee", school="Oak", email="Ann@OAK.example")
    d_records = [acknowledgement(D, ann_c["id"]), ann_d, attempt(D, ann_d["id"])]
    write_device(share, D, d_records)
    sync(pc, content, share)
    assert {"Ann Lee", "A. Lee", "Bob Smith", "bob SMITH"} <= names_in_db(pc)

    # PC C records the erasures.
    erasures = [erasure(C, ann_c["id"]), erasure(C, bob_c["id"])]
    write_device(share, C, [*c_records, *erasures])
    report = sync(pc, content, share)

    assert report.problems == []
    assert names_in_db(pc) == {"Cy Keep", "Ann Lee"}
    assert {x.school for x in pc.learners() if x.name == "Ann Lee"} == {"Elm Academy"}
    assert db_ids(pc.path, "attempt") == sorted([kept.id, other_ann.id])
    assert db_ids(pc.path, "acknowledgement") == []
    assert db_rows(pc.path)["answer"] == []
    assert db_ids(pc.path, "erasure") == sorted(e["id"] for e in erasures)
    assert sorted((r["name"], r["school"]) for r in report_rows(share)) == [
        ("Ann Lee", "Elm Academy"),
        ("Cy Keep", "Oak Primary"),
    ]
    assert {r["name"] for r in report_rows(share, "modules.csv")} == {"Ann Lee", "Cy Keep"}
    # This PC stops publishing them and passes the erasures on, as they were.
    _head, published = read_device_file(own_file(share, pc))
    assert {r["id"] for r in published} == {
        kept.id,
        kept.learner_id,
        other_ann.id,
        other_ann.learner_id,
        *(e["id"] for e in erasures),
    }
    by_id = sorted(erasures, key=lambda e: e["id"])
    assert sorted((r for r in published if r["kind"] == "erasure"), key=lambda e: e["id"]) == by_id
    assert ann_quiz not in json.dumps(published)
    pc.close()


def test_an_erasure_made_on_one_pc_removes_the_person_from_every_pc(
    tmp_path: Path, content: Content, pack: Pack, share: Path
) -> None:
    pc_a, pc_b = new_pc(tmp_path, "pc-a"), new_pc(tmp_path, "pc-b")
    on_a = add_result(pc_a, pack, "Ann Lee", email="ann@oak.example")
    add_result(pc_b, pack, "Ann Lee", school="Oak", email="ANN@oak.example", module_id="friend-requests")
    add_result(pc_b, pack, "Cy Keep")
    for store in (pc_a, pc_b, pc_a):
        sync(store, content, share)
    assert "Ann Lee" in names_in_db(pc_b)

    pc_a.record_erasure(on_a.learner_id)  # Ann asks the office on PC A to erase her data
    sync(pc_a, content, share)
    sync(pc_b, content, share)
    sync(pc_a, content, share)

    for store in (pc_a, pc_b):
        assert names_in_db(store) == {"Cy Keep"}, store.path
        assert "ann@oak.example" not in own_file(share, store).read_text("utf-8").casefold()
    assert [r["name"] for r in report_rows(share)] == ["Cy Keep"]
    pc_a.close()
    pc_b.close()


# Roster ---------------------------------------------------------------------------------


def test_the_roster_adds_people_who_have_not_started_exemptions_and_roles(
    pc: Store, content: Content, pack: Pack, share: Path
) -> None:
    today = dt.date.today()
    add_result(pc, pack, "Ann Lee", email="ann@oak.example")
    add_result(pc, pack, "Dee Done", role="support_staff")
    rows = [
        "Name,Email,Role,School,Exempt_Until,Exempt_Reason,Payroll no,Notes",
        '"Smith, Rita",rita@oak.example,support_staff,Oak Primary,,,1001,"new, starts Monday"',
        f"Ed Exempt,,volunteer,Oak Primary,{today + dt.timedelta(days=30)},long-term leave,1002,",
        " ann lee , ANN@OAK.EXAMPLE ,trustee,Oak Primary,,,1003,",
        "Carl Chef,carl@oak.example,chef,Oak Primary,,,1004,",
        "Dora Date,dora@oak.example,teacher,Oak Primary,31/07/2027,,1005,",
        f"Olly Old,,teacher,Oak Primary,{today - dt.timedelta(days=1)},ended,1006,",
        f"Dee Done,,teacher,oak primary,{today},,1007,",
        f"Eve Today,,trustee,Oak Primary,{today},,1008,",
    ]
    roster = share / "roster" / "roster.csv"
    roster.parent.mkdir()
    roster.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(rows).encode("utf-8") + b"\r\n")
    before = roster.read_bytes()

    report = sync(pc, content, share)

    assert sorted((p.path, p.line) for p in report.problems) == [(roster, 5), (roster, 6)]
    assert "chef" in next(p.message for p in report.problems if p.line == 5)
    people = {r["name"]: r for r in report_rows(share)}
    assert sorted(people) == ["Ann Lee", "Dee Done", "Ed Exempt", "Eve Today", "Olly Old", "Smith, Rita"]
    assert (people["Smith, Rita"]["status"], people["Smith, Rita"]["email"]) == ("not_started", "rita@oak.example")
    assert people["Smith, Rita"]["role"] == "support_staff"
    assert people["Ed Exempt"]["status"] == "exempt"
    assert people["Eve Today"]["status"] == "exempt"  # in force on its last day
    assert people["Olly Old"]["status"] == "not_started"
    assert people["Ann Lee"]["role"] == "trustee"  # the roster's role wins over the learner record's
    assert people["Ann Lee"]["status"] != "not_started"
    assert (people["Dee Done"]["role"], people["Dee Done"]["status"]) == ("teacher", "exempt")
    assert roster.read_bytes() == before  # read, never written, by a sync
    assert {r["name"] for r in report_rows(share, "modules.csv")} >= {"Smith, Rita", "Olly Old"}


def test_a_roster_that_is_not_utf8_or_lacks_a_column_is_reported(
    pc: Store, content: Content, pack: Pack, share: Path
) -> None:
    add_result(pc, pack, "Ann Lee")
    roster = share / "roster" / "roster.csv"
    roster.parent.mkdir()
    roster.write_bytes("name,email,role,school\nZoë,,teacher,Oak\n".encode("cp1252"))

    report = sync(pc, content, share)
    roster.write_text("name,role,school\nZoe,teacher,Oak\n", "utf-8")
    second = sync(pc, content, share)

    assert [p.path for p in report.problems] == [roster]
    assert "email" in second.problems[0].message
    assert [r["name"] for r in report_rows(share)] == ["Ann Lee"]


# Reports on the share ----------------------------------------------------------------------

# (the name as another PC recorded it, the cell a spreadsheet must get)
AWKWARD_NAMES = [
    ("Smith, Jane", "Smith, Jane"),
    ('Jane "JJ" Doe', 'Jane "JJ" Doe'),
    ("Two\nLines", "Two\nLines"),
    ("Carriage\r\nReturn", "Carriage\r\nReturn"),
    ("Zoë Ñúñez-Ångström", "Zoë Ñúñez-Ångström"),
    ("مريم الحسن", "مريم الحسن"),
    ("שרה כהן", "שרה כהן"),
    ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
    ("+44 Caller", "'+44 Caller"),
    ("-1 Minus", "'-1 Minus"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tTabbed", "'\tTabbed"),
    ("O'Neil", "O'Neil"),
]


def test_reports_keep_awkward_names_and_neutralise_formulas(pc: Store, content: Content, share: Path) -> None:
    records: list[dict[str, Any] | str] = []
    for number, (name, _cell) in enumerate(AWKWARD_NAMES):
        person = learner(B, name, school="=Oak" if number == 0 else "Oak, Primary", email=f"p{number}@oak.example")
        records += [person, attempt(B, person["id"])]
    odd_email = learner(B, "Plain Person", email="-x@oak.example")
    records.append(odd_email)
    write_device(share, B, records)

    report = sync(pc, content, share)

    assert report.problems == []
    for name in ("completions.csv", "modules.csv"):
        data = (share / "reports" / name).read_bytes()
        assert data.startswith(b"\xef\xbb\xbf")
        assert data[3:].startswith(b"name,email,role,school,")
        rows = report_rows(share, name)
        by_email = {r["email"]: r for r in rows}
        for number, (_name, cell) in enumerate(AWKWARD_NAMES):
            assert by_email[f"p{number}@oak.example"]["name"] == cell, name
        assert by_email["p0@oak.example"]["school"] == "'=Oak"
        assert by_email["p1@oak.example"]["school"] == "Oak, Primary"
        assert by_email["'-x@oak.example"]["name"] == "Plain Person"
        if name == "completions.csv":
            assert len(rows) == len(AWKWARD_NAMES) + 1  # one row per person
        for row in rows:
            for column, value in row.items():
                assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), (column, value)


def test_report_headers_are_the_contracts(pc: Store, content: Content, pack: Pack, share: Path) -> None:
    add_result(pc, pack, "Ann Lee")

    sync(pc, content, share)

    # read_report holds each file to the contract's header, BOM and row width.
    [person] = report_rows(share)
    modules = report_rows(share, "modules.csv")
    assert (person["name"], person["modules_total"], person["status"]) == ("Ann Lee", "2", "in_progress")
    assert sorted(r["module_id"] for r in modules) == ["friend-requests", "photos"]
    assert {r["policy_version"] for r in modules} == {"1.0"}


def test_completions_has_one_row_per_person_with_two_policies_loaded(pc: Store, share: Path) -> None:
    content = load_all([bundled("quizzes"), MINI])
    assert len(content.current) == 2
    add_result(pc, mini_pack(load_all([MINI])), "Ann Lee")

    sync(pc, content, share)

    assert [r["name"] for r in report_rows(share)] == ["Ann Lee"]


def test_the_sync_report_counts_what_it_did(pc: Store, content: Content, pack: Pack, share: Path) -> None:
    add_result(pc, pack, "Pat Here")
    ann = learner(B, "Ann Lee")
    write_device(share, B, [ann, attempt(B, ann["id"]), "{bad\n"])

    report: SyncReport = sync(pc, content, share)

    assert (report.published, report.devices_read, report.imported, len(report.problems)) == (2, 1, 2, 1)
    assert "2" in report.summary()
    assert sync(pc, content, share).imported == 0
