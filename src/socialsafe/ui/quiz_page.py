"""The quiz, one question at a time, and the results at the end.

Keys: 1–9 pick an option (tick or untick it in a "tick all" question), Enter
checks the answer and then moves on. The arrow keys move between the options
and Space chooses; Tab goes on to the buttons. Every answer is saved by the
QuizRun before its feedback is shown, and the feedback is said to a screen
reader as well as shown.
"""

from __future__ import annotations

import re
from itertools import pairwise

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QTextCursor
from PySide6.QtWidgets import QApplication, QButtonGroup, QHBoxLayout, QProgressBar, QVBoxLayout, QWidget

from socialsafe.content.model import Clause, QuestionType
from socialsafe.domain.quiz import Verdict
from socialsafe.i18n import _, format_percent
from socialsafe.training import Asked, QuizRun, Result
from socialsafe.ui.flow import FlowRow
from socialsafe.ui.headings import mark_heading
from socialsafe.ui.module_page import quoted_clause
from socialsafe.ui.reading import ReadingText, follow_focus
from socialsafe.ui.safe_text import label_markdown
from socialsafe.ui.style import set_role
from socialsafe.ui.widgets import ChoiceRow, announce, button, card, clear, esc, label, page_layout, scrolling


def clause_html(clauses: list[Clause]) -> str:
    # The policy's own words and the section they come from: never an id or a label of ours ("USE-3 (must)").
    quoted = "".join(
        f"<p style='margin-left:12px'><i>“{'<br>'.join(esc(line) for line in c.text.splitlines())}”</i>"
        f"<br>— {esc(c.section)}</p>"
        for c in clauses
    )
    note = ""
    if any(c.is_translation for c in clauses):
        note = f"<p><i>{esc(_('A translation: the English text of the policy is the authority.'))}</i></p>"
    return f"<p><b>{esc(_('What the policy says'))}</b></p>{note}{quoted}"


class QuizPage(QWidget):
    finished = Signal(object)  # Result
    leave = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.run: QuizRun | None = None
        self.asked: Asked | None = None
        self.verdict: Verdict | None = None
        self.rows: list[ChoiceRow] = []

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        body = QWidget()
        layout = page_layout(body)
        top = QHBoxLayout()
        # The page's title, a level-1 heading to a screen reader as on every page; shown in the small type
        # it had, so that with large text it keeps to one line beside the counter and the question keeps the room.
        self.module_title = label("", "muted")
        mark_heading(self.module_title, 1)
        self.counter = label("")
        self.counter.setAlignment(Qt.AlignmentFlag.AlignRight)
        top.addWidget(self.module_title, 1)
        top.addWidget(self.counter)
        layout.addLayout(top)
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.bar.setAccessibleName(_("Quiz progress"))
        layout.addWidget(self.bar)
        self.scene, scene_layout = card()
        self.scene_text = label("", rich=True)
        scene_layout.addWidget(self.scene_text)
        layout.addWidget(self.scene)
        self.prompt = label("", "h2")
        self.prompt.setTextFormat(Qt.TextFormat.MarkdownText)
        layout.addWidget(self.prompt)
        self.instruction = label("", "muted")
        layout.addWidget(self.instruction)
        self.choices = QVBoxLayout()
        self.choices.setSpacing(8)
        layout.addLayout(self.choices)
        self.feedback, feedback_layout = card("feedback-right")
        # The verdict, why, and the policy's words: a Tab stop to read again line by line, that keeps its
        # words after they are said (a screen reader may not say announcements at all).
        self.feedback_text = ReadingText(_("Feedback on your answer"))
        feedback_layout.addWidget(self.feedback_text)
        layout.addWidget(self.feedback)
        layout.addStretch(1)
        self.body, self._body_layout = body, layout
        self.scroller = scrolling(body, _("Question"))
        follow_focus(self.scroller)
        outer.addWidget(self.scroller, 1)
        # Just after checking, the marks and the feedback may lay themselves out more than once (long words
        # wrapping at large text): the view follows each change until the person first touches a key or the
        # mouse, so that the verdict is where it was put, whatever the layout did after.
        self._settling = False
        self.scroller.verticalScrollBar().rangeChanged.connect(self._laid_out_again)

        # The buttons stay in view below the scrolling question.
        footer = QWidget()
        row = FlowRow(footer)  # with large text the buttons wrap onto a second line
        row.setContentsMargins(32, 8, 32, 16)
        self.check_button = button(
            _("Check my answer"), _("Check my answer"), primary=True, description=_("or press Enter")
        )
        self.check_button.clicked.connect(self.check)
        self.next_button = button(_("Next question"), _("Next question"), primary=True, description=_("or press Enter"))
        self.next_button.clicked.connect(self.advance)
        self.leave_button = button(
            _("Leave and come back later"),
            _("Leave the quiz"),
            description=_("Your answers are saved. You will carry on from this question."),
        )
        self.leave_button.clicked.connect(self.leave)
        row.add(self.check_button)
        row.add(self.next_button)
        row.add(self.leave_button, right=True)
        outer.addWidget(footer)

    # Flow ---------------------------------------------------------------------

    def start(self, run: QuizRun) -> None:
        self.run = run
        self.module_title.setText(run.module.title)
        self._show_current()

    def _show_current(self) -> None:
        assert self.run is not None
        self.verdict = None
        self._settle(False)
        self.asked = self.run.current()
        if self.asked is None:
            self.finished.emit(self.run.finish())
            return
        asked = self.asked
        question = asked.question
        self.counter.setText(_("Question {n} of {total}").format(n=asked.number, total=asked.total))
        self.bar.setRange(0, asked.total)
        self.bar.setValue(asked.number - 1)
        self.bar.setAccessibleDescription(self.counter.text())
        scenario = question.type is QuestionType.SCENARIO
        self.scene.setVisible(scenario)
        if scenario:
            self.scene_text.setText(f"<b>{esc(_('Scenario'))}</b><br>{esc(question.prompt)}")
        self.prompt.setText(label_markdown(asked.prompt))  # pack Markdown: no image, no HTML
        self.instruction.setText(
            {
                QuestionType.SINGLE: _("Choose one answer, then press Enter."),
                QuestionType.MULTIPLE: _("Tick every answer that applies, then press Enter."),
                QuestionType.TRUE_FALSE: _("Is this true or false? Choose one, then press Enter."),
                QuestionType.SCENARIO: _("Choose one, then press Enter."),
            }[question.type]
        )
        clear(self.choices)
        self.rows = []
        prompt = re.sub(r"[*_`]", "", asked.prompt)  # the prompt's Markdown marks are not to be read out
        parts = (question.prompt if scenario else "", prompt, self.instruction.text())
        asked_words = " ".join(part for part in parts if part)
        multiple = question.type is QuestionType.MULTIPLE
        # One answer: a group keeps one radio button on; it is one Tab stop and the arrow keys move in it.
        # Tick boxes stay out of any group: in one, Qt takes every box but the focused one out of the Tab
        # order and the arrow keys skip them too, so the keyboard could reach them only by number.
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        for number, option in enumerate(asked.options, start=1):
            text = option.text
            if question.type is QuestionType.TRUE_FALSE:
                text = _("True") if option.id == "true" else _("False")
            row = ChoiceRow(number, text, multiple)
            row.button.setProperty("option_id", option.id)
            # Said with each option by a screen reader: what it answers (the question is a label, not a control).
            row.button.setAccessibleDescription(asked_words)
            row.toggled.connect(lambda _checked: self._update_buttons())
            if not multiple:
                self.group.addButton(row.button)
            self.choices.addWidget(row)
            self.rows.append(row)
        # New options join the end of the focus chain: Tab reaches them before the feedback and the buttons
        # below them.
        if self.rows:
            QWidget.setTabOrder(self.rows[-1].button, self.feedback_text)
            QWidget.setTabOrder(self.feedback_text, self.check_button)
            QWidget.setTabOrder(self.check_button, self.next_button)
            QWidget.setTabOrder(self.next_button, self.leave_button)
        self.feedback.hide()
        self.instruction.show()
        self.check_button.show()
        self.next_button.hide()
        self._update_buttons()
        self.scroller.verticalScrollBar().setValue(0)
        if self.rows:
            self.rows[0].button.setFocus()

    def _chosen(self) -> list[str]:
        return [str(r.button.property("option_id")) for r in self.rows if r.button.isChecked()]

    def _update_buttons(self) -> None:
        self.check_button.setEnabled(self.verdict is None and bool(self._chosen()))

    def pick(self, number: int) -> None:
        """Select (or, in a 'tick all' question, toggle) option ``number``, 1-based."""
        if self.verdict is not None or not 1 <= number <= len(self.rows):
            return
        row = self.rows[number - 1]
        row.button.click()  # picks a radio button, toggles a tick box
        row.button.setFocus()
        self.scroller.ensureWidgetVisible(row, 0, 8)  # the option chosen is seen, wherever it was

    def check(self) -> None:
        if self.run is None or self.asked is None or self.verdict is not None or not self._chosen():
            return
        self.verdict = self.run.answer(self._chosen())
        said = self._show_feedback(self.verdict)
        # The keyboard goes to the feedback: a screen reader reads it from there (one that says no
        # announcements too), the arrow keys go through it, Enter goes on and Tab reaches the button. First,
        # before the option or button it is on is turned off or hidden: Qt would pass it on to the next
        # control, and the next, each said by a screen reader on the way.
        self.feedback_text.setFocus()
        marks = {
            o.id: ("right" if o.correct else "wrong") if chosen else "missed" for o, chosen in self.verdict.explained
        }
        for row in self.rows:
            row.button.setEnabled(False)
            row.setEnabled(False)
            row.mark(marks.get(str(row.button.property("option_id")), ""))
        self.check_button.hide()
        self.instruction.hide()  # "choose one, then press Enter" is done with: its room is the question's
        last = self.asked.number == self.asked.total and self.verdict.next_step is None
        if self.verdict.next_step is not None:
            text = _("Continue the scenario")
        elif last:
            text = _("See my results")
        else:
            text = _("Next question")
        self.next_button.setText(text)
        self.next_button.setAccessibleName(text)
        self.next_button.show()
        announce(self.feedback_text, said)  # after the focus moves, so that moving it does not cut it short
        self._feedback_to_top()
        self._settle(True)
        QTimer.singleShot(0, self, self._feedback_to_top)  # and again once the feedback's height has settled

    def _settle(self, on: bool) -> None:
        app = QApplication.instance()
        if app is None or on == self._settling:
            return
        self._settling = on
        if on:
            app.installEventFilter(self)
        else:
            app.removeEventFilter(self)

    def _laid_out_again(self, _least: int, _most: int) -> None:
        if self._settling and self.verdict is not None:
            self._feedback_to_top()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.Wheel):
            self._settle(False)  # the person acts: the view is theirs now
        return False

    def _feedback_to_top(self) -> None:
        """Scroll so that the question stays in view with its feedback's verdict.

        The page's top when all of it, feedback and all, fits the view; else the question's top (the
        scenario's, or else the prompt's) at the top of the view while the verdict still shows below the
        options; else the prompt's. When not even the prompt and the verdict fit (large text, a small
        screen), the verdict at the foot of the view with as much as fits of the marked options above
        it: the reasons follow as the keyboard reads on from the verdict, where it is.
        """
        if not self.feedback.isVisible():
            return
        self._body_layout.activate()
        bar = self.scroller.verticalScrollBar()
        room = self.scroller.viewport().height()
        gap = 8

        def top_of(widget: QWidget) -> int:
            return widget.mapTo(self.body, widget.rect().topLeft()).y()

        end = top_of(self.feedback) + self.feedback.height()
        verdict = self._verdict_bottom()
        if end + gap <= room:
            value = 0
        else:
            tops = [top_of(w) - gap for w in (self.scene, self.prompt) if w.isVisible()]
            value = next((top for top in tops if verdict - top <= room), verdict - room)
        bar.setValue(min(bar.maximum(), max(0, value)))

    def _verdict_bottom(self) -> int:
        """Where the view must reach to show the verdict, the feedback's first line: in the page's coordinates.

        As far below the line as the text keeps in view around its caret when the keyboard reads on
        (``ReadingText.show_caret``), so that it has no reason to scroll the page again.
        """
        text = self.feedback_text
        line = text.cursorRect(QTextCursor(text.document()))  # the first line, wherever the caret is
        foot = QPoint(0, line.center().y() + line.height() * 3 // 2)
        return text.viewport().mapTo(self.body, foot).y()

    def _show_feedback(self, verdict: Verdict) -> str:
        """Show what was right and why; the same in plain words, to be said."""
        assert self.run is not None
        set_role(self.feedback, "feedback-right" if verdict.correct else "feedback-wrong")
        headline = _("✔ That's right.") if verdict.correct else _("✖ Not quite.")
        parts = [f"<p style='font-size:large'><b>{esc(headline)}</b></p>"]
        said = [headline]  # the same, in plain words for a screen reader
        for option, chosen in verdict.explained:
            if chosen:
                who = _("Your answer") if not option.correct or verdict.correct else _("You chose (right)")
            else:
                who = _("You missed") if self._multiple() else _("The right answer")
            text = option.text
            if self.asked is not None and self.asked.question.type is QuestionType.TRUE_FALSE:
                text = _("True") if option.id == "true" else _("False")
            parts.append(f"<p><b>{esc(who)}:</b> {esc(text)}<br>{esc(option.feedback)}</p>")
            said += [f"{who}: {text}", option.feedback]
        clauses = self.run.clauses(verdict.clause_ids)
        parts.append(clause_html(clauses))
        said.append(_("What the policy says"))
        said += [quoted_clause(c) for c in clauses]
        self.feedback_text.show_html("".join(parts))
        self.feedback.show()
        return "\n".join(said)

    def _multiple(self) -> bool:
        return self.asked is not None and self.asked.question.type is QuestionType.MULTIPLE

    def advance(self) -> None:
        if self.verdict is not None:
            self._show_current()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if Qt.Key.Key_1 <= key <= Qt.Key.Key_9 and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            self.pick(key - Qt.Key.Key_0)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self.verdict is None:
                self.check()
            else:
                self.advance()
        else:
            super().keyPressEvent(event)


class ResultsPage(QWidget):
    retry = Signal()
    home = Signal()
    reread = Signal()
    sign = Signal()
    next_module = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        body = QWidget()
        self.body = page_layout(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.scroller = scrolling(body, _("Your results"))
        follow_focus(self.scroller)
        outer.addWidget(self.scroller)
        self._to_say: tuple[QWidget, str] | None = None  # the outcome, said once the page is on screen

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._focus_in_view()
        self._say_outcome()

    def _focus_in_view(self) -> None:
        """Scroll to the control the keyboard is on, now and once the page is laid out (WCAG 2.4.11)."""

        def show() -> None:
            widget = self.focusWidget() if self.isVisible() else None
            if widget is not None and self.scroller.isAncestorOf(widget):
                self.scroller.ensureWidgetVisible(widget)

        show()
        QTimer.singleShot(0, self, show)

    def _say_outcome(self) -> None:
        if self._to_say is not None:
            (outcome, text), self._to_say = self._to_say, None
            announce(outcome, text)

    def show_result(
        self, title: str, result: Result, can_sign: bool = False, renewing: bool = False, next_title: str = ""
    ) -> None:
        """``next_title``: the next module not yet passed, offered after a pass (when there is one)."""
        clear(self.body)
        self.body.addWidget(label(title, "muted"))
        fraction = result.score / result.max_score if result.max_score else 0.0
        score = _("You scored {score} out of {total} ({percent}).").format(
            score=result.score, total=result.max_score, percent=format_percent(fraction)
        )
        self.body.addWidget(label(score, "h1"))
        frame, layout = card("feedback-right" if result.passed else "feedback-wrong")
        fresh = result.fresh_retake  # a retake asks none of these again
        if result.passed:
            verdict = _("✔ Passed. The pass mark is {mark}. Well done.").format(mark=format_percent(result.pass_mark))
        elif fresh:
            verdict = _(
                "✖ Not passed yet: the pass mark is {mark}. Read the points below and try again: "
                "you will get a fresh set of questions."
            ).format(mark=format_percent(result.pass_mark))
        elif result.not_asked:  # too few others for a whole new set (or to ask every "must" clause without some)
            verdict = _(
                "✖ Not passed yet: the pass mark is {mark}. Read the points below and try again: "
                "you will get questions you have not just seen, as far as the module allows."
            ).format(mark=format_percent(result.pass_mark))
        else:
            verdict = _(
                "✖ Not passed yet: the pass mark is {mark}. Read the points below and try again: "
                "the module has no other questions, so you will get these again."
            ).format(mark=format_percent(result.pass_mark))
        outcome = label(verdict)
        outcome.setAccessibleName(verdict)
        layout.addWidget(outcome)
        self.body.addWidget(frame)
        # What to do next, under the verdict: the keyboard starts on it, in view at any text size (below a
        # long list of points to look at again, the focus was out of sight).
        row = FlowRow()
        retry = button(
            _("Try again"),
            _("Try again with a fresh set of questions") if fresh else _("Try again"),
            primary=not result.passed,
        )
        retry.clicked.connect(self.retry)
        reread = button(_("Read the module again"), _("Read the module again"))
        reread.clicked.connect(self.reread)
        onward_first = result.passed and bool(next_title) and not can_sign
        home = button(
            _("Back to my modules"),
            _("Back to my modules"),
            primary=result.passed and not can_sign and not onward_first,
        )
        home.clicked.connect(self.home)
        buttons: list[QWidget] = [home, retry, reread] if result.passed else [retry, reread, home]
        if onward_first:
            # On through the course: the next module is one press away, and the first thing the keyboard is on.
            words = _("Next: {module}").format(module=next_title)
            onward = button(words, words, primary=True, description=_("Go on to the next module of the course"))
            onward.clicked.connect(self.next_module)
            buttons.insert(0, onward)
        if can_sign:
            # After the refresher, signing renews training already done: said so, not "complete your training".
            words = _("Sign again to renew") if renewing else _("Sign the policy now")
            sign = button(words, words, primary=True)
            sign.clicked.connect(self.sign)
            buttons.insert(0, sign)
        for b in buttons:
            row.add(b)
        self.body.addLayout(row)
        stops = list(buttons)
        if result.missed:
            self.body.addWidget(label(_("To look at again"), "h2"))
            item, item_layout = card()
            # The questions missed and the policy's words for each, to read line by line.
            points = ReadingText(_("To look at again"))
            points.show_html(
                "<hr />".join(
                    f"<p><b>{esc(missed.question.prompt)}</b></p>{clause_html(missed.clauses)}"
                    for missed in result.missed
                )
            )
            item_layout.addWidget(points)
            self.body.addWidget(item)
            stops.append(points)
        for first, then in pairwise(stops):
            QWidget.setTabOrder(first, then)  # Tab goes along the row as it is shown, then to the points
        self.body.addStretch(1)
        buttons[0].setFocus()
        self._focus_in_view()
        self._to_say = (outcome, f"{score} {verdict}")
        if self.isVisible():
            self._say_outcome()
