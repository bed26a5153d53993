"""The office's signed files on a share with an admin authority: the staff list and quiz packs.

Each is one self-contained document signed by the admin key, holding the
whole content (the roster's CSV text, a pack's files), so a reader uses
exactly what the office signed and nothing beside it. ``roster/roster.csv``
stays for people opening the share in Excel; a PC reads the signed copy.
A PC keeps the newest signed document it has met, so deleting one, or
putting an older one back, changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from socialsafe.content.loader import LOCALE_DIR, MODULES_DIR, PACK_FILE, Problem
from socialsafe.files import TEMP_PREFIX, RefusedFileError, read_whole, write_atomic
from socialsafe.i18n import _
from socialsafe.sync.share import ROSTER, write_in_share
from socialsafe.trust import keys
from socialsafe.trust.authority import AdminKey, utc_text
from socialsafe.trust.keys import Purpose

ROSTER_SIGNED = "roster/roster.signed.json"
ROSTER_FORMAT = "socialsafe-signed-roster"
ROSTER_SETTING = "signed_roster"  # the newest signed roster this PC has met (the document, as text)
PACK_SIGNED = "signed-pack.json"  # inside each pack's folder under the share's content/
PACK_FORMAT = "socialsafe-signed-pack"
MAX_DOCUMENT = 16 * 1024 * 1024  # a roster of thousands, or a pack with many languages, is far smaller
# The files a pack may have, and nothing else: no other folder, no path that climbs out.
_PACK_FILE = re.compile(rf"^(?:{re.escape(PACK_FILE)}|{MODULES_DIR}/[\w.-]+\.toml|{LOCALE_DIR}/[\w-]+\.po)$")


class SettingsStore(Protocol):
    def setting(self, key: str, default: str | None = None) -> str | None: ...

    def set_setting(self, key: str, value: str) -> None: ...


def _signed(key: AdminKey, purpose: Purpose, body: dict[str, Any]) -> bytes:
    document = {**body, "signed_at": utc_text(dt.datetime.now(dt.UTC))}
    document["signature"] = key.sign(purpose, document)
    return (json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


def _checked(raw: bytes | str, public: bytes, purpose: Purpose, form: str) -> dict[str, Any] | None:
    """The document, when ``public`` signed it for ``purpose``; None otherwise."""
    if len(raw) > MAX_DOCUMENT:
        return None
    try:
        # UTF-8 only, as it was written: json.loads would take UTF-16 bytes too, which nothing here could keep.
        document = json.loads(raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw)
    except (ValueError, RecursionError):
        return None
    if (
        not isinstance(document, dict)
        or document.get("format") != form
        or not isinstance(document.get("signed_at"), str)
    ):
        return None
    body = {k: v for k, v in document.items() if k != "signature"}
    return document if keys.verify(public, purpose, body, document.get("signature")) else None


def _read(path: Path) -> bytes | None:
    """A file of the share, read whole; None when it is not there, or too big to be what it should."""
    try:
        return read_whole(path, MAX_DOCUMENT)
    except RefusedFileError:  # a link, a pipe, or too big
        return b""
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


# The staff list ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RosterSigning:
    """What reading and writing the staff list need on a share with an admin authority."""

    public: bytes  # the authority's key
    store: SettingsStore  # where this PC keeps the newest signed staff list it has met
    key: AdminKey | None = None  # the admin key, to write it (an admin action)


def write_signed_roster(share: Path, csv_bytes: bytes, key: AdminKey, store: SettingsStore, owner: str = "") -> None:
    """The signed copy of the roster beside ``roster/roster.csv`` (already written); OSError when it cannot be."""
    document = _signed(key, Purpose.ROSTER, {"format": ROSTER_FORMAT, "version": 1, "csv": csv_bytes.decode("utf-8")})
    write_in_share(share, share / ROSTER_SIGNED, document, owner=owner)
    store.set_setting(ROSTER_SETTING, document.decode("utf-8"))


@dataclass
class SignedRoster:
    csv: str | None  # the roster's text as the office signed it; None when there is none
    problems: list[Problem]


def read_signed_roster(share: Path, public: bytes, store: SettingsStore) -> SignedRoster:
    """The newest roster the office signed: the share's copy when it is good and not older than the one
    this PC keeps, else the one it keeps. ``roster/roster.csv`` changed by hand is reported, never used."""
    path = share / ROSTER_SIGNED
    problems: list[Problem] = []
    kept = store.setting(ROSTER_SETTING)
    mine = _checked(kept, public, Purpose.ROSTER, ROSTER_FORMAT) if kept else None
    try:
        raw = _read(path)
    except OSError:
        raw = None  # the share cannot be read: the copy kept here stands
    found = _checked(raw, public, Purpose.ROSTER, ROSTER_FORMAT) if raw is not None else None
    if raw is not None and found is None:
        problems.append(Problem(path, _("not signed by the office: the last staff list it signed is used instead")))
    if found is not None and (mine is None or found["signed_at"] >= mine["signed_at"]):
        if found != mine:  # kept as this PC writes it, whatever spelling the share's copy had
            store.set_setting(ROSTER_SETTING, json.dumps(found, ensure_ascii=False, sort_keys=True))
        mine = found
    elif found is not None:
        problems.append(Problem(path, _("an older staff list than this PC has seen: the newer one is used")))
    csv = mine.get("csv") if mine is not None else None
    if not isinstance(csv, str):
        csv = None
    try:
        by_hand: str | None = (share / ROSTER).read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        by_hand = None
    if by_hand is not None and by_hand != (csv or "").removeprefix("\ufeff"):
        problems.append(
            Problem(
                share / ROSTER,
                _("changed outside SocialSafe: the staff list the office signed is used (import the file to use it)")
                if csv is not None
                else _("not signed by the office, so not used: import the file in the office to use it"),
            )
        )
    return SignedRoster(csv, problems)


# Quiz packs ---------------------------------------------------------------------------------------


def pack_files(folder: Path) -> dict[str, str]:
    """A pack folder's files as the signed document holds them: relative path -> text. Links are not followed."""
    found = [folder / PACK_FILE, *sorted((folder / MODULES_DIR).glob("*.toml"))]
    found += sorted((folder / LOCALE_DIR).glob("*.po"))
    files = {
        p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
        for p in found
        if p.is_file() and not p.is_symlink()
    }
    return {name: text for name, text in files.items() if _PACK_FILE.match(name)}


def checked_pack(folder: Path) -> tuple[Any, dict[str, str]]:
    """The pack in ``folder``, checked as the app loads it, and its files as read for that check: what is
    signed is exactly what was checked, whatever changes in the folder after. PackError when it is not one."""
    import tempfile

    from socialsafe.content.loader import load_pack

    files = pack_files(folder)
    with tempfile.TemporaryDirectory(prefix="socialsafe-pack-") as temp:
        copy = Path(temp) / folder.name
        for name, text in files.items():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            (copy / name).write_text(text, encoding="utf-8")
        return load_pack(copy), files


def publish_pack(folder: Path, share: Path, key: AdminKey, owner: str = "") -> tuple[Any, Path]:
    """Check a pack and place it in the share's ``content/<pack id>/``, with the office's signature.

    Returns the pack and where it went; PackError when the pack has problems, OSError when it cannot be written.
    """
    pack, files = checked_pack(folder)
    document = _signed(
        key,
        Purpose.PACK,
        {"format": PACK_FORMAT, "version": 1, "pack_id": pack.id, "pack_version": pack.version, "files": files},
    )
    target = share / "content" / pack.id
    for name, text in files.items():
        write_in_share(share, target / name, text.encode("utf-8"), owner=owner)
    write_in_share(share, target / PACK_SIGNED, document, owner=owner)
    return pack, target


def refresh_packs(share: Path, public: bytes, cache: Path) -> list[Problem]:
    """Bring the share's signed packs into ``cache`` (this PC's own folder the app loads them from).

    A pack goes in only as its signed document has it, file by file, never by following a path from
    the share; an unsigned or changed pack is reported and left out, and a pack already here is only
    replaced by one signed later.
    """
    problems: list[Problem] = []
    content = share / "content"
    try:
        folders = sorted(p for p in content.iterdir() if p.is_dir() and not p.is_symlink())
    except OSError:
        return problems  # no content folder, or the share cannot be read: the packs here stand
    cache.mkdir(parents=True, exist_ok=True)
    for folder in folders:
        path = folder / PACK_SIGNED
        try:
            raw = _read(path)
        except OSError:
            continue
        document = _checked(raw, public, Purpose.PACK, PACK_FORMAT) if raw is not None else None
        files = document.get("files") if document is not None else None
        pack_id = document.get("pack_id") if document is not None else None
        if (
            document is None
            or not isinstance(files, dict)
            or not isinstance(pack_id, str)
            or not re.fullmatch(r"[\w.-]{1,100}", pack_id)
            or PACK_FILE not in files
            or not all(isinstance(n, str) and _PACK_FILE.match(n) and isinstance(t, str) for n, t in files.items())
        ):
            problems.append(Problem(folder, _("this quiz pack is not signed by the office: it is not used")))
            continue
        here = cache / pack_id
        kept = _read(here / PACK_SIGNED) if (here / PACK_SIGNED).is_file() else None
        mine = _checked(kept, public, Purpose.PACK, PACK_FORMAT) if kept else None
        if mine is not None and mine["signed_at"] >= document["signed_at"]:
            continue
        _replace_folder(here, {**files, PACK_SIGNED: json.dumps(document, ensure_ascii=False, sort_keys=True)})
    return problems


def _replace_folder(target: Path, files: dict[str, str]) -> None:
    """``target`` holding exactly ``files``, swapped in whole: a crash leaves the old pack or the new one.

    The pack is made beside the cache folder, not in it, so that a half-made one is never loaded.
    """
    work = target.parent.parent / f"{TEMP_PREFIX}{target.parent.name}"
    work.mkdir(exist_ok=True)
    staging, old = work / target.name, work / f"old-{target.name}"
    shutil.rmtree(staging, ignore_errors=True)
    for name, text in files.items():
        path = staging / name
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, text.encode("utf-8"))
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)
