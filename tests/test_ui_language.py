"""Switching language while the app runs: every screen in the new language, the person where they were."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from conftest import MINI
from socialsafe.config import SHARE_SETTING
from socialsafe.i18n import SOURCE_LOCALE, current_locale, set_locale
from socialsafe.storage.store import Store
from socialsafe.ui.language import reset_qt_language
from socialsafe.ui.main_window import MainWindow
from socialsafe.ui.reading import ReadingText
from test_ui_admin import PASSPHRASE, gate_of, loaded, type_into
from ui_helpers import add_person, answer_all, answer_current, labels_text, open_window

PSEUDO = "en_XA"
TEACHER = 1


@pytest.fixture(autouse=True)
def english_after() -> Iterator[None]:
    yield
    set_locale(SOURCE_LOCALE)
    reset_qt_language()


@pytest.fixture
def window(qtbot: QtBot, store: Store) -> MainWindow:
    window = open_window(qtbot, store, [MINI])
    add_person(qtbot, window, "Amina Okafor", TEACHER, "Oak Hill Primary")
    return window


def pseudo(text: str) -> bool:
    return text.startswith("⟦") and text.endswith("⟧")


def test_home_comes_back_in_the_new_language_for_the_same_person(qtbot: QtBot, window: MainWindow) -> None:
    learner = window.learner
    old_home = window.home
    assert window.set_language(PSEUDO) == PSEUDO
    assert current_locale() == PSEUDO
    assert window.learner is learner
    assert window.home is not old_home
    assert window.stack.currentWidget() is window.home
    assert "Amina Okafor" in labels_text(window.home)
    assert "⟦Ĥéļļö, Amina Okafor⟧" in labels_text(window.home)
    # The header and the window: the person is still signed in.
    assert window.windowTitle() == "⟦ŜöçîáļŜáƒé⟧"
    assert window.person_line.text() == "Amina Okafor"
    assert pseudo(window.person_line.accessibleName())
    assert window.switch_button.isVisibleTo(window)
    assert not window.office_button.isVisibleTo(window)
    assert pseudo(window.switch_button.text())
    # And back.
    assert window.set_language("en_GB") == "en_GB"
    assert "Hello, Amina Okafor" in labels_text(window.home)
    assert window.switch_button.text() == "Switch person"


def test_the_same_language_again_makes_nothing_again(window: MainWindow) -> None:
    home = window.home
    assert window.set_language("en_GB") == "en_GB"
    assert window.home is home


def test_a_quiz_resumes_at_the_question_the_person_is_on(qtbot: QtBot, window: MainWindow) -> None:
    pack = window.content.current[0]
    window.open_module(pack.id, "friend-requests")
    window.start_quiz()
    answer_current(qtbot, window, right=True)
    asked = window.quiz.asked
    assert asked is not None
    attempt = window.quiz.run.attempt.id if window.quiz.run else None
    window.set_language(PSEUDO)
    assert window.stack.currentWidget() is window.quiz
    now = window.quiz.asked
    assert now is not None
    assert window.quiz.run is not None
    assert window.quiz.run.attempt.id == attempt
    assert (now.question.id, now.step_id, now.number) == (asked.question.id, asked.step_id, asked.number)
    assert [o.id for o in now.options] == [o.id for o in asked.options]  # the same order
    assert pseudo(window.quiz.prompt.text())
    assert window.quiz.counter.text() == f"⟦Ǫûéšţîöñ {asked.number} öƒ 2⟧"
    answer_all(qtbot, window, right=True)
    assert window.stack.currentWidget() is window.results


def test_switching_with_the_last_answers_feedback_shown_goes_on_to_the_results(
    qtbot: QtBot, window: MainWindow
) -> None:
    pack = window.content.current[0]
    window.open_module(pack.id, "photos")
    window.start_quiz()
    answer_current(qtbot, window, right=True)
    while True:
        asked = window.quiz.asked
        assert asked is not None
        for number in (n for n, o in enumerate(asked.options, start=1) if o.correct):
            window.quiz.pick(number)
        window.quiz.check()
        assert window.quiz.verdict is not None
        if window.quiz.verdict.next_step is None and asked.number == asked.total:
            break
        window.quiz.advance()
    window.set_language(PSEUDO)
    assert window.stack.currentWidget() is window.results
    assert "⟦Ýöû šçöŕéđ 2 öûţ öƒ 2 (100%).⟧" in labels_text(window.results)


def test_results_the_module_page_and_the_record_come_back(qtbot: QtBot, window: MainWindow) -> None:
    pack = window.content.current[0]
    window.open_module(pack.id, "photos")
    window.start_quiz()
    answer_all(qtbot, window, right=False)
    assert window.stack.currentWidget() is window.results
    window.set_language(PSEUDO)
    assert window.stack.currentWidget() is window.results
    # What to look at again is text to read line by line (a ReadingText), no longer labels.
    shown = "\n".join([labels_text(window.results), *(t.text() for t in window.results.findChildren(ReadingText))])
    assert "⟦Ţö ļööķ áţ áĝáîñ⟧" in shown  # what to look at again, its question in the new language too
    assert all(pseudo(q.prompt) for q in window.content.current[0].module("photos").questions)
    assert any(q.prompt in shown for q in window.content.current[0].module("photos").questions)

    window.open_summary(pack.id)
    window.set_language("en_GB")
    assert window.stack.currentWidget() is window.module_page
    assert window.module_page.title.text() == "The policy at a glance"
    assert window.module_page.start_button.isHidden()

    window.open_module(pack.id, "friend-requests")
    window.set_language(PSEUDO)
    assert window.module_page.title.text() == "⟦Ƒŕîéñđ ŕéǫûéšţš ƒŕöɱ ƥûƥîļš⟧"
    assert not window.module_page.start_button.isHidden()

    window.open_record(pack.id)
    window.set_language("en_GB")
    assert window.stack.currentWidget() is window.record
    assert window.record.title.text() == "My record: Amina Okafor"


def test_add_yourself_keeps_what_was_typed(qtbot: QtBot, store: Store) -> None:
    window = open_window(qtbot, store, [MINI])
    window.who.show_add()
    window.who.name.setText("Ben Hughes")
    window.who.role.setCurrentIndex(TEACHER)
    window.who.school.setText("Oak Hill Primary")
    window.set_language(PSEUDO)
    assert window.stack.currentWidget() is window.who
    assert window.who.stack.currentIndex() == 1
    assert (window.who.name.text(), window.who.role.currentIndex()) == ("Ben Hughes", TEACHER)
    assert window.who.school.text() == "Oak Hill Primary"
    assert pseudo(window.who.role.currentText())
    assert window.learner is None
    assert window.office_button.isVisibleTo(window)


def test_the_sync_bar_and_qts_own_buttons_follow(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    share = tmp_path / "share"
    share.mkdir()
    window.store.set_setting(SHARE_SETTING, str(share))
    window._share_changed(sync=False)
    plain = "✔ Results are saved on this PC and will be sent to the office shortly."
    assert window.sync_status.text() == plain
    assert window.sync_status.toolTip() == "Not shared yet · 1 result waiting to be shared"
    window.set_language(PSEUDO)
    assert window.sync_bar.isVisibleTo(window)
    assert pseudo(window.sync_status.text())
    assert window.sync_status.toolTip() == "⟦Ñöţ šĥáŕéđ ýéţ⟧ · ⟦1 ŕéšûļţ ŵáîţîñĝ ţö ƀé šĥáŕéđ⟧"
    assert pseudo(window.sync_button.text())
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
    save = box.button(QDialogButtonBox.StandardButton.Save)
    assert save is not None
    assert save.text() == "⟦Ŝáṽé⟧"
    window.set_language("en_GB")
    assert window.sync_status.text() == plain
    again = QDialogButtonBox(QDialogButtonBox.StandardButton.Save)
    button = again.button(QDialogButtonBox.StandardButton.Save)
    assert button is not None
    assert button.text() == "Save"


def test_an_open_office_closes_and_its_passphrase_opens_it_again(qtbot: QtBot, store: Store) -> None:
    from socialsafe import admin

    window = open_window(qtbot, store, [MINI])
    admin.set_passphrase(store, PASSPHRASE)
    gate = gate_of(qtbot, window)
    type_into(qtbot, gate.passphrase, PASSPHRASE)
    assert window.office is not None
    assert window.office.area is not None
    loaded(qtbot, window.office.area)
    window.set_language(PSEUDO)
    assert window.office is None
    assert window.stack.currentWidget() is window.who
    assert window.office_button.isVisibleTo(window)
    assert window.person_line.text() == ""
    gate = gate_of(qtbot, window)
    assert pseudo(gate.windowTitle())
    type_into(qtbot, gate.passphrase, PASSPHRASE)
    assert window.office is not None
    area = window.office.area
    assert area is not None
    loaded(qtbot, area)
    assert pseudo(area.tab_bar.tabText(0))
    qtbot.mouseClick(area.lock_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.who


def test_none_follows_socialsafe_lang_then_the_system(monkeypatch: pytest.MonkeyPatch, window: MainWindow) -> None:
    monkeypatch.setenv("SOCIALSAFE_LANG", PSEUDO)
    assert window.set_language(None) == PSEUDO
    assert "⟦Ĥéļļö, Amina Okafor⟧" in labels_text(window.home)
    monkeypatch.delenv("SOCIALSAFE_LANG")
    monkeypatch.setenv("LANG", "C.UTF-8")
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    assert window.set_language(None) == "en_GB"
    assert "Hello, Amina Okafor" in labels_text(window.home)
