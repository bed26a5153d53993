"""The verification code on a certificate: unguessable, readable, and the same for one completion."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from socialsafe.content.loader import load_all
from socialsafe.domain.certificate import new_code, normal_code
from socialsafe.storage.store import Store
from socialsafe.training import certificate_for, sign_off
from sync_helpers import MINI

FORMAT = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")


def test_a_code_is_three_groups_of_four_without_letters_that_look_alike() -> None:
    for _ in range(500):
        code = new_code()
        assert FORMAT.match(code), code
        assert not set(code) & set("ILOU")


def test_codes_are_random_not_worked_out_from_anything() -> None:
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("7kq2-m9xd-4fta", "7KQ2-M9XD-4FTA"),
        ("7KQ2 M9XD 4FTA", "7KQ2-M9XD-4FTA"),
        ("7KQ2M9XD4FTA", "7KQ2-M9XD-4FTA"),
        ("OOLI-M9XD-4FTA", "0011-M9XD-4FTA"),  # O read as 0, I and L as 1
    ],
)
def test_a_code_typed_back_any_way_is_read_as_printed(typed: str, read: str) -> None:
    assert normal_code(typed) == read


@pytest.mark.parametrize("typed", ["", "7KQ2-M9XD", "7KQ2-M9XD-4FTA-1", "7KQ2-M9XD-4FU!", "ABCDE-FGHJK"])
def test_what_cannot_be_a_code_is_refused(typed: str) -> None:
    assert normal_code(typed) is None


def test_one_completion_keeps_one_code_however_often_its_certificate_is_made(store: Store) -> None:
    content = load_all([MINI])
    pack = content.packs[0]
    learner = store.add_learner("Siân D'Souza", "teacher", "Oak Hill Primary")
    for module in pack.modules:
        store.record_manual(learner.id, pack, module, 2, 2, dt.datetime.now(dt.UTC))
    sign_off(store, content, learner, pack, "Siân D'Souza")

    first = certificate_for(store, content, learner, pack)
    again = certificate_for(store, content, learner, pack)

    assert first is not None
    assert again is not None
    assert FORMAT.match(first.code)
    assert again.code == first.code
    assert [c.code for c in store.certificates_with_code(first.code)] == [first.code]
