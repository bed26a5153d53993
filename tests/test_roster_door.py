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
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

from conftest import MINI
from socialsafe import roster
from socialsafe.config import SHARE_SETTING, Settings
from socialsafe.domain.door import Entry, at_the_door, close_matches, known_spelling, school_choice
from socialsafe.office import authority as office
from socialsafe.roster import RosterPerson
from socialsafe.storage.quick import QuickReads
from socialsafe.storage.store import Store
from socialsafe.sync.engine import sync
from socialsafe.sync.signed import ROSTER_SETTING, RosterSigning
from socialsafe.ui import who_page
from socialsafe.ui.main_window import MainWindow
from sync_helpers import mini_content, new_pc
from ui_helpers import (
    focused,
    in_sight,
    label_not_in_name,
    no_keyboard,
    open_window,
    press,
    small_targets,
    type_text,
    unnamed,
)

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


# The page -------------------------------------------------------------------------------------------------------


def rows_of(window: MainWindow) -> list[str]:
    people = window.who.people
    return [people.item(r).text().split("  ·  ")[0] for r in range(people.count()) if not people.item(r).isHidden()]


def with_staff(store: Store, staff: list[RosterPerson] = STAFF) -> None:
    roster.save(staff, None, store.path.parent)


@pytest.fixture
def heard(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What the page announces to a screen reader."""
    said: list[str] = []
    real = who_page.announce

    def announce(widget: object, text: str) -> None:
        said.append(text)
        real(widget, text)  # type: ignore[arg-type]

    monkeypatch.setattr(who_page, "announce", announce)
    return said


def test_the_staff_list_is_offered_beside_the_people_on_this_pc_one_row_each(qtbot: QtBot, store: Store) -> None:
    priya = store.add_learner("Priya Patel", "teacher", "Oak Primary")
    store.add_learner("Zed Local", "volunteer", "Birch")
    with_staff(store)

    window = open_window(qtbot, store, [MINI])

    shown = rows_of(window)
    assert shown.count("Priya Patel") == 1
    assert len(shown) == len(STAFF) + 1
    assert "Siân Pryce" in shown
    assert "محمد علي" in shown
    row = shown.index("Priya Patel")
    assert window.who.people.item(row).data(Qt.ItemDataRole.UserRole) == priya.id
    assert window.who.people.accessibleName() == "Staff list and people on this PC"
    assert window.who.search.isVisible()
    assert focused() is window.who.search  # a long list: the keyboard starts where one types a name
    searches = [("sian", "Siân Pryce"), ("wojcik", "Łukasz Wójcik"), ("obrien", "Seán O'Brien"),
                ("gruffudd", "Dafydd ap Gruffudd"), ("novakova", "Tereza Nováková"), ("محمد", "محمد علي")]  # fmt: skip
    for typed, found in searches:
        window.who.search.setText(typed)
        assert rows_of(window) == [found], typed
    window.who.search.setText("Zebedee")
    assert window.who.no_match.text().startswith("No one on the staff list or this PC matches “Zebedee”")


def test_choosing_the_staff_lists_priya_makes_her_record_from_it_and_no_second_priya(
    qtbot: QtBot, store: Store, heard: list[str]
) -> None:
    with_staff(store)
    window = open_window(qtbot, store, [MINI])
    assert focused() is window.who.search

    type_text(qtbot, "priya")
    press(qtbot, Qt.Key.Key_Return)  # the first name found, at once

    assert window.who.stack.currentWidget() is window.who._start_page
    said = "Priya Patel, Teacher at Oak Primary, on the staff list."
    assert window.who.start_person.text() == said
    assert said in heard
    assert focused() is window.who.start_pin
    type_text(qtbot, "2468")
    press(qtbot, Qt.Key.Key_Return)

    assert window.stack.currentWidget() is window.home
    [priya] = store.learners()
    assert (priya.name, priya.email, priya.role, priya.school) == (
        "Priya Patel",
        "priya.patel@oak.example",
        "teacher",
        "Oak Primary",
    )
    assert priya.pin_hash
    window.switch_person()
    assert rows_of(window).count("Priya Patel") == 1
    assert len(rows_of(window)) == len(STAFF)


def test_with_a_staff_list_the_school_is_chosen_and_another_spelling_cannot_be_typed(
    qtbot: QtBot, store: Store
) -> None:
    store.add_learner("Ann Lee", "teacher", "Oak Primary")
    with_staff(store)
    window = open_window(qtbot, store, [MINI])
    who = window.who
    qtbot.mouseClick(who.add_button, Qt.MouseButton.LeftButton)

    assert focused() is who.name
    type_text(qtbot, "Ben Hughes")
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is who.role
    press(qtbot, Qt.Key.Key_Down)
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is who.school_list  # not a field to type in
    assert not who.school.isVisibleTo(window)
    assert not [w for w in who._add_page.findChildren(QLineEdit) if w.isVisibleTo(window) and w is who.school]
    assert not who.school_list.isEditable()
    offered = [who.school_list.itemText(i) for i in range(who.school_list.count())]
    assert offered == ["Choose your school…", "Oak Primary", "Ysgol y Dderwen"]
    assert who.school_list.currentIndex() == 0  # two schools: none chosen for them

    assert who.school_list.lineEdit() is None  # nowhere to type "Oak Primary School"
    qtbot.keyClicks(who.school_list, "Ysgol")  # typing only finds a school on the list
    assert who.school_list.currentText() == "Ysgol y Dderwen"
    assert who.school.text() == "Ysgol y Dderwen"
    who.school_list.setCurrentIndex(offered.index("Oak Primary"))
    assert who.school.text() == "Oak Primary"
    qtbot.mouseClick(who.save_button, Qt.MouseButton.LeftButton)

    assert window.stack.currentWidget() is window.home
    assert sorted((x.name, x.school) for x in store.learners()) == [
        ("Ann Lee", "Oak Primary"),
        ("Ben Hughes", "Oak Primary"),
    ]


def newcomer(window: MainWindow, name: str, school: str | None = None) -> who_page.WhoPage:
    """'Add yourself' filled in as a teacher would: the name, the role, and the school chosen from the list."""
    who = window.who
    who.show_add()
    who.name.setText(name)
    who.role.setCurrentIndex(1)
    if school is not None:
        who.school_list.setCurrentIndex(who.school_list.findText(school))
    return who


def test_a_school_must_be_chosen_from_the_list(qtbot: QtBot, store: Store, heard: list[str]) -> None:
    with_staff(store)
    window = open_window(qtbot, store, [MINI])
    who = newcomer(window, "Ben Hughes")
    qtbot.mouseClick(who.save_button, Qt.MouseButton.LeftButton)
    assert who.add_error.text() == "Please choose your school from the list."
    assert "Please choose your school from the list." in heard
    assert store.learners() == []


def test_the_only_school_known_is_chosen_already(qtbot: QtBot, store: Store) -> None:
    with_staff(store, [listed("Fay Green", "Oak Primary"), listed("Gus Hill", "oak primary")])
    window = open_window(qtbot, store, [MINI])
    window.who.show_add()
    assert window.who.school_list.isVisibleTo(window)
    assert window.who.school_list.currentText() == "Oak Primary"
    assert window.who.school_list.count() == 2  # "Choose your school…" and the one school


def test_adding_yourself_close_to_the_staff_lists_priya_asks_is_this_you(
    qtbot: QtBot, store: Store, heard: list[str]
) -> None:
    with_staff(store)
    window = open_window(qtbot, store, [MINI])
    who = newcomer(window, "priya patel", "Ysgol y Dderwen")  # not the list's school for her
    who.pin.setText("1357")
    press_on(qtbot, who.pin, Qt.Key.Key_Return)

    assert who.stack.currentWidget() is who._match_page
    assert [who.matches.item(i).text() for i in range(who.matches.count())] == [
        "Priya Patel  ·  Oak Primary  ·  Teacher"
    ]
    assert focused() is who.matches
    assert who.matches.currentRow() == 0
    assert any(text.startswith("Someone with a name like yours is known here already") for text in heard)
    assert unnamed(window) == []
    assert label_not_in_name(window) == []
    assert no_keyboard(window) == []

    press(qtbot, Qt.Key.Key_Return)  # "Yes, that's me"

    assert window.stack.currentWidget() is window.home
    [priya] = store.learners()
    assert (priya.name, priya.school, priya.email) == ("Priya Patel", "Oak Primary", "priya.patel@oak.example")
    assert priya.pin_hash  # the PIN chosen as she added herself


def press_on(qtbot: QtBot, widget: QLineEdit, key: Qt.Key) -> None:
    widget.setFocus()
    qtbot.keyClick(widget, key)


def test_no_add_me_as_new_adds_the_person_typed(qtbot: QtBot, store: Store) -> None:
    with_staff(store)
    window = open_window(qtbot, store, [MINI])
    who = newcomer(window, "Pria Patel", "Oak Primary")
    qtbot.mouseClick(who.save_button, Qt.MouseButton.LeftButton)
    assert who.stack.currentWidget() is who._match_page

    qtbot.mouseClick(who.new_button, Qt.MouseButton.LeftButton)

    assert window.stack.currentWidget() is window.home
    assert [(x.name, x.school) for x in store.learners()] == [("Pria Patel", "Oak Primary")]


def test_is_this_you_offers_the_person_on_this_pc_and_yes_carries_on_as_them(qtbot: QtBot, store: Store) -> None:
    sean = store.add_learner("Seán O'Brien", "teacher", "Oak Hill Primary")
    window = open_window(qtbot, store, [MINI])  # no staff list: the school is typed
    who = window.who
    qtbot.mouseClick(who.add_button, Qt.MouseButton.LeftButton)
    assert who.school.isVisibleTo(window)
    assert not who.school_list.isVisibleTo(window)
    assert who.school.text() == "Oak Hill Primary"
    who.name.setText("Sean OBrien")
    who.role.setCurrentIndex(1)
    press_on(qtbot, who.name, Qt.Key.Key_Return)

    assert who.stack.currentWidget() is who._match_page
    qtbot.mouseClick(who.yes_button, Qt.MouseButton.LeftButton)

    assert window.learner is not None
    assert window.learner.id == sean.id
    assert len(store.learners()) == 1


def test_back_from_is_this_you_keeps_what_was_typed(qtbot: QtBot, store: Store) -> None:
    store.add_learner("Ann Lee", "teacher", "Oak Hill Primary")
    window = open_window(qtbot, store, [MINI])
    who = newcomer(window, "Anne Lee")
    qtbot.mouseClick(who.save_button, Qt.MouseButton.LeftButton)
    assert who.stack.currentWidget() is who._match_page
    back = [b for b in who._match_page.findChildren(QPushButton) if b.text() == "Back"]
    qtbot.mouseClick(back[0], Qt.MouseButton.LeftButton)
    assert who.stack.currentWidget() is who._add_page
    assert (who.name.text(), who.school.text()) == ("Anne Lee", "Oak Hill Primary")
    assert focused() is who.name


def test_without_a_staff_list_a_typed_school_takes_the_spelling_this_pc_knows(qtbot: QtBot, store: Store) -> None:
    store.add_learner("Ann Lee", "teacher", "Oak Hill Primary")
    window = open_window(qtbot, store, [MINI])
    who = newcomer(window, "Ben Hughes")
    who.school.setText("oak hill  primary")
    qtbot.mouseClick(who.save_button, Qt.MouseButton.LeftButton)
    assert sorted(x.school for x in store.learners()) == ["Oak Hill Primary", "Oak Hill Primary"]


def test_the_chosen_school_is_kept_through_a_change_of_language(qtbot: QtBot, store: Store) -> None:
    with_staff(store)
    window = open_window(qtbot, store, [MINI])
    window.who.show_add()
    window.who.name.setText("Ben Hughes")
    window.who.school_list.setCurrentIndex(window.who.school_list.findText("Ysgol y Dderwen"))
    window.set_language("cy")
    assert window.who.stack.currentIndex() == 1
    assert window.who.name.text() == "Ben Hughes"
    assert window.who.school_list.currentText() == "Ysgol y Dderwen"


def test_the_start_page_and_its_pin_are_named_and_reached_by_keyboard(qtbot: QtBot, store: Store) -> None:
    with_staff(store)
    window = open_window(qtbot, store, [MINI])
    window.who.search.setText("Dafydd")
    press(qtbot, Qt.Key.Key_Return)
    assert window.who.stack.currentWidget() is window.who._start_page
    assert unnamed(window) == []
    assert label_not_in_name(window) == []
    assert no_keyboard(window) == []
    type_text(qtbot, "12")
    press(qtbot, Qt.Key.Key_Return)
    assert window.who.start_error.text() == "A PIN has exactly 4 digits. Leave it empty if you do not want one."
    assert store.learners() == []
    press(qtbot, Qt.Key.Key_Backspace)
    press(qtbot, Qt.Key.Key_Backspace)
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is window.who.start_button
    press(qtbot, Qt.Key.Key_Space)
    assert [(x.name, x.role, x.school, x.pin_hash) for x in store.learners()] == [
        ("Dafydd ap Gruffudd", "teacher", "Ysgol y Dderwen", None)
    ]


def test_a_staff_list_of_hundreds_is_searched_by_letters(qtbot: QtBot, store: Store) -> None:
    many = [listed(f"Person {n:03d}", "Oak Primary" if n % 2 else "Ysgol y Dderwen") for n in range(400)]
    with_staff(store, [*many, *STAFF])
    window = open_window(qtbot, store, [MINI])
    assert window.who.people.count() == 400 + len(STAFF)
    assert focused() is window.who.search
    type_text(qtbot, "wojcik")
    assert rows_of(window) == ["Łukasz Wójcik"]
    assert window.who.continue_button.isEnabled()


def test_a_v1_shares_staff_list_comes_from_the_share_off_the_gui_thread(
    qtbot: QtBot, store: Store, share: Path
) -> None:
    roster.save(STAFF, share, store.path.parent)
    store.set_setting(SHARE_SETTING, str(share))
    window = open_window(qtbot, store, [MINI])
    qtbot.waitUntil(lambda: len(rows_of(window)) == len(STAFF), timeout=15_000)
    assert "Priya Patel" in rows_of(window)
    window.stop_sync(5.0)


def test_a_staff_list_by_hand_on_a_share_with_an_authority_is_not_offered(
    qtbot: QtBot, tmp_path: Path, data_dir: Path, store: Store, share: Path
) -> None:
    store.set_setting(SHARE_SETTING, str(share))
    assert office.set_up(Settings(data_dir=data_dir), store, PASSPHRASE).key is not None
    roster.save([listed("Mallory Forge", "Oak Primary")], share, data_dir)  # written by hand, never signed
    window = open_window(qtbot, store, [MINI])
    qtbot.waitUntil(lambda: window.sync_worker is not None and not window.sync_worker.running, timeout=15_000)
    QApplication.processEvents()
    assert window.who.roster == []
    assert "Mallory Forge" not in rows_of(window)


def test_at_200_percent_text_is_this_you_and_start_show_their_buttons_in_a_small_window(
    qtbot: QtBot, store: Store
) -> None:
    with_staff(store, [*STAFF, listed("Priya Sharma-Whitfield", "Oak Hill Church of England Primary School")])
    window = open_window(qtbot, store, [MINI], scale=2.0)  # 1024×600
    who = newcomer(window, "Sean O Brian", "Oak Primary")
    qtbot.mouseClick(who.save_button, Qt.MouseButton.LeftButton)
    assert who.stack.currentWidget() is who._match_page
    assert all(in_sight(b) for b in (who.yes_button, who.new_button)), "answer without scrolling"
    assert small_targets(window) == []

    who.refresh()
    who.search.setText("Sharma")
    press_on(qtbot, who.search, Qt.Key.Key_Return)
    assert who.stack.currentWidget() is who._start_page
    assert in_sight(who.start_pin)
    assert in_sight(who.start_button)
    assert small_targets(window) == []
