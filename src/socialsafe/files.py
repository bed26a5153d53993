"""Writing files whole: the one place every report, export and share file is written.

A crash, a full disk or a pulled network cable at any moment leaves either the
old file or the new one, never a torn one (``shared/contracts/share-format.md``,
"Principles"). Readers ignore the ``.tmp-*`` files a crash may leave behind;
an export's are removed by the next export (:func:`write_export`). And the one
place that tells a full disk from other errors (:func:`disk_full_message`).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import shutil
import sqlite3
import stat
import time
from collections.abc import Iterator
from pathlib import Path

from socialsafe.domain.limits import MAX_SMALL_FILE
from socialsafe.i18n import _

TEMP_PREFIX = ".tmp-"


def write_atomic(path: Path, data: bytes, owner: str = "") -> None:
    """Replace ``path`` with ``data`` in one step.

    The bytes go to a temporary file in the same folder (so that the rename
    stays on one file system), are flushed and fsynced, and the temporary file
    is then renamed over the target with :func:`os.replace`. On any error the
    temporary file is removed and the error re-raised; the old file, if any,
    is untouched. ``owner`` (a device id) goes into the temporary name, so that
    the PC that left it behind in a crash can recognise and remove it.
    """
    folder = path.parent
    temp = folder / f"{TEMP_PREFIX}{owner + '-' if owner else ''}{secrets.token_hex(8)}"
    # O_EXCL: never follow or reuse a file someone else put there. 0o666 minus the
    # umask, like any ordinary file, so that others sharing the folder can read it.
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    descriptor = os.open(temp, flags, 0o666)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        if isinstance(error, OSError) and error.filename is None:
            error.filename = str(temp)  # a failed write names no file: say where, so a full disk can be named
        raise
    fsync_folder(folder)


def fsync_folder(folder: Path) -> None:
    """Make the rename itself durable, where the system allows it.

    Windows cannot open a folder for fsync, and some network file systems
    refuse it; the data is already safe on disk by then, so that is not an error.
    """
    if os.name == "nt":  # pragma: no cover - Windows only
        return
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


# Exports -------------------------------------------------------------------------------------------------

EXPORT_OWNER = "export"
# An export's temporary file: .tmp-export-<host>-<process id>-<16 hex digits>, so the next export knows
# whose it is. Host names keep their letters, digits and dots; anything else becomes "_".
_EXPORT_TEMP = re.compile(
    re.escape(TEMP_PREFIX) + EXPORT_OWNER + r"-(?P<host>[A-Za-z0-9._]+)-(?P<pid>[1-9][0-9]{0,9})-[0-9a-f]{16}"
)
# An export takes seconds. Another PC's temporary file is removed only when older than this (whether
# that PC is still writing cannot be seen from here), and so is one of this PC under a process id
# that is in use again.
STALE_EXPORT_SECONDS = 24 * 60 * 60
# Windows: a file still open cannot be deleted, so a failed delete means its export is alive. Only in
# the instant between closing it and renaming it is a live export's file not open: give it a minute.
WINDOWS_SETTLE_SECONDS = 60


def host_name() -> str:
    """This PC's name as it goes into an export's temporary file name."""
    import platform

    return re.sub(r"[^A-Za-z0-9.]", "_", platform.node() or "pc")[:63]


def write_export(path: Path, data: bytes) -> None:
    """:func:`write_atomic` for a file a person asked for, first removing what crashed exports left beside it.

    An export holds everyone's personal data: a kill in the middle must not
    leave it behind in a hidden ``.tmp-…`` file for ever. This export's temporary
    file is named after this PC and process, and before writing, the
    temporary files of exports that are no longer running are removed from
    the folder (:func:`remove_crashed_exports`); nothing else is touched.
    """
    remove_crashed_exports(path.parent)
    write_atomic(path, data, owner=export_owner())


def export_owner() -> str:
    """The ``owner`` of an export's temporary file (:func:`write_atomic`): this PC and this process."""
    return f"{EXPORT_OWNER}-{host_name()}-{os.getpid()}"


def remove_crashed_exports(folder: Path) -> int:
    """Remove the temporary files of exports into ``folder`` that crashed; returns how many.

    Only names of the export form are looked at, only plain files removed,
    never one a live export is writing: on this PC, one whose process has
    gone (on Windows, one that is not open); from another PC, or under a
    process id in use again, one a day old.
    """
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    removed = 0
    here = host_name().casefold()
    for entry in entries:
        found = _EXPORT_TEMP.fullmatch(entry.name)
        if found is None:
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode):
            continue
        age = time.time() - info.st_mtime
        if not _crashed(int(found["pid"]), found["host"].casefold() == here, age):
            continue
        try:
            os.unlink(entry.path)
        except OSError:
            continue  # gone already, or (on Windows) still open: its export is alive
        removed += 1
    return removed


def _crashed(pid: int, this_pc: bool, age: float) -> bool:
    if not this_pc or age > STALE_EXPORT_SECONDS:
        return age > STALE_EXPORT_SECONDS
    if pid == os.getpid():
        return False  # another export of this very process, in another thread
    if os.name == "nt":  # pragma: no cover - Windows only
        # Never os.kill(pid, 0) here: on Windows that ends the process. The delete fails while it is open.
        return age > WINDOWS_SETTLE_SECONDS
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (OSError, OverflowError):
        return False  # alive, another user's (or no process id at all)
    return False


# A full disk ---------------------------------------------------------------------------------------------

DISK_FULL_ERRNOS = frozenset(code for code in (errno.ENOSPC, getattr(errno, "EDQUOT", None)) if code is not None)
DISK_FULL_WINERRORS = frozenset({112, 39})  # ERROR_DISK_FULL, ERROR_HANDLE_DISK_FULL
SQLITE_IOERR, SQLITE_FULL = 10, 13
# "disk I/O error" is a full disk only when the disk has next to no room left; else it is a failing disk.
NEARLY_FULL_BYTES = 16 * 1024 * 1024


def _causes(error: BaseException) -> Iterator[BaseException]:
    """``error``, what caused it, and what it happened while handling; SQLAlchemy's wrapped error too."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [error]
    while todo:
        cause = todo.pop(0)
        if cause is None or id(cause) in seen:
            continue
        seen.add(id(cause))
        yield cause
        orig = getattr(cause, "orig", None)
        todo += [orig if isinstance(orig, BaseException) else None, cause.__cause__, cause.__context__]


def _nearly_full(folder: Path) -> bool:
    for where in (folder, *folder.parents):
        try:
            return shutil.disk_usage(where).free < NEARLY_FULL_BYTES
        except OSError:
            continue
    return False


def _full_disk(error: BaseException, folder: Path | None) -> tuple[bool, Path | None]:
    for cause in _causes(error):
        if isinstance(cause, OSError) and (
            cause.errno in DISK_FULL_ERRNOS or getattr(cause, "winerror", None) in DISK_FULL_WINERRORS
        ):
            named = cause.filename
            if isinstance(named, str | bytes | os.PathLike):
                return True, Path(os.fsdecode(named)).parent
            return True, folder
        if isinstance(cause, sqlite3.Error):
            code = getattr(cause, "sqlite_errorcode", None)
            primary = code & 0xFF if isinstance(code, int) else None
            text = str(cause).lower()
            if primary == SQLITE_FULL or "database or disk is full" in text:
                return True, folder
            if (primary == SQLITE_IOERR or "disk i/o error" in text) and folder is not None and _nearly_full(folder):
                return True, folder
    return False, None


def is_disk_full(error: BaseException, folder: Path | None = None) -> bool:
    """True when ``error``, or what caused it, is a full disk.

    An OSError with ``ENOSPC`` or ``EDQUOT`` (Windows: ``ERROR_DISK_FULL``,
    ``ERROR_HANDLE_DISK_FULL``); SQLite's "database or disk is full"; SQLite's
    "disk I/O error" when the disk that holds ``folder`` has next to no room.
    """
    return _full_disk(error, folder)[0]


def disk_full_message(error: BaseException, folder: Path | None = None) -> str | None:
    """One sentence for a full disk, naming the folder on it; None when ``error`` is something else.

    ``folder`` is where the database or the file was, for errors that do not
    name their file (SQLite's never do).
    """
    full, where = _full_disk(error, folder)
    if not full:
        return None
    if where is None:
        return _("The disk is full: free some space and try again.")
    return _("The disk that holds {folder} is full: free some space on it and try again.").format(folder=where)


class RefusedFileError(OSError):
    """A file SocialSafe will not read: too big for what it should hold, or not a plain file (a link, a pipe)."""

    def __init__(self, reason: str, size: int | None = None) -> None:
        super().__init__(errno.EINVAL, reason)
        self.size = size  # in bytes, when it was refused for its size


def read_whole(path: Path, most: int = MAX_SMALL_FILE) -> bytes:
    """Open, read all and close at once: a Windows PC must not hold another PC's file open.

    Only a plain file of at most ``most`` bytes is read, never a link (which could lead anywhere, or to a
    device that never ends): anything else raises :class:`RefusedFileError`, saying why, before a byte is read.
    """
    info = os.lstat(path)
    if not stat.S_ISREG(info.st_mode):
        raise RefusedFileError(_("it is a link or a device, not a plain file"))
    too_big = RefusedFileError(
        _("it is {size} MB, more than SocialSafe reads ({most} MB)").format(
            size=max(info.st_size, most + 1) // 2**20 or 1, most=most // 2**20 or 1
        ),
        info.st_size,
    )
    if info.st_size > most:
        raise too_big
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
    with os.fdopen(os.open(path, flags), "rb") as handle:
        data = handle.read(most + 1)
    if len(data) > most:  # it grew since it was measured
        raise too_big
    return data
