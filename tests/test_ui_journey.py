"""The learner's journey through the real widgets, offscreen."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import QApplication, QProgressBar, QPushButton
from pytestqt.qtbot import QtBot

from conftest import MINI
from socialsafe.storage.store import Store
from socialsafe.ui.reading import ReadingText
from socialsafe.ui.who_page import PinDialog
from ui_helpers import add_person, answer_all, answer_current, button_named, labels_text, open_window, press

TEACHER = 1  # index in the role list, after "Choose your role…"
VOLUNTEER = 3


def test_new_person_passes_a_module_and_home_shows_it(qtbot: QtBot, store: Store) -> None:
    window = open_window(qtbot, store, [MINI])
    assert window.stack.currentWidget() is window.who

    add_person(qtbot, window, "Amina Okafor", TEACHER, "Oak Hill Primary")

    assert window.stack.currentWidget() is window.home
    (learner,) = store.learners()
    assert (learner.name, learner.role, learner.school) == ("Amina Okafor", "teacher", "Oak Hill Primary")
    home = labels_text(window.home)
    assert "Hello, Amina Okafor" in home
    assert "Example: social media basics" not in home  # the policy title is shown, not the pack's
    assert "Use of Social Media Policy, version 1.0" in home
    assert window.home.findChildren(QProgressBar)[0].format() == "0 of 2 modules passed"

    qtbot.mouseClick(button_named(window.home, "Start: Friend requests from pupils"), Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.module_page
    reader = window.module_page.reader.toPlainText()
    assert "Pupils sometimes try to contact staff online" in reader
    assert "“Any student-initiated communication" in reader  # the clause, verbatim
    assert "USE-3" not in reader
    assert "(must)" not in reader
    assert "Decline it." in reader  # key points

    qtbot.mouseClick(window.module_page.start_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.quiz
    assert window.quiz.counter.text() == "Question 1 of 2"
    answer_current(qtbot, window, right=True)
    answer_all(qtbot, window, right=True)

    assert window.stack.currentWidget() is window.results
    assert "You scored 2 out of 2 (100%)." in labels_text(window.results)
    assert "Passed" in labels_text(window.results)

    qtbot.mouseClick(button_named(window.results, "Back to my modules"), Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.home
    assert "✔ Passed" in labels_text(window.home)
    assert button_named(window.home, "Practise again: Friend requests from pupils")


def test_failing_shows_what_to_revisit_and_retry_draws_afresh(qtbot: QtBot, store: Store) -> None:
    # Friend requests asks 2 of its 3 questions: a retake asks the one not asked, then one of the two missed.
    window = open_window(qtbot, store, [MINI])
    add_person(qtbot, window, "Ben Hughes", TEACHER, "Oak Hill Primary")
    qtbot.mouseClick(button_named(window.home, "Start: Friend requests from pupils"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.module_page.start_button, Qt.MouseButton.LeftButton)
    first_attempt = window.quiz.run.attempt.id
    first = {p.question_id for p in window.quiz.run.plan}

    answer_all(qtbot, window, right=False)

    # The points to look at again are text to read line by line (a ReadingText), no longer labels.
    results = labels_text(window.results) + "\n" + "\n".join(t.text() for t in window.results.findChildren(ReadingText))
    assert "You scored 0 out of 2 (0%)." in results
    assert "Not passed yet" in results
    assert "To look at again" in results
    assert "“" in results  # the clauses to revisit, in the policy's words
    # Two of three asked: no whole fresh set, and the page does not promise one.
    assert "you will get questions you have not just seen, as far as the module allows." in results
    assert "fresh set" not in results

    qtbot.mouseClick(button_named(window.results, "Try again"), Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.quiz
    assert window.quiz.run.attempt.id != first_attempt
    assert window.quiz.counter.text() == "Question 1 of 2"
    again = {p.question_id for p in window.quiz.run.plan}
    assert {"fr-1", "fr-2", "fr-3"} - first <= again  # the one not asked before
    assert len(again & first) == 1  # and one that was missed
    answer_all(qtbot, window, right=True)
    assert "Passed" in labels_text(window.results)
    statuses = [a.passed for a in store.attempts(store.learners()[0].id)]
    assert statuses == [False, True]


def test_failing_a_module_with_no_other_questions_says_the_same_ones_come_again(qtbot: QtBot, store: Store) -> None:
    window = open_window(qtbot, store, [MINI])
    add_person(qtbot, window, "Ben Hughes", TEACHER, "Oak Hill Primary")
    qtbot.mouseClick(button_named(window.home, "Start: Photographs"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.module_page.start_button, Qt.MouseButton.LeftButton)

    answer_all(qtbot, window, right=False)

    results = labels_text(window.results)
    assert "“Staff should not post photographs of pupils" in "\n".join(
        t.text() for t in window.results.findChildren(ReadingText)
    )
    assert "the module has no other questions, so you will get these again." in results
    assert "fresh set" not in results
    assert [b for b in window.results.findChildren(QPushButton) if b.accessibleName() == "Try again"]


def test_feedback_quotes_the_clause_and_says_why(qtbot: QtBot, store: Store) -> None:
    window = open_window(qtbot, store, [MINI])
    add_person(qtbot, window, "Cat Lewis", TEACHER, "Oak Hill Primary")
    qtbot.mouseClick(button_named(window.home, "Start: Photographs"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.module_page.start_button, Qt.MouseButton.LeftButton)
    asked = window.quiz.asked
    assert asked is not None
    wrong = next(n for n, o in enumerate(asked.options, start=1) if not o.correct)
    press(qtbot, Qt.Key(Qt.Key.Key_0 + wrong))
    press(qtbot, Qt.Key.Key_Return)

    feedback = window.quiz.feedback_text.text()
    assert window.quiz.feedback.isVisible()
    assert "Not quite" in feedback
    assert asked.options[wrong - 1].feedback in feedback
    assert "USE-9" not in feedback  # the policy's words and section, not our ids
    assert "Staff should not post photographs of pupils under any circumstances." in feedback
    # The answer was on disk before the feedback was shown.
    assert len(store.answers(window.quiz.run.attempt.id)) == 1


def test_leaving_mid_quiz_resumes_at_the_same_question(qtbot: QtBot, store: Store) -> None:
    window = open_window(qtbot, store, [MINI])
    add_person(qtbot, window, "Dev Patel", VOLUNTEER, "Oak Hill Primary")
    qtbot.mouseClick(button_named(window.home, "Start: Friend requests from pupils"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.module_page.start_button, Qt.MouseButton.LeftButton)
    while window.quiz.asked is not None and window.quiz.asked.number == 1:  # a scenario takes several steps
        answer_current(qtbot, window, right=True)
    second = window.quiz.asked
    assert second is not None

    qtbot.mouseClick(window.quiz.leave_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.home
    assert "◐ In progress" in labels_text(window.home)

    # A new window on the same data folder: as after closing the app.
    window.close()
    again = open_window(qtbot, store, [MINI])
    again.who.people.setCurrentRow(0)
    press(qtbot, Qt.Key.Key_Return)
    assert again.stack.currentWidget() is again.home
    qtbot.mouseClick(button_named(again.home, "Continue: Friend requests from pupils"), Qt.MouseButton.LeftButton)
    assert again.module_page.start_button.text() == "Continue the quiz (question 2 of 2)"
    qtbot.mouseClick(again.module_page.start_button, Qt.MouseButton.LeftButton)
    assert again.quiz.counter.text() == "Question 2 of 2"
    assert again.quiz.asked is not None
    assert again.quiz.asked.question.id == second.question.id
    assert again.quiz.asked.step_id == second.step_id
    assert [o.id for o in again.quiz.asked.options] == [o.id for o in second.options]


def test_roles_see_only_their_modules(qtbot: QtBot, store: Store) -> None:
    window = open_window(qtbot, store, [MINI])
    add_person(qtbot, window, "Eve Volunteer", VOLUNTEER, "Oak Hill Primary")
    home = labels_text(window.home)
    assert "Friend requests from pupils" in home
    assert "Photographs" not in home  # the mini pack gives it to teachers and support staff only


def test_switch_person_and_idle_return_to_who_are_you(qtbot: QtBot, store: Store) -> None:
    window = open_window(qtbot, store, [MINI])
    add_person(qtbot, window, "Fay Green", TEACHER, "Oak Hill Primary")
    assert window.idle.isActive()
    assert window.idle.interval() + window._warn_ms == 5 * 60_000  # a warning a minute before the 5 minutes are up
    assert window._warn_ms == 60_000

    qtbot.mouseClick(window.switch_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.who
    assert window.learner is None
    assert not window.switch_button.isVisible()

    window.who.people.setCurrentRow(0)
    press(qtbot, Qt.Key.Key_Return)
    assert window.learner is not None

    with qtbot.waitSignal(window.idle.timeout, timeout=2000):
        window.idle.start(10)  # as if the idle minutes had passed
    assert window.stack.currentWidget() is window.home  # warned first, not yet signed out
    assert window.idle_warning is not None
    assert window.idle_warning.isVisible()
    assert "Everything you have answered is saved." in window.idle_warning.text()
    press(qtbot, Qt.Key.Key_Return)  # "I'm still here": any key is the person still there
    assert window.idle_warning is None
    assert window.learner is not None
    assert window.idle.isActive()
    assert not window.idle_end.isActive()

    window.open_display()  # a dialog of theirs open when they walk away
    with qtbot.waitSignal(window.idle.timeout, timeout=2000):
        window.idle.start(10)
    window._warn_ms = 10
    with qtbot.waitSignal(window.idle_end.timeout, timeout=2000):
        window.idle_end.start(10)  # nobody answers the warning
    assert window.stack.currentWidget() is window.who
    assert window.learner is None
    assert window.display_dialog is None or not window.display_dialog.isVisible()  # not over the next person
    assert window.who.notice.isVisible()
    assert window.who.notice.text().startswith("Fay Green was signed out because the PC was not used")


def test_second_person_on_the_same_pc_has_their_own_progress(qtbot: QtBot, store: Store) -> None:
    window = open_window(qtbot, store, [MINI])
    add_person(qtbot, window, "Gus Ward", TEACHER, "Oak Hill Primary")
    qtbot.mouseClick(button_named(window.home, "Start: Photographs"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.module_page.start_button, Qt.MouseButton.LeftButton)
    answer_all(qtbot, window, right=True)

    qtbot.mouseClick(window.switch_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.who.add_button, Qt.MouseButton.LeftButton)
    assert window.who.school.text() == "Oak Hill Primary"  # the PC's one school, filled in
    add_person(qtbot, window, "Hana Ali", TEACHER, "Oak Hill Primary")
    assert sorted(x.school for x in store.learners()) == ["Oak Hill Primary", "Oak Hill Primary"]
    home = labels_text(window.home)
    assert "Hello, Hana Ali" in home
    assert "✔ Passed" not in home


def test_pin_is_asked_and_checked(qtbot: QtBot, store: Store) -> None:
    window = open_window(qtbot, store, [MINI])
    add_person(qtbot, window, "Ivy Stone", TEACHER, "Oak Hill Primary", pin="4821")
    (learner,) = store.learners()
    assert learner.pin_hash
    assert "4821" not in learner.pin_hash
    qtbot.mouseClick(window.switch_button, Qt.MouseButton.LeftButton)

    tries = iter(["1111", "4821"])
    seen_errors: list[str] = []

    def enter_pin() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, PinDialog):
            QTimer.singleShot(20, enter_pin)
            return
        if dialog.error.isVisible():
            seen_errors.append(dialog.error.text())
        dialog.pin.setText(next(tries, "4821"))
        qtbot.keyClick(dialog.pin, Qt.Key.Key_Return)
        if dialog.isVisible():
            QTimer.singleShot(20, enter_pin)

    window.who.people.setCurrentRow(0)
    QTimer.singleShot(20, enter_pin)
    press(qtbot, Qt.Key.Key_Return)
    assert seen_errors == ["That PIN is not right. Try again, or ask the office to help."]
    assert window.learner is not None
    assert window.stack.currentWidget() is window.home


def test_add_person_errors_are_shown_not_raised(qtbot: QtBot, store: Store) -> None:
    window = open_window(qtbot, store, [MINI])
    qtbot.mouseClick(window.who.add_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.who.save_button, Qt.MouseButton.LeftButton)
    assert window.who.add_error.isVisible()
    assert window.who.add_error.text() == "Please enter your name."
    window.who.name.setText("Jo")
    window.who.school.setText("Oak Hill")
    qtbot.mouseClick(window.who.save_button, Qt.MouseButton.LeftButton)
    assert window.who.add_error.text() == "Please choose your role."
    assert store.learners() == []


def test_a_broken_pack_is_left_out_with_a_visible_warning(qtbot: QtBot, store: Store, tmp_path: Path) -> None:
    broken = tmp_path / "packs" / "broken"
    shutil.copytree(MINI, broken)
    header = (broken / "pack.toml").read_text()
    (broken / "pack.toml").write_text(header.replace('id = "example"', 'id = "other"\nbogus = 1'))
    window = open_window(qtbot, store, [MINI, tmp_path / "packs"])
    add_person(qtbot, window, "Kit Moss", TEACHER, "Oak Hill Primary")
    warning = labels_text(window.home)
    assert "Some training content could not be loaded" in warning
    assert str(broken / "pack.toml") in warning
    assert "unknown key" in warning
    assert "Friend requests from pupils" in warning  # the good pack still works


@pytest.mark.parametrize("count", [0, 7])
def test_who_page_search_appears_only_when_useful(qtbot: QtBot, store: Store, count: int) -> None:
    for i in range(count):
        store.add_learner(f"Person {i}", "volunteer", "Oak Hill Primary")
    window = open_window(qtbot, store, [MINI])
    assert window.who.search.isVisible() is (count >= 6)
    if count:
        window.who.search.setFocus()
        qtbot.keyClicks(window.who.search, "Person 3")
        visible = [window.who.people.item(i) for i in range(count) if not window.who.people.item(i).isHidden()]
        assert [item.text().split("  ")[0] for item in visible] == ["Person 3"]
        assert window.who.people.currentItem() is visible[0]


def test_the_policy_at_a_glance_can_be_read_before_starting(qtbot: QtBot, store: Store) -> None:
    window = open_window(qtbot, store, [MINI])
    add_person(qtbot, window, "Lou Reed", TEACHER, "Oak Hill Primary")
    qtbot.mouseClick(button_named(window.home, "Read the policy at a glance"), Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.module_page
    assert window.module_page.title.text() == "The policy at a glance"
    assert "Decline and report any contact a pupil starts." in window.module_page.reader.toPlainText()
    assert not window.module_page.start_button.isVisible()
    qtbot.mouseClick(button_named(window.module_page, "Back to my modules"), Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.home


def test_a_volunteer_sees_the_shorter_path_on_their_module_cards(qtbot, store) -> None:
    """A volunteer's module draws 3 questions (the pack's draw_by_role), and the card says so."""
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QLabel

    from socialsafe.resources import bundled
    from ui_helpers import open_window

    course = bundled("quizzes") / "leaf-social-media"
    volunteer = store.add_learner("Aoife MacNamara", "volunteer", "Oak Primary")
    teacher = store.add_learner("Łukasz Wójcik", "teacher", "Oak Primary")
    window = open_window(qtbot, store, [course])
    texts = {}
    for learner in (volunteer, teacher):
        window.home.show_learner(learner)
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # the last person's cards are gone
        texts[learner.role] = [w.text() for w in window.home.findChildren(QLabel) if "pass mark" in w.text()]
    assert texts["volunteer"]
    assert all(t.startswith("3 questions") for t in texts["volunteer"][:8])
    assert all(t.startswith("5 questions") for t in texts["teacher"][:8])


def test_my_record_says_honestly_who_else_sees_it(qtbot, store) -> None:
    from ui_helpers import open_window

    learner = store.add_learner("Nia Evans", "volunteer", "Oak Primary")
    from socialsafe.training import status_of

    window = open_window(qtbot, store, [MINI])
    [pack] = window.content.current
    window.record.show_record(store, window.content, learner, pack, status_of(store, window.content, learner, pack))
    text = window.record.summary.text()
    assert "Only you" not in text
    assert "office sees this record too" in text


def test_after_a_pass_the_next_module_is_offered_and_one_press_away(qtbot: QtBot, store: Store) -> None:
    window = open_window(qtbot, store, [MINI])
    add_person(qtbot, window, "Ciara MacNamara", TEACHER, "Oak Hill Primary")
    qtbot.mouseClick(button_named(window.home, "Start: Friend requests from pupils"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.module_page.start_button, Qt.MouseButton.LeftButton)
    answer_all(qtbot, window, right=True)
    assert window.stack.currentWidget() is window.results
    onward = button_named(window.results, "Next: Photographs")
    assert onward.hasFocus()  # the first thing the keyboard is on

    press(qtbot, Qt.Key.Key_Return)
    assert window.stack.currentWidget() is window.module_page
    assert window.module is not None
    assert window.module.id == "photos"

    # The last module passed: nothing left to go on to, so signing (or home) is offered instead.
    qtbot.mouseClick(window.module_page.start_button, Qt.MouseButton.LeftButton)
    answer_all(qtbot, window, right=True)
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # the first results' buttons are gone
    assert not [b for b in window.results.findChildren(QPushButton) if b.text().startswith("Next:")]
    assert button_named(window.results, "Sign the policy now").hasFocus()


def test_a_fresh_set_is_promised_only_when_a_retake_is_sure_to_ask_none_again(qtbot: QtBot) -> None:
    from socialsafe.training import Result
    from socialsafe.ui.quiz_page import ResultsPage

    page = ResultsPage()
    qtbot.addWidget(page)
    page.show_result("Photographs", Result(1, 5, 0.8, False, [], not_asked=5, fresh_retake=True))
    assert "you will get a fresh set of questions." in labels_text(page)
    assert [
        b for b in page.findChildren(QPushButton) if b.accessibleName() == "Try again with a fresh set of questions"
    ]

    page = ResultsPage()  # a new page: the last one's labels are deleted only later
    qtbot.addWidget(page)
    page.show_result("Photographs", Result(1, 5, 0.8, False, [], not_asked=5, fresh_retake=False))
    assert "fresh set" not in labels_text(page)  # a "must" clause may need one asked again
    assert "as far as the module allows" in labels_text(page)
