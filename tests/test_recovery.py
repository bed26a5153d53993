"""A damaged local database is found at start and replaced by the newest good backup (issue #8).

Real files in a temporary data folder: databases made by the Store, then cut
short, overwritten or zeroed as a failing disk or a bad shutdown would; backups
taken by the same code the app runs each day (with the day given, so that a
test can make a week of them).
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import shutil
import sqlite3
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import open_store, query
from fixtures import make_schemas
from socialsafe.i18n import PSEUDO_CLOSE, PSEUDO_OPEN, format_date, set_locale
from socialsafe.storage import backup as backup_module
from socialsafe.storage import recovery as recovery_module
from socialsafe.storage.backup import (
    KEEP_DAILY,
    BackupError,
    backups,
    daily_backup,
    header_version,
    integrity_ok,
    prune_daily,
    take_daily_backup,
)
from socialsafe.storage.db import SCHEMA_VERSION, DatabaseError, prepare_database, schema_version
from socialsafe.storage.recovery import Recovery, is_damage
from socialsafe.storage.store import Store
from socialsafe.sync.engine import sync
from sync_helpers import (
    add_result,
    check_share_files,
    db_ids,
    device_ids,
    learner_of,
    mini_content,
    mini_pack,
    read_device_file,
)

UTC = dt.UTC
MONDAY = dt.datetime(2025, 3, 3, 12, 0, tzinfo=UTC)  # noon UTC: the same calendar day in any time zone near the UK


@pytest.fixture
def folder(data_dir: Path) -> Path:
    return data_dir / "backups"


def _killed_with_a_wal(db_path: Path) -> bytes:
    """Leave the database as the app killed mid-session does: committed rows still in its -wal (returned)."""
    writer = sqlite3.connect(db_path, isolation_level=None)
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    writer.execute("UPDATE learner SET email = 'in-the-wal@example.org'")
    crash = db_path.parent / "crash"
    crash.mkdir()
    for suffix in ("", "-wal", "-shm"):  # copied while a connection is open, so the -wal is not folded in
        shutil.copyfile(f"{db_path}{suffix}", crash / f"socialsafe.db{suffix}")
    writer.close()
    for suffix in ("", "-wal", "-shm"):
        os.replace(crash / f"socialsafe.db{suffix}", f"{db_path}{suffix}")
    return Path(f"{db_path}-wal").read_bytes()


def _people(path: Path) -> list[str]:
    return [row[0] for row in query(path, "SELECT name FROM learner ORDER BY name")]


def _populate(path: Path, people: int, attempts_each: int = 4) -> str:
    """A database with enough rows to span many pages; returns its device id."""
    store = Store(path)
    try:
        device = store.device_id
        learners = [
            {
                "id": str(uuid.uuid4()),
                "name": f"Person {n:04d}",
                "email": None,
                "role": "teacher",
                "school": "Oak Hill Primary",
                "created_at": "2025-02-03T08:15:00.000000Z",
                "device_id": device,
                "pin_hash": None,
            }
            for n in range(people)
        ]
        store.import_rows("learner", learners)
        attempts = [
            {
                "id": str(uuid.uuid4()),
                "learner_id": learner["id"],
                "pack_id": "example",
                "pack_version": "1.0.0",
                "policy_version": "1.0",
                "module_id": "photos",
                "started_at": "2025-02-03T08:16:00.000000Z",
                "finished_at": "2025-02-03T08:20:00.000000Z",
                "score": 2,
                "max_score": 2,
                "pass_mark": 0.5,
                "passed": True,
                "source": "quiz",
                "note": "x" * 40,
                "device_id": device,
                "plan": "[]",
            }
            for learner in learners
            for _ in range(attempts_each)
        ]
        store.import_rows("attempt", attempts)
    finally:
        store.close()
    return device


def _add_person(path: Path, name: str) -> None:
    store = Store(path)
    try:
        store.add_learner(name, "teacher", "Oak Hill Primary")
    finally:
        store.close()


def _daily(path: Path, when: dt.datetime) -> Path:
    taken = take_daily_backup(path, path.parent / "backups", now=when)
    assert taken is not None
    return taken


def _page_count(path: Path) -> tuple[int, int]:
    """Page size and pages in the file, from its header: opening it with SQLite could fold its -wal into it."""
    with open(path, "rb") as handle:
        size = int.from_bytes(handle.read(18)[16:18], "big")
    size = 65536 if size == 1 else size
    return size, path.stat().st_size // size


# Ways a database file gets damaged ------------------------------------------------------------


def _truncate(path: Path) -> None:
    with open(path, "r+b") as handle:
        handle.truncate(path.stat().st_size // 2)


def _garbage(path: Path) -> None:
    path.write_bytes(b"\x00\x01garbage bytes, not a database\xff" * 200)


def _damaged_header(path: Path) -> None:
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)


def _zeroed_page(path: Path) -> None:
    size, count = _page_count(path)
    assert count > 20, "enough pages that the middle one is data"
    with open(path, "r+b") as handle:
        handle.seek(size * (count // 2))
        handle.write(b"\x00" * size)


def _emptied(path: Path) -> None:
    path.write_bytes(b"")


DAMAGE: dict[str, Callable[[Path], None]] = {
    "truncated": _truncate,
    "garbage": _garbage,
    "damaged header": _damaged_header,
    "zeroed page": _zeroed_page,
    "emptied": _emptied,
}


def _checkpointed(path: Path) -> None:
    """Every committed row in the database file itself (as after the app closes), so damage to it is damage."""
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()


# Damage found and repaired ---------------------------------------------------------------


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_a_damaged_database_is_kept_aside_and_the_newest_good_backup_restored(
    db_path: Path, folder: Path, opened: list[Store], damage: Callable[[Path], None]
) -> None:
    device = _populate(db_path, 400)
    _daily(db_path, MONDAY - dt.timedelta(days=1))
    _add_person(db_path, "Zara Monday")
    newest = _daily(db_path, MONDAY)
    _add_person(db_path, "Yusuf After The Backup")
    _checkpointed(db_path)
    damage(db_path)
    damaged = db_path.read_bytes()

    store = open_store(db_path, opened)

    recovery = store.recovery
    assert recovery is not None
    assert recovery.restored_from == newest
    assert recovery.backup_taken_at == backups(folder)[0].taken_at
    assert recovery.broken_kept_at.parent == folder
    assert recovery.broken_kept_at.name.startswith("broken-")
    assert recovery.broken_kept_at.read_bytes() == damaged  # kept as it was, never deleted
    # The restored copy: everything up to the backup, nothing after it, the same PC.
    names = _people(db_path)
    assert "Zara Monday" in names
    assert "Yusuf After The Backup" not in names
    assert len(names) == 401
    assert store.device_id == device
    assert query(db_path, "PRAGMA integrity_check") == [("ok",)]
    assert schema_version(db_path) == SCHEMA_VERSION
    store.add_learner("Nia Evans", "teacher", "Oak Hill Primary")  # and it takes new records
    # What the person is told: when the copy was kept, and where the damaged file is.
    message = recovery.message()
    assert format_date(MONDAY.astimezone().date()) in message
    assert str(recovery.broken_kept_at) in message
    assert "shared folder" in message


@pytest.mark.parametrize("damage", [_truncate, _zeroed_page], ids=["truncated", "zeroed page"])
def test_with_no_backup_an_empty_database_is_started_as_the_same_pc(
    db_path: Path, folder: Path, opened: list[Store], damage: Callable[[Path], None]
) -> None:
    """The device id read from what is left of the file: the shared folder gives this PC's records back."""
    device = _populate(db_path, 400)
    _checkpointed(db_path)
    damage(db_path)
    damaged = db_path.read_bytes()

    store = open_store(db_path, opened)

    recovery = store.recovery
    assert recovery is not None
    assert (recovery.restored_from, recovery.backup_taken_at) == (None, None)
    assert recovery.broken_kept_at.read_bytes() == damaged
    assert store.learners() == []
    assert store.device_id == device
    assert recovery.device_kept
    assert query(db_path, "PRAGMA integrity_check") == [("ok",)]
    message = recovery.message()
    assert "no good copy" in message
    assert "empty" in message
    assert "published to the shared folder come back at the next sync" in message
    assert "add themselves again" not in message
    assert str(recovery.broken_kept_at) in message


def test_with_no_backup_the_device_id_may_come_from_a_damaged_backup(
    db_path: Path, folder: Path, opened: list[Store]
) -> None:
    device = _populate(db_path, 400)
    damaged_copy = _daily(db_path, MONDAY)
    _zeroed_page(damaged_copy)  # fails its integrity check, but its settings can still be read
    assert not integrity_ok(damaged_copy)
    _garbage(db_path)

    store = open_store(db_path, opened)

    assert store.recovery is not None
    assert store.recovery.restored_from is None
    assert store.recovery.device_kept
    assert store.device_id == device
    assert store.learners() == []


def test_with_nothing_to_read_the_device_id_from_the_pc_starts_as_a_new_one(
    db_path: Path, folder: Path, opened: list[Store]
) -> None:
    device = _populate(db_path, 400)
    _garbage(db_path)
    damaged = db_path.read_bytes()

    store = open_store(db_path, opened)

    recovery = store.recovery
    assert recovery is not None
    assert recovery.broken_kept_at.read_bytes() == damaged
    assert not recovery.device_kept
    assert store.device_id != device  # a new device on the share
    assert store.learners() == []
    message = recovery.message()
    assert "no good copy" in message
    assert "stay in its reports" in message
    assert "add themselves again" in message
    assert "come back" not in message
    assert str(recovery.broken_kept_at) in message


def test_a_device_id_read_from_a_damaged_file_must_be_one(db_path: Path, folder: Path, opened: list[Store]) -> None:
    """Damage can leave anything in the settings: only a device id of the share's form is kept."""
    device = _populate(db_path, 400)
    connection = sqlite3.connect(db_path)
    with connection:
        connection.execute("UPDATE setting SET value = '../../x' WHERE key = 'device_id'")
    connection.close()
    _checkpointed(db_path)
    _zeroed_page(db_path)

    store = open_store(db_path, opened)

    assert store.recovery is not None
    assert not store.recovery.device_kept
    assert store.device_id not in (device, "../../x")


def test_an_older_backup_is_used_when_the_newest_is_damaged_too(
    db_path: Path, folder: Path, opened: list[Store]
) -> None:
    _populate(db_path, 50)
    older = _daily(db_path, MONDAY - dt.timedelta(days=2))
    _add_person(db_path, "Zara Later")
    newest = _daily(db_path, MONDAY)
    _garbage(newest)  # the disk that damaged the database damaged the newest copy too
    _garbage(db_path)

    store = open_store(db_path, opened)

    assert store.recovery is not None
    assert store.recovery.restored_from == older
    assert "Zara Later" not in _people(db_path)
    assert len(_people(db_path)) == 50
    assert format_date((MONDAY - dt.timedelta(days=2)).astimezone().date()) in store.recovery.message()
    assert newest.exists()  # a bad backup is passed over, not deleted


def test_the_newest_good_copy_may_be_the_one_kept_before_a_migration(
    db_path: Path, folder: Path, opened: list[Store]
) -> None:
    """An older schema version restored is migrated forward as it opens."""
    folder.mkdir()
    taken = dt.datetime(2025, 9, 12, 15, 0, tzinfo=UTC)
    kept = folder / f"socialsafe-{taken.strftime('%Y%m%dT%H%M%SZ')}-before-migration-v1.db"
    shutil.copyfile(make_schemas.path_of(1), kept)
    _daily(db_path, taken - dt.timedelta(days=3))  # older, and of a database with no one in it
    _garbage(db_path)

    store = open_store(db_path, opened)

    assert store.recovery is not None
    assert store.recovery.restored_from == kept
    assert store.recovery.backup_taken_at == taken
    assert schema_version(db_path) == SCHEMA_VERSION
    assert store.device_id == make_schemas.DEVICE
    assert [x.name for x in store.learners()] == ["Amina Okafor", "Tom Reyes"]
    assert header_version(kept) == 1  # the backup itself is left as it was


def test_a_backup_of_a_newer_schema_is_passed_over(db_path: Path, folder: Path, opened: list[Store]) -> None:
    _populate(db_path, 5)
    good = _daily(db_path, MONDAY - dt.timedelta(days=1))
    newer = _daily(db_path, MONDAY)
    connection = sqlite3.connect(newer)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.close()
    _garbage(db_path)

    store = open_store(db_path, opened)

    assert store.recovery is not None
    assert store.recovery.restored_from == good


def test_the_damaged_file_s_wal_and_shm_go_aside_with_it(db_path: Path, folder: Path, opened: list[Store]) -> None:
    _populate(db_path, 400)
    _daily(db_path, MONDAY)
    wal = _killed_with_a_wal(db_path)
    assert wal
    _zeroed_page(db_path)

    store = open_store(db_path, opened)

    assert store.recovery is not None
    kept = store.recovery.broken_kept_at
    assert Path(f"{kept}-wal").read_bytes() == wal
    assert Path(f"{kept}-shm").exists()
    assert query(db_path, "SELECT count(*) FROM learner WHERE email = 'in-the-wal@example.org'") == [(0,)]
    assert query(db_path, "PRAGMA integrity_check") == [("ok",)]


def test_a_stray_wal_without_its_database_is_set_aside(db_path: Path, folder: Path, opened: list[Store]) -> None:
    """As when a repair stopped between moving the database and its -wal: the new database must not read it."""
    Path(f"{db_path}-wal").write_bytes(b"not this database's log" * 100)

    store = open_store(db_path, opened)

    assert store.recovery is None
    assert not Path(f"{db_path}-wal").exists() or Path(f"{db_path}-wal").read_bytes() != b"not this database's log"
    (kept,) = folder.glob("broken-*-orphan.db-wal")
    assert kept.read_bytes() == b"not this database's log" * 100


# Not damage ---------------------------------------------------------------------------------


def test_a_missing_database_with_backups_present_starts_empty(db_path: Path, folder: Path, opened: list[Store]) -> None:
    """Deleting the database is what someone does on purpose (IT resetting a PC): a new one, the backups kept."""
    _populate(db_path, 5)
    _daily(db_path, MONDAY)
    before = sorted(folder.iterdir())
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)

    store = open_store(db_path, opened)

    assert store.recovery is None
    assert store.learners() == []
    assert sorted(folder.iterdir()) == before


def test_an_empty_file_with_no_backups_is_a_new_database(db_path: Path, folder: Path, opened: list[Store]) -> None:
    """A database whose creation was interrupted: nothing was lost, nothing to tell."""
    db_path.write_bytes(b"")

    store = open_store(db_path, opened)

    assert store.recovery is None
    assert not folder.exists()
    assert store.device_id


def test_a_sound_database_is_left_alone(db_path: Path, folder: Path, opened: list[Store]) -> None:
    _populate(db_path, 50)
    _daily(db_path, MONDAY)
    before = sorted(p.name for p in folder.iterdir())

    store = open_store(db_path, opened)

    assert store.recovery is None
    assert sorted(p.name for p in folder.iterdir()) == before
    assert len(store.learners()) == 50


def test_a_locked_database_is_not_taken_for_a_damaged_one(db_path: Path) -> None:
    _populate(db_path, 5)
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        waiter = sqlite3.connect(db_path, timeout=0)
        with pytest.raises(sqlite3.OperationalError) as locked:
            waiter.execute("PRAGMA quick_check").fetchall()
        waiter.close()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    _garbage(db_path)
    reader = sqlite3.connect(db_path)
    with pytest.raises(sqlite3.DatabaseError) as damaged:
        reader.execute("PRAGMA quick_check").fetchall()
    reader.close()

    assert not is_damage(locked.value)
    assert is_damage(damaged.value)


def test_only_the_first_store_on_a_file_checks_it(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, opened: list[Store]
) -> None:
    """A second Store on an open file (the sync's own) must never move it from under the first."""
    checked: list[Path] = []
    real = recovery_module.find_damage

    def counting(path: Path, backup_dir: Path) -> str | None:
        checked.append(path)
        return real(path, backup_dir)

    monkeypatch.setattr(recovery_module, "find_damage", counting)
    first = open_store(db_path, opened)  # new: nothing to check
    first.close()
    again = open_store(db_path, opened)
    assert len(checked) == 1
    second = open_store(db_path, opened)
    assert len(checked) == 1
    again.close()
    second.close()
    open_store(db_path, opened)
    assert len(checked) == 2
    opened.pop().close()
    opened.append(Store(db_path, check=False))  # just checked by prepare_database, as the app does
    assert len(checked) == 2


def test_prepare_database_repairs_without_a_store(db_path: Path, folder: Path) -> None:
    """What the app runs before its first screen: sqlite3 alone; the Store opens later on the repaired file."""
    _populate(db_path, 20)
    _daily(db_path, MONDAY)
    _garbage(db_path)

    recovery = prepare_database(db_path)

    assert isinstance(recovery, Recovery)
    assert recovery.restored_from is not None
    assert prepare_database(db_path) is None  # and once repaired, it is sound
    assert len(_people(db_path)) == 20


def test_when_the_damaged_file_cannot_be_replaced_it_stays_and_the_next_start_repairs_it(
    db_path: Path, folder: Path, opened: list[Store], monkeypatch: pytest.MonkeyPatch
) -> None:
    """On Windows another process may hold the file open, and a crash can come at the same step: either way
    the data folder still holds the (damaged) database, never nothing, which a start would take for a reset."""
    _populate(db_path, 5)
    backup = _daily(db_path, MONDAY)
    _garbage(db_path)
    damaged = db_path.read_bytes()
    real_replace = os.replace
    refused: list[Path] = []

    def in_use_once(source: Any, target: Any, **kwargs: Any) -> None:
        if Path(target) == db_path and not refused:
            refused.append(Path(target))
            raise PermissionError(13, "The process cannot access the file because it is being used by another process")
        real_replace(source, target, **kwargs)

    monkeypatch.setattr(os, "replace", in_use_once)

    with pytest.raises(DatabaseError, match="could not set them aside") as raised:
        Store(db_path)

    assert refused == [db_path]
    assert "start it again" in str(raised.value)
    assert db_path.read_bytes() == damaged  # still in place
    assert not list(db_path.parent.glob(".tmp-*"))
    assert [p.read_bytes() for p in folder.glob("broken-*")] == [damaged]  # and already kept
    # The next start repairs it.
    store = open_store(db_path, opened)
    assert store.recovery is not None
    assert store.recovery.restored_from == backup
    assert store.recovery.broken_kept_at.read_bytes() == damaged
    assert len(_people(db_path)) == 5


@pytest.mark.parametrize("restored", [True, False], ids=["from a backup", "no backup"])
def test_a_repair_never_leaves_the_data_folder_without_a_database(
    db_path: Path, folder: Path, opened: list[Store], monkeypatch: pytest.MonkeyPatch, restored: bool
) -> None:
    """After every step that moves, links, copies or replaces a file, the database's place holds one."""
    _populate(db_path, 400)
    if restored:
        _daily(db_path, MONDAY)
    # Its -wal too: it goes aside first, named after the kept copy.
    wal = _killed_with_a_wal(db_path)
    _garbage(db_path)
    damaged = db_path.read_bytes()
    steps: list[str] = []

    def watched(module: Any, name: str) -> None:
        real = getattr(module, name)

        def step(*args: Any, **kwargs: Any) -> Any:
            result = real(*args, **kwargs)
            steps.append(name)
            assert db_path.exists(), f"no database after {name}{args}"
            return result

        monkeypatch.setattr(module, name, step)

    for module, name in ((os, "replace"), (os, "link"), (os, "rename"), (shutil, "move"), (shutil, "copyfile")):
        watched(module, name)

    store = open_store(db_path, opened)

    assert store.recovery is not None
    assert "replace" in steps
    kept = store.recovery.broken_kept_at
    assert kept.read_bytes() == damaged
    assert Path(f"{kept}-wal").read_bytes() == wal
    assert not Path(f"{db_path}-wal").exists() or Path(f"{db_path}-wal").read_bytes() != wal
    assert query(db_path, "PRAGMA integrity_check") == [("ok",)]


def test_where_files_cannot_be_linked_the_damaged_file_is_copied(
    db_path: Path, folder: Path, opened: list[Store], monkeypatch: pytest.MonkeyPatch
) -> None:
    """FAT drives and some network shares have no hard links."""
    _populate(db_path, 5)
    _daily(db_path, MONDAY)
    _garbage(db_path)
    damaged = db_path.read_bytes()

    def no_links(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)

    store = open_store(db_path, opened)

    assert store.recovery is not None
    assert store.recovery.broken_kept_at.read_bytes() == damaged
    assert not list(folder.glob(".tmp-*"))
    assert len(_people(db_path)) == 5


def test_the_message_is_translatable(tmp_path: Path) -> None:
    taken = MONDAY
    for recovery in (
        Recovery(tmp_path / "broken.db", tmp_path / "copy.db", taken, "file is not a database"),
        Recovery(tmp_path / "broken.db", None, None, "file is not a database"),
        Recovery(tmp_path / "broken.db", None, None, "file is not a database", device_kept=True),
    ):
        set_locale("en_XA")
        pseudo = recovery.message()
        set_locale("en_GB")
        assert pseudo.startswith(PSEUDO_OPEN)
        assert pseudo.endswith(PSEUDO_CLOSE)
        assert str(tmp_path / "broken.db") in pseudo


# Daily backups ----------------------------------------------------------------------------------


def test_a_daily_backup_is_a_checked_self_contained_copy(db_path: Path, folder: Path) -> None:
    _populate(db_path, 30)
    # A write under way in another connection is not in the copy: the copy is one consistent moment.
    writer = sqlite3.connect(db_path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("DELETE FROM learner")
    try:
        taken = take_daily_backup(db_path, folder, now=MONDAY)
    finally:
        writer.execute("ROLLBACK")
        writer.close()

    assert taken is not None
    assert taken.parent == folder
    assert taken.name.endswith("-daily.db")
    assert integrity_ok(taken)
    assert query(taken, "PRAGMA journal_mode") == [("delete",)]
    assert sorted(p.name for p in folder.iterdir()) == [taken.name]  # no -wal, no temporary file
    assert _people(taken) == _people(db_path)
    assert len(_people(taken)) == 30
    (listed,) = backups(folder)
    assert (listed.path, listed.label, listed.is_daily, listed.local_date) == (
        taken,
        "daily",
        True,
        MONDAY.astimezone().date(),
    )


def test_a_backup_taken_today_is_not_taken_again(db_path: Path, folder: Path) -> None:
    _populate(db_path, 5)
    first = take_daily_backup(db_path, folder, now=MONDAY)
    _add_person(db_path, "Zara Later")

    again = take_daily_backup(db_path, folder, now=MONDAY + dt.timedelta(hours=3))
    tomorrow = take_daily_backup(db_path, folder, now=MONDAY + dt.timedelta(days=1))

    assert first is not None
    assert again is None
    assert tomorrow is not None
    assert [b.path for b in backups(folder)] == [tomorrow, first]
    assert "Zara Later" in _people(tomorrow)
    assert "Zara Later" not in _people(first)


def test_the_store_takes_today_s_backup_once(store: Store, folder: Path) -> None:
    first = store.take_daily_backup()

    assert first is not None
    assert store.take_daily_backup() is None
    assert [b.path for b in backups(folder)] == [first]


def test_rotation_keeps_exactly_the_last_seven_days(db_path: Path, folder: Path) -> None:
    _populate(db_path, 5)
    folder.mkdir()
    migration = folder / "socialsafe-20250101T090000Z-before-migration-v1.db"
    shutil.copyfile(make_schemas.path_of(1), migration)
    broken = folder / "broken-20250102T090000Z.db"
    broken.write_bytes(b"damaged")
    days = [MONDAY + dt.timedelta(days=n) for n in range(10)]
    taken = [take_daily_backup(db_path, folder, now=day) for day in days]

    daily = [b for b in backups(folder) if b.is_daily]

    assert KEEP_DAILY == 7
    assert [b.path for b in daily] == list(reversed(taken))[:7]
    assert [b.local_date for b in daily] == [d.astimezone().date() for d in reversed(days[3:])]
    assert migration.exists()  # a copy from before a migration is not a daily one: kept
    assert broken.exists()  # nor is a damaged file set aside


def test_the_number_of_days_kept_is_a_parameter(db_path: Path, folder: Path) -> None:
    _populate(db_path, 5)
    for n in range(5):
        take_daily_backup(db_path, folder, keep=2, now=MONDAY + dt.timedelta(days=n))

    assert len(backups(folder)) == 2
    with pytest.raises(ValueError, match="at least one"):
        take_daily_backup(db_path, folder, keep=0, now=MONDAY + dt.timedelta(days=9))


def test_two_copies_on_one_day_keep_the_newest(db_path: Path, folder: Path) -> None:
    """Two processes may each take the day's copy at once; rotation counts days, not files."""
    _populate(db_path, 5)
    source = sqlite3.connect(db_path)
    try:
        earlier = backup_module.copy_database(source, folder, "daily", MONDAY)
        later = backup_module.copy_database(source, folder, "daily", MONDAY + dt.timedelta(hours=1))
        same_second = backup_module.copy_database(source, folder, "daily", MONDAY + dt.timedelta(hours=1))
    finally:
        source.close()
    assert same_second.name.endswith("-daily-2.db")

    removed = prune_daily(folder, keep=3)

    assert sorted(removed) == sorted([earlier, later])
    assert [b.path for b in backups(folder)] == [same_second]


def test_a_copy_that_fails_its_check_is_not_kept_and_removes_nothing(db_path: Path, folder: Path) -> None:
    _populate(db_path, 400)
    good = [take_daily_backup(db_path, folder, now=MONDAY + dt.timedelta(days=n)) for n in range(KEEP_DAILY)]
    _checkpointed(db_path)
    _zeroed_page(db_path)  # damaged while the app runs

    with pytest.raises((BackupError, sqlite3.DatabaseError)):
        take_daily_backup(db_path, folder, now=MONDAY + dt.timedelta(days=KEEP_DAILY))
    quiet = daily_backup(db_path, KEEP_DAILY)  # as the app calls it: logged, not raised

    assert quiet is None
    assert [b.path for b in backups(folder)] == list(reversed(good))
    assert not list(folder.glob(".tmp-*"))


def test_a_daily_backup_that_cannot_be_written_is_logged_not_raised(
    store: Store, folder: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder.write_text("a file where the backups folder should be")

    assert store.take_daily_backup() is None
    assert "no daily backup" in caplog.text


# As Windows behaves ------------------------------------------------------------------------------


@pytest.fixture
def windows_fsync(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """``os.fsync`` as on Windows: FlushFileBuffers needs write access, so a read-only descriptor gives EBADF.

    Returns the descriptors refused, to show the rule was in force.
    """
    access: dict[int, int] = {}
    refused: list[int] = []
    real_open, real_fsync = os.open, os.fsync

    def tracking_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        descriptor = real_open(path, flags, *args, **kwargs)
        access[descriptor] = flags & (os.O_RDONLY | os.O_WRONLY | os.O_RDWR)
        return descriptor

    def windows_like_fsync(descriptor: Any) -> None:
        number = descriptor if isinstance(descriptor, int) else descriptor.fileno()
        if access.get(number) == os.O_RDONLY:
            refused.append(number)
            raise OSError(errno.EBADF, "Bad file descriptor")
        real_fsync(descriptor)

    monkeypatch.setattr(os, "open", tracking_open)
    monkeypatch.setattr(os, "fsync", windows_like_fsync)
    return refused


def test_backups_migrations_and_restores_work_where_fsync_needs_write_access(
    data_dir: Path, folder: Path, opened: list[Store], windows_fsync: list[int]
) -> None:
    """Every daily copy, every copy before a migration and every restore fsyncs the file it wrote."""
    # The rule is in force: a read-only descriptor cannot be fsynced.
    probe = os.open(data_dir, os.O_RDONLY)
    try:
        with pytest.raises(OSError, match="Bad file descriptor"):
            os.fsync(probe)
    finally:
        os.close(probe)
    assert windows_fsync == [probe]
    # A migration: an older database copied in, opened as the app opens it after an upgrade.
    path = data_dir / "socialsafe.db"
    shutil.copyfile(make_schemas.path_of(2), path)
    migrated = open_store(path, opened)
    device = migrated.device_id
    assert schema_version(path) == SCHEMA_VERSION
    assert [b.label for b in backups(folder)] == ["before-migration-v2"]
    # The daily copy.
    assert migrated.take_daily_backup() is not None
    daily = take_daily_backup(path, folder, now=MONDAY)
    assert daily is not None
    assert integrity_ok(daily)
    migrated.close()
    # A restore.
    _garbage(path)
    restored = open_store(path, opened)
    assert restored.recovery is not None
    assert restored.recovery.restored_from is not None
    assert restored.device_id == device
    assert query(path, "PRAGMA integrity_check") == [("ok",)]


# After a restore: the shared folder keeps everything this PC had published -------------------------


def _restored(db_path: Path, opened: list[Store]) -> Store:
    _garbage(db_path)
    store = open_store(db_path, opened)
    assert store.recovery is not None
    assert store.recovery.restored_from is not None
    return store


def test_a_restored_pc_keeps_what_it_published_and_takes_it_back(
    db_path: Path, folder: Path, share: Path, opened: list[Store]
) -> None:
    """The device file is rewritten whole from the local database: a restored, older one must not shrink it."""
    content = mini_content()
    pack = mini_pack(content)
    pc = open_store(db_path, opened)
    before_backup = add_result(pc, pack, "Amina Okafor")
    take_daily_backup(db_path, folder, now=MONDAY)
    after_backup = add_result(pc, pack, "Tom Reyes", module_id="friend-requests")
    tom = learner_of(pc, "Tom Reyes", "Oak Primary")
    signoff = pc.acknowledge(tom.id, pack, "Tom Reyes")
    sync(pc, content, share)
    device_file = share / "devices" / f"{pc.device_id}.jsonl"
    published = device_ids(device_file)
    pc.close()

    restored = _restored(db_path, opened)
    assert after_backup.id not in db_ids(db_path, "attempt")
    report = sync(restored, content, share)

    assert restored.device_id == pc.device_id
    assert device_ids(device_file) == published  # nothing this PC published has left the share
    assert {before_backup.id, after_backup.id} <= set(db_ids(db_path, "attempt"))
    assert tom.id in db_ids(db_path, "learner")
    assert signoff.id in db_ids(db_path, "acknowledgement")
    assert report.imported == 3  # Tom, his attempt, his sign-off: back from the share
    assert report.devices_read == 0  # this PC's own file is not another PC
    check_share_files(share)
    # And the next sync is as any other: nothing more to take back.
    assert sync(restored, content, share).imported == 0
    assert device_ids(device_file) == published


def test_an_erasure_made_after_the_backup_still_holds_after_a_restore(
    db_path: Path, folder: Path, share: Path, opened: list[Store]
) -> None:
    content = mini_content()
    pack = mini_pack(content)
    pc = open_store(db_path, opened)
    add_result(pc, pack, "Amina Okafor")
    erased = add_result(pc, pack, "Tom Reyes")
    take_daily_backup(db_path, folder, now=MONDAY)
    sync(pc, content, share)
    erasure = pc.record_erasure(erased.learner_id)  # as the office erases a person
    pc.erase({erased.learner_id})
    sync(pc, content, share)
    device_file = share / "devices" / f"{pc.device_id}.jsonl"
    published = device_ids(device_file)
    pc.close()

    restored = _restored(db_path, opened)
    assert erased.learner_id in db_ids(db_path, "learner")  # the copy is from before the erasure
    report = sync(restored, content, share)

    assert erased.learner_id not in db_ids(db_path, "learner")
    assert erased.id not in db_ids(db_path, "attempt")
    assert erasure.id in db_ids(db_path, "erasure")
    assert report.erased == 1
    assert device_ids(device_file) == published
    _head, records = read_device_file(device_file)
    assert [r["kind"] for r in records if erased.learner_id in (r["id"], r.get("learner_id"))] == ["erasure"]
