"""The office tidies people through the real widgets: likely duplicates said and reviewed, two records of one
person merged, a name corrected; every record kept."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from conftest import MINI
from socialsafe import admin as admin_module
from socialsafe.storage.store import Store
from socialsafe.ui.admin import OfficeArea
from socialsafe.ui.admin.tidy import CorrectDialog, DuplicatesDialog, MergeDialog
from test_ui_admin import complete, loaded, open_person, pack_of, shown_names, unlock
from ui_helpers import open_window, unnamed

OAK = "Oak Primary"
admin = admin_module  # what test_ui_admin's helpers call the admin module


def office_with(qtbot: QtBot, store: Store, people: list[tuple[str, str]]) -> OfficeArea:
    window = open_window(qtbot, store, [MINI])
    pack = pack_of(window)
    for name, school in people:
        complete(store, pack, name, school, "teacher", 10)
    return unlock(qtbot, window, admin)


def test_likely_duplicates_are_said_and_merged_from_the_review(qtbot: QtBot, store: Store) -> None:
    # The same person twice: a school spelt two ways (one record with an email, made by ``complete``).
    area = office_with(qtbot, store, [("Priya Patel", OAK), ("Ben Carter", OAK)])
    store.add_learner("Priya Patel", "teacher", "Oak Primary School")
    area.refresh()
    loaded(qtbot, area)
    assert area.duplicates_button.isVisibleTo(area)
    assert area.duplicates_note.text() == "1 pair of records may be one person."
    assert shown_names(area).count("Priya Patel") == 2

    qtbot.mouseClick(area.duplicates_button, Qt.MouseButton.LeftButton)
    review = area.dialog
    assert isinstance(review, DuplicatesDialog)
    assert "Oak Primary School" in review.pairs.item(0).text()
    assert unnamed(review) == []
    qtbot.mouseClick(review.merge_button, Qt.MouseButton.LeftButton)
    merge = area.dialog
    assert isinstance(merge, MergeDialog)
    assert merge.chosen() is not None
    assert "may be the same person" in merge.others.currentItem().text()
    assert unnamed(merge) == []
    # Keep the record the office has on the right school.
    keep = merge.keep_this if merge.summary.school == OAK else merge.keep_other
    keep.setChecked(True)
    merge.accept()

    loaded(qtbot, area)
    assert shown_names(area).count("Priya Patel") == 1
    [priya] = [s for s in area.snapshot.summaries if s.name == "Priya Patel"]  # type: ignore[union-attr]
    assert priya.school == OAK
    assert len(priya.person.learners) == 2  # both records kept, as one person
    assert not area.duplicates_button.isVisibleTo(area)
    assert "Merged into one person: Priya Patel, Oak Primary." in area.state.text()


def test_a_merge_needs_the_other_person_chosen(qtbot: QtBot, store: Store) -> None:
    area = office_with(qtbot, store, [("Siân Pryce", OAK), ("Ben Carter", OAK)])
    area.open_person(next(s for s in area.snapshot.summaries if s.name == "Siân Pryce"))  # type: ignore[union-attr]
    qtbot.mouseClick(area.person.merge_button, Qt.MouseButton.LeftButton)
    merge = area.dialog
    assert isinstance(merge, MergeDialog)
    qtbot.keyClicks(merge.search, "zzz")
    merge.accept()
    assert merge.isVisible()
    assert merge.error.text() == "Choose the other person from the list."
    merge.search.clear()
    qtbot.keyClicks(merge.search, "ben")  # found on its letters
    shown = [merge.others.item(i) for i in range(merge.others.count()) if not merge.others.item(i).isHidden()]
    assert [i.text().split(" · ")[0] for i in shown] == ["Ben Carter"]


def test_a_name_is_corrected_in_the_office_and_its_records_stay(qtbot: QtBot, store: Store, tmp_path: Path) -> None:
    area = office_with(qtbot, store, [("Lukasz Wojcik", OAK)])
    open_person(qtbot, area, "Lukasz Wojcik")
    qtbot.mouseClick(area.person.correct_button, Qt.MouseButton.LeftButton)
    dialog = area.dialog
    assert isinstance(dialog, CorrectDialog)
    assert unnamed(dialog) == []
    dialog.name.clear()
    dialog.accept()
    assert dialog.isVisible()  # an empty name is refused, and said
    assert dialog.error.text() == "Please enter your name."
    dialog.name.setText("Łukasz Wójcik")
    if os.environ.get("SOCIALSAFE_SCREENSHOTS"):
        dialog.grab().save(str(Path(os.environ["SOCIALSAFE_SCREENSHOTS"]) / "office-correct.png"))
    dialog.accept()

    loaded(qtbot, area)
    assert not dialog.isVisible()
    assert shown_names(area) == ["Łukasz Wójcik"]
    assert area.person.title.text() == "Łukasz Wójcik"  # the page shows them again, corrected
    [person] = area.snapshot.summaries  # type: ignore[union-attr]
    assert person.status.value == "complete"
