"""Helpers for the sync tests: PCs as data folders, shares as real folders, share files read back strictly.

Everything here reads the files the way another program would (``json``,
``csv``, ``sqlite3``), never through the code under test, so a test that uses
these helpers checks the contract (``shared/contracts/share-format.md``) and
not the implementation's own idea of it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

from socialsafe.content.loader import Content, load_all
from socialsafe.content.model import Pack
from socialsafe.storage.models import Attempt, Learner
from socialsafe.storage.store import Store

TESTS = Path(__file__).parent
MINI = TESTS / "packs" / "mini"

MARKER = "socialsafe-share.json"
# The contract's headers, written out here rather than taken from the code.
COMPLETIONS = [
    "name",
    "email",
    "role",
    "school",
    "modules_passed",
    "modules_total",
    "acknowledged_at",
    "completed_at",
    "expires_on",
    "status",
]
MODULES = [
    "name",
    "email",
    "role",
    "school",
    "module_id",
    "module_title",
    "status",
    "best_score_percent",
    "attempts",
    "first_passed_at",
    "last_activity_at",
    "policy_version",
]
REPORT_HEADERS = {"completions.csv": COMPLETIONS, "modules.csv": MODULES}
DEVICE_NAME = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.jsonl$")
UTC_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
TABLES = ("learner", "attempt", "answer", "acknowledgement", "erasure")
# The mini pack's policy, as a record from another PC names it.
PACK_ID, PACK_VERSION, POLICY_ID, POLICY_VERSION = "example", "1.0.0", "example-policy", "1.0"


def mini_content() -> Content:
    """Only the mini pack: one policy, so one report row per person."""
    content = load_all([MINI])
    assert not content.problems, content.problems
    return content


def mini_pack(content: Content) -> Pack:
    [pack] = content.current
    return pack


def new_pc(root: Path, name: str) -> Store:
    """A PC: its own data folder and database."""
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    return Store(folder / "socialsafe.db")


def learner_of(store: Store, name: str, school: str, role: str = "teacher", email: str | None = None) -> Learner:
    """The learner this PC already has for that name and school, or a new one."""
    for learner in store.learners(this_pc_only=True):
        if (learner.name, learner.school) == (name, school):
            return learner
    return store.add_learner(name, role, school, email)


def add_result(
    store: Store,
    pack: Pack,
    name: str,
    school: str = "Oak Primary",
    module_id: str = "photos",
    score: int = 2,
    max_score: int = 2,
    role: str = "teacher",
    email: str | None = None,
) -> Attempt:
    """A finished (manual) attempt, as ``socialsafe record`` makes one."""
    learner = learner_of(store, name, school, role, email)
    module = next(m for m in pack.modules if m.id == module_id)
    return store.record_manual(learner.id, pack, module, score, max_score, dt.datetime.now(dt.UTC))


# The local database, read with sqlite3 -------------------------------------------


def db_rows(db: Path, with_settings: bool = False) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the record tables (and the settings, if asked), sorted: to compare before and after."""
    tables = [*TABLES, "setting"] if with_settings else list(TABLES)
    with sqlite3.connect(db) as connection:
        return {t: sorted(connection.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in tables}


def db_ids(db: Path, table: str) -> list[str]:
    """The ids in one table, as a list (so that a duplicate would show)."""
    with sqlite3.connect(db) as connection:
        return sorted(row[0] for row in connection.execute(f"SELECT id FROM {table}"))


def integrity_ok(db: Path) -> bool:
    with sqlite3.connect(db) as connection:
        return connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


# The share, read strictly --------------------------------------------------------


def snapshot(folder: Path) -> dict[str, Any]:
    """Every file and folder under ``folder``: path -> (bytes, inode, mtime) or "<dir>"."""
    result: dict[str, Any] = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if path.is_dir():
            result[relative] = "<dir>"
        else:
            status = path.stat()
            result[relative] = (path.read_bytes(), status.st_ino, status.st_mtime_ns)
    return result


def file_state(path: Path) -> tuple[bytes, int, int]:
    """Bytes, inode and mtime: a replace changes the inode, a rewrite the bytes or mtime."""
    status = path.stat()
    return path.read_bytes(), status.st_ino, status.st_mtime_ns


def read_device_file(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A device file as the contract fixes it: UTF-8 without BOM, \\n line ends, header first, every line JSON."""
    assert DEVICE_NAME.match(path.name), path
    data = path.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf"), f"{path}: a BOM"
    assert b"\r" not in data, f"{path}: \\r line ends"
    assert data.endswith(b"\n"), f"{path}: the last line is cut short"
    lines = data.decode("utf-8").split("\n")[:-1]
    objects = [json.loads(line) for line in lines]
    head, records = objects[0], objects[1:]
    assert head["kind"] == "header", path
    assert head["format"] == "socialsafe-device-log", path
    assert head["version"] == 1, path
    assert head["device_id"] == path.stem, path
    assert UTC_TIME.match(head["written_at"]), head
    for record in records:
        assert record["kind"] in ("learner", "attempt", "acknowledgement", "erasure"), record
        assert str(uuid.UUID(record["id"])) == record["id"], record
    return head, records


def device_ids(path: Path, kind: str | None = None) -> list[str]:
    """The record ids in a device file, as a list (so that a duplicate would show)."""
    _head, records = read_device_file(path)
    return sorted(r["id"] for r in records if kind is None or r["kind"] == kind)


def read_report(path: Path) -> list[dict[str, str]]:
    """A report as Excel reads it: BOM, the contract's header exactly, every row as wide as the header."""
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), f"{path}: no BOM"
    rows = list(csv.reader(io.StringIO(data.decode("utf-8")[1:], newline="")))
    assert rows[0] == REPORT_HEADERS[path.name], rows[0]
    for row in rows[1:]:
        assert len(row) == len(rows[0]), row
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def check_share_files(share: Path) -> None:
    """Every file a reader would read parses completely: no torn file anywhere."""
    if (share / MARKER).exists():
        marker = json.loads((share / MARKER).read_text("utf-8"))
        assert marker["format"] == "socialsafe-share", marker
        assert marker["version"] == 1, marker
    devices = share / "devices"
    for path in sorted(devices.iterdir()) if devices.is_dir() else []:
        if not path.name.startswith(".tmp-"):
            read_device_file(path)
    reports = share / "reports"
    for path in sorted(reports.iterdir()) if reports.is_dir() else []:
        if not path.name.startswith(".tmp-"):
            read_report(path)


# Device files of other PCs, written by hand --------------------------------------


def new_id() -> str:
    return str(uuid.uuid4())


def utc(moment: dt.datetime | None = None) -> str:
    return (moment or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def header(device_id: str, **changes: Any) -> dict[str, Any]:
    return {
        "kind": "header",
        "format": "socialsafe-device-log",
        "version": 1,
        "device_id": device_id,
        "device_name": "OFFICE-PC-9",
        "app_version": "0.3.0",
        "written_at": utc(),
        **changes,
    }


def learner(device_id: str, name: str, school: str = "Oak Primary", **changes: Any) -> dict[str, Any]:
    return {
        "kind": "learner",
        "id": new_id(),
        "device_id": device_id,
        "name": name,
        "email": None,
        "role": "teacher",
        "school": school,
        "created_at": utc(),
        **changes,
    }


def attempt(device_id: str, learner_id: str, module_id: str = "photos", **changes: Any) -> dict[str, Any]:
    now = utc()
    return {
        "kind": "attempt",
        "id": new_id(),
        "device_id": device_id,
        "learner_id": learner_id,
        "pack_id": PACK_ID,
        "pack_version": PACK_VERSION,
        "policy_version": POLICY_VERSION,
        "module_id": module_id,
        "started_at": now,
        "finished_at": now,
        "score": 2,
        "max_score": 2,
        "pass_mark": 0.5,
        "passed": True,
        "source": "manual",
        "note": None,
        **changes,
    }


def acknowledgement(device_id: str, learner_id: str, **changes: Any) -> dict[str, Any]:
    return {
        "kind": "acknowledgement",
        "id": new_id(),
        "device_id": device_id,
        "learner_id": learner_id,
        "policy_id": POLICY_ID,
        "policy_version": POLICY_VERSION,
        "acknowledged_at": utc(),
        **changes,
    }


def erasure(device_id: str, learner_id: str, **changes: Any) -> dict[str, Any]:
    return {
        "kind": "erasure",
        "id": new_id(),
        "device_id": device_id,
        "learner_id": learner_id,
        "erased_at": utc(),
        **changes,
    }


def line(item: dict[str, Any] | str) -> str:
    return item if isinstance(item, str) else json.dumps(item, ensure_ascii=False) + "\n"


def write_device(share: Path, device_id: str, items: list[dict[str, Any] | str], head: Any = None) -> Path:
    """Another PC's device file: the header (or ``head``), then each item (a record, or raw text)."""
    folder = share / "devices"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{device_id}.jsonl"
    text = line(head if head is not None else header(device_id)) + "".join(map(line, items))
    temp = folder / f".tmp-{device_id}-test"
    temp.write_bytes(text.encode("utf-8"))
    os.replace(temp, path)
    return path


# The command, as a separate process ----------------------------------------------


def command(data_dir: Path, share: Path | None, *args: str) -> list[str]:
    """The command line, with the mini pack loaded (``--packs`` adds it to the bundled pack)."""
    where = ["--share", str(share)] if share is not None else []
    return [sys.executable, "-m", "socialsafe", "--data-dir", str(data_dir), *where, "--packs", str(MINI), *args]


def environment() -> dict[str, str]:
    """This environment without any SOCIALSAFE_ setting: the flags say everything."""
    return {k: v for k, v in os.environ.items() if not k.startswith("SOCIALSAFE_")}


def run(data_dir: Path, share: Path | None, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """``socialsafe --data-dir D --share S --packs tests/packs/mini ARGS``, to the end."""
    result = subprocess.run(
        command(data_dir, share, *args),
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=environment(),
        timeout=timeout,
    )
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    return result


def start(data_dir: Path, share: Path | None, *args: str) -> subprocess.Popen[str]:
    """The command started, not waited for."""
    return subprocess.Popen(
        command(data_dir, share, *args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env=environment(),
    )
