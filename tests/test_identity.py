"""One person, one record: people are told apart on the letters and digits of their name and school (#16).

The contract's "Who is a person" (``shared/contracts/share-format.md``): the
email where there is one, else the name and school with accents and case
folded and everything but letters and digits dropped. Merging, the roster,
"Who are you?" and the sign-off all use that one rule.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from socialsafe.content.loader import Content
from socialsafe.content.model import Pack
from socialsafe.domain.people import letters, person_identity, person_key
from socialsafe.storage.store import InputError, Store
from socialsafe.sync.engine import sync
from socialsafe.training import sign_off
from sync_helpers import add_result, new_pc, read_report
from ui_helpers import open_window, type_text

SAME = [
    ("Siân O'Brien-Jones", "sian obrien jones"),  # Welsh, Irish
    ("Łukasz Wójcik", "Lukasz Wojcik"),  # Polish
    ("Tereza Nováková", "tereza novakova"),  # Czech
    ("Seán Mac Giolla Phádraig", "Sean MacGiollaPhadraig"),  # Irish
    ("Ffion ap Gwŷn", "Ffion Ap-Gwyn"),  # Welsh
    ("Jürgen Groß", "Jurgen Gross"),  # German
    ("مُحَمَّد علي", "محمد علي"),  # Arabic, with and without its short vowels
    ("St. Mary's C of E (VA)", "St Marys C of E VA"),
]
DIFFERENT = [("Ann Lee", "Anne Lee"), ("Jo Smith", "Jo Smith 2"), ("Ali", "Alí Khan")]


@pytest.mark.parametrize(("one", "other"), SAME)
def test_one_name_however_it_is_typed_is_one_person(one: str, other: str) -> None:
    assert letters(one) == letters(other)
    assert person_identity(one, "Oak Primary", None) == person_identity(other, "oak  primary", "")


@pytest.mark.parametrize(("one", "other"), DIFFERENT)
def test_different_names_stay_different_people(one: str, other: str) -> None:
    assert person_key(one, "Oak") != person_key(other, "Oak")


def test_a_name_with_no_letter_or_digit_is_not_everyone_elses() -> None:
    assert person_key("—", "Oak") != person_key("…", "Oak")


def test_two_pcs_spelling_one_person_two_ways_report_one_person(
    tmp_path: Path, content: Content, pack: Pack, share: Path
) -> None:
    first, second = new_pc(tmp_path, "hall"), new_pc(tmp_path, "library")
    try:
        add_result(first, pack, "Siân O'Brien-Jones", school="Ysgol y Dderwen")
        add_result(second, pack, "sian obrien jones", school="ysgol y dderwen", module_id="friend-requests")
        for pc in (first, second, first):
            sync(pc, content, share)
    finally:
        first.close()
        second.close()

    rows = read_report(share / "reports" / "completions.csv")
    assert len(rows) == 1, rows
    assert rows[0]["modules_passed"] == "2"


def test_signing_with_a_name_typed_without_its_accents_is_accepted(store: Store, content: Content) -> None:
    [pack] = content.current
    learner = store.add_learner("Siân Nováková", "teacher", "Oak Primary")
    for module in pack.modules:
        store.record_manual(learner.id, pack, module, 2, 2, dt.datetime.now(dt.UTC))

    with pytest.raises(InputError, match="“Sian Novak” is not the name on this record") as refused:
        sign_off(store, content, learner, pack, "Sian Novak")
    assert "accents, capitals and punctuation do not matter" in str(refused.value)

    signed = sign_off(store, content, learner, pack, "sian  novakova")
    assert signed.signed_name == "Siân Nováková"


@pytest.mark.parametrize(("typed", "found"), [("sian", "Siân Pryce"), ("wojcik", "Łukasz Wójcik"),
                                              ("novakova", "Tereza Nováková"), ("o'bri", "Cian O'Brien")])  # fmt: skip
def test_who_are_you_finds_people_typed_without_accents_or_punctuation(
    qtbot: QtBot, store: Store, typed: str, found: str
) -> None:
    for name in ("Siân Pryce", "Łukasz Wójcik", "Tereza Nováková", "Cian O'Brien", "Ann Lee", "Bob Roe"):
        store.add_learner(name, "teacher", "Oak Primary")
    window = open_window(qtbot, store, [Path(__file__).parent / "packs" / "mini"])
    window.who.search.setFocus()

    type_text(qtbot, typed)

    people = window.who.people
    shown = [people.item(r).text().split("  ·  ")[0] for r in range(people.count()) if not people.item(r).isHidden()]
    assert shown == [found]
    assert people.currentItem().text().startswith(found)
    assert not window.who.no_match.isVisible()


def test_who_are_you_says_when_no_one_matches(qtbot: QtBot, store: Store) -> None:
    for n in range(6):
        store.add_learner(f"Person {n}", "teacher", "Oak Primary")
    window = open_window(qtbot, store, [Path(__file__).parent / "packs" / "mini"])
    window.who.search.setFocus()

    type_text(qtbot, "Zed")

    assert window.who.no_match.isVisible()
    said = "No one on this PC matches “Zed”. If you are new here, add yourself."
    assert window.who.no_match.text() == said
    assert window.who.no_match.accessibleDescription() == said  # announced to a screen reader too
    assert not window.who.continue_button.isEnabled()
