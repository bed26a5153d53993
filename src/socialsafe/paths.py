"""Where SocialSafe keeps its files: the one module that decides it.

The data folder is local to the PC (SQLite must never sit on a network drive).
``--data-dir`` beats ``SOCIALSAFE_HOME``, which beats the platform default.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from platformdirs import user_data_path

from socialsafe.i18n import _

APP_NAME = "SocialSafe"
APP_AUTHOR = "LeafTrust"
ENV_HOME = "SOCIALSAFE_HOME"
ENV_PACKS = "SOCIALSAFE_PACKS"

DATABASE_NAME = "socialsafe.db"
LOG_DIR_NAME = "logs"
BACKUP_DIR_NAME = "backups"
# The quiz packs the office signed and placed on the share, as this PC last took them (sync/signed.py).
SHARE_PACKS_DIR_NAME = "share-packs"

# File systems that are remote: SQLite's locking and fsync are unreliable on them.
_NETWORK_FS = {"nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "afs", "9p", "ncpfs", "davfs", "fuse.sshfs"}


class DataDirError(Exception):
    """The data folder cannot be used; the message is for the person."""


def data_dir(flag: str | os.PathLike[str] | None = None) -> Path:
    if flag:
        return Path(flag).expanduser()
    env = os.environ.get(ENV_HOME)
    if env:
        return Path(env).expanduser()
    return user_data_path(APP_NAME, APP_AUTHOR, roaming=False)


def extra_pack_dirs(flags: list[str] | None = None) -> list[Path]:
    """Pack folders asked for by ``--packs`` or else ``SOCIALSAFE_PACKS``."""
    if flags:
        return [Path(f).expanduser() for f in flags]
    env = os.environ.get(ENV_PACKS, "")
    return [Path(p).expanduser() for p in env.split(os.pathsep) if p]


def is_network_path(path: Path) -> bool:
    """True when ``path`` is on a network drive (UNC path, mapped drive or remote mount)."""
    text = str(path)
    if text.startswith(("\\\\", "//")):
        return True
    if sys.platform == "win32":
        return _windows_drive_is_remote(path)
    return _mount_fs_type(path.resolve(), _read_mounts()) in _NETWORK_FS


def _windows_drive_is_remote(path: Path) -> bool:  # pragma: no cover - Windows only
    import ctypes

    drive = path.resolve().drive
    if not drive or drive.startswith("\\\\"):
        return bool(drive)
    drive_remote = 4
    return bool(ctypes.windll.kernel32.GetDriveTypeW(drive + "\\") == drive_remote)  # type: ignore[attr-defined]


def _read_mounts() -> list[tuple[str, str]]:
    """(mount point, file system type) pairs; empty where the system has no /proc."""
    try:
        with open("/proc/self/mounts", encoding="utf-8", errors="replace") as mounts:
            rows = [line.split() for line in mounts]
    except OSError:
        return []
    # /proc escapes spaces in mount points as \040.
    return [(r[1].replace("\\040", " "), r[2]) for r in rows if len(r) >= 3]


def _mount_fs_type(path: Path, mounts: list[tuple[str, str]]) -> str | None:
    best: tuple[int, str] | None = None
    for point, fs_type in mounts:
        mount = Path(point)
        if (path == mount or mount in path.parents) and (best is None or len(point) > best[0]):
            best = (len(point), fs_type)
    return best[1] if best else None


def prepare_data_dir(folder: Path) -> Path:
    """Create the data folder if needed and check it is local and writable."""
    if is_network_path(folder):
        raise DataDirError(
            _(
                "The data folder {folder} is on a network drive. SocialSafe keeps its records on this PC's "
                "own disk: choose a local folder (the shared folder is set separately)."
            ).format(folder=folder)
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / LOG_DIR_NAME).mkdir(exist_ok=True)
    except OSError as error:
        raise DataDirError(
            _("Cannot create the data folder {folder}: {reason}.").format(folder=folder, reason=error.strerror or error)
        ) from error
    if not os.access(folder, os.W_OK):
        raise DataDirError(_("The data folder {folder} cannot be written to.").format(folder=folder))
    return folder
