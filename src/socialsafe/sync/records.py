"""Device-file records: one JSON object a line, as ``shared/contracts/share-format.md`` fixes them.

Reading is forgiving by line and strict by field: a line that is not valid
JSON, lacks a required field or has a wrong type is reported with its file
and line and skipped; every other line is still read. Unknown fields are
ignored, so a newer SocialSafe can add some.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from pydantic_core import SchemaValidator, ValidationError
from pydantic_core import core_schema as cs

from socialsafe.content.model import Role
from socialsafe.i18n import _

FORMAT = "socialsafe-device-log"
VERSION = 1
ROLES = frozenset(str(r) for r in Role)


@dataclass(slots=True)
class LearnerRec:
    id: str
    device_id: str
    name: str
    email: str | None
    role: str
    school: str
    created_at: dt.datetime


@dataclass(slots=True)
class AttemptRec:
    id: str
    device_id: str
    learner_id: str
    pack_id: str
    pack_version: str
    policy_version: str
    module_id: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    score: int | None
    max_score: int
    pass_mark: float
    passed: bool | None
    source: str
    note: str | None


@dataclass(slots=True)
class AckRec:
    id: str
    device_id: str
    learner_id: str
    policy_id: str
    policy_version: str
    acknowledged_at: dt.datetime


@dataclass(slots=True)
class ErasureRec:
    id: str
    device_id: str
    learner_id: str
    erased_at: dt.datetime


Record = LearnerRec | AttemptRec | AckRec | ErasureRec


class LineError(ValueError):
    """One line cannot be read; the message says why."""


def utc_text(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def header(device_id: str, device_name: str, app_version: str, written_at: dt.datetime) -> dict[str, Any]:
    return {
        "kind": "header",
        "format": FORMAT,
        "version": VERSION,
        "device_id": device_id,
        "device_name": device_name,
        "app_version": app_version,
        "written_at": utc_text(written_at),
    }


def to_json(record: Record) -> dict[str, Any]:
    """The record as the share format writes it."""
    base = {"id": record.id, "device_id": record.device_id}
    match record:
        case LearnerRec():
            return {
                "kind": "learner",
                **base,
                "name": record.name,
                "email": record.email,
                "role": record.role,
                "school": record.school,
                "created_at": utc_text(record.created_at),
            }
        case AttemptRec():
            return {
                "kind": "attempt",
                **base,
                "learner_id": record.learner_id,
                "pack_id": record.pack_id,
                "pack_version": record.pack_version,
                "policy_version": record.policy_version,
                "module_id": record.module_id,
                "started_at": utc_text(record.started_at),
                "finished_at": utc_text(record.finished_at) if record.finished_at else None,
                "score": record.score,
                "max_score": record.max_score,
                "pass_mark": record.pass_mark,
                "passed": record.passed,
                "source": record.source,
                "note": record.note,
            }
        case AckRec():
            return {
                "kind": "acknowledgement",
                **base,
                "learner_id": record.learner_id,
                "policy_id": record.policy_id,
                "policy_version": record.policy_version,
                "acknowledged_at": utc_text(record.acknowledged_at),
            }
        case ErasureRec():
            return {"kind": "erasure", **base, "learner_id": record.learner_id, "erased_at": utc_text(record.erased_at)}


def to_line(item: Record | dict[str, Any]) -> str:
    data = item if isinstance(item, dict) else to_json(item)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


# Reading ---------------------------------------------------------------------


def _text(data: dict[str, Any], key: str, nullable: bool = False) -> Any:
    if key not in data:
        raise LineError(_("{field} is missing").format(field=key))
    value = data[key]
    if value is None and nullable:
        return None
    if not isinstance(value, str) or not value.strip():
        raise LineError(_("{field} must be text").format(field=key))
    return value


# The contract's canonical form; anything else goes the slow way (and is normalised or refused).
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").fullmatch


def _uuid(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if type(value) is str and _CANONICAL_UUID(value):
        return value
    value = _text(data, key)
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise LineError(_("{field} must be a UUID").format(field=key)) from None


def _time(data: dict[str, Any], key: str, nullable: bool = False) -> Any:
    value = _text(data, key, nullable)
    if value is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise LineError(_("{field} must be an ISO 8601 time").format(field=key)) from None
    if moment.tzinfo is None:
        raise LineError(_("{field} must be an ISO 8601 time").format(field=key))
    return moment


def _int(data: dict[str, Any], key: str, nullable: bool = False) -> Any:
    if key not in data:
        raise LineError(_("{field} is missing").format(field=key))
    value = data[key]
    if value is None and nullable:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise LineError(_("{field} must be a whole number").format(field=key))
    return value


def _bool(data: dict[str, Any], key: str, nullable: bool = False) -> Any:
    if key not in data:
        raise LineError(_("{field} is missing").format(field=key))
    value = data[key]
    if (value is None and nullable) or isinstance(value, bool):
        return value
    raise LineError(_("{field} must be true or false").format(field=key))


def _learner(d: dict[str, Any], base: tuple[str, str]) -> LearnerRec:
    role = _text(d, "role")
    if role not in ROLES:
        raise LineError(_("role {role} is not one of the policy's roles").format(role=role))
    # A blank email is no email (a person without one is normal: volunteers).
    email = None if isinstance(d.get("email"), str) and not d["email"].strip() else _text(d, "email", nullable=True)
    return LearnerRec(*base, _text(d, "name"), email, role, _text(d, "school"), _time(d, "created_at"))


def _is_text(value: Any) -> bool:
    return type(value) is str and bool(value.strip())


def _aware(value: Any) -> dt.datetime | None:
    """The moment, or None when the slow path must decide (and explain)."""
    if type(value) is not str or not value.strip():
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _attempt(d: dict[str, Any], base: tuple[str, str]) -> AttemptRec:
    """Most lines are attempts: check the usual, valid case inline, in one pass."""
    try:
        learner_id, pack_id, pack_version = d["learner_id"], d["pack_id"], d["pack_version"]
        policy_version, module_id, source = d["policy_version"], d["module_id"], d["source"]
        started_at, finished_at, score, max_score = d["started_at"], d["finished_at"], d["score"], d["max_score"]
        pass_mark, passed, note = d["pass_mark"], d["passed"], d["note"]
    except KeyError:
        return _attempt_checked(d, base)
    started = _aware(started_at)
    finished = None if finished_at is None else _aware(finished_at)
    if (
        type(learner_id) is str
        and _CANONICAL_UUID(learner_id)
        and _is_text(pack_id)
        and _is_text(pack_version)
        and _is_text(policy_version)
        and _is_text(module_id)
        and (source == "quiz" or source == "manual")
        and started is not None
        and (finished_at is None or finished is not None)
        and (score is None or type(score) is int)
        and type(max_score) is int
        and (type(pass_mark) is float or type(pass_mark) is int)
        and 0 <= pass_mark <= 1
        and (passed is None or type(passed) is bool)
        and (note is None or note == "" or _is_text(note))
    ):
        return AttemptRec(
            *base,
            learner_id,
            pack_id,
            pack_version,
            policy_version,
            module_id,
            started,
            finished,
            score,
            max_score,
            float(pass_mark),
            passed,
            source,
            note or None,
        )
    return _attempt_checked(d, base)


def _attempt_checked(d: dict[str, Any], base: tuple[str, str]) -> AttemptRec:
    pass_mark = d.get("pass_mark")
    if isinstance(pass_mark, bool) or not isinstance(pass_mark, int | float) or not 0 <= pass_mark <= 1:
        raise LineError(_("{field} must be a fraction from 0 to 1").format(field="pass_mark"))
    source = _text(d, "source")
    if source not in ("quiz", "manual"):
        raise LineError(_("source must be quiz or manual"))
    return AttemptRec(
        *base,
        learner_id=_uuid(d, "learner_id"),
        pack_id=_text(d, "pack_id"),
        pack_version=_text(d, "pack_version"),
        policy_version=_text(d, "policy_version"),
        module_id=_text(d, "module_id"),
        started_at=_time(d, "started_at"),
        finished_at=_time(d, "finished_at", nullable=True),
        score=_int(d, "score", nullable=True),
        max_score=_int(d, "max_score"),
        pass_mark=float(pass_mark),
        passed=_bool(d, "passed", nullable=True),
        source=source,
        note=_text(d, "note", nullable=True) if d.get("note") != "" else None,
    )


def _ack(d: dict[str, Any], base: tuple[str, str]) -> AckRec:
    return AckRec(
        *base, _uuid(d, "learner_id"), _text(d, "policy_id"), _text(d, "policy_version"), _time(d, "acknowledged_at")
    )


def _erasure(d: dict[str, Any], base: tuple[str, str]) -> ErasureRec:
    return ErasureRec(*base, _uuid(d, "learner_id"), _time(d, "erased_at"))


_READERS: dict[str, Callable[[dict[str, Any], tuple[str, str]], Record]] = {
    "learner": _learner,
    "attempt": _attempt,
    "acknowledgement": _ack,
    "erasure": _erasure,
}


def parse_record(data: Any) -> Record:
    """A record from one decoded JSON line; LineError says what is wrong."""
    if not isinstance(data, dict):
        raise LineError(_("a record must be a JSON object"))
    kind = data.get("kind")
    reader = _READERS.get(kind) if isinstance(kind, str) else None
    if reader is None:
        raise LineError(_("unknown kind {kind}").format(kind=json.dumps(kind)))
    return reader(data, (_uuid(data, "id"), _uuid(data, "device_id")))


@dataclass
class DeviceFile:
    """What one device file holds: its header and the records that could be read."""

    path: Path
    device_id: str
    records: list[Record]
    problems: list[tuple[int, str]]  # (line, message)
    skipped: str | None = None  # why the whole file was left out


_UUID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
# The form SocialSafe writes; any other spelling (an offset, a space, no fraction …) goes the slow way.
_UTC_TIME = (
    r"^(?:19|20)\d\d-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"
    r"T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,6})?Z$"
)


@functools.cache
def _fast_reader() -> Callable[[str], Any]:
    """Decode and check a record line in one go, in pydantic-core (Rust), straight into its record class.

    This path accepts only what the Python checks below accept too (a canonical
    UUID, an ASCII letter or digit in every text, SocialSafe's own time format,
    strict numbers and booleans); any line it refuses is read again the slow way,
    which accepts it or says exactly what is wrong.
    """
    uid = cs.str_schema(pattern=_UUID, strict=True)
    text = cs.str_schema(pattern=r"[0-9A-Za-z]", strict=True)  # a pattern is searched for anywhere in the text
    moment = cs.chain_schema([cs.str_schema(pattern=_UTC_TIME, strict=True), cs.datetime_schema(tz_constraint="aware")])
    schemas: dict[str, cs.CoreSchema] = {
        "id": uid,
        "device_id": uid,
        "learner_id": uid,
        "name": text,
        "email": cs.nullable_schema(text),
        "role": cs.literal_schema(sorted(ROLES)),
        "school": text,
        "created_at": moment,
        "pack_id": text,
        "pack_version": text,
        "policy_version": text,
        "module_id": text,
        "started_at": moment,
        "finished_at": cs.nullable_schema(moment),
        "score": cs.nullable_schema(cs.int_schema(strict=True)),
        "max_score": cs.int_schema(strict=True),
        "pass_mark": cs.float_schema(strict=True, ge=0, le=1),
        "passed": cs.nullable_schema(cs.bool_schema(strict=True)),
        "source": cs.literal_schema(["quiz", "manual"]),
        "note": cs.nullable_schema(text),
        "policy_id": text,
        "acknowledged_at": moment,
        "erased_at": moment,
    }

    def record(cls: type) -> cs.CoreSchema:
        names = [f.name for f in fields(cls)]
        args = cs.dataclass_args_schema(cls.__name__, [cs.dataclass_field(n, schemas[n]) for n in names])
        return cs.dataclass_schema(cls, args, names, slots=True)

    kinds = {"learner": LearnerRec, "attempt": AttemptRec, "acknowledgement": AckRec, "erasure": ErasureRec}
    union = cs.tagged_union_schema({kind: record(cls) for kind, cls in kinds.items()}, discriminator="kind")
    return SchemaValidator(union).validate_json


def read_device_text(path: Path, text: str) -> DeviceFile:
    """Parse a device file's text: header first, then a record a line."""
    lines = text.split("\n")
    expected_id = path.stem
    result = DeviceFile(path, expected_id, [], [])
    try:
        head = json.loads(lines[0]) if lines and lines[0].strip() else None
    except json.JSONDecodeError:
        head = None
    if not isinstance(head, dict) or head.get("kind") != "header" or head.get("format") != FORMAT:
        result.skipped = _("the first line is not a SocialSafe device header")
        return result
    version = head.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= VERSION:
        result.skipped = _("written in format version {version}, newer than this SocialSafe reads").format(
            version=version
        )
        return result
    # Only a last line with no newline after it can have been cut short by an interrupted copy.
    cut_line = len(lines) if lines and lines[-1] != "" else None
    fast, records = _fast_reader(), result.records
    for number, line in enumerate(lines[1:], start=2):
        try:
            records.append(fast(line))
        except ValidationError:
            if line.strip():
                _read_slowly(number, line, number == cut_line, result)
    return result


def _read_slowly(number: int, line: str, last: bool, result: DeviceFile) -> None:
    """A line the fast path did not take: read it, or say exactly what is wrong with it."""
    try:
        result.records.append(parse_record(json.loads(line)))
    except json.JSONDecodeError:
        message = _("the line is cut short (an interrupted copy?)") if last else _("the line is not valid JSON")
        result.problems.append((number, message))
    except LineError as error:
        result.problems.append((number, str(error)))
