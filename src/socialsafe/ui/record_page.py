"""'My record': everything the person has done, and nobody else's."""

from __future__ import annotations

import json

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QHeaderView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from socialsafe.content.loader import Content
from socialsafe.content.model import Pack, Question, QuestionType
from socialsafe.domain.status import PersonStatus, add_months, is_pass, validity_period
from socialsafe.i18n import _, format_date, format_datetime, ngettext
from socialsafe.storage.models import Learner
from socialsafe.storage.store import Store
from socialsafe.training import attempts_of_person, signoffs_of_person
from socialsafe.ui.flow import FlowRow
from socialsafe.ui.page_area import PageArea
from socialsafe.ui.widgets import button, label, page_layout


class _Wrapped(QStyledItemDelegate):
    """Rows as tall as their words wrapped to their column's width: Qt measures an item's text on one line, so
    long answers were cut short with '…'."""

    def __init__(self, tree: QTreeWidget) -> None:
        super().__init__(tree)
        self.tree = tree
        self.natural = False  # True while the page measures how wide a column's words are on one line

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        if self.natural:
            return super().sizeHint(option, index)
        width = self.tree.columnWidth(index.column())
        if index.column() == 0:  # the tree's own indent for each level
            depth, parent = 1, index.parent()
            while parent.isValid():
                depth, parent = depth + 1, parent.parent()
            width -= depth * self.tree.indentation()
        sized = QStyleOptionViewItem(option)
        sized.rect.setRect(0, 0, max(width, 1), 1000)  # a valid rect: Qt wraps only to the width of one
        return super().sizeHint(sized, index)


class RecordPage(QWidget):
    back = Signal()
    save_certificate = Signal()
    print_certificate = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        body = QWidget()
        layout = page_layout(body)
        self.title = label(_("My record"), "h1")
        layout.addWidget(self.title)
        self.summary = label("", "muted")
        layout.addWidget(self.summary)
        self.tree = QTreeWidget()
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels([_("When"), _("What"), _("Result")])
        self.tree.header().setAccessibleName(_("Column headings: when, what, result"))
        self.tree.setAccessibleName(_("Your training history"))
        self.tree.setAccessibleDescription(_("Use the arrow keys; Right opens an attempt to show your answers."))
        self.tree.setWordWrap(True)
        self.tree.setUniformRowHeights(False)
        self.wrapped = _Wrapped(self.tree)
        self.tree.setItemDelegate(self.wrapped)
        # 'What' takes the room 'When' and 'Result' leave.
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.tree.viewport().installEventFilter(self)
        layout.addWidget(self.tree, 1)
        row = FlowRow()  # with large text the buttons wrap onto a second line
        self.save_button = button(_("Save certificate…"), _("Save your certificate as a PDF"), primary=True)
        self.save_button.clicked.connect(self.save_certificate)
        self.print_button = button(_("Print certificate…"), _("Print your certificate"))
        self.print_button.clicked.connect(self.print_certificate)
        back = button(_("Back to my modules"), _("Back to my modules"))
        back.clicked.connect(self.back)
        row.add(self.save_button)
        row.add(self.print_button)
        row.add(back, right=True)
        layout.addLayout(row)
        # The history takes the height the page leaves, scrolling its own rows; where large text leaves it less
        # than a few rows, the page scrolls as a whole and the history shows every row: never a list scrolling
        # inside a scrolling page.
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.area = PageArea(body, _("My record"))
        self.area.give_room(body, self.tree)
        for opened in (self.tree.expanded, self.tree.collapsed):  # an attempt's answers shown or hidden
            opened.connect(self.area.request)
        outer.addWidget(self.area)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and watched is self.tree.viewport():
            self._fit_columns()
        return False

    def _fit_columns(self) -> None:
        """'When' and 'Result' as wide as their words, but at most 30% and 25% of the width: 'What' gets the rest."""
        width = self.tree.viewport().width()
        self.wrapped.natural = True  # measured on one line, not wrapped to the width they have now
        try:
            when, result = self.tree.sizeHintForColumn(0), self.tree.sizeHintForColumn(2)
        finally:
            self.wrapped.natural = False
        self.tree.setColumnWidth(0, min(when, width * 3 // 10))
        self.tree.setColumnWidth(2, min(result, width // 4))
        self.tree.doItemsLayout()  # the rows' heights follow the new widths (their words wrap again)

    def show_record(self, store: Store, content: Content, learner: Learner, pack: Pack, status: PersonStatus) -> None:
        self.title.setText(_("My record: {name}").format(name=learner.name))
        self.tree.clear()
        titles = {m.id: m.title for p in content.packs for m in p.modules}
        questions = {qid: q for p in content.packs for qid, q in p.questions().items()}
        months = validity_period(pack)

        done = _group(_("Completions"))
        for day in status.completions:
            expires = add_months(day, months)
            what = _("Completed version {version}").format(version=status.policy_version)
            done.addChild(
                QTreeWidgetItem([format_date(day), what, _("valid until {date}").format(date=format_date(expires))])
            )
        if not status.completions:
            done.addChild(_nothing_yet(_("Not completed yet")))
        n = len(status.completions)
        _count(done, ngettext("{n} completion", "{n} completions", n).format(n=n))

        signed = _group(_("Sign-offs"))
        for ack in signoffs_of_person(store, learner):
            how = _("signed in the app") if ack.source == "app" else _("signed paper copy")
            what = _("Signed the policy, version {version}").format(version=ack.policy_version)
            signed.addChild(QTreeWidgetItem([format_datetime(ack.acknowledged_at), what, how]))
        n = signed.childCount()
        _count(signed, ngettext("{n} sign-off", "{n} sign-offs", n).format(n=n))
        if not n:
            signed.addChild(_nothing_yet(_("No sign-off yet")))

        tried = _group(_("Attempts"))
        answers = store.answers_of_learner(learner.id)
        for attempt in reversed(attempts_of_person(store, learner)):
            title = titles.get(attempt.module_id, attempt.module_id)
            if attempt.source == "manual":
                title = _("{module} (face-to-face session)").format(module=title)
            if attempt.finished_at is None:
                result = _("not finished")
            else:
                verdict = _("passed") if is_pass(attempt) else _("not passed")
                result = _("{score} of {total}, {verdict}").format(
                    score=attempt.score, total=attempt.max_score, verdict=verdict
                )
            item = QTreeWidgetItem([format_datetime(attempt.started_at), title, result])
            for answer in (a for a in answers if a.attempt_id == attempt.id):
                question = questions.get(answer.question_id)
                item.addChild(_answer_row(question, answer.step_id, answer.choice, answer.correct))
            tried.addChild(item)
        n = tried.childCount()
        _count(tried, ngettext("{n} attempt", "{n} attempts", n).format(n=n))
        if not n:
            tried.addChild(_nothing_yet(_("No attempts yet")))

        for top in (done, signed, tried):
            self.tree.addTopLevelItem(top)
            top.setExpanded(True)
        self._fit_columns()
        has_certificate = status.completed_at is not None
        self.save_button.setEnabled(has_certificate)
        self.print_button.setEnabled(has_certificate)
        self.summary.setText(
            # Said as it is: the office sees the same evidence, for the trust's proof of training.
            _(
                "Your completions, sign-offs and every attempt with your answers. Your school's office sees this "
                "record too: it is the trust's proof of your training."
            )
        )
        self.tree.setFocus()
        self.tree.setCurrentItem(done)


# Every cell says something: a screen reader reading a row reads each cell, and an empty one is read as
# 'blank'. Where nothing applies the cell shows a dash, and says in words why there is nothing.


def _dash(item: QTreeWidgetItem, column: int, said: str) -> None:
    item.setText(column, "—")
    item.setData(column, Qt.ItemDataRole.AccessibleTextRole, said)


def _group(title: str) -> QTreeWidgetItem:
    """A heading row over the rows below it (completions, sign-offs, attempts); :func:`_count` says how many."""
    item = QTreeWidgetItem([title, "", ""])
    _dash(item, 2, _("no result"))
    return item


def _count(group: QTreeWidgetItem, words: str) -> None:
    group.setText(1, words)


def _nothing_yet(what: str) -> QTreeWidgetItem:
    item = QTreeWidgetItem(["", what, ""])
    _dash(item, 0, _("no date"))
    _dash(item, 2, _("no result"))
    return item


def _right_answers(question: Question | None, step_id: str) -> list[str]:
    """The right answer or answers to ``question`` (at ``step_id`` of a scenario), in words; none when the
    course no longer has the question."""
    if question is None:
        return []
    if question.type is QuestionType.SCENARIO:
        options = question.step(step_id).options
    elif question.type is QuestionType.TRUE_FALSE:
        return [_("True") if question.answer else _("False")]
    else:
        options = question.options
    return [_shorten(o.text, 100) for o in options if o.correct]


def _answer_row(question: Question | None, step_id: str, choice_json: str, correct: bool) -> QTreeWidgetItem:
    """One answer: what was asked and answered (and, when wrong, the right answer, where the course still has
    the question), and 'Right' or 'Wrong' in words beside the symbol."""
    what = _answer_text(question, step_id, choice_json)
    right = [] if correct else _right_answers(question, step_id)
    if right:
        # On a line of its own: the answer given may not end with a full stop.
        plural = ngettext("The right answer: {answer}", "The right answers: {answer}", len(right))
        what += "\n" + plural.format(answer="; ".join(right))
    said = _("Right") if correct else _("Wrong")
    item = QTreeWidgetItem(["", what, ("✔ " if correct else "✖ ") + said])
    item.setData(2, Qt.ItemDataRole.AccessibleTextRole, said)  # the symbol is for the eye
    _dash(item, 0, _("during this attempt"))  # an answer's time is its attempt's, on the row above
    return item


def _answer_text(question: Question | None, step_id: str, choice_json: str) -> str:
    chosen = json.loads(choice_json)
    if question is None:
        return _("A question no longer in the course: {choice}").format(choice=", ".join(chosen))
    if question.type is QuestionType.SCENARIO:
        step = question.step(step_id)
        prompt, options = step.prompt, {o.id: o.text for o in step.options}
    elif question.type is QuestionType.TRUE_FALSE:
        prompt, options = question.prompt, {"true": _("True"), "false": _("False")}
    else:
        prompt, options = question.prompt, {o.id: o.text for o in question.options}
    picked = "; ".join(options.get(c, c) for c in chosen)
    return _("{question} — you answered: {answer}").format(question=_shorten(prompt), answer=picked)


def _shorten(text: str, limit: int = 140) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
