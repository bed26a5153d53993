"""The fast line reader (pydantic-core) never accepts what the checked Python reader refuses.

Every line is first offered to the fast path; only a line it refuses is read
the slow way. So for any line the fast path takes, the slow path must take it
too and make the same record; lines the slow path alone can read (odd but
valid spellings) must still come out right through ``read_device_text``.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from pydantic_core import ValidationError

from socialsafe.sync import records as rec

DEVICE = "0b5d6a0e-4c1e-4f57-9d0e-2f1a3b4c5d6e"
LEARNER = "6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f"
WHEN = dt.datetime(2026, 11, 25, 16, 0, 0, 123456, tzinfo=dt.UTC)

LEARNER_REC = rec.LearnerRec("1e0a7c52-9d4b-4f3a-8a1b-2c3d4e5f6a7b", DEVICE, "Ann Jones", None, "teacher", "Oak", WHEN)
ATTEMPT_REC = rec.AttemptRec(
    "2e0a7c52-9d4b-4f3a-8a1b-2c3d4e5f6a7b",
    DEVICE,
    LEARNER,
    "leaf-social-media",
    "1.0.0",
    "1.0",
    "photographs",
    WHEN,
    WHEN + dt.timedelta(minutes=4),
    4,
    5,
    0.8,
    True,
    "quiz",
    None,
)
ACK_REC = rec.AckRec("3e0a7c52-9d4b-4f3a-8a1b-2c3d4e5f6a7b", DEVICE, LEARNER, "leaf-use-of-social-media", "1.0", WHEN)
ERASURE_REC = rec.ErasureRec("4e0a7c52-9d4b-4f3a-8a1b-2c3d4e5f6a7b", DEVICE, LEARNER, WHEN)


def fast(line: str) -> rec.Record | None:
    try:
        record: rec.Record = rec._fast_reader(dt.datetime.now(dt.UTC))(line.encode())
    except ValidationError:
        return None
    return record


def slow(line: str) -> rec.Record | None:
    try:
        return rec.parse_record(json.loads(line))
    except (ValueError, rec.LineError):
        return None


def line_of(record: rec.Record, **changes: Any) -> str:
    data = rec.to_json(record)
    for key, value in changes.items():
        if value is _DROP:
            del data[key]
        else:
            data[key] = value
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


_DROP = object()


@pytest.mark.parametrize("record", [LEARNER_REC, ATTEMPT_REC, ACK_REC, ERASURE_REC], ids=lambda r: type(r).__name__)
def test_lines_as_socialsafe_writes_them_take_the_fast_path(record: rec.Record) -> None:
    line = rec.to_line(record).rstrip("\n")
    assert fast(line) == record == slow(line)


# Changes to a valid line: odd but valid spellings, and plain errors, for every kind of field.
VARIANTS: list[tuple[rec.Record, dict[str, Any]]] = [
    (ATTEMPT_REC, {"id": ATTEMPT_REC.id.upper()}),
    (ATTEMPT_REC, {"learner_id": "{" + LEARNER + "}"}),
    (ATTEMPT_REC, {"learner_id": LEARNER.replace("-", "")}),
    (ATTEMPT_REC, {"learner_id": "not-a-uuid"}),
    (ATTEMPT_REC, {"started_at": "2026-11-25T16:00:00+01:00"}),
    (ATTEMPT_REC, {"started_at": "2026-11-25 16:00:00Z"}),
    (ATTEMPT_REC, {"started_at": "2026-11-25T16:00:00"}),
    (ATTEMPT_REC, {"started_at": "1700000000"}),
    (ATTEMPT_REC, {"started_at": "2026-02-30T16:00:00Z"}),
    (ATTEMPT_REC, {"started_at": "2026-11-25T16:00:60Z"}),
    (ATTEMPT_REC, {"started_at": "2026-11-25T16:00:00.1234567Z"}),
    (ATTEMPT_REC, {"started_at": "0001-01-01T00:00:00Z"}),
    (ATTEMPT_REC, {"started_at": 1700000000}),
    (ATTEMPT_REC, {"finished_at": None, "score": None, "passed": None}),
    (ATTEMPT_REC, {"finished_at": ""}),
    (ATTEMPT_REC, {"score": 4.0}),
    (ATTEMPT_REC, {"score": True}),
    (ATTEMPT_REC, {"score": "4"}),
    (ATTEMPT_REC, {"score": 10**30}),
    (ATTEMPT_REC, {"max_score": None}),
    (ATTEMPT_REC, {"pass_mark": 1}),
    (ATTEMPT_REC, {"pass_mark": 0}),
    (ATTEMPT_REC, {"pass_mark": 1.5}),
    (ATTEMPT_REC, {"pass_mark": -0.1}),
    (ATTEMPT_REC, {"pass_mark": True}),
    (ATTEMPT_REC, {"pass_mark": "0.8"}),
    (ATTEMPT_REC, {"passed": 1}),
    (ATTEMPT_REC, {"passed": "true"}),
    (ATTEMPT_REC, {"source": "Quiz"}),
    (ATTEMPT_REC, {"source": "manual", "note": "Paper sign-off, 3 May"}),
    (ATTEMPT_REC, {"note": ""}),
    (ATTEMPT_REC, {"note": "   "}),
    (ATTEMPT_REC, {"note": "…"}),
    (ATTEMPT_REC, {"pack_id": ""}),
    (ATTEMPT_REC, {"pack_id": " \t"}),
    (ATTEMPT_REC, {"pack_id": "\x1c"}),
    (ATTEMPT_REC, {"module_id": "ffotograffau-ŵ"}),
    (ATTEMPT_REC, {"module_id": "ŵ"}),
    (ATTEMPT_REC, {"module_id": 7}),
    (ATTEMPT_REC, {"policy_version": _DROP}),
    (ATTEMPT_REC, {"note": _DROP}),
    (ATTEMPT_REC, {"kind": "learner"}),
    (ATTEMPT_REC, {"kind": "Attempt"}),
    (ATTEMPT_REC, {"kind": None}),
    (ATTEMPT_REC, {"a_newer_field": [1, 2]}),
    (LEARNER_REC, {"email": ""}),
    (LEARNER_REC, {"email": "  "}),
    (LEARNER_REC, {"email": "ann@oak.sch.uk"}),
    (LEARNER_REC, {"name": "Siân Ó Dálaigh"}),
    (LEARNER_REC, {"name": "سارا"}),
    (LEARNER_REC, {"name": "=HYPERLINK(1)"}),
    (LEARNER_REC, {"name": " "}),
    (LEARNER_REC, {"role": "headteacher"}),
    (LEARNER_REC, {"role": "Teacher"}),
    (LEARNER_REC, {"school": _DROP}),
    (ACK_REC, {"policy_id": ""}),
    (ACK_REC, {"acknowledged_at": "yesterday"}),
    (ACK_REC, {"learner_id": None}),
    (ERASURE_REC, {"erased_at": "2026-11-25T16:00:00.5Z"}),
    (ERASURE_REC, {"learner_id": LEARNER.upper()}),
]


@pytest.mark.parametrize(("record", "changes"), VARIANTS, ids=lambda v: repr(v)[:60])
def test_the_fast_path_is_never_more_permissive_than_the_checked_one(
    record: rec.Record, changes: dict[str, Any]
) -> None:
    line = line_of(record, **changes)
    quick, checked = fast(line), slow(line)
    if quick is not None:
        assert checked is not None, f"fast path accepted a line the checks refuse: {line}"
        assert quick == checked
    # Whatever path it takes, the reader gives the checked reading of the line.
    text = rec.to_line(rec.header(DEVICE, "PC", "0", WHEN)) + line + "\n"
    device = rec.read_device(Path(f"{DEVICE}.jsonl"), text.encode("utf-8"))
    assert device.every_record() == ([checked] if checked else [])
    assert len(device.problems) == (0 if checked else 1)


def test_lines_written_with_other_spacing_or_key_order_are_read_too() -> None:
    data = rec.to_json(ATTEMPT_REC)
    spaced = json.dumps(dict(reversed(list(data.items()))), indent=None)  # ", " and ": ", keys reversed
    assert slow(spaced) == ATTEMPT_REC
    text = rec.to_line(rec.header(DEVICE, "PC", "0", WHEN)) + spaced + "\n\n"
    assert rec.read_device(Path(f"{DEVICE}.jsonl"), text.encode("utf-8")).records == [ATTEMPT_REC]
