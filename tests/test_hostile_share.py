"""Whatever anyone puts on the shared folder, every PC still syncs, publishes and reports (issue #14).

Each test writes the bad file for real and syncs through the real engine or the
real command as its own process: the bad line or file is named with its line,
left out, and everything else still merges; this PC still publishes; nothing
that reaches the local database is something it cannot read back.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from socialsafe.content.loader import Content, load_all
from socialsafe.domain import limits
from socialsafe.storage.store import Store
from socialsafe.sync import records as rec
from socialsafe.sync.engine import sync
from socialsafe.sync.share import OutsideShareError, ShareError, write_in_share
from sync_helpers import (
    MINI,
    acknowledgement,
    attempt,
    command,
    device_ids,
    environment,
    learner,
    new_id,
    new_pc,
    run,
    utc,
    write_device,
)

NOW = dt.datetime.now(dt.UTC)
LATER = NOW + dt.timedelta(days=2)  # beyond any clock's error: not yet happened


def _stamp(moment: dt.datetime) -> str:
    return utc(moment)


def _poisoned(device: str, learner_id: str) -> dict[str, dict[str, Any] | str]:
    """One bad line each, as the hostile review wrote them."""
    return {
        "dated 9999": learner(device, "Nine", created_at="9999-12-31T23:59:59Z"),
        "dated year 1": learner(device, "One", created_at="0001-01-01T00:00:00Z"),
        "dated year 1, with an offset": learner(device, "One", created_at="0001-01-01T00:30:00+01:00"),
        "an attempt from the future": attempt(device, learner_id, started_at=_stamp(LATER), finished_at=_stamp(LATER)),
        "a sign-off in 1970": acknowledgement(device, learner_id, acknowledged_at="1970-01-01T00:00:00Z"),
        "5,000 nested brackets": "[" * 5000 + "]" * 5000 + "\n",
        "nested inside a record": json.dumps(learner(device, "Deep"))[:-1]
        + ', "x": '
        + "[" * 2000
        + "]" * 2000
        + "}\n",
        "a score too big for the database": attempt(device, learner_id, score=10**30, max_score=10**30),
        "a name of 100,000 letters": learner(device, "A" * 100_000),
        "a line of 200 KB": json.dumps({**learner(device, "Long"), "padding": "x" * 200_000}) + "\n",
    }


@pytest.fixture
def pc(tmp_path: Path) -> Store:
    store = new_pc(tmp_path, "pc")
    yield store
    store.close()


@pytest.mark.parametrize("case", list(_poisoned("d", "l")))
def test_a_bad_line_is_named_and_left_out_and_everything_else_still_counts(
    pc: Store, content: Content, share: Path, case: str
) -> None:
    own = pc.add_learner("Ann Own", "teacher", "Oak Primary")
    device = new_id()
    good = learner(device, "Bob Good")
    path = write_device(share, device, [good, _poisoned(device, good["id"])[case], attempt(device, good["id"])])
    other = new_id()
    write_device(share, other, [learner(other, "Cat Other")])

    report = sync(pc, content, share)

    assert [(p.path, p.line) for p in report.problems] == [(path, 3)], report.problems
    names = {learner.name for learner in pc.learners()}  # read back from the database: nothing unreadable there
    assert names == {"Ann Own", "Bob Good", "Cat Other"}
    assert own.id in device_ids(share / "devices" / f"{pc.device_id}.jsonl")  # this PC still publishes
    again = sync(pc, content, share)  # and the next sync, and the one after the file is gone, still work
    assert len(again.problems) == 1
    path.unlink()
    assert sync(pc, content, share).problems == []


def test_a_clock_a_little_fast_is_believed_and_one_far_ahead_is_not(pc: Store, content: Content, share: Path) -> None:
    device = new_id()
    soon = NOW + limits.CLOCK_SKEW - dt.timedelta(hours=1)
    path = write_device(
        share,
        device,
        [
            learner(device, "Fast Clock", created_at=_stamp(soon)),
            learner(device, "Far Ahead", created_at=_stamp(LATER)),
        ],
    )

    report = sync(pc, content, share)

    assert [p.line for p in report.problems] == [3]
    assert "later than this PC's clock allows" in report.problems[0].message
    assert {learner.name for learner in pc.learners()} == {"Fast Clock"}
    # Read once its time has come, the same line counts.
    later = rec.read_device(path, path.read_bytes(), now=LATER)
    assert [r.name for r in later.records] == ["Fast Clock", "Far Ahead"]  # type: ignore[union-attr]


def test_times_are_written_so_that_they_read_back_whatever_the_year() -> None:
    """strftime writes year 1 as "1": nothing could read such a time back."""
    for moment in (dt.datetime(1, 1, 1, tzinfo=dt.UTC), dt.datetime(2026, 12, 6, 9, 5, 1, 7, tzinfo=dt.UTC)):
        text = rec.utc_text(moment)
        assert dt.datetime.fromisoformat(text.replace("Z", "+00:00")) == moment
    assert rec.utc_text(dt.datetime(2026, 12, 6, 9, 5, 1, tzinfo=dt.UTC)) == "2026-12-06T09:05:01.000000Z"


def test_the_biggest_files_are_left_out_when_the_share_holds_more_than_one_sync_reads(
    pc: Store, content: Content, share: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small = [new_id() for _ in range(3)]
    for device in small:
        write_device(share, device, [learner(device, f"Small {device[:4]}")])
    big = new_id()
    write_device(share, big, [learner(big, f"Big {n}") for n in range(200)])
    sizes = sum((share / "devices" / f"{d}.jsonl").stat().st_size for d in small)
    monkeypatch.setattr(limits, "MAX_SHARE", sizes + 2000)  # room for the small files and this PC's own

    report = sync(pc, content, share)

    [problem] = report.problems
    assert problem.path.name == f"{big}.jsonl"
    assert "more than one sync reads" in problem.message
    assert len(pc.learners()) == 3


def test_a_file_too_big_for_any_pc_is_left_out_unread(
    pc: Store, content: Content, share: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "MAX_DEVICE_FILE", 4096)
    device = new_id()
    path = write_device(share, device, [learner(device, f"Many {n}") for n in range(100)])

    report = sync(pc, content, share)

    assert [(p.path, p.line) for p in report.problems] == [(path, None)]
    assert "more than SocialSafe reads" in report.problems[0].message
    assert pc.learners() == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_pipe_or_a_link_named_like_a_device_file_is_never_opened(tmp_path: Path, share: Path) -> None:
    """A pipe would block the read for ever, a link could lead to any file of the PC."""
    home = tmp_path / "home"
    assert run(home, share, "sync").returncode == 0
    pipe = share / "devices" / f"{new_id()}.jsonl"
    os.mkfifo(pipe)
    secret = tmp_path / "secret.jsonl"
    secret.write_text("not for the share\n")
    link = share / "devices" / f"{new_id()}.jsonl"
    link.symlink_to(secret)

    result = run(home, share, "sync", timeout=60)

    assert result.returncode == 1
    assert str(pipe) in result.stdout + result.stderr
    assert str(link) in result.stdout + result.stderr
    assert "not for the share" not in result.stdout + result.stderr


def test_memory_stays_bounded_whatever_size_the_files_are(tmp_path: Path, share: Path) -> None:
    """A 50 MB line once took 2 GB; a 200 MB file of valid lines was read whole. Measured, as a process."""
    home = tmp_path / "home"
    assert run(home, share, "sync").returncode == 0
    own = next((share / "devices").iterdir())
    one_line = new_id()
    write_device(share, one_line, ['{"kind": "learner", "name": "' + "a" * 50_000_000 + '"}\n'])
    huge = new_id()
    record = json.dumps(learner(huge, "Many Lines")) + "\n"
    with open(share / "devices" / f"{huge}.jsonl", "w", encoding="utf-8") as handle:
        handle.write(json.dumps({"kind": "header", "format": "socialsafe-device-log", "version": 1}) + "\n")
        handle.writelines([record] * (200_000_000 // len(record)))
    # The peak resident memory of the sync alone: a child of a fresh process.
    measure = textwrap.dedent(
        f"""
        import resource, subprocess, sys
        done = subprocess.run({command(home, share, "sync")!r}, capture_output=True, text=True, env={environment()!r})
        sys.stdout.write(done.stdout + done.stderr)
        print("exit", done.returncode)
        print("peak", resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
        """
    )

    result = subprocess.run([sys.executable, "-c", measure], capture_output=True, text=True, timeout=300)

    *said, exit_line, peak_line = result.stdout.strip().splitlines()
    output = "\n".join(said)
    peak_mb = int(peak_line.split()[1]) / (1024 if sys.platform != "darwin" else 1024 * 1024)
    print(f"peak resident memory of the sync: {peak_mb:.0f} MB")
    assert exit_line == "exit 1", output
    assert f"{one_line}.jsonl:2: the line is" in output
    assert f"{huge}.jsonl: left out: it is 190 MB, more than SocialSafe reads (64 MB)" in output
    assert peak_mb < 300, output
    assert own.stat().st_size > 0


def test_a_share_folder_that_is_a_link_is_never_written_through(
    pc: Store, content: Content, share: Path, tmp_path: Path
) -> None:
    sync(pc, content, share)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "completions.csv").write_text("someone else's file")
    for child in (share / "reports").iterdir():
        child.unlink()
    (share / "reports").rmdir()
    (share / "reports").symlink_to(outside, target_is_directory=True)

    with pytest.raises(ShareError, match="reports leads somewhere else"):
        sync(pc, content, share)

    assert sorted(p.name for p in outside.iterdir()) == ["completions.csv"]
    assert (outside / "completions.csv").read_text() == "someone else's file"


def test_a_file_that_is_a_link_is_replaced_not_followed(share: Path, tmp_path: Path) -> None:
    outside = tmp_path / "precious.txt"
    outside.write_text("untouched")
    (share / "reports").mkdir()
    (share / "reports" / "completions.csv").symlink_to(outside)

    write_in_share(share, share / "reports" / "completions.csv", b"report")

    assert outside.read_text() == "untouched"
    assert not (share / "reports" / "completions.csv").is_symlink()
    assert (share / "reports" / "completions.csv").read_bytes() == b"report"


def test_a_link_deeper_down_is_refused_too(share: Path, tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (share / "content").mkdir()
    (share / "content" / "pack").symlink_to(tmp_path / "elsewhere", target_is_directory=True)

    with pytest.raises(OutsideShareError):
        write_in_share(share, share / "content" / "pack" / "signed-pack.json", b"{}")
    assert list((tmp_path / "elsewhere").iterdir()) == []


def _nested_pack(folder: Path) -> Path:
    pack = folder / "evil"
    (pack / "modules").mkdir(parents=True)
    (pack / "pack.toml").write_text("a = " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    (pack / "modules" / "m.toml").write_text("b = " + "{c = " * 5000 + "1" + "}" * 5000 + "\n", encoding="utf-8")
    return pack


def test_a_pack_nested_thousands_deep_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    pack = _nested_pack(tmp_path / "packs")

    content = load_all([tmp_path / "packs", MINI])

    assert [p.path for p in content.problems if "deeper than any pack" in p.message] == [
        pack / "pack.toml",
        pack / "modules" / "m.toml",
    ]
    assert [p.id for p in content.packs] == ["example"]  # the good pack is still there


def test_a_bad_pack_on_the_share_stops_neither_the_commands_nor_the_app(tmp_path: Path, share: Path) -> None:
    home = tmp_path / "home"
    assert run(home, share, "sync").returncode == 0
    _nested_pack(share / "content")
    _nested_pack(tmp_path / "packs")
    extra = ["--packs", str(tmp_path / "packs")]

    for args in (["sync"], ["report"], [*extra, "report"], [*extra, "validate"]):
        result = run(home, share, *args)
        assert "Traceback" not in result.stderr, result.stderr
        assert "Something went wrong" not in result.stderr, result.stderr
        assert result.returncode in (0, 1), result.stderr
    checked = run(home, share, *extra, "validate")
    assert "deeper than any pack" in checked.stdout + checked.stderr
    opened = subprocess.run(
        [*command(home, share, *extra, "gui", "--startup-check")],
        capture_output=True,
        text=True,
        env={**environment(), "QT_QPA_PLATFORM": "offscreen"},
        timeout=120,
    )
    assert opened.returncode == 0, opened.stderr


def test_files_the_system_puts_in_folders_are_noted_not_problems(pc: Store, content: Content, share: Path) -> None:
    sync(pc, content, share)
    for name in ("desktop.ini", "Thumbs.db", ".DS_Store", "~$roster.xlsx"):
        (share / "devices" / name).write_bytes(b"\0system")
    (share / "devices" / "conflicted copy.jsonl").write_text("{}")

    report = sync(pc, content, share)

    assert sorted(p.path.name for p in report.problems if p.note) == [
        ".DS_Store",
        "Thumbs.db",
        "desktop.ini",
        "~$roster.xlsx",
    ]
    assert [p.path.name for p in report.problems if not p.note] == ["conflicted copy.jsonl"]
    assert "1 problem found" in report.summary()


def test_the_fast_path_is_never_kinder_to_a_time_than_the_checked_one() -> None:
    """The fast reader is built once an hour: a time just past the limit must still be refused."""
    now = dt.datetime(2026, 12, 6, 10, 59, tzinfo=dt.UTC)
    device = new_id()
    lines = [
        learner(device, "Just In", created_at=_stamp(limits.latest(now) - dt.timedelta(seconds=1))),
        learner(device, "Just Out", created_at=_stamp(limits.latest(now) + dt.timedelta(seconds=1))),
    ]
    raw = "".join(json.dumps(x) + "\n" for x in [{"kind": "header", "format": rec.FORMAT, "version": 1}, *lines])

    device_file = rec.read_device(Path(f"{device}.jsonl"), raw.encode(), now=now)

    assert [r.name for r in device_file.records] == ["Just In"]  # type: ignore[union-attr]
    assert [line for line, _message in device_file.problems] == [3]
