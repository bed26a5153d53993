"""The staff list at the door (#16): 'Who are you?' offers the staff list's names beside the people on this PC,
asks "Is this you?" before adding someone close to a person already known, and takes the school from a list.

The rules are in :mod:`socialsafe.domain.door` (no Qt), tested first; then which staff list a PC may offer (only
the one the office signed, on a share with an authority); then the page, through the real widgets.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

from socialsafe import roster
from socialsafe.config import SHARE_SETTING, Settings
from socialsafe.domain.door import Entry, at_the_door, close_matches, known_spelling, school_choice
from socialsafe.office import authority as office
from socialsafe.roster import RosterPerson
from socialsafe.storage.quick import QuickReads
from socialsafe.storage.store import Store
from socialsafe.sync.engine import sync
from socialsafe.sync.signed import ROSTER_SETTING, RosterSigning
from sync_helpers import mini_content, new_pc

PASSPHRASE = "correct horse battery"


@dataclass(frozen=True)
class Here:
    """A person on this PC, as QuickReads gives them."""

    id: str
    name: str
    school: str
    role: str = "teacher"
    email: str | None = None


def listed(name: str, school: str, role: str = "teacher", email: str | None = None) -> RosterPerson:
    return RosterPerson(name, email, role, school, None, "")


STAFF = [
    listed("Priya Patel", "Oak Primary", email="priya.patel@oak.example"),
    listed("Siân Pryce", "Ysgol y Dderwen", "support_staff"),
    listed("Dafydd ap Gruffudd", "Ysgol y Dderwen"),
    listed("Łukasz Wójcik", "Oak Primary", "volunteer"),
    listed("Tereza Nováková", "Oak Primary"),
    listed("Seán O'Brien", "Oak Primary"),
    listed("Aoife MacNamara", "Oak Primary", "parent_helper"),
    listed("محمد علي", "Oak Primary", "support_staff"),
]


def names(entries: Iterable[Entry]) -> list[str]:
    return [entry.name for entry in entries]


# The rules, without a window ----------------------------------------------------------------------------------


def test_a_staff_list_person_with_a_record_here_is_one_row_as_this_pc_has_them() -> None:
    here = [Here("p1", "priya patel", "OAK PRIMARY"), Here("z1", "Zed Local", "Birch")]

    rows = at_the_door(here, STAFF)

    assert len(rows) == len(STAFF) + 1
    [priya] = [row for row in rows if row.name.casefold() == "priya patel"]
    assert (priya.name, priya.school, priya.learner_id, priya.on_roster) == ("priya patel", "OAK PRIMARY", "p1", True)
    assert [row.learner_id for row in rows if row.name == "Zed Local"] == ["z1"]
    assert all(row.learner_id is None for row in rows if row.name not in ("priya patel", "Zed Local"))
    assert names(rows) == sorted(names(rows), key=str.casefold)  # as the Store lists people


@pytest.mark.parametrize(
    ("typed_here", "on_the_list"),
    [
        ("Sian Pryce", "Siân Pryce"),  # Welsh
        ("Dafydd Ap-Gruffudd", "Dafydd ap Gruffudd"),  # Welsh
        ("Lukasz Wojcik", "Łukasz Wójcik"),  # Polish
        ("tereza novakova", "Tereza Nováková"),  # Czech
        ("Sean OBrien", "Seán O'Brien"),  # Irish
        ("Aoife Mac Namara", "Aoife MacNamara"),  # Irish
        ("مُحَمَّد علي", "محمد علي"),  # Arabic, with its short vowels written
    ],
)
def test_one_person_however_their_name_was_typed_is_one_row(typed_here: str, on_the_list: str) -> None:
    [entry] = [e for e in STAFF if e.name == on_the_list]
    rows = at_the_door([Here("x", typed_here, entry.school)], STAFF)
    assert len(rows) == len(STAFF)
    assert [row.learner_id for row in rows if row.name == typed_here] == ["x"]
    assert on_the_list not in names(rows)


def test_the_same_email_is_the_same_person_whatever_the_name() -> None:
    rows = at_the_door([Here("p1", "P. Patel", "Oak Primary", email="Priya.Patel@oak.example ")], STAFF[:1])
    assert [(row.name, row.learner_id) for row in rows] == [("P. Patel", "p1")]


def test_staff_list_entries_no_record_could_be_made_from_are_left_out_and_a_repeat_is_one_row() -> None:
    rows = at_the_door(
        [], [listed("No School", ""), listed("  ", "Oak"), *STAFF[:2], listed("priya patel", "Oak Primary")]
    )
    assert names(rows) == ["Priya Patel", "Siân Pryce"]


def test_close_matches_find_the_same_name_at_any_school_the_same_email_and_near_names_at_the_same_school() -> None:
    rows = at_the_door([Here("a1", "Ann Lee", "Oak Primary")], STAFF)

    # The case: the staff list's Priya, typed with another spelling of her school.
    assert names(close_matches(rows, "Priya  Patel", "Oak Primary School")) == ["Priya Patel"]
    assert names(close_matches(rows, "P Patel", "Birch", "PRIYA.PATEL@oak.example")) == ["Priya Patel"]
    assert names(close_matches(rows, "Pria Patel", "oak primary")) == ["Priya Patel"]
    assert close_matches(rows, "Pria Patel", "Birch") == []  # a near name elsewhere is someone else
    assert names(close_matches(rows, "Anne Lee", "Oak Primary")) == ["Ann Lee"]
    assert close_matches(rows, "Bob Lee", "Oak Primary") == []  # "boblee" and "annlee": not near enough
    assert names(close_matches(rows, "Sian Pryce", "Oak Primary")) == ["Siân Pryce"]
    assert names(close_matches(rows, "Lukasz Wojcik", "Ysgol y Dderwen")) == ["Łukasz Wójcik"]
    assert names(close_matches(rows, "مُحَمَّد علي", "Birch")) == ["محمد علي"]
    assert close_matches(rows, "", "Oak Primary") == []
    assert close_matches(rows, "Zed Nobody", "Oak Primary") == []


def test_close_matches_put_the_same_name_at_the_same_school_first() -> None:
    rows = at_the_door([], [listed("Jo Bloggs", "Birch"), listed("Jo Blogs", "Oak"), listed("Jo Bloggs", "Oak")])
    found = close_matches(rows, "Jo Bloggs", "Oak")
    assert [(row.name, row.school) for row in found] == [
        ("Jo Bloggs", "Oak"),
        ("Jo Bloggs", "Birch"),
        ("Jo Blogs", "Oak"),
    ]


def test_with_a_staff_list_schools_are_chosen_from_it_each_once_in_its_first_spelling() -> None:
    choice = school_choice(["Oak Primary", "OAK primary", "Ysgol y Dderwen"], None, ["Ysgol y Dderwen", "Birch"])
    assert choice.listed
    assert choice.names == ("Birch", "Oak Primary", "Ysgol y Dderwen")
    assert choice.chosen is None  # two schools here: none is guessed

    assert school_choice(["Oak Primary"], None, ["oak primary"]) == school_choice(["Oak Primary"], None, [])
    assert school_choice(["Oak Primary"], None, []).chosen == "Oak Primary"  # the only school known
    assert school_choice(["Oak Primary", "Birch"], "oak  primary", []).chosen == "Oak Primary"  # this PC's
    assert school_choice(["Oak Primary", "Birch"], None, ["Birch"]).chosen == "Birch"  # everyone here's
    # A spelling typed here before the staff list came is offered, never chosen for someone.
    assert school_choice(["Oak Primary", "Birch"], None, ["Oak Primary School"]).chosen is None


def test_without_a_staff_list_the_school_is_typed_and_takes_a_known_spelling() -> None:
    choice = school_choice([], None, ["Oak Hill Primary"])
    assert not choice.listed
    assert choice.chosen == "Oak Hill Primary"
    assert choice.names == ("Oak Hill Primary",)
    assert known_spelling(" oak hill  primary ", choice.names) == "Oak Hill Primary"
    assert known_spelling("Ysgol  Bro Dinefwr", choice.names) == "Ysgol Bro Dinefwr"
    assert school_choice([], "Ysgol y Dderwen", ["Oak Hill Primary"]).chosen == "Ysgol y Dderwen"


# Which staff list a PC offers -------------------------------------------------------------------------------


def test_without_a_share_the_data_folders_staff_list_is_offered(data_dir: Path, store: Store) -> None:
    assert roster.kept_for_the_door(None, data_dir, QuickReads(store.path)) == []
    roster.save(STAFF, None, data_dir)
    assert names(roster.kept_for_the_door(None, data_dir, QuickReads(store.path)) or []) == names(STAFF)


def test_a_v1_share_keeps_its_staff_list_only_there(data_dir: Path, store: Store, share: Path) -> None:
    roster.save(STAFF, share, data_dir)
    here = QuickReads(store.path)
    assert roster.kept_for_the_door(share, data_dir, here) is None  # read it from the share, off the GUI thread
    assert names(roster.shared_for_the_door(share, here)) == names(STAFF)


def test_on_a_share_with_an_authority_only_the_list_the_office_signed_is_offered(
    tmp_path: Path, data_dir: Path, store: Store, share: Path
) -> None:
    store.set_setting(SHARE_SETTING, str(share))
    key = office.set_up(Settings(data_dir=data_dir), store, PASSPHRASE).key
    assert key is not None
    roster.save(STAFF, share, data_dir, signing=RosterSigning(key.public, store, key))
    (share / "roster" / "roster.csv").write_text("name,email,role,school\nMallory Forge,,teacher,Oak Primary\n")

    hall = new_pc(tmp_path, "hall")
    try:
        hall.set_setting(SHARE_SETTING, str(share))
        settings = QuickReads(hall.path)
        # Before its first sync the PC knows no authority: the share's file, anyone's to write, is not offered.
        assert roster.kept_for_the_door(share, hall.path.parent, settings) is None
        assert roster.shared_for_the_door(share, settings) == []
        sync(hall, mini_content(), share)  # pins the authority, keeps the list the office signed
        offered = roster.kept_for_the_door(share, hall.path.parent, settings)
        assert offered is not None
        assert names(offered) == names(STAFF)
        # A copy kept here that someone changed is not the office's any more.
        kept = hall.setting(ROSTER_SETTING)
        assert kept is not None
        hall.set_setting(ROSTER_SETTING, kept.replace("Priya Patel", "Mallory Forge"))
        assert roster.kept_for_the_door(share, hall.path.parent, settings) == []
    finally:
        hall.close()
