"""One person in the office console: every attempt with its answers, sign-offs, the PCs the records came from.

The admin's own records (a face-to-face session, a signed paper copy) are
made here through the same :class:`Store` methods ``socialsafe record`` and
``socialsafe acknowledge`` use.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QSpinBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from socialsafe.config import Settings
from socialsafe.content.loader import Content
from socialsafe.content.model import Module, Pack, Question, QuestionType
from socialsafe.i18n import _, format_date, format_datetime, ngettext
from socialsafe.insight import PersonSummary, short_device
from socialsafe.labels import role_label
from socialsafe.log import log
from socialsafe.reports import build_module_rows
from socialsafe.storage.store import Store
from socialsafe.ui.admin.dashboard import ColumnFitter
from socialsafe.ui.admin.data import attempt_lines, modules_for, signoffs_of
from socialsafe.ui.admin.gate import admin_module
from socialsafe.ui.admin.models import status_words
from socialsafe.ui.fields import mark_invalid
from socialsafe.ui.safe_text import as_text
from socialsafe.ui.style import TRAINING_TONES, set_tone
from socialsafe.ui.widgets import announce, button, in_our_words, label

NO_DATE = QDate(2000, 1, 1)


def _date_edit(name: str) -> QDateEdit:
    edit = QDateEdit(QDate.currentDate())
    edit.setCalendarPopup(True)
    edit.setMaximumDate(QDate.currentDate())
    edit.setMinimumDate(NO_DATE)
    edit.setDisplayFormat("d MMM yyyy")
    # The style sheet gives date boxes the look of spin boxes; the same height here.
    edit.setMinimumHeight(QSpinBox().sizeHint().height())
    edit.setAccessibleName(name)
    edit.lineEdit().setAccessibleName(name)
    return edit


def _day(edit: QDateEdit) -> dt.date:
    value = edit.date()
    return dt.date(value.year(), value.month(), value.day())


def _when(moment: dt.datetime) -> str:
    """A moment, short: the date and the time of day on this PC's clock."""
    return format_datetime(moment, "short")


def _answer_text(question: Question | None, step_id: str, choice_json: str) -> str:
    try:
        chosen = [str(c) for c in json.loads(choice_json)]
    except (ValueError, TypeError):
        chosen = []
    if question is None:
        return _("A question no longer in the course — answered: {choice}").format(choice=", ".join(chosen))
    if question.type is QuestionType.SCENARIO:
        step = question.step(step_id)
        prompt, options = f"{question.prompt} {step.prompt}", {o.id: o.text for o in step.options}
    elif question.type is QuestionType.TRUE_FALSE:
        prompt, options = question.prompt, {"true": _("True"), "false": _("False")}
    else:
        prompt, options = question.prompt, {o.id: o.text for o in question.options}
    flat = " ".join(prompt.split())
    if len(flat) > 120:
        flat = flat[:119].rstrip() + "…"
    picked = "; ".join(options.get(c, c) for c in chosen)
    return _("{question} — answered: {answer}").format(question=flat, answer=picked)


class PersonPage(QWidget):
    """A person's whole record; the buttons ask the office area to act for them."""

    back = Signal()
    record_session = Signal()
    record_paper = Signal()
    certificate = Signal()
    correct = Signal()
    merge = Signal()
    erase = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary: PersonSummary | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setSpacing(6)
        self.title = label("", "h2")
        layout.addWidget(self.title)
        self.facts = label("")
        layout.addWidget(self.facts)
        self.status = label("")
        self.status.setAccessibleName(_("Training status"))
        layout.addWidget(self.status)
        self.tree = QTreeWidget()
        self.tree.setColumnCount(4)
        self.tree.setHeaderLabels([_("When"), _("What"), _("Result"), _("PC")])
        self.tree.header().setAccessibleName(_("Column headings: when, what, result, PC"))
        self.tree.setAccessibleName(_("This person's training records"))
        self.tree.setAccessibleDescription(
            _("Use the arrow keys; Right opens an attempt to show the answers given on this PC.")
        )
        self.tree.setWordWrap(True)
        self.tree.setUniformRowHeights(False)
        self.tree.setMinimumHeight(self.tree.fontMetrics().height() * 6)
        metrics = self.tree.fontMetrics()
        self.columns = ColumnFitter(
            self.tree,
            {
                0: metrics.horizontalAdvance(_when(dt.datetime(2026, 9, 30, 23, 59, tzinfo=dt.UTC)) + "00") + 56,
                2: metrics.horizontalAdvance("✔ passed on 00 Sept 0000") + 16,
                3: metrics.horizontalAdvance("0000abcd (this PC)") + 16,
            },
            {1: 100},
            metrics.horizontalAdvance("Friend requests from pupils") + 8,
        )
        layout.addWidget(self.tree, 1)
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(6)
        self.session_button = button(
            _("Record face-to-face session…"),
            _("Record a module completed in a face-to-face session"),
            primary=True,
        )
        self.session_button.clicked.connect(self.record_session)
        self.paper_button = button(_("Record paper sign-off…"), _("Record a signed paper copy of the policy"))
        self.paper_button.clicked.connect(self.record_paper)
        self.certificate_button = button(_("Re-issue certificate…"), _("Save this person's certificate again as a PDF"))
        self.certificate_button.clicked.connect(self.certificate)
        # ERASE: shown only when socialsafe.admin provides erase_person; see erase_with_confirmation below.
        self.erase_button = button(
            _("Erase this person…"),
            _("Erase all of this person's data, here and on every PC"),
            description=_("For a request to erase their data. This cannot be undone."),
        )
        self.erase_button.clicked.connect(self.erase)
        self.erase_button.hide()
        self.correct_button = button(
            _("Correct name or school…"), _("Correct how this person's name, school or email is written")
        )
        self.correct_button.clicked.connect(self.correct)
        self.merge_button = button(
            _("Merge with another person…"),
            _("Merge with another record of the same person"),
            description=_("For one person listed twice: their records are all kept, as one person"),
        )
        self.merge_button.clicked.connect(self.merge)
        self.back_button = button(_("Back to everyone"), _("Back to everyone's training"))
        self.back_button.clicked.connect(self.back)
        grid.addWidget(self.session_button, 0, 0)
        grid.addWidget(self.paper_button, 0, 1)
        grid.addWidget(self.certificate_button, 1, 0)
        grid.addWidget(self.back_button, 1, 1)
        grid.addWidget(self.correct_button, 2, 0)
        grid.addWidget(self.merge_button, 2, 1)
        grid.addWidget(self.erase_button, 3, 0)
        layout.addLayout(grid)

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.back.emit()
            return
        super().keyPressEvent(event)

    def show_person(
        self, summary: PersonSummary, store: Store, content: Content, today: dt.date, can_erase: bool
    ) -> None:
        self.summary = summary
        person = summary.person
        self.title.setText(summary.name)
        facts = [summary.school, role_label(summary.role)]
        if summary.email:
            facts.append(summary.email)
        self.facts.setText(" · ".join(facts))
        row = summary.row
        parts = [status_words(summary.status)]
        if summary.expires_on:
            parts.append(_("valid until {date}").format(date=format_date(summary.expires_on)))
        parts.append(
            ngettext(
                "{passed} of {total} module passed", "{passed} of {total} modules passed", row.modules_total
            ).format(passed=row.modules_passed, total=row.modules_total)
        )
        if person.exempt_until:
            parts.append(_("exempt until {date}").format(date=format_date(person.exempt_until)))
        self.status.setText(" · ".join(parts))
        set_tone(self.status, TRAINING_TONES[summary.status])
        self.status.setAccessibleDescription(self.status.text())
        self.erase_button.setVisible(can_erase)
        self.certificate_button.setEnabled(summary.completed_on is not None)
        self._fill(summary, store, content, today)
        self.tree.setFocus()

    def _device(self, device_id: str, store: Store) -> str:
        if not device_id:
            return ""
        short = short_device(device_id)
        return _("{device} (this PC)").format(device=short) if device_id == store.device_id else short

    def _fill(self, summary: PersonSummary, store: Store, content: Content, today: dt.date) -> None:
        person = summary.person
        self.tree.clear()
        titles = {m.id: m.title for p in content.packs for m in p.modules}
        questions = {qid: q for p in content.packs for qid, q in p.questions().items()}

        modules = QTreeWidgetItem([_("Modules"), "", "", ""])
        policy = content.primary_policy_id
        for line in build_module_rows([person], content, today, policy):
            result = {
                "passed": _("✔ passed on {date}").format(date=_iso_day(line.first_passed_at)),
                "not_passed": _("✖ not passed yet"),
                "in_progress": _("◐ in progress"),
                "not_started": _("○ not started"),
            }.get(line.status, line.status)
            if line.best_score_percent is not None and line.status != "passed":
                result += " " + _("(best {percent}%)").format(percent=line.best_score_percent)
            modules.addChild(QTreeWidgetItem(["", line.module_title, result, ""]))
        if not modules.childCount():
            modules.addChild(QTreeWidgetItem(["", _("No modules apply to this role"), "", ""]))

        tried = QTreeWidgetItem([_("Attempts"), "", "", ""])
        for entry in attempt_lines(store, person):
            title = titles.get(entry.module_id, entry.module_id)
            if entry.source == "manual":
                title = _("{module} (face-to-face session)").format(module=title)
                if entry.note:
                    title += " — " + entry.note
            if entry.finished_at is None:
                result = _("not finished")
            else:
                verdict = _("passed") if entry.passed else _("not passed")
                result = _("{score} of {total}, {verdict}").format(
                    score=entry.score, total=entry.max_score, verdict=verdict
                )
            item = QTreeWidgetItem([_when(entry.started_at), title, result, self._device(entry.device_id, store)])
            for answer in entry.answers:
                question = questions.get(answer.question_id)
                item.addChild(
                    QTreeWidgetItem(
                        ["", _answer_text(question, answer.step_id, answer.choice), "✔" if answer.correct else "✖", ""]
                    )
                )
            if not entry.answers and entry.source != "manual" and entry.finished_at is not None:
                item.addChild(QTreeWidgetItem(["", _("Answers are kept on the PC where the quiz was taken"), "", ""]))
            tried.addChild(item)
        if not tried.childCount():
            tried.addChild(QTreeWidgetItem(["", _("No attempts yet"), "", ""]))

        signed = QTreeWidgetItem([_("Sign-offs"), "", "", ""])
        for signoff, local in signoffs_of(store, person):
            version = str(getattr(signoff, "policy_version", ""))
            what = _("Signed the policy, version {version}").format(version=version)
            if local is not None and local.source == "manual":
                how = _("signed paper copy")
                if local.note:
                    what += " — " + local.note
            elif local is not None:
                how = _("signed in the app")
            else:
                how = _("signed")
            moment = getattr(signoff, "acknowledged_at", None)
            when = _when(moment) if isinstance(moment, dt.datetime) else ""
            device = self._device(str(getattr(signoff, "device_id", "") or ""), store)
            signed.addChild(QTreeWidgetItem([when, what, how, device]))
        if not signed.childCount():
            signed.addChild(QTreeWidgetItem(["", _("No sign-off yet"), "", ""]))

        records = QTreeWidgetItem([_("Where the records come from"), "", "", ""])
        for learner in sorted(person.learners, key=lambda x: x.created_at):
            if learner.id == "roster":
                records.addChild(QTreeWidgetItem(["", _("On the staff roster; no records yet"), "", ""]))
                continue
            records.addChild(
                QTreeWidgetItem(
                    [
                        _when(learner.created_at),
                        _("Learner record: {name}, {school}").format(name=learner.name, school=learner.school),
                        role_label(learner.role),
                        self._device(getattr(learner, "device_id", ""), store),
                    ]
                )
            )
        for top in (modules, tried, signed, records):
            self.tree.addTopLevelItem(top)
            top.setFirstColumnSpanned(True)
            top.setExpanded(True)
        self.tree.setCurrentItem(modules)


def _iso_day(text: str) -> str:
    return format_date(dt.date.fromisoformat(text), "medium") if text else ""


# The admin's own records --------------------------------------------------------------------


def _finish(dialog: QDialog, layout: QVBoxLayout, save_name: str) -> tuple[QLabel, QDialogButtonBox]:
    """The foot of a record dialog: a hidden problem line, then Save and Cancel."""
    error = label("")
    error.setAccessibleName(_("Problem"))
    error.hide()
    layout.addWidget(error)
    buttons = _buttons(dialog, save_name)
    layout.addWidget(buttons)
    dialog.setMinimumWidth(min(760, max(480, dialog.fontMetrics().averageCharWidth() * 56)))
    return error, buttons


def _buttons(dialog: QDialog, save_name: str) -> QDialogButtonBox:
    box = in_our_words(QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel))
    box.button(QDialogButtonBox.StandardButton.Save).setAccessibleName(save_name)
    box.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName(_("Cancel"))
    box.accepted.connect(dialog.accept)
    box.rejected.connect(dialog.reject)
    return box


def _refuse(error: QLabel, text: str, field: QWidget) -> None:
    """A record dialog refused what was typed: ``field`` marked, the keyboard on it, ``text`` shown and said."""
    mark_invalid(field, text)
    error.setText("✖ " + text)
    error.show()
    announce(error, text)


def _form_row(form: QFormLayout, text: str, field: QWidget) -> None:
    caption = label(text)
    caption.setBuddy(field)
    form.addRow(caption, field)


class SessionDialog(QDialog):
    """A face-to-face session: the module, the score out of how many, the day and a note."""

    def __init__(self, summary: PersonSummary, pack: Pack, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Record a face-to-face session"))
        self.pack = pack
        layout = QVBoxLayout(self)
        layout.addWidget(
            label(
                _("Record a module that {name} completed in a face-to-face session, and the score they got.").format(
                    name=summary.name
                )
            )
        )
        form = QFormLayout()
        self.module = QComboBox()
        self.module.setAccessibleName(_("Module"))
        for module in modules_for(pack, summary.role):
            self.module.addItem(module.title, module.id)
        self.module.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.module.setMinimumContentsLength(16)
        self.score = QSpinBox()
        self.score.setRange(0, 1000)
        self.score.setAccessibleName(_("Score"))
        self.score.lineEdit().setAccessibleName(_("Score"))
        self.max_score = QSpinBox()
        self.max_score.setRange(1, 1000)
        self.max_score.setAccessibleName(_("Out of"))
        self.max_score.lineEdit().setAccessibleName(_("Out of"))
        self.score.setValue(10)
        self.max_score.setValue(10)
        self.day = _date_edit(_("Date of the session"))
        self.note = QLineEdit()
        # 'Optional' in the label, not the placeholder: it stays in sight once something is typed.
        self.note.setAccessibleName(_("Note (optional)"))
        self.note.setPlaceholderText(_("For example where the session took place"))
        _form_row(form, _("Module"), self.module)
        _form_row(form, _("Score"), self.score)
        _form_row(form, _("Out of"), self.max_score)
        _form_row(form, _("Date"), self.day)
        _form_row(form, _("Note (optional)"), self.note)
        layout.addLayout(form)
        self.error, self.buttons = _finish(self, layout, _("Save the face-to-face session"))

    @property
    def chosen_module(self) -> Module | None:
        module_id = self.module.currentData()
        return self.pack.module(module_id) if module_id else None

    def show_error(self, text: str, field: QWidget) -> None:
        _refuse(self.error, text, field)

    def accept(self) -> None:
        if self.chosen_module is None:
            self.show_error(_("There is no module to record for this person's role."), self.module)
            return
        if self.score.value() > self.max_score.value():
            self.show_error(_("The score must be between 0 and the maximum score, which must be above 0."), self.score)
            return
        super().accept()

    def values(self) -> tuple[Module, int, int, dt.date, str | None]:
        module = self.chosen_module
        assert module is not None
        return module, self.score.value(), self.max_score.value(), _day(self.day), self.note.text().strip() or None


class PaperDialog(QDialog):
    """A signed paper copy of the policy: the name as signed, the day and a note."""

    def __init__(self, summary: PersonSummary, pack: Pack, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Record a paper sign-off"))
        layout = QVBoxLayout(self)
        layout.addWidget(
            label(
                _("Record that {name} signed a paper copy of the {title}, version {version}.").format(
                    name=summary.name, title=pack.policy.title, version=pack.policy.version
                )
            )
        )
        form = QFormLayout()
        self.signed_name = QLineEdit(summary.name)
        self.signed_name.setAccessibleName(_("Name as signed"))
        self.day = _date_edit(_("Date it was signed"))
        self.note = QLineEdit()
        self.note.setAccessibleName(_("Note (optional)"))
        self.note.setPlaceholderText(_("For example where the paper copy is filed"))
        _form_row(form, _("Name as signed"), self.signed_name)
        _form_row(form, _("Date"), self.day)
        _form_row(form, _("Note (optional)"), self.note)
        layout.addLayout(form)
        self.error, self.buttons = _finish(self, layout, _("Save the paper sign-off"))

    def show_error(self, text: str, field: QWidget) -> None:
        _refuse(self.error, text, field)

    def accept(self) -> None:
        if not self.signed_name.text().strip():
            self.show_error(_("Type the name as it is signed on the paper copy."), self.signed_name)
            return
        super().accept()

    def values(self) -> tuple[str, dt.date, str | None]:
        return self.signed_name.text().strip(), _day(self.day), self.note.text().strip() or None


# Erasing a person ------------------------------------------------------------------------------


def erase_text(plan: Any, name: str, school: str) -> str:
    """What erasing will delete, in words: from an :class:`socialsafe.admin.ErasePlan`."""
    records, pcs = len(plan.records), len(plan.devices)
    lines = [_("Erase {name} ({school})? This deletes, here and on every PC:").format(name=name, school=school)]
    if records:
        lines.append(
            "• "
            + ngettext("{n} learner record", "{n} learner records", records).format(n=records)
            + " "
            + ngettext("made on {n} PC", "made on {n} PCs", pcs).format(n=pcs)
        )
        lines.append("• " + plan.records_said())
    for place, entries in plan.roster.items():
        for entry in entries:
            lines.append("• " + _("roster entry: {who} (in {file})").format(who=entry, file=place))
    if plan.share_error is not None:
        lines.append(
            _("The shared folder cannot be reached now: records only other PCs hold will be erased when they sync.")
        )
    lines.append(_("This cannot be undone."))
    return "\n".join(lines)


class EraseConfirmation(QMessageBox):
    """Asks before erasing, naming what will go; Cancel is the default, Erase must be chosen."""

    def __init__(self, plan: Any, name: str, school: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setIcon(QMessageBox.Icon.Warning)
        icon = self.findChild(QLabel, "qt_msgboxex_icon_label")  # Qt's warning sign, without words
        if icon is not None:
            icon.setAccessibleName(_("Warning"))
        self.setWindowTitle(_("Erase this person?"))
        self.setTextFormat(Qt.TextFormat.PlainText)  # names and file names as typed: never markup that hides a line
        self.setText(erase_text(plan, name, school))
        self.setAccessibleName(_("Erase this person?"))
        self.setAccessibleDescription(self.text())
        self.erase_button = self.addButton(_("Erase"), QMessageBox.ButtonRole.DestructiveRole)
        self.erase_button.setAccessibleName(_("Erase {name} for good").format(name=name))
        self.erase_button.setAutoDefault(False)
        self.cancel_button = self.addButton(QMessageBox.StandardButton.Cancel)
        self.cancel_button.setText(_("Cancel"))
        self.cancel_button.setAccessibleName(_("Cancel: erase nothing"))
        self.setDefaultButton(self.cancel_button)
        self.setEscapeButton(self.cancel_button)

    def confirmed(self) -> bool:
        """Show the question; whether Erase was chosen."""
        self.exec()
        return self.clickedButton() is self.erase_button


def erase_with_confirmation(
    parent: QWidget, settings: Settings, store: Store, content: Content, summary: PersonSummary, key: Any = None
) -> bool:
    """Find what erasing ``summary``'s person deletes, ask, and erase; whether they were erased.

    A shared folder that cannot be reached is one calm message: the erasure is
    done here and is shared at the next sync.
    """
    from socialsafe.sync.share import ShareError

    admin = admin_module()
    who = {"email": summary.email or None}
    if not summary.email:
        who = {"name": summary.name, "school": summary.school}
    try:
        plan = admin.erase_plan(settings, store, **who)
    except (admin.EraseError, OSError) as error:
        QMessageBox.warning(parent, _("Not erased"), as_text(str(error)))
        return False
    if not EraseConfirmation(plan, summary.name, summary.school, parent).confirmed():
        return False
    try:
        result = admin.erase_person(settings, store, plan, content, key=key)
    except ShareError:
        log.info("office: erased here; the shared folder could not be reached")
        QMessageBox.information(
            parent,
            _("Erased on this PC"),
            as_text(
                _("{name} was erased on this PC; it will reach the other PCs at the next sync.").format(
                    name=summary.name
                )
            ),
        )
        return True
    stuck = [o.file for o in result.roster if o.problem == "file"]
    if stuck:
        QMessageBox.warning(
            parent,
            _("Still on the roster"),
            as_text(
                "\n".join(
                    _("They are still on the roster {file}: take them off it by hand.").format(file=f) for f in stuck
                )
            ),
        )
    return True
