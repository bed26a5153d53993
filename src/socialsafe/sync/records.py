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
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from pydantic_core import SchemaValidator, ValidationError
from pydantic_core import core_schema as cs

from socialsafe.content.model import Role
from socialsafe.domain import limits
from socialsafe.i18n import _

FORMAT = "socialsafe-device-log"
VERSION = 1  # what a PC writes to a share without an admin authority, exactly as contract v1 says
SIGNED_VERSION = 2  # what it writes once the share has one: a signed header, proofs, enrolments, certificates
ADOPTED_FORMAT = "socialsafe-adopted-records"  # the records the office adopted, signed whole by its key
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
    proof: str | None = None  # the office's signature, when an admin action made the record


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
    proof: str | None = None  # the office's signature: every face-to-face (manual) result carries one


@dataclass(slots=True)
class AckRec:
    id: str
    device_id: str
    learner_id: str
    policy_id: str
    policy_version: str
    acknowledged_at: dt.datetime
    source: str = "app"  # "app", or "manual": a signed paper copy the office recorded (v2)
    proof: str | None = None  # the office's signature: every paper sign-off carries one


@dataclass(slots=True)
class ErasureRec:
    id: str
    device_id: str
    learner_id: str
    erased_at: dt.datetime
    proof: str | None = None  # the office's signature: every erasure carries one


@dataclass(slots=True)
class MergeRec:
    """The office found that learner record ``learner_id`` is the same person as ``into_id`` (v2; always with
    the office's proof): that record, and every other that groups with it, is shown and counted as that person,
    with ``into_id``'s name, school and email. Correcting a name or school is a new learner record and a merge."""

    id: str
    device_id: str
    learner_id: str
    into_id: str
    merged_at: dt.datetime
    proof: str | None = None


@dataclass(slots=True)
class EnrolmentRec:
    """The office trusts the PC ``subject_id`` with the key ``public_key`` (v2; always with the office's proof)."""

    id: str
    device_id: str  # the PC the office made this record on
    subject_id: str
    public_key: str
    device_name: str
    enrolled_at: dt.datetime
    proof: str | None = None


@dataclass(slots=True)
class CertificateRec:
    """A certificate a PC issued, found again by its verification code (v2)."""

    id: str
    device_id: str
    learner_id: str
    policy_id: str
    policy_version: str
    completed_on: dt.date
    expires_on: dt.date
    issued_at: dt.datetime
    code: str


Record = LearnerRec | AttemptRec | AckRec | ErasureRec | MergeRec | EnrolmentRec | CertificateRec
OFFICE_ONLY = (ErasureRec, MergeRec, EnrolmentRec)  # with manual attempts and paper sign-offs: see office_only()


def office_only(record: Record) -> bool:
    """Whether only the office may make ``record``: then, on a share with an admin authority, it needs a proof."""
    kind = type(record)
    if kind is AttemptRec or kind is AckRec:
        return record.source == "manual"  # type: ignore[union-attr]
    return kind is ErasureRec or kind is MergeRec or kind is EnrolmentRec


class LineError(ValueError):
    """One line cannot be read; the message says why."""


def utc_text(moment: dt.datetime) -> str:
    # isoformat, not strftime: strftime writes year 1 as "1", which no reader takes back.
    return moment.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def header(
    device_id: str, device_name: str, app_version: str, written_at: dt.datetime, version: int = VERSION
) -> dict[str, Any]:
    return {
        "kind": "header",
        "format": FORMAT,
        "version": version,
        "device_id": device_id,
        "device_name": device_name,
        "app_version": app_version,
        "written_at": utc_text(written_at),
    }


def to_json(record: Record) -> dict[str, Any]:
    """The record as the share format writes it, with its proof when it has one."""
    data = _fields_of(record)
    proof = getattr(record, "proof", None)
    if proof is not None:
        data["proof"] = proof
    return data


def _fields_of(record: Record) -> dict[str, Any]:
    """What a record says, without its proof: exactly what the office's proof of it signs."""
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
            ack = {
                "kind": "acknowledgement",
                **base,
                "learner_id": record.learner_id,
                "policy_id": record.policy_id,
                "policy_version": record.policy_version,
                "acknowledged_at": utc_text(record.acknowledged_at),
            }
            if record.source != "app":  # a line as contract v1 wrote it, unless it says otherwise
                ack["source"] = record.source
            return ack
        case ErasureRec():
            return {"kind": "erasure", **base, "learner_id": record.learner_id, "erased_at": utc_text(record.erased_at)}
        case MergeRec():
            return {
                "kind": "merge",
                **base,
                "learner_id": record.learner_id,
                "into_id": record.into_id,
                "merged_at": utc_text(record.merged_at),
            }
        case EnrolmentRec():
            return {
                "kind": "enrolment",
                **base,
                "subject_id": record.subject_id,
                "public_key": record.public_key,
                "device_name": record.device_name,
                "enrolled_at": utc_text(record.enrolled_at),
            }
        case CertificateRec():
            return {
                "kind": "certificate",
                **base,
                "learner_id": record.learner_id,
                "policy_id": record.policy_id,
                "policy_version": record.policy_version,
                "completed_on": record.completed_on.isoformat(),
                "expires_on": record.expires_on.isoformat(),
                "issued_at": utc_text(record.issued_at),
                "code": record.code,
            }


def signable(record: Record) -> dict[str, Any]:
    """The record as its office proof signs it (:func:`to_json` without the proof)."""
    return _fields_of(record)


def to_line(item: Record | dict[str, Any]) -> str:
    data = item if isinstance(item, dict) else to_json(item)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


# Reading ---------------------------------------------------------------------


def _text(data: dict[str, Any], key: str, nullable: bool = False, longest: int = limits.MAX_TEXT) -> Any:
    if key not in data:
        raise LineError(_("{field} is missing").format(field=key))
    value = data[key]
    if value is None and nullable:
        return None
    if not isinstance(value, str) or not value.strip():
        raise LineError(_("{field} must be text").format(field=key))
    if len(value) > longest:
        raise LineError(_("{field} is longer than {n} characters").format(field=key, n=longest))
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
        moment.astimezone(dt.UTC)  # a time at the very edge of the calendar cannot be said in UTC
    except (ValueError, OverflowError):
        raise LineError(_("{field} must be an ISO 8601 time").format(field=key)) from None
    if moment.tzinfo is None:
        raise LineError(_("{field} must be an ISO 8601 time").format(field=key))
    return moment


def _int(data: dict[str, Any], key: str, nullable: bool = False) -> Any:
    """A score: a whole number from 0 to :data:`limits.MAX_SCORE` (a bigger one would not fit the database)."""
    if key not in data:
        raise LineError(_("{field} is missing").format(field=key))
    value = data[key]
    if value is None and nullable:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= limits.MAX_SCORE:
        raise LineError(_("{field} must be a whole number from 0 to {n}").format(field=key, n=limits.MAX_SCORE))
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


def _is_text(value: Any, longest: int = limits.MAX_TEXT) -> bool:
    return type(value) is str and bool(value.strip()) and len(value) <= longest


def _is_score(value: Any) -> bool:
    return type(value) is int and 0 <= value <= limits.MAX_SCORE


def _aware(value: Any) -> dt.datetime | None:
    """The moment, or None when the slow path must decide (and explain)."""
    if type(value) is not str or not value.strip():
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        if moment.tzinfo is not None:
            moment.astimezone(dt.UTC)  # a time at the very edge of the calendar cannot be said in UTC
    except (ValueError, OverflowError):
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
        and (score is None or _is_score(score))
        and _is_score(max_score)
        and (type(pass_mark) is float or type(pass_mark) is int)
        and 0 <= pass_mark <= 1
        and (passed is None or type(passed) is bool)
        and (note is None or note == "" or _is_text(note, limits.MAX_NOTE))
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
        note=_text(d, "note", nullable=True, longest=limits.MAX_NOTE) if d.get("note") != "" else None,
    )


def _ack(d: dict[str, Any], base: tuple[str, str]) -> AckRec:
    source = d.get("source", "app")
    if source not in ("app", "manual"):
        raise LineError(_("source must be app or manual"))
    return AckRec(
        *base,
        _uuid(d, "learner_id"),
        _text(d, "policy_id"),
        _text(d, "policy_version"),
        _time(d, "acknowledged_at"),
        source,
    )


def _erasure(d: dict[str, Any], base: tuple[str, str]) -> ErasureRec:
    return ErasureRec(*base, _uuid(d, "learner_id"), _time(d, "erased_at"))


def _merge(d: dict[str, Any], base: tuple[str, str]) -> MergeRec:
    learner_id, into_id = _uuid(d, "learner_id"), _uuid(d, "into_id")
    if learner_id == into_id:
        raise LineError(_("{field} must name another learner record").format(field="into_id"))
    return MergeRec(*base, learner_id, into_id, _time(d, "merged_at"))


_KEY_TEXT = re.compile(r"[A-Za-z0-9+/]{43}=").fullmatch  # 32 bytes in base64
CODE = re.compile(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}").fullmatch


def _enrolment(d: dict[str, Any], base: tuple[str, str]) -> EnrolmentRec:
    key = _text(d, "public_key")
    if not _KEY_TEXT(key):
        raise LineError(_("{field} must be a public key").format(field="public_key"))
    return EnrolmentRec(*base, _uuid(d, "subject_id"), key, _text(d, "device_name"), _time(d, "enrolled_at"))


def _date(d: dict[str, Any], key: str) -> dt.date:
    value = _text(d, key)
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        raise LineError(_("{field} must be a date like 2027-07-31").format(field=key)) from None


def _certificate(d: dict[str, Any], base: tuple[str, str]) -> CertificateRec:
    code = _text(d, "code")
    if not CODE(code):
        raise LineError(_("{field} must be a verification code").format(field="code"))
    return CertificateRec(
        *base,
        _uuid(d, "learner_id"),
        _text(d, "policy_id"),
        _text(d, "policy_version"),
        _date(d, "completed_on"),
        _date(d, "expires_on"),
        _time(d, "issued_at"),
        code,
    )


_READERS: dict[str, Callable[[dict[str, Any], tuple[str, str]], Record]] = {
    "learner": _learner,
    "attempt": _attempt,
    "acknowledgement": _ack,
    "erasure": _erasure,
    "merge": _merge,
    "enrolment": _enrolment,
    "certificate": _certificate,
}


def parse_record(data: Any, latest: dt.datetime | None = None) -> Record:
    """A record from one decoded JSON line, with its proof if it carries one; LineError says what is wrong.

    ``latest``: the latest time a record may carry (:func:`limits.latest`); None, now's.
    """
    if not isinstance(data, dict):
        raise LineError(_("a record must be a JSON object"))
    kind = data.get("kind")
    reader = _READERS.get(kind) if isinstance(kind, str) else None
    if reader is None:
        raise LineError(_("unknown kind {kind}").format(kind=json.dumps(kind)))
    record = reader(data, (_uuid(data, "id"), _uuid(data, "device_id")))
    proof = data.get("proof")
    if proof is not None:
        if type(record) is CertificateRec or not isinstance(proof, str) or len(proof) > 200:
            raise LineError(_("{field} must be the office's signature").format(field="proof"))
        record.proof = proof  # type: ignore[union-attr]
    _check_times(record, limits.latest(dt.datetime.now(dt.UTC)) if latest is None else latest)
    return record


def _check_times(record: Record, latest: dt.datetime) -> None:
    """Every time a record carries lies between :data:`limits.EARLIEST` and ``latest``.

    A later one has not happened yet (a PC's clock is wrong, or the line is forged): the record is
    reported and not counted, and never reaches a database or a date sum that would run off the calendar.
    """
    for name in _TIMES[type(record)]:
        moment: dt.datetime | dt.date | None = getattr(record, name)
        if moment is None:
            continue
        early: dt.datetime | dt.date = limits.EARLIEST
        late: dt.datetime | dt.date = latest
        if isinstance(moment, dt.datetime):
            moment = moment.astimezone(dt.UTC)
        else:  # a certificate's dates; the expiry within the longest validity of its completion
            early, late = limits.EARLIEST.date(), latest.date()
            if isinstance(record, CertificateRec) and name == "expires_on":
                late = record.completed_on + limits.LONGEST_VALIDITY
        if moment < early:  # both dates, or both times
            raise LineError(
                _("{field} is {time}, before SocialSafe existed").format(field=name, time=moment.isoformat())
            )
        if moment > late:
            raise LineError(
                _("{field} is {time}, later than this PC's clock allows: not counted (is a PC's clock wrong?)").format(
                    field=name, time=moment.isoformat()
                )
            )


_TIMES: dict[type, tuple[str, ...]] = {
    LearnerRec: ("created_at",),
    AttemptRec: ("started_at", "finished_at"),
    AckRec: ("acknowledged_at",),
    ErasureRec: ("erased_at",),
    MergeRec: ("merged_at",),
    EnrolmentRec: ("enrolled_at",),
    CertificateRec: ("completed_on", "expires_on", "issued_at"),
}


@dataclass
class DeviceFile:
    """What one device file holds: its header and the records that could be read.

    The records are sorted by what a reader must check before it believes them
    (``shared/contracts/share-format.md``, "Authority (v2)"): ``records`` are
    ordinary records of the file's own PC; ``proven`` carry the office's proof
    (with the line as read, which the proof signs); ``unproven`` are records only
    the office may make, with no proof; ``foreign`` name another PC. On a share
    without an admin authority they all count, as contract v1 says.
    """

    path: Path
    device_id: str
    records: list[Record]
    problems: list[tuple[int, str]]  # (line, message)
    skipped: str | None = None  # why the whole file was left out
    header: dict[str, Any] = field(default_factory=dict)
    body: bytes | None = None  # the bytes after the header, when given: what a signed header covers
    proven: list[tuple[int, Record, dict[str, Any]]] = field(default_factory=list)
    unproven: list[tuple[int, Record]] = field(default_factory=list)
    foreign: list[tuple[int, Record]] = field(default_factory=list)

    def every_record(self) -> list[Record]:
        """Every record read, whatever proof it has: what a v1 reader takes."""
        return [
            *self.records,
            *(r for _line, r, _data in self.proven),
            *(r for _line, r in self.unproven),
            *(r for _line, r in self.foreign),
        ]


_UUID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
# The form SocialSafe writes; any other spelling (an offset, a space, no fraction …) goes the slow way.
_UTC_TIME = (
    r"^(?:19|20)\d\d-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"
    r"T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,6})?Z$"
)


def _fast_reader(latest: dt.datetime) -> Callable[[bytes], Any]:
    """Decode and check a record line in one go, in pydantic-core (Rust), straight into its record class.

    This path accepts only what the Python checks below accept too (a canonical
    UUID, an ASCII letter or digit in every text, SocialSafe's own time format
    between :data:`limits.EARLIEST` and ``latest``, strict numbers and booleans
    in range, texts no longer than the limits); any line it refuses is read
    again the slow way, which accepts it or says exactly what is wrong.
    """
    return _fast_reader_until(latest.replace(minute=0, second=0, microsecond=0))


@functools.lru_cache(maxsize=2)
def _fast_reader_until(latest: dt.datetime) -> Callable[[bytes], Any]:
    # Built once an hour: ``latest`` rounded down, so the fast path is never the more permissive one; a time
    # in the hour between goes the slow way, which checks it to the second.
    uid = cs.str_schema(pattern=_UUID, strict=True)
    # A pattern is searched for anywhere in the text.
    text = cs.str_schema(pattern=r"[0-9A-Za-z]", strict=True, max_length=limits.MAX_TEXT)
    moment = cs.chain_schema(
        [
            cs.str_schema(pattern=_UTC_TIME, strict=True),
            cs.datetime_schema(tz_constraint="aware", ge=limits.EARLIEST, le=latest),
        ]
    )
    score = cs.int_schema(strict=True, ge=0, le=limits.MAX_SCORE)
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
        "score": cs.nullable_schema(score),
        "max_score": score,
        "pass_mark": cs.float_schema(strict=True, ge=0, le=1),
        "passed": cs.nullable_schema(cs.bool_schema(strict=True)),
        "source": cs.literal_schema(["quiz", "manual"]),
        "note": cs.nullable_schema(cs.str_schema(pattern=r"[0-9A-Za-z]", strict=True, max_length=limits.MAX_NOTE)),
        "policy_id": text,
        "acknowledged_at": moment,
        "erased_at": moment,
    }

    # A line with a proof is read again the slow way (read_device), keeping what the proof signs.
    proof = cs.with_default_schema(cs.nullable_schema(cs.str_schema(strict=True, max_length=200)), default=None)

    def record(cls: type, **own: cs.CoreSchema) -> cs.CoreSchema:
        names = [f.name for f in fields(cls)]
        given = {**schemas, "proof": proof, **own}
        args = cs.dataclass_args_schema(cls.__name__, [cs.dataclass_field(n, given[n]) for n in names])
        return cs.dataclass_schema(cls, args, names, slots=True)

    ack_source = cs.with_default_schema(cs.literal_schema(["app", "manual"]), default="app")

    union = cs.tagged_union_schema(
        {
            "learner": record(LearnerRec),
            "attempt": record(AttemptRec),
            "acknowledgement": record(AckRec, source=ack_source),
            "erasure": record(ErasureRec),
        },
        discriminator="kind",
    )
    return SchemaValidator(union).validate_json


def read_device(
    path: Path,
    raw: bytes,
    keep_body: bool = False,
    expected_format: str = FORMAT,
    sort: bool = True,
    now: dt.datetime | None = None,
) -> DeviceFile:
    """Parse a device file's bytes: header first, then a record a line.

    Each line is held to :mod:`limits` before it is decoded: a line longer than
    any record, nested deeper than any record, not UTF-8, or dated outside the
    years a record can carry (after ``now``, give or take a clock's error) is
    reported with its number and skipped; every other line is still read.
    ``keep_body``: keep the bytes after the header, so a signed header can be
    checked against them. ``expected_format``: the header's format (the office's
    adopted records have their own). ``sort``: sort the records as
    :class:`DeviceFile` says; without it (a share with no admin authority, where
    every record counts as contract v1 says) they all go in ``records``.
    """
    latest = limits.latest(dt.datetime.now(dt.UTC) if now is None else now)
    lines = raw.split(b"\n")
    del raw  # the lines hold the same bytes: let the whole go as soon as the caller does
    expected_id = path.stem
    result = DeviceFile(path, expected_id, [], [])
    first = lines[0] if lines else b""
    try:
        head = json.loads(first) if first.strip() and len(first) <= limits.MAX_LINE else None
    except (ValueError, RecursionError):  # not JSON or UTF-8, nested too deep, or a number of thousands of digits
        head = None
    if not isinstance(head, dict) or head.get("kind") != "header" or head.get("format") != expected_format:
        result.skipped = _("the first line is not a SocialSafe device header")
        return result
    version = head.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= SIGNED_VERSION:
        result.skipped = _("written in format version {version}, newer than this SocialSafe reads").format(
            version=plain_value(version)
        )
        return result
    result.header = head
    if keep_body:
        result.body = b"\n".join(lines[1:])
    # Only a last line with no newline after it can have been cut short by an interrupted copy.
    cut_line = len(lines) if lines and lines[-1] != b"" else None
    fast, records = _fast_reader(latest), result.records
    attempt_kind, learner_kind = AttemptRec, LearnerRec
    too_long = max(map(len, lines)) > limits.MAX_LINE  # nearly always False: then no line need be measured
    for number, line in enumerate(lines[1:], start=2):
        if too_long and len(line) > limits.MAX_LINE:
            _read_slowly(number, line, False, result, latest)  # which says so
            continue
        try:
            record = fast(line)
        except ValidationError:
            if line.strip():
                _read_slowly(number, line, number == cut_line, result, latest, sort)
            continue
        if not sort:
            records.append(record)
            continue
        kind = type(record)
        # Nearly every line is an ordinary record of this PC: one look each, then on.
        if (
            ((kind is attempt_kind and record.source == "quiz") or kind is learner_kind)
            and record.device_id == expected_id
            and record.proof is None
        ):
            records.append(record)
        elif record.proof is not None:  # the office's: read again, keeping the line as its proof signs it
            _read_slowly(number, line, False, result, latest)
        else:
            _sort(number, record, None, result)
    return result


def plain_value(value: Any) -> str:
    """A value read from a file, for a message: short, and on one line."""
    text = json.dumps(value, ensure_ascii=True)
    return text if len(text) <= 40 else text[:39] + "…"


def _sort(number: int, record: Record, data: dict[str, Any] | None, result: DeviceFile) -> None:
    """Put a record read from ``result``'s file where :class:`DeviceFile` says it goes."""
    if data is not None and "proof" in data:
        result.proven.append((number, record, data))
    elif office_only(record):
        result.unproven.append((number, record))
    elif record.device_id != result.device_id:
        result.foreign.append((number, record))
    else:
        result.records.append(record)


# No record nests: a line with this many brackets is refused before it is parsed.
_MOST_BRACKETS = 256


def _read_slowly(
    number: int, line: bytes, last: bool, result: DeviceFile, latest: dt.datetime, sort: bool = True
) -> None:
    """A line the fast path did not take: read it, or say exactly what is wrong with it."""
    problem: str | None = None
    if len(line) > limits.MAX_LINE:
        problem = _("the line is {size} KB, longer than any record: skipped").format(size=len(line) // 1024)
    elif line.count(b"[") + line.count(b"{") > _MOST_BRACKETS:
        problem = _("the line is nested deeper than any record: skipped")
    if problem is not None:
        result.problems.append((number, problem))
        return
    try:
        data = json.loads(line.decode("utf-8"))
        record = parse_record(data, latest)
    except UnicodeDecodeError:
        result.problems.append((number, _("the line is not UTF-8 text")))
    except json.JSONDecodeError:
        message = _("the line is cut short (an interrupted copy?)") if last else _("the line is not valid JSON")
        result.problems.append((number, message))
    except LineError as error:
        result.problems.append((number, str(error)))
    except (RecursionError, ValueError):  # nested too deep, or a number of thousands of digits
        result.problems.append((number, _("the line is not valid JSON")))
    else:
        if sort:
            _sort(number, record, data, result)
        else:
            result.records.append(record)
