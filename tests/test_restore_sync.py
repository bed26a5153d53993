"""A PC whose database was repaired takes back, at its next sync, what it had published (issue #8).

The database is restored from an older daily copy (or started afresh when there
is none); this PC's device file on the share still holds everything it
published. The sync takes those records back before it rewrites that file
whole, so nothing published leaves the share. Real files throughout: the
Store, the backups the app takes, a real shared folder read back strictly.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from conftest import open_store
from socialsafe.content.loader import Content
from socialsafe.content.model import Pack
from socialsafe.domain.quiz import draw
from socialsafe.storage.backup import take_daily_backup
from socialsafe.storage.quick import QuickReads
from socialsafe.storage.recovery import RESTORED_KEY
from socialsafe.storage.store import Store
from socialsafe.sync.engine import sync
from socialsafe.sync.share import ShareError
from sync_helpers import (
    attempt,
    check_share_files,
    db_ids,
    device_ids,
    learner,
    new_id,
    read_device_file,
    write_device,
)

MONDAY = dt.datetime(2025, 3, 3, 12, 0, tzinfo=dt.UTC)
MODULE = "friend-requests"


def _backup(db_path: Path) -> None:
    assert take_daily_backup(db_path, db_path.parent / "backups", now=MONDAY) is not None


def _damage(db_path: Path) -> None:
    db_path.write_bytes(b"\x00\x01garbage bytes, not a database\xff" * 200)


def _restored(db_path: Path, opened: list[Store]) -> Store:
    """The database damaged, then opened as the app opens it: restored from the newest backup."""
    _damage(db_path)
    store = open_store(db_path, opened)
    assert store.recovery is not None
    assert store.recovery.restored_from is not None
    return store


def _published(device_file: Path) -> dict[str, dict[str, object]]:
    _head, records = read_device_file(device_file)
    return {str(r["id"]): r for r in records}


# An attempt unfinished in the backup, finished and published after it --------------------------------


def test_a_pass_finished_after_the_backup_stays_on_the_share_and_is_finished_here(
    db_path: Path, share: Path, opened: list[Store], content: Content, pack: Pack
) -> None:
    pc = open_store(db_path, opened)
    who = pc.add_learner("Amina Okafor", "teacher", "Oak Primary")
    module = pack.module(MODULE)
    started = pc.start_attempt(who.id, pack, module, draw(module.questions, module.draw, random.Random(3)))
    pc.record_answer(started.id, "fr-1", "", ["a"], True)
    _backup(db_path)  # the attempt is unfinished in the copy
    pc.finish_attempt(started.id, 2, True)
    sync(pc, content, share)
    device_file = share / "devices" / f"{pc.device_id}.jsonl"
    published = _published(device_file)
    assert published[started.id]["passed"] is True
    pc.close()

    restored = _restored(db_path, opened)
    (unfinished,) = restored.attempts(who.id)
    assert unfinished.finished_at is None  # as the copy had it
    sync(restored, content, share)

    assert _published(device_file) == published  # the pass is still on the share, exactly as it was
    check_share_files(share)
    (here,) = restored.attempts(who.id)
    assert (here.finished_at, here.score, here.passed) == (
        dt.datetime.fromisoformat(str(published[started.id]["finished_at"]).replace("Z", "+00:00")),
        2,
        True,
    )
    assert restored.open_attempt(who.id, MODULE) is None  # not offered to continue the old quiz
    assert here.plan == started.plan  # this PC's own plan and answers are kept
    assert [a.question_id for a in restored.answers(started.id)] == ["fr-1"]
    # And the next sync changes nothing.
    sync(restored, content, share)
    assert _published(device_file) == published
    assert db_ids(db_path, "attempt") == [started.id]
    assert device_ids(device_file, "attempt") == [started.id]


def test_another_pc_s_result_for_a_person_taken_back_is_taken_in_too(
    db_path: Path, share: Path, opened: list[Store], content: Content, pack: Pack
) -> None:
    """The office PC recorded a result for someone added here after the backup: both come back, in one sync."""
    pc = open_store(db_path, opened)
    _backup(db_path)
    tom = pc.add_learner("Tom Reyes", "teacher", "Oak Primary")
    sync(pc, content, share)
    pc.close()
    office = new_id()
    result = attempt(office, tom.id)
    write_device(share, office, [result])

    restored = _restored(db_path, opened)
    report = sync(restored, content, share)

    assert tom.id in db_ids(db_path, "learner")
    assert result["id"] in db_ids(db_path, "attempt")
    assert report.imported == 2


# Taken back only after a repair: a cloned data folder does not take the other PC's people ----------------


def _setting(db_path: Path, key: str) -> str | None:
    connection = sqlite3.connect(db_path)
    try:
        row = connection.execute("SELECT value FROM setting WHERE key = ?", (key,)).fetchone()
    finally:
        connection.close()
    return None if row is None else str(row[0])


def test_a_cloned_data_folder_does_not_take_the_other_pc_s_people_as_its_own(
    tmp_path: Path, share: Path, content: Content, caplog: pytest.LogCaptureFixture
) -> None:
    """Two PCs with one device id (a data folder imaged onto a second PC): the IT guide forbids it, it happens."""
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    Store(first / "socialsafe.db").close()
    shutil.copy(first / "socialsafe.db", second / "socialsafe.db")
    other = Store(second / "socialsafe.db")
    bea = other.add_learner("Bea Other-PC", "teacher", "Ash Primary", pin="4321")
    sync(other, content, share)
    other.close()

    pc = Store(first / "socialsafe.db")
    try:
        with caplog.at_level(logging.WARNING, logger="socialsafe"):
            report = sync(pc, content, share)
    finally:
        pc.close()

    assert [p.name for p in QuickReads(first / "socialsafe.db").people_on_this_pc()] == []
    assert bea.id not in db_ids(first / "socialsafe.db", "learner")  # nobody can open her training here
    assert report.imported == 0
    # Said once, for IT: the sign of a cloned data folder.
    warnings = [r for r in caplog.records if "does not have" in r.getMessage()]
    assert len(warnings) == 1
    assert pc.device_id in warnings[0].getMessage()


def test_another_pc_s_result_for_a_person_left_alone_does_not_stop_the_sync(
    tmp_path: Path, share: Path, content: Content
) -> None:
    """The office recorded a result for the cloned PC's person: it is not taken in without its learner."""
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    Store(first / "socialsafe.db").close()
    shutil.copy(first / "socialsafe.db", second / "socialsafe.db")
    other = Store(second / "socialsafe.db")
    bea = other.add_learner("Bea Other-PC", "teacher", "Ash Primary")
    sync(other, content, share)
    other.close()
    office = new_id()
    result = attempt(office, bea.id)
    write_device(share, office, [result])

    pc = Store(first / "socialsafe.db")
    try:
        sync(pc, content, share)
    finally:
        pc.close()

    assert bea.id not in db_ids(first / "socialsafe.db", "learner")
    assert result["id"] not in db_ids(first / "socialsafe.db", "attempt")


def test_the_repair_marks_the_database_until_a_sync_has_published(
    db_path: Path, share: Path, opened: list[Store], content: Content, pack: Pack, tmp_path: Path
) -> None:
    pc = open_store(db_path, opened)
    _backup(db_path)
    tom = pc.add_learner("Tom Reyes", "teacher", "Oak Primary")
    sync(pc, content, share)
    pc.close()

    restored = _restored(db_path, opened)
    assert _setting(db_path, RESTORED_KEY) is not None  # in the restored database as it was put in place
    with pytest.raises(ShareError):
        sync(restored, content, tmp_path / "not-connected")
    assert _setting(db_path, RESTORED_KEY) is not None  # nothing published yet: still to take back
    sync(restored, content, share)

    assert tom.id in db_ids(db_path, "learner")
    assert _setting(db_path, RESTORED_KEY) is None
    # From now on this PC's device id on the share is this database's alone: a record it lacks is left there.
    device_file = share / "devices" / f"{restored.device_id}.jsonl"
    stranger = learner(restored.device_id, "Cloned Stranger")
    write_device(share, restored.device_id, [*read_device_file(device_file)[1], stranger])
    sync(restored, content, share)
    assert stranger["id"] not in db_ids(db_path, "learner")


def test_with_no_backup_the_new_database_is_marked_too(db_path: Path, opened: list[Store]) -> None:
    open_store(db_path, opened).close()
    opened.clear()

    _damage(db_path)
    store = open_store(db_path, opened)

    assert store.recovery is not None
    assert store.recovery.restored_from is None
    assert _setting(db_path, RESTORED_KEY) is not None


def test_a_sound_or_new_database_is_not_marked(db_path: Path, opened: list[Store]) -> None:
    open_store(db_path, opened).close()
    open_store(db_path, opened).close()

    assert _setting(db_path, RESTORED_KEY) is None


def test_after_a_repair_an_unreadable_own_device_file_is_not_overwritten(
    db_path: Path, share: Path, opened: list[Store], content: Content
) -> None:
    """Its records could not be taken back: rewriting it from the restored database would drop them."""
    pc = open_store(db_path, opened)
    _backup(db_path)
    pc.add_learner("Tom Reyes", "teacher", "Oak Primary")
    sync(pc, content, share)
    pc.close()
    device_file = share / "devices" / f"{pc.device_id}.jsonl"
    device_file.write_bytes(device_file.read_bytes() + b"\xff\xfe a torn cloud copy\n")
    unreadable = device_file.read_bytes()

    restored = _restored(db_path, opened)
    report = sync(restored, content, share)

    assert device_file.read_bytes() == unreadable
    assert any("not shared until" in str(problem) for problem in report.problems)  # said, not silently skipped
    assert _setting(db_path, RESTORED_KEY) is not None  # taken back at a later sync, once it can be read


# No good backup: the same PC, empty, takes its published records back -----------------------------------------


def test_with_no_good_backup_the_pc_s_people_come_back_from_the_share(
    db_path: Path, share: Path, opened: list[Store], content: Content, pack: Pack
) -> None:
    pc = open_store(db_path, opened)
    device = pc.device_id
    ann = pc.add_learner("Ann Jones", "teacher", "Oak Primary")
    result = pc.record_manual(ann.id, pack, pack.module("photos"), 2, 2, dt.datetime(2025, 3, 3, tzinfo=dt.UTC))
    sync(pc, content, share)
    device_file = share / "devices" / f"{device}.jsonl"
    published = device_ids(device_file)
    pc.close()
    connection = sqlite3.connect(db_path)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    # The end of the file lost: the schema and the settings, near its start, readable.
    with closing(sqlite3.connect(db_path)) as connection:
        (kept,) = connection.execute(
            "SELECT max(pageno) FROM dbstat WHERE name IN ('sqlite_schema', 'setting', 'sqlite_autoindex_setting_1')"
        ).fetchone()
        (page,) = connection.execute("PRAGMA page_size").fetchone()
    size = db_path.stat().st_size
    with open(db_path, "r+b") as handle:
        handle.truncate(max(size // 2, kept * page))
    assert db_path.stat().st_size < size  # some of the tables after them lost

    store = open_store(db_path, opened)
    assert store.recovery is not None
    assert store.recovery.restored_from is None
    sync(store, content, share)

    assert store.device_id == device
    assert [p.name for p in QuickReads(db_path).people_on_this_pc()] == ["Ann Jones"]  # "Who are you?" again
    assert result.id in db_ids(db_path, "attempt")
    assert device_ids(device_file) == published
    assert sorted(path.name for path in (share / "devices").iterdir()) == [device_file.name]
