"""The verification code on a certificate: short, stable, and tied to every input."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from socialsafe.domain.certificate import verification_code

FORMAT = re.compile(r"^[A-Z2-9]{5}-[A-Z2-9]{5}$")
LEARNER = "learner-1"
VERSION = "1.0"
DAY = dt.date(2024, 3, 3)
RECORDS = ["attempt-a", "attempt-b", "signoff-c"]


def code(
    learner: str = LEARNER, version: str = VERSION, day: dt.date = DAY, records: list[str] | tuple[str, ...] = RECORDS
) -> str:
    return verification_code(learner, version, day, records)


def test_the_same_inputs_give_the_same_code() -> None:
    assert code() == code()
    assert code() == code(records=tuple(RECORDS))
    assert code() == code(records=iter(RECORDS))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "order",
    [
        ["signoff-c", "attempt-b", "attempt-a"],
        ["attempt-b", "signoff-c", "attempt-a"],
        ["attempt-a", "signoff-c", "attempt-b"],
    ],
)
def test_the_order_of_the_record_ids_does_not_matter(order: list[str]) -> None:
    assert code(records=order) == code()


@pytest.mark.parametrize(
    "changed",
    [
        pytest.param({"learner": "learner-2"}, id="learner"),
        pytest.param({"version": "1.1"}, id="policy-version"),
        pytest.param({"day": DAY + dt.timedelta(days=1)}, id="completed-on"),
        pytest.param({"day": dt.date(2025, 3, 3)}, id="completed-on-a-year-later"),
        pytest.param({"records": ["attempt-a", "attempt-b"]}, id="a-record-fewer"),
        pytest.param({"records": [*RECORDS, "attempt-d"]}, id="a-record-more"),
        pytest.param({"records": ["attempt-a", "attempt-b", "signoff-x"]}, id="another-record"),
        pytest.param({"records": []}, id="no-records"),
    ],
)
def test_any_change_of_input_changes_the_code(changed: dict[str, Any]) -> None:
    assert code(**changed) != code()


@pytest.mark.parametrize("seed", range(50))
def test_the_format(seed: int) -> None:
    value = code(learner=f"learner-{seed}", records=[f"r{seed}", f"s{seed * 7}"])
    assert FORMAT.match(value), value
    assert not set(value) & set("0O1I")


def test_codes_of_different_people_differ() -> None:
    codes = {code(learner=f"learner-{n}") for n in range(200)}
    assert len(codes) == 200
