"""'My record': everything the person has done, and nobody else's."""

from __future__ import annotations

import json

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from socialsafe.content.loader import Content
from socialsafe.content.model import Pack, Question, QuestionType
from socialsafe.domain.status import PersonStatus, add_months, is_pass, validity_period
from socialsafe.i18n import _, format_date, format_datetime
from socialsafe.storage.models import Learner
from socialsafe.storage.store import Store
from socialsafe.training import attempts_of_person, signoffs_of_person
from socialsafe.ui.flow import FlowRow
from socialsafe.ui.widgets import button, label, page_layout, scrolling


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
        # Large text on a small screen: the page scrolls, and the history keeps room for a few lines.
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scrolling(body, _("My record")))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and watched is self.tree.viewport():
            self._fit_columns()
        return False

    def _fit_columns(self) -> None:
        """'When' and 'Result' as wide as their words, but at most 30% and 25% of the width: 'What' gets the rest."""
        width = self.tree.viewport().width()
        self.tree.setColumnWidth(0, min(self.tree.sizeHintForColumn(0), width * 3 // 10))
        self.tree.setColumnWidth(2, min(self.tree.sizeHintForColumn(2), width // 4))

    def show_record(self, store: Store, content: Content, learner: Learner, pack: Pack, status: PersonStatus) -> None:
        self.title.setText(_("My record: {name}").format(name=learner.name))
        self.tree.clear()
        titles = {m.id: m.title for p in content.packs for m in p.modules}
        questions = {qid: q for p in content.packs for qid, q in p.questions().items()}
        months = validity_period(pack)

        done = QTreeWidgetItem([_("Completions"), "", ""])
        for day in status.completions:
            expires = add_months(day, months)
            what = _("Completed version {version}").format(version=status.policy_version)
            done.addChild(
                QTreeWidgetItem([format_date(day), what, _("valid until {date}").format(date=format_date(expires))])
            )
        if not status.completions:
            done.addChild(QTreeWidgetItem(["", _("Not completed yet"), ""]))

        signed = QTreeWidgetItem([_("Sign-offs"), "", ""])
        for ack in signoffs_of_person(store, learner):
            how = _("signed in the app") if ack.source == "app" else _("signed paper copy")
            what = _("Signed the policy, version {version}").format(version=ack.policy_version)
            signed.addChild(QTreeWidgetItem([format_datetime(ack.acknowledged_at), what, how]))
        if not signed.childCount():
            signed.addChild(QTreeWidgetItem(["", _("No sign-off yet"), ""]))

        tried = QTreeWidgetItem([_("Attempts"), "", ""])
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
                item.addChild(
                    QTreeWidgetItem(
                        ["", _answer_text(question, answer.step_id, answer.choice), "✔" if answer.correct else "✖"]
                    )
                )
            tried.addChild(item)
        if not tried.childCount():
            tried.addChild(QTreeWidgetItem(["", _("No attempts yet"), ""]))

        for top in (done, signed, tried):
            self.tree.addTopLevelItem(top)
            top.setExpanded(True)
        self.tree.setMinimumHeight(self.tree.fontMetrics().height() * 8)
        self._fit_columns()
        has_certificate = status.completed_at is not None
        self.save_button.setEnabled(has_certificate)
        self.print_button.setEnabled(has_certificate)
        self.summary.setText(
            _("Only you can see this page. It lists your completions, sign-offs and every attempt with your answers.")
        )
        self.tree.setFocus()
        self.tree.setCurrentItem(done)


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
