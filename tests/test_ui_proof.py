"""Proof of training through the real widgets: sign-off, expiry, refresher, a new policy version, my record."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTreeWidgetItemIterator
from pytestqt.qtbot import QtBot

from conftest import MINI
from socialsafe.content.loader import load_pack
from socialsafe.domain.status import add_months
from socialsafe.i18n import format_date
from socialsafe.storage.store import Store
from socialsafe.ui.reading import ReadingText
from ui_helpers import add_person, answer_all, button_named, focused, labels_text, open_window, press, type_text

TEACHER = 1
CHECK = """id = "check"
title = "Final check"
kind = "mixed"
intro = "A mix of questions from every module."
draw = 3
pass_mark = 0.6
"""


@pytest.fixture
def packs(tmp_path: Path) -> Path:
    """The mini pack with a mixed final check that is also its refresher."""
    root = tmp_path / "packs" / "mini"
    shutil.copytree(MINI, root)
    header = (root / "pack.toml").read_text()
    (root / "pack.toml").write_text(
        header.replace('title = "Example: social media basics"', 'title = "Example"\nrefresher = "check"')
    )
    (root / "modules" / "03-check.toml").write_text(CHECK)
    return root


def new_version(packs: Path, tmp_path: Path) -> Path:
    """Version 1.1 of the policy: USE-9's text changes, USE-3's does not."""
    root = tmp_path / "packs" / "mini-1.1"
    shutil.copytree(packs, root)
    header = (root / "pack.toml").read_text()
    header = header.replace('version = "1.0"', 'version = "1.1"').replace('version = "1.0.0"', 'version = "1.1.0"')
    header = header.replace("under any circumstances.", "under any circumstances, nor share them in messages.")
    (root / "pack.toml").write_text(header)
    return root


def pass_everything(qtbot: QtBot, window, titles: list[str]) -> None:
    for title in titles:
        qtbot.mouseClick(button_named(window.home, f"Start: {title}"), Qt.MouseButton.LeftButton)
        qtbot.mouseClick(window.module_page.start_button, Qt.MouseButton.LeftButton)
        answer_all(qtbot, window, right=True)
        qtbot.mouseClick(button_named(window.results, "Back to my modules"), Qt.MouseButton.LeftButton)


def backdate_completion(store: Store, packs: Path, days_ago: int) -> None:
    """A teacher who completed (face to face, signed on paper) some days ago."""
    pack = load_pack(packs)
    learner = store.add_learner("Nia Evans", "teacher", "Oak Hill Primary")
    then = dt.datetime.now(dt.UTC) - dt.timedelta(days=days_ago)
    for module in pack.modules:
        if module.questions:
            store.record_manual(learner.id, pack, module, 2, 2, then)
    store.acknowledge(learner.id, pack, "Nia Evans", at=then, source="manual")


def test_passing_every_module_then_signing_completes_the_training(qtbot: QtBot, store: Store, packs: Path) -> None:
    window = open_window(qtbot, store, [packs])
    add_person(qtbot, window, "Amina Okafor", TEACHER, "Oak Hill Primary")
    assert "Start with the policy at a glance" in labels_text(window.home)

    pass_everything(qtbot, window, ["Friend requests from pupils"])
    assert "When you have passed every module, you sign the policy" in labels_text(window.home)
    qtbot.mouseClick(button_named(window.home, "Start: Photographs"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.module_page.start_button, Qt.MouseButton.LeftButton)
    answer_all(qtbot, window, right=True)
    # Passing the last module offers the sign-off straight away.
    qtbot.mouseClick(button_named(window.results, "Sign the policy now"), Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.signoff
    assert window.signoff.declaration.text() == (
        "I have read and understood the Use of Social Media Policy, version 1.0, and I will follow it."
    )

    type_text(qtbot, "Someone Else")
    press(qtbot, Qt.Key.Key_Return)
    assert window.signoff.error.isVisible()
    assert "type your name as it is shown: Amina Okafor" in window.signoff.error.text()
    assert store.acknowledgements(store.learners()[0].id) == []

    window.signoff.name.clear()
    type_text(qtbot, "amina  okafor")  # case and spacing do not matter
    press(qtbot, Qt.Key.Key_Return)
    assert window.stack.currentWidget() is window.home
    (signoff,) = store.acknowledgements(store.learners()[0].id)
    assert (signoff.policy_version, signoff.pack_id, signoff.source) == ("1.0", "example", "app")
    until = format_date(add_months(dt.date.today(), 12))
    assert f"your training is complete and valid until {until}." in signed_card()


def signed_card() -> str:
    """The words of the card that says what signing did, which home opens on (the keyboard on it)."""
    card = focused()
    assert isinstance(card, ReadingText), "home did not open on the card that says the policy was signed"
    return card.text()


def test_due_soon_takes_the_refresher_and_signs_again(qtbot: QtBot, store: Store, packs: Path) -> None:
    backdate_completion(store, packs, days_ago=350)
    learner = store.learners()[0]
    window = open_window(qtbot, store, [packs])
    window.sign_in(learner.id)
    home = labels_text(window.home)
    old_expiry = add_months((dt.datetime.now(dt.UTC) - dt.timedelta(days=350)).astimezone().date(), 12)
    assert f"Your training runs out on {format_date(old_expiry)}" in home

    qtbot.mouseClick(button_named(window.home, "Take the refresher"), Qt.MouseButton.LeftButton)
    assert window.module_page.title.text() == "Final check"
    qtbot.mouseClick(window.module_page.start_button, Qt.MouseButton.LeftButton)
    assert window.quiz.counter.text() == "Question 1 of 3"
    answer_all(qtbot, window, right=True)
    qtbot.mouseClick(button_named(window.results, "Sign again to renew"), Qt.MouseButton.LeftButton)
    assert "Sign the policy again to renew" in window.signoff.intro.text()
    type_text(qtbot, "Nia Evans")
    press(qtbot, Qt.Key.Key_Return)
    until = format_date(add_months(dt.date.today(), 12))
    assert f"your training is complete and valid until {until}." in signed_card()


def test_the_final_check_taken_after_completing_never_makes_a_complete_person_look_incomplete(
    qtbot: QtBot, store: Store, packs: Path
) -> None:
    backdate_completion(store, packs, days_ago=30)
    window = open_window(qtbot, store, [packs])
    window.sign_in(store.learners()[0].id)
    until = format_date(add_months((dt.datetime.now(dt.UTC) - dt.timedelta(days=30)).astimezone().date(), 12))
    assert f"The yearly refresher: take it when your training is due to run out (on {until})" in labels_text(
        window.home
    )

    qtbot.mouseClick(button_named(window.home, "Start: Final check"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.module_page.start_button, Qt.MouseButton.LeftButton)
    answer_all(qtbot, window, right=True)
    assert button_named(window.results, "Sign again to renew")  # offered, not asked for
    qtbot.mouseClick(button_named(window.results, "Back to my modules"), Qt.MouseButton.LeftButton)

    home = labels_text(window.home)
    assert f"Your training is complete. It is valid until {until}." in home
    assert "One step left" not in home
    assert "sign the policy again if you want your training to run from today" in home


def test_the_final_check_is_optional_practice_before_completing(qtbot: QtBot, store: Store, packs: Path) -> None:
    window = open_window(qtbot, store, [packs])
    add_person(qtbot, window, "Amina Okafor", TEACHER, "Oak Hill Primary")
    assert "Optional practice: you do not need it to complete your training." in labels_text(window.home)
    assert button_named(window.home, "Start: Final check").property("role") != "primary"  # never the next step


def test_expired_training_says_so_in_words(qtbot: QtBot, store: Store, packs: Path) -> None:
    backdate_completion(store, packs, days_ago=400)
    window = open_window(qtbot, store, [packs])
    window.sign_in(store.learners()[0].id)
    assert "Your training ran out on" in labels_text(window.home)
    assert button_named(window.home, "Take the refresher")


def test_missed_questions_come_back_first_in_the_refresher(qtbot: QtBot, store: Store, packs: Path) -> None:
    window = open_window(qtbot, store, [packs])
    add_person(qtbot, window, "Omar Aziz", TEACHER, "Oak Hill Primary")
    qtbot.mouseClick(button_named(window.home, "Start: Photographs"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.module_page.start_button, Qt.MouseButton.LeftButton)
    answer_all(qtbot, window, right=False)  # both photo questions missed
    qtbot.mouseClick(button_named(window.results, "Back to my modules"), Qt.MouseButton.LeftButton)

    qtbot.mouseClick(button_named(window.home, "Start: Final check"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.module_page.start_button, Qt.MouseButton.LeftButton)
    first_two = [p.question_id for p in window.quiz.run.plan[:2]]
    assert sorted(first_two) == ["ph-1", "ph-2"]


def test_a_new_policy_version_asks_for_only_the_changed_modules(
    qtbot: QtBot, store: Store, packs: Path, tmp_path: Path
) -> None:
    backdate_completion(store, packs, days_ago=30)
    window = open_window(qtbot, store, [packs, new_version(packs, tmp_path)])
    window.sign_in(store.learners()[0].id)
    home = labels_text(window.home)
    assert "The policy has changed to version 1.1" in home
    assert "1 of 2 modules passed" in [b.format() for b in window.home.findChildren(type(window.quiz.bar))]
    assert "carried over" in home  # friend requests: its clause did not change

    qtbot.mouseClick(button_named(window.home, "See what changed in the policy"), Qt.MouseButton.LeftButton)
    changes = window.module_page.reader.toPlainText()
    assert "Staff should not post photographs of pupils under any circumstances." in changes  # the clause before
    assert "nor share them in messages" in changes  # and now
    assert "Any student-initiated communication" not in changes  # an unchanged clause is not listed
    assert "USE-9" not in changes  # the policy's words and sections, not our ids
    assert "Photographs" in changes  # the module to take again
    qtbot.mouseClick(button_named(window.module_page, "Back to my modules"), Qt.MouseButton.LeftButton)

    pass_everything(qtbot, window, ["Photographs"])
    qtbot.mouseClick(button_named(window.home, "Sign the policy"), Qt.MouseButton.LeftButton)
    assert "version 1.1" in window.signoff.declaration.text()
    type_text(qtbot, "Nia Evans")
    press(qtbot, Qt.Key.Key_Return)
    assert "your training is complete" in signed_card()
    assert [a.policy_version for a in store.acknowledgements(store.learners()[0].id)] == ["1.0", "1.1"]


def test_my_record_shows_my_answers_and_nobody_elses(qtbot: QtBot, store: Store, packs: Path) -> None:
    other = store.add_learner("Zed Other", "teacher", "Oak Hill Primary")
    pack = load_pack(packs)
    store.record_manual(other.id, pack, pack.module("photos"), 1, 2, dt.datetime.now(dt.UTC))
    window = open_window(qtbot, store, [packs])
    add_person(qtbot, window, "Pat Lee", TEACHER, "Oak Hill Primary")
    qtbot.mouseClick(button_named(window.home, "Start: Friend requests from pupils"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.module_page.start_button, Qt.MouseButton.LeftButton)
    answer_all(qtbot, window, right=True)
    qtbot.mouseClick(button_named(window.results, "Back to my modules"), Qt.MouseButton.LeftButton)

    qtbot.mouseClick(button_named(window.home, "My record"), Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.record
    rows = []
    it = QTreeWidgetItemIterator(window.record.tree)
    while it.value():
        rows.append(" | ".join(it.value().text(c) for c in range(3)))
        it += 1
    text = "\n".join(rows)
    assert "Friend requests from pupils | 2 of 2, passed" in text
    assert "you answered:" in text
    assert "Photographs" not in text  # Zed's face-to-face record is not Pat's
    assert "Not completed yet" in text
    assert not window.record.save_button.isEnabled()


def test_save_certificate_from_my_record(qtbot: QtBot, store: Store, packs: Path, tmp_path: Path, monkeypatch) -> None:
    from PySide6.QtPdf import QPdfDocument
    from PySide6.QtWidgets import QFileDialog

    backdate_completion(store, packs, days_ago=10)
    window = open_window(qtbot, store, [packs])
    window.sign_in(store.learners()[0].id)
    qtbot.mouseClick(button_named(window.home, "My record and certificate"), Qt.MouseButton.LeftButton)
    assert window.record.save_button.isEnabled()
    target = tmp_path / "certificate.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "PDF (*.pdf)")))
    qtbot.mouseClick(window.record.save_button, Qt.MouseButton.LeftButton)

    document = QPdfDocument()
    document.load(str(target))
    text = document.getAllText(0).text()
    assert "Nia Evans" in " ".join(text.split())
    assert "version 1.0" in text
