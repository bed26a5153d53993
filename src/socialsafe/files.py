"""Writing files whole: the one place every report, export and share file is written.

A crash, a full disk or a pulled network cable at any moment leaves either the
old file or the new one, never a torn one (``shared/contracts/share-format.md``,
"Principles"). Readers ignore the ``.tmp-*`` files a crash may leave behind.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

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
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
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
