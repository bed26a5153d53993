"""Erasing a person from the office console, through the real widgets: only the confirmation's exec is stubbed."""

from __future__ import annotations

from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from socialsafe.domain.status import Status
from socialsafe.ui.admin import OfficeArea
from socialsafe.ui.admin.person import EraseConfirmation, erase_with_confirmation
from socialsafe.ui.main_window import MainWindow
from test_ui_admin import admin, loaded, open_person, shown_names, tile_counts, unlock, window

__all__ = ["admin", "window"]  # the fixtures, used here by name

AMINA = "Amina Okafor"


class Asked:
    """The confirmations shown, and the answer each gets instead of waiting for a click."""

    def __init__(self) -> None:
        self.boxes: list[EraseConfirmation] = []
        self.erase = False


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> Asked:
    record = Asked()

    def exec_(box: EraseConfirmation) -> int:
        record.boxes.append(box)
        assert box.defaultButton() is box.cancel_button  # the destructive button is never the default
        (box.erase_button if record.erase else box.cancel_button).click()
        return 0

    monkeypatch.setattr(EraseConfirmation, "exec", exec_)
    return record


def press_erase(qtbot: QtBot, area: OfficeArea) -> bool:
    """The erase button's flow on the person shown; once erased, back to the list, reloaded."""
    assert area.person.erase_button.isVisible()
    summary = area.person.summary
    assert summary is not None
    erased = erase_with_confirmation(area, area.settings, area.store, area.content, summary)
    if erased:
        area.show_everyone()
        area.refresh()
        loaded(qtbot, area)
    return erased


def test_cancel_erases_nothing(qtbot: QtBot, window: MainWindow, admin: Any, asked: Asked) -> None:
    area = unlock(qtbot, window, admin)
    before = window.store.own_records()
    open_person(qtbot, area, AMINA)
    assert not press_erase(qtbot, area)
    assert len(asked.boxes) == 1
    assert [len(rows) for rows in window.store.own_records()] == [len(rows) for rows in before]
    assert area.people.currentWidget() is area.person
    assert AMINA in [x.name for x in window.store.learners()]


def test_confirm_erases_the_person_everywhere_on_this_pc_and_says_what_first(
    qtbot: QtBot, window: MainWindow, admin: Any, asked: Asked
) -> None:
    area = unlock(qtbot, window, admin)
    store = window.store
    [amina] = [x for x in store.learners() if x.name == AMINA]
    attempts, signoffs = len(store.attempts(amina.id)), len(store.acknowledgements(amina.id))
    assert attempts
    assert signoffs
    complete_before = int(tile_counts(area)[Status.COMPLETE].rsplit(" ", 1)[1])
    open_person(qtbot, area, AMINA)
    asked.erase = True
    assert press_erase(qtbot, area)

    [box] = asked.boxes
    text = box.text()
    assert AMINA in text
    assert "Oak Primary" in text
    assert "1 learner record made on 1 PC" in text
    assert f"{attempts} quiz attempts and {signoffs} sign-off" in text
    assert box.erase_button.accessibleName()
    assert box.cancel_button.accessibleName()

    assert amina.id not in {x.id for x in store.learners()}
    assert store.attempts(amina.id) == []
    assert store.acknowledgements(amina.id) == []
    erasures = store.own_records()[3]
    assert [e.learner_id for e in erasures] == [amina.id]
    assert area.people.currentWidget() is area.dashboard
    assert AMINA not in shown_names(area)
    assert tile_counts(area)[Status.COMPLETE] == f"Complete: {complete_before - 1}"
