"""A damaged local database, found at start and replaced by the newest good backup.

At open the database gets ``PRAGMA quick_check``. When SQLite says the file is
not a database or is malformed, or the check finds a problem, or the file is
empty although backups show a database was here, the file is kept in the
backups folder as ``broken-<UTC time>.db`` (its ``-wal`` and ``-shm`` moved
beside it), never deleted; a checked copy of the newest backup that passes
``PRAGMA integrity_check`` then replaces it in one step, so the database's
place is never empty, even after a crash (the open migrates the copy forward
if it is older); and a :class:`Recovery` says what happened, for the app to
tell the person. With no good backup, an empty database takes its place, under
this PC's device id when that can still be read from the damaged file or a
damaged backup. Either way the database put in place carries the setting
:data:`RESTORED_KEY`: until a sync has published after it, this PC's device
file on the shared folder may hold records the database lacks, and the sync
takes them back (and only then). Other errors (locked, no access, a disk
error) are not damage: they are raised and nothing is moved.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import shutil
import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from socialsafe.files import TEMP_PREFIX, fsync_folder
from socialsafe.i18n import _, format_date
from socialsafe.log import log
from socialsafe.storage.backup import (
    Backup,
    backups,
    clear_stale_temps,
    free_name,
    fsync_file,
    header_version,
    integrity_ok,
    stamp,
)

BROKEN_PREFIX = "broken-"
# A setting in a database put in place by a repair, until a sync has taken back this PC's published records.
RESTORED_KEY = "restored_at"
DEVICE_ID_KEY = "device_id"
SIDE_FILES = ("-wal", "-shm", "-journal")
# SQLite's primary result codes for a damaged file (extended codes carry them in the low byte).
DAMAGE_CODES = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}


@dataclass(frozen=True)
class Recovery:
    """What happened to a damaged database at start; :meth:`message` tells the person."""

    broken_kept_at: Path  # the damaged file, set aside (its -wal and -shm beside it, if it had them)
    restored_from: Path | None  # the backup copied into place; None: no good backup, an empty database started
    backup_taken_at: dt.datetime | None  # when that backup was taken (aware, UTC)
    problem: str  # what SQLite found, in its words: for the log, not the person
    # With no good backup: the empty database kept this PC's device id (read from the damaged file or a
    # damaged backup), so what this PC published comes back at its next sync. False: a new device id.
    device_kept: bool = False

    def message(self) -> str:
        """One translated paragraph for the person: what was found, what was done, what it means for them."""
        if (self.restored_from is None or self.backup_taken_at is None) and self.device_kept:
            return _(
                "Your training records on this PC were damaged and SocialSafe had no good copy of them, "
                "so it has started again with empty records on this PC. Results already published to the shared "
                "folder come back at the next sync. The damaged file is kept at {path}."
            ).format(path=self.broken_kept_at)
        if self.restored_from is None or self.backup_taken_at is None:
            return _(
                "Your training records on this PC were damaged and SocialSafe had no good copy of them, "
                "so it has started again with empty records on this PC. Results already published to the shared "
                "folder stay in its reports, but the people who use this PC need to add themselves again. "
                "The damaged file is kept at {path}."
            ).format(path=self.broken_kept_at)
        return _(
            "Your training records on this PC were damaged, so SocialSafe restored the copy it kept on {date}. "
            "Anything answered on this PC after that will need doing again, unless it was already synced to the "
            "shared folder. The damaged file is kept at {path}."
        ).format(date=format_date(self.backup_taken_at.astimezone().date()), path=self.broken_kept_at)


def is_damage(error: sqlite3.Error) -> bool:
    """True when SQLite's error means the file is damaged (not locked, unreadable or missing)."""
    code = getattr(error, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in DAMAGE_CODES


def find_damage(path: Path, backup_dir: Path) -> str | None:
    """What is wrong with the database at ``path``, or None when it is sound (or new).

    Raises ``sqlite3.Error`` for a problem that is not damage (it is locked, say).
    """
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return None
    if size == 0:
        # An empty file is a database whose creation was interrupted, unless this folder had one before.
        wal = Path(f"{path}-wal")
        had_one = bool(backups(backup_dir)) or (wal.exists() and wal.stat().st_size > 0)
        return "the file is empty" if had_one else None
    # Read-only: the check must not change the file, nor (closing) fold its -wal into a damaged one.
    connection = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True, timeout=10.0)
    try:
        rows = connection.execute("PRAGMA quick_check").fetchall()
    except sqlite3.Error as error:
        if is_damage(error):
            return str(error)
        raise
    finally:
        connection.close()
    if rows != [("ok",)]:
        return "; ".join(str(row[0]) for row in rows[:5])
    return None


def set_aside_strays(path: Path, backup_dir: Path, now: dt.datetime | None = None) -> list[Path]:
    """A ``-wal`` or ``-shm`` with no database beside it (its database was set aside or deleted):
    moved aside too, so that a new database does not start with another one's log."""
    strays = [Path(f"{path}{s}") for s in SIDE_FILES if Path(f"{path}{s}").exists()]
    if path.exists() or not strays:
        return []
    backup_dir.mkdir(parents=True, exist_ok=True)
    kept = free_name(backup_dir, f"{BROKEN_PREFIX}{stamp(now or dt.datetime.now(dt.UTC))}-orphan", ".db")
    moved = []
    for stray in strays:
        target = Path(f"{kept}{stray.name.removeprefix(path.name)}")
        shutil.move(stray, target)
        moved.append(target)
    fsync_folder(backup_dir)
    log.warning("no database at %s but its %s: kept at %s", path, [s.name for s in strays], moved)
    return moved


def recover_if_damaged(
    path: Path, backup_dir: Path, max_version: int, create: Callable[[Path], None], now: dt.datetime | None = None
) -> Recovery | None:
    """Check the database at ``path``; when it is damaged, set it aside and restore the newest good backup.

    ``max_version``: the newest schema this app can open (a backup of a newer one is passed over).
    ``create(new)``: makes a new, empty database at ``new``, for when there is no good backup.
    Raises ``sqlite3.Error`` for trouble that is not damage, ``OSError`` when the files cannot be moved.
    """
    if not path.exists():
        set_aside_strays(path, backup_dir, now)
        if backups(backup_dir):
            log.warning("no database at %s although %s holds backups: starting an empty one", path, backup_dir)
        return None
    problem = find_damage(path, backup_dir)
    if problem is None:
        return None
    moment = now or dt.datetime.now(dt.UTC)
    # The database to put in place is made ready first: if that fails (a full disk), nothing has been moved yet.
    # Then the damaged one is kept aside and replaced in one step: its place is never empty.
    ready = prepare_restore(path, backup_dir, max_version)
    backup = ready[1] if ready is not None else None
    # With no good backup, the empty database is still this PC, if its device id can be read anywhere.
    device = salvage_device_id(path, backup_dir) if ready is None else None
    temp = ready[0] if ready is not None else new_database(path, create)
    try:
        mark_restored(temp, moment, device)
        fsync_file(temp)
        kept = keep_damaged(path, backup_dir, moment)
        os.replace(temp, path)
        fsync_folder(path.parent)
    finally:
        remove_temp(temp)
    recovery = Recovery(
        kept, backup.path if backup else None, backup.taken_at if backup else None, problem, device is not None
    )
    log.warning(
        "the database at %s is damaged (%s): kept at %s; restored from %s%s",
        path,
        problem,
        kept,
        recovery.restored_from,
        "" if backup else f"; device id {'kept: ' + device if device else 'not readable: a new one'}",
    )
    return recovery


def keep_damaged(path: Path, backup_dir: Path, now: dt.datetime | None = None) -> Path:
    """Keep the damaged database (and its -wal, -shm) in ``backup_dir`` as ``broken-<UTC time>.db``; returns where.

    The database stays where it is, for the caller to replace: ``path`` holds a database at every
    moment, so a crash never leaves none (which the next start would take for a deliberate reset).
    Its -wal and -shm are moved first (the database put in its place must not read another's log),
    then the database itself is hard-linked, or copied and fsynced where links are not possible.
    """
    backup_dir.mkdir(parents=True, exist_ok=True)
    moment = now or dt.datetime.now(dt.UTC)
    kept = free_name(backup_dir, f"{BROKEN_PREFIX}{stamp(moment)}", ".db", siblings=SIDE_FILES)
    for suffix in SIDE_FILES:
        side = Path(f"{path}{suffix}")
        if side.exists():
            shutil.move(side, Path(f"{kept}{suffix}"))
    try:
        os.link(path, kept)
    except OSError:
        copy = backup_dir / f"{TEMP_PREFIX}{secrets.token_hex(8)}.db"
        try:
            shutil.copyfile(path, copy)
            fsync_file(copy)
            os.replace(copy, kept)
        finally:
            copy.unlink(missing_ok=True)
    fsync_folder(backup_dir)
    fsync_folder(path.parent)
    return kept


def prepare_restore(path: Path, backup_dir: Path, max_version: int) -> tuple[Path, Backup] | None:
    """A checked copy of the newest good backup, beside ``path`` under a temporary name, and which backup it is.

    Backups are tried newest first; one that fails ``PRAGMA integrity_check``, or
    whose schema is newer than ``max_version``, is passed over. None: no good backup.
    """
    clear_stale_temps(path.parent)
    for backup in backups(backup_dir):
        version = header_version(backup.path)
        if version is None or not 1 <= version <= max_version:
            log.warning("backup %s passed over (schema version %s)", backup.path, version)
            continue
        temp = path.parent / f"{TEMP_PREFIX}restore-{secrets.token_hex(8)}.db"
        try:
            shutil.copyfile(backup.path, temp)
            good = integrity_ok(temp)
        except BaseException:
            remove_temp(temp)
            raise
        if good:
            return temp, backup
        remove_temp(temp)
        log.warning("backup %s passed over: it fails its integrity check", backup.path)
    return None


def new_database(path: Path, create: Callable[[Path], None]) -> Path:
    """A new, empty database made by ``create`` beside ``path`` under a temporary name."""
    clear_stale_temps(path.parent)
    temp = path.parent / f"{TEMP_PREFIX}new-{secrets.token_hex(8)}.db"
    try:
        create(temp)
    except BaseException:
        remove_temp(temp)
        raise
    return temp


def mark_restored(database: Path, moment: dt.datetime, device_id: str | None = None) -> None:
    """Write :data:`RESTORED_KEY` (and ``device_id``, for a new database) into a database about to be put in
    place by a repair."""
    connection = sqlite3.connect(database, isolation_level=None, timeout=10.0)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute(
            "INSERT OR REPLACE INTO setting (key, value) VALUES (?, ?)",
            (RESTORED_KEY, moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")),
        )
        if device_id is not None:
            connection.execute("INSERT OR REPLACE INTO setting (key, value) VALUES (?, ?)", (DEVICE_ID_KEY, device_id))
        connection.execute("COMMIT")
    finally:
        connection.close()


def salvage_device_id(path: Path, backup_dir: Path) -> str | None:
    """This PC's device id, read from the damaged database at ``path`` or else from the newest backup whose
    settings can be read, damaged or not; None when none can be. Opened read-only: nothing is changed."""
    for candidate in [path, *(b.path for b in backups(backup_dir))]:
        device = read_device_id(candidate)
        if device is not None:
            return device
    return None


def read_device_id(database: Path) -> str | None:
    """The device id in ``database``'s settings, if it can be read and is a UUID in the share's form."""
    try:
        connection = sqlite3.connect(f"{database.absolute().as_uri()}?mode=ro", uri=True, timeout=10.0)
    except sqlite3.Error:
        return None
    try:
        # A damaged schema elsewhere in the file (a table's pages cut off) must not hide the settings.
        connection.execute("PRAGMA writable_schema = ON")
        row = connection.execute("SELECT value FROM setting WHERE key = ?", (DEVICE_ID_KEY,)).fetchone()
    except sqlite3.Error:
        return None
    finally:
        connection.close()
    value = row[0] if row else None
    if not isinstance(value, str):
        return None
    try:
        canonical = str(uuid.UUID(value))
    except ValueError:
        return None
    return value if canonical == value else None


def remove_temp(temp: Path) -> None:
    """A temporary database (gone already once it is put in place) and any side file of it."""
    for suffix in ("", *SIDE_FILES):
        Path(f"{temp}{suffix}").unlink(missing_ok=True)
