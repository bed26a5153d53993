"""Copies of the local database in the data folder's ``backups`` folder.

Two kinds, both named ``socialsafe-<UTC time>-<label>.db`` so that they sort by
when they were taken: ``daily`` (one a day, the last :data:`KEEP_DAILY` days
kept) and ``before-migration-v<N>`` (taken before the schema changes, never
removed here). Each copy is taken with SQLite's online backup API (a consistent
snapshot, even while the app writes), turned into a self-contained file (no
``-wal`` beside it), checked with ``PRAGMA integrity_check`` and only then moved
into place under its name, atomically: a crash leaves either no copy or a whole,
checked one, and at worst a ``.tmp-*`` file that a later backup clears away.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import secrets
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from socialsafe.files import TEMP_PREFIX, fsync_folder
from socialsafe.log import log
from socialsafe.paths import BACKUP_DIR_NAME

DAILY = "daily"
KEEP_DAILY = 7
PREFIX = "socialsafe-"
STALE_TEMP_S = 3600.0  # a temporary copy older than this was left by a crash, not being written now
SQLITE_MAGIC = b"SQLite format 3\x00"
_STAMP = "%Y%m%dT%H%M%SZ"
# The label, then "-2", "-3"… when two copies were taken in the same second.
_NAME = re.compile(r"^socialsafe-(\d{8}T\d{6}Z)-([a-z0-9-]+?)(?:-(\d+))?\.db$")


class BackupError(Exception):
    """A copy could not be taken, or came out unsound; nothing was put in place."""


@dataclass(frozen=True)
class Backup:
    path: Path
    taken_at: dt.datetime  # aware, UTC, to the second
    label: str  # DAILY, or "before-migration-v<N>"

    @property
    def is_daily(self) -> bool:
        return self.label == DAILY

    @property
    def local_date(self) -> dt.date:
        """The day it was taken on this PC's calendar."""
        return self.taken_at.astimezone().date()


def backups(folder: Path) -> list[Backup]:
    """The backups in ``folder``, newest first; files of any other name are not backups."""
    found: list[tuple[dt.datetime, int, Backup]] = []
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    for name in names:
        match = _NAME.match(name)
        if match:
            taken = dt.datetime.strptime(match[1], _STAMP).replace(tzinfo=dt.UTC)
            found.append((taken, int(match[3] or 1), Backup(folder / name, taken, match[2])))
    return [b for _taken, _n, b in sorted(found, key=lambda f: (f[0], f[1], f[2].path.name), reverse=True)]


def integrity_ok(path: Path) -> bool:
    """True when ``path`` is a SQLite database (at least its header) that passes ``PRAGMA integrity_check``."""
    if header_version(path) is None:
        return False
    try:
        # Not read-only: a read-only connection to a file marked WAL would leave a -wal and -shm behind.
        connection = sqlite3.connect(path, timeout=10.0)
    except sqlite3.Error:
        return False
    try:
        return connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    except sqlite3.Error:
        return False
    finally:
        connection.close()


def copy_database(source: sqlite3.Connection, folder: Path, label: str, now: dt.datetime | None = None) -> Path:
    """Copy the database ``source`` is connected to into ``folder`` as a backup labelled ``label``.

    Raises :class:`BackupError` when the copy fails its integrity check, and
    ``OSError`` or ``sqlite3.Error`` when it cannot be written; in every case
    nothing is left under a backup's name.
    """
    folder.mkdir(parents=True, exist_ok=True)
    clear_stale_temps(folder)
    moment = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    target = free_name(folder, f"{PREFIX}{moment.strftime(_STAMP)}-{label}", ".db")
    temp = folder / f"{TEMP_PREFIX}{secrets.token_hex(8)}.db"
    try:
        copy = sqlite3.connect(temp, isolation_level=None)
        try:
            source.backup(copy)  # all pages in one step: one consistent snapshot
            # The copy carries the source's WAL flag: make it one self-contained file.
            copy.execute("PRAGMA journal_mode=DELETE")
            problems = copy.execute("PRAGMA integrity_check").fetchall()
        finally:
            copy.close()
        if problems != [("ok",)]:
            raise BackupError(f"the copy failed its integrity check: {problems[:3]}")
        fsync_file(temp)
        os.replace(temp, target)
    except BaseException:
        for leftover in (temp, Path(f"{temp}-journal"), Path(f"{temp}-wal"), Path(f"{temp}-shm")):
            with contextlib.suppress(OSError):
                leftover.unlink()
        raise
    fsync_folder(folder)
    return target


def take_daily_backup(
    database: Path, folder: Path, keep: int = KEEP_DAILY, now: dt.datetime | None = None
) -> Path | None:
    """Today's backup of ``database``, unless one was taken today already (then None).

    "Today" is this PC's calendar day. After a good copy, only the newest daily
    backup of each day is kept, for the newest ``keep`` days; backups taken
    before a migration are left alone. A copy that cannot be taken or fails its
    check is not kept and removes nothing: the error is raised for the caller.
    """
    if keep < 1:
        raise ValueError("keep at least one daily backup")
    moment = now or dt.datetime.now(dt.UTC)
    today = moment.astimezone().date()
    if any(b.is_daily and b.local_date == today for b in backups(folder)):
        return None
    source = sqlite3.connect(database, timeout=10.0)
    try:
        taken = copy_database(source, folder, DAILY, moment)
    finally:
        source.close()
    prune_daily(folder, keep)
    return taken


def daily_backup(database: Path, keep: int = KEEP_DAILY, backup_dir: Path | None = None) -> Path | None:
    """:func:`take_daily_backup` into the ``backups`` folder beside ``database``, for the app to call once it is up.

    Never raises for a copy that cannot be taken: that is logged, and the next
    start tries again (a missed day's copy is not the person's problem).
    Returns the new backup, or None when today's was there already or it failed.
    """
    folder = backup_dir or database.parent / BACKUP_DIR_NAME
    try:
        return take_daily_backup(database, folder, keep)
    except (BackupError, OSError, sqlite3.Error) as error:
        log.warning("no daily backup of %s today: %s", database, error)
        return None


def prune_daily(folder: Path, keep: int = KEEP_DAILY) -> list[Path]:
    """Remove daily backups beyond the newest one of each of the newest ``keep`` days; returns those removed."""
    kept_days: set[dt.date] = set()
    removed = []
    for backup in backups(folder):  # newest first
        if not backup.is_daily:
            continue
        day = backup.local_date
        if day not in kept_days and len(kept_days) < keep:
            kept_days.add(day)
            continue
        try:
            backup.path.unlink()
        except OSError as error:
            log.warning("could not remove the old backup %s: %s", backup.path, error)
            continue
        removed.append(backup.path)
    return removed


def header_version(path: Path) -> int | None:
    """The schema version (``PRAGMA user_version``) in a database file's header, read without SQLite.

    None when the file is missing, shorter than a header or not a SQLite database. Reading the
    bytes leaves no ``-wal`` or ``-shm`` beside the file, as opening it with SQLite may.
    """
    try:
        with open(path, "rb") as handle:
            head = handle.read(100)
    except OSError:
        return None
    if len(head) < 100 or not head.startswith(SQLITE_MAGIC):
        return None
    return int.from_bytes(head[60:64], "big", signed=True)


def stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime(_STAMP)


def free_name(folder: Path, stem: str, suffix: str, siblings: tuple[str, ...] = ()) -> Path:
    """``folder/stem+suffix``, or with ``-2``, ``-3``… when that name is taken (two copies in one second).

    ``siblings``: endings (``-wal``…) that must be free after the name too.
    """
    target, n = folder / f"{stem}{suffix}", 1
    while any(Path(f"{target}{end}").exists() for end in ("", *siblings)):
        n += 1
        target = folder / f"{stem}-{n}{suffix}"
    return target


def clear_stale_temps(folder: Path) -> None:
    """Remove temporary copies a crash left behind (not one another process is writing now)."""
    for path in folder.glob(f"{TEMP_PREFIX}*"):
        with contextlib.suppress(OSError):
            if time.time() - path.stat().st_mtime > STALE_TEMP_S:
                path.unlink()


def fsync_file(path: Path) -> None:
    """Flush ``path``'s data to the disk.

    Opened for writing: on Windows ``os.fsync`` (FlushFileBuffers) refuses a
    read-only handle with EBADF, as POSIX systems do not.
    """
    descriptor = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
