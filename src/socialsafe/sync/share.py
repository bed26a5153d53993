"""The shared folder: checking it, listing its device files, reading its roster.

Every way a shared folder can fail (missing, offline, read-only, full, a file
where a folder should be, someone else's format) becomes one ShareError with a
sentence for the person; nothing local is touched by any of them.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import errno
import io
import json
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from socialsafe.content.loader import Problem
from socialsafe.domain.people import normalise_name
from socialsafe.files import TEMP_PREFIX, RefusedFileError, is_disk_full, read_whole, write_atomic
from socialsafe.i18n import _
from socialsafe.sync.records import ROLES

MARKER = "socialsafe-share.json"
FORMAT = "socialsafe-share"
VERSION = 1  # a share without an admin authority, as contract v1 made it
AUTHORITY_VERSION = 2  # a share with the office's admin authority (docs/share-format.md)
DEVICES = "devices"
REPORTS = "reports"
ROSTER = "roster/roster.csv"
ROSTER_COLUMNS = ["name", "email", "role", "school", "exempt_until", "exempt_reason"]
# A leftover temporary file this old is from a crash, not a write in progress.
STALE_TEMP_SECONDS = 600
_DEVICE_FILE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.jsonl$")


class ShareError(Exception):
    """The shared folder cannot be used now; local work is safe and waits for the next sync."""


def explain(error: OSError, share: Path) -> ShareError:
    """One calm sentence for a failed share operation."""
    if isinstance(error, OutsideShareError):
        return ShareError(
            _(
                "In the shared folder {path}, {name} leads somewhere else (it is a link): SocialSafe writes only "
                "inside the shared folder, so nothing was written there. Ask IT to make it a plain folder. "
                "Your results are kept on this PC."
            ).format(path=share, name=error.strerror)
        )
    if is_disk_full(error):  # ENOSPC, a quota (EDQUOT), Windows' ERROR_DISK_FULL
        return ShareError(_("The shared folder {path} is full. Your results are kept on this PC.").format(path=share))
    if isinstance(error, PermissionError) or error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return ShareError(
            _("SocialSafe may not write to the shared folder {path}. Your results are kept on this PC.").format(
                path=share
            )
        )
    return ShareError(
        _("The shared folder {path} cannot be used ({reason}). Your results are kept on this PC.").format(
            path=share, reason=error.strerror or error
        )
    )


def check_share(share: Path) -> Path:
    """Check the folder is reachable and, if marked, ours; writes nothing."""
    try:
        if not share.is_dir():
            raise ShareError(
                _(
                    "The shared folder {path} cannot be reached. Check the network drive is connected. "
                    "Your results are kept on this PC and will be shared next time."
                ).format(path=share)
            )
        if (share / MARKER).exists():
            _check_marker(share / MARKER, share)
    except OSError as error:
        raise explain(error, share) from error
    return share


def open_share(share: Path, now: dt.datetime, owner: str = "") -> Path:
    """Check the folder is reachable, ours and writable; mark it on first use. Returns it."""
    try:
        if not share.is_dir():
            raise ShareError(
                _(
                    "The shared folder {path} cannot be reached. Check the network drive is connected. "
                    "Your results are kept on this PC and will be shared next time."
                ).format(path=share)
            )
        marker = share / MARKER
        if marker.exists():
            _check_marker(marker, share)
        else:
            body = {"format": FORMAT, "version": VERSION, "created_at": now.strftime("%Y-%m-%dT%H:%M:%SZ")}
            write_in_share(share, marker, (json.dumps(body, indent=2) + "\n").encode("utf-8"), owner=owner)
        for name in (DEVICES, REPORTS):
            folder = share / name
            if folder.exists() and not folder.is_dir():
                raise ShareError(
                    _("In the shared folder {path}, {name} is a file where a folder should be.").format(
                        path=share, name=name
                    )
                )
            folder.mkdir(exist_ok=True)
    except OSError as error:
        raise explain(error, share) from error
    return share


def _check_marker(marker: Path, share: Path) -> None:
    try:
        data = json.loads(read_whole(marker, 64 * 1024).decode("utf-8-sig"))
    except (ValueError, RecursionError, RefusedFileError):  # not JSON or UTF-8, nested too deep, or not a file
        data = None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ShareError(
            _(
                "The folder {path} belongs to another program ({file} is not SocialSafe's). "
                "Nothing in it was changed: choose another folder."
            ).format(path=share, file=MARKER)
        )
    version = data.get("version")
    if not isinstance(version, int) or version > AUTHORITY_VERSION:
        raise ShareError(
            _(
                "The shared folder {path} was set up by a newer SocialSafe (format version {version}). "
                "Nothing in it was changed: please update SocialSafe on this PC."
            ).format(path=share, version=version)
        )


def marker_fingerprint(share: Path) -> str | None:
    """The fingerprint of the authority the share's marker names, if it names one."""
    try:
        data = json.loads(read_whole(share / MARKER, 64 * 1024))
    except (OSError, ValueError, RecursionError):
        return None
    named = data.get("authority") if isinstance(data, dict) else None
    return named if isinstance(named, str) else None


def marker_names_authority(share: Path) -> bool:
    """Whether the share's marker says an authority was made there (so one missing file is not 'none')."""
    return marker_fingerprint(share) is not None


def mark_authority(share: Path, fingerprint: str, owner: str = "") -> None:
    """Mark the share as one with the office's admin authority (version 2), keeping when it was made.

    SocialSafe before version 2 then refuses the folder rather than believe records anyone could forge.
    """
    marker = share / MARKER
    try:
        data = json.loads(read_whole(marker, 64 * 1024).decode("utf-8-sig"))
    except (OSError, ValueError, RecursionError):
        data = {}
    created = data.get("created_at") if isinstance(data, dict) else None
    body = {
        "format": FORMAT,
        "version": AUTHORITY_VERSION,
        "created_at": created if isinstance(created, str) else dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "authority": fingerprint,
    }
    write_in_share(share, marker, (json.dumps(body, indent=2) + "\n").encode("utf-8"), owner=owner)


# What Windows, macOS and Office put in any folder they show (contract: "Principles"): noted, never a problem.
_CLUTTER = re.compile(r"^(desktop\.ini|thumbs\.db|\.ds_store|ehthumbs\.db|~\$.*|\._.*)$", re.IGNORECASE)


def is_clutter(name: str) -> bool:
    """Whether ``name`` is a file the system itself keeps in folders, not one a person or program put there."""
    return bool(_CLUTTER.match(name))


def device_files(share: Path) -> tuple[list[Path], list[Path]]:
    """(device files, other files) under devices/; temporary files are left out of both."""
    ours: list[Path] = []
    others: list[Path] = []
    try:
        entries = sorted((share / DEVICES).iterdir())
    except OSError as error:
        raise explain(error, share) from error
    for entry in entries:
        if entry.name.startswith(TEMP_PREFIX):
            continue
        (ours if _DEVICE_FILE.match(entry.name) and entry.is_file() else others).append(entry)
    return ours, others


class OutsideShareError(OSError):
    """A folder on the way to a file in the share is a link: following it could write anywhere."""

    def __init__(self, folder: Path) -> None:
        super().__init__(errno.ELOOP, folder.name)


def write_in_share(share: Path, path: Path, data: bytes, owner: str = "") -> None:
    """Write ``path``, inside ``share``, whole and atomically, creating its folders; never through a link.

    Anyone may replace a folder of the share with a link to somewhere else (``reports`` → a system folder):
    every folder from the share down is opened without following links, and the file is written and
    renamed relative to the last of them, so no swap at any moment can send the bytes outside the share
    (:class:`OutsideShareError`). Where the system cannot open folders so (Windows), each is checked not
    to be a link or junction just before :func:`write_atomic`.
    """
    parts = path.relative_to(share).parts
    if os.name == "nt" or not hasattr(os, "O_DIRECTORY"):  # pragma: no cover - Windows only
        folder = share
        for part in parts[:-1]:
            folder = folder / part
            with contextlib.suppress(FileExistsError):
                folder.mkdir()
            if folder.is_symlink() or getattr(os.path, "isjunction", lambda _p: False)(folder):
                raise OutsideShareError(folder)
        write_atomic(path, data, owner=owner)
        return
    opening = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
    here = os.open(share, opening)
    try:
        for part in parts[:-1]:
            with contextlib.suppress(FileExistsError):
                os.mkdir(part, dir_fd=here)
            try:
                inner = os.open(part, opening, dir_fd=here)
            except OSError as error:
                if error.errno in (errno.ELOOP, errno.ENOTDIR):
                    raise OutsideShareError(share / part) from error
                raise
            os.close(here)
            here = inner
        temp = f"{TEMP_PREFIX}{owner + '-' if owner else ''}{secrets.token_hex(8)}"
        descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666, dir_fd=here)
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, parts[-1], src_dir_fd=here, dst_dir_fd=here)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp, dir_fd=here)
            raise
        with contextlib.suppress(OSError):
            os.fsync(here)  # the rename itself, durable where the file system allows
    finally:
        os.close(here)


def clean_own_temp_files(share: Path, device_id: str) -> int:
    """Remove the temporary files this PC left in a crash; returns how many."""
    removed = 0
    cutoff = time.time() - STALE_TEMP_SECONDS
    for folder in (share, share / DEVICES, share / REPORTS, share / "roster"):
        try:
            leftovers = list(folder.glob(f"{TEMP_PREFIX}{device_id}-*"))
        except OSError:
            continue
        for leftover in leftovers:
            try:
                if leftover.stat().st_mtime < cutoff:
                    leftover.unlink()
                    removed += 1
            except OSError:
                pass
    return removed


@dataclass(frozen=True)
class RosterPerson:
    name: str
    email: str | None
    role: str
    school: str
    exempt_until: dt.date | None
    exempt_reason: str


def read_roster(share: Path) -> tuple[list[RosterPerson], list[Problem]]:
    """The staff list, if the office keeps one on the share; bad rows are reported and skipped."""
    return read_roster_file(share / ROSTER)


def read_roster_file(path: Path) -> tuple[list[RosterPerson], list[Problem]]:
    """A roster file, wherever it is kept; a missing one is an empty roster."""
    try:
        raw = read_whole(path)
    except FileNotFoundError:
        return [], []
    except OSError as error:
        return [], [Problem(path, _("cannot read the roster ({reason})").format(reason=error.strerror or error))]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [Problem(path, _("the roster is not UTF-8 text; save it from Excel as 'CSV UTF-8'"))]
    return parse_roster(path, text)


def parse_roster(path: Path, text: str) -> tuple[list[RosterPerson], list[Problem]]:
    reader = csv.DictReader(io.StringIO(text))
    header = [(h or "").strip().casefold() for h in reader.fieldnames or []]
    missing = [c for c in ("name", "email", "role", "school") if c not in header]
    if missing:
        return [], [Problem(path, _("the roster has no column {columns}").format(columns=", ".join(missing)), line=1)]
    people, problems = [], []
    for row in reader:
        line = reader.line_num
        cells = {
            (k or "").strip().casefold(): plain_cell((v or "").strip()) for k, v in row.items() if isinstance(v, str)
        }
        name, role = normalise_name(cells.get("name", "")), cells.get("role", "")
        if not name:
            problems.append(Problem(path, _("a row with no name"), line=line))
            continue
        if role not in ROLES:
            problems.append(
                Problem(path, _("role {role} is not one of the policy's roles").format(role=role), line=line)
            )
            continue
        until = None
        if cells.get("exempt_until"):
            try:
                until = dt.date.fromisoformat(cells["exempt_until"])
            except ValueError:
                problems.append(Problem(path, _("exempt_until must be a date like 2027-07-31"), line=line))
                continue
        people.append(
            RosterPerson(
                name,
                cells.get("email") or None,
                role,
                normalise_name(cells.get("school", "")),
                until,
                cells.get("exempt_reason", ""),
            )
        )
    return people, problems


def plain_cell(cell: str) -> str:
    """A cell as it was before :func:`socialsafe.export.neutralise` made it safe for spreadsheets:
    the leading ``'`` added before a formula character is taken off again."""
    from socialsafe.export import FORMULA_STARTS

    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS) else cell


def roster_csv(people: list[RosterPerson]) -> bytes:
    """The roster file's bytes: UTF-8 with a BOM (for Excel), the contract's header, formulas neutralised."""
    from socialsafe.export import BOM, neutralise

    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(ROSTER_COLUMNS)
    for person in people:
        cells = [
            person.name,
            person.email or "",
            person.role,
            person.school,
            person.exempt_until.isoformat() if person.exempt_until else "",
            person.exempt_reason,
        ]
        writer.writerow([neutralise(cell) for cell in cells])
    return (BOM + buffer.getvalue()).encode("utf-8")


def write_roster(share: Path, people: list[RosterPerson], owner: str = "") -> Path:
    """Replace the share's roster with ``people``, whole and atomically; returns the file written.

    Only an admin action calls this (roster import, exemptions, erasure). The
    folder is checked and, on first use, marked as every sync does. Raises
    ShareError when the share cannot be reached or written; the old roster, if
    any, is then untouched.
    """
    open_share(share, dt.datetime.now(dt.UTC), owner=owner)
    path = share / ROSTER
    try:
        if path.parent.exists() and not path.parent.is_dir():
            raise ShareError(
                _("In the shared folder {path}, {name} is a file where a folder should be.").format(
                    path=share, name=path.parent.name
                )
            )
        write_in_share(share, path, roster_csv(people), owner=owner)
    except OSError as error:
        raise explain(error, share) from error
    return path
