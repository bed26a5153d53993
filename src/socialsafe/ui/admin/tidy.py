"""The office tidies people: merge two records of one person, correct a name or school, review likely duplicates.

The rules live in :mod:`socialsafe.office.people`; these dialogs only ask and show.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from socialsafe.config import Settings
from socialsafe.content.loader import Content
from socialsafe.domain.people import letters, person_identity
from socialsafe.i18n import _, ngettext
from socialsafe.insight import PersonSummary
from socialsafe.labels import role_label
from socialsafe.log import log
from socialsafe.office.people import MergeError, Suggestion, Tidied, correct_everywhere, merge_everywhere
from socialsafe.storage.store import InputError, Store
from socialsafe.ui.safe_text import as_text
from socialsafe.ui.widgets import ScrollingDialog, announce, button, clear_button, in_our_words, label, scrolling

_WHO = Qt.ItemDataRole.UserRole


def who(summary: PersonSummary) -> str:
    """A person as a choice names them: name, school, role, and email when there is one."""
    parts = [summary.name, summary.school, role_label(summary.role)]
    if summary.email:
        parts.append(summary.email)
    return " · ".join(parts)


def _problem_line(layout: QVBoxLayout) -> QLabel:
    error = label("")
    error.setAccessibleName(_("Problem"))
    error.hide()
    layout.addWidget(error)
    return error


def _box(dialog: QDialog, ok_text: str, ok_name: str) -> QDialogButtonBox:
    box = in_our_words(QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel))
    ok = box.button(QDialogButtonBox.StandardButton.Ok)
    ok.setText(ok_text)
    ok.setAccessibleName(ok_name)
    box.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName(_("Cancel: change nothing"))
    box.accepted.connect(dialog.accept)
    box.rejected.connect(dialog.reject)
    return box


class MergeDialog(ScrollingDialog):
    """Merge one person with another: pick the other (likely duplicates first), then whose name and school stay."""

    def __init__(
        self,
        summary: PersonSummary,
        everyone: Sequence[PersonSummary],
        suggested: Sequence[Suggestion] = (),
        other: PersonSummary | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.summary = summary
        self.setWindowTitle(_("Merge two people"))
        self.setAccessibleName(_("Merge two people"))
        outer = QVBoxLayout(self)
        # With large text on a small screen the choices scroll, and the buttons stay in sight below them.
        self.body = QWidget()
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(0, 0, 0, 0)
        self.scroller = scrolling(self.body, _("Merge two people"))
        outer.addWidget(self.scroller, 1)
        layout.addWidget(
            label(
                _(
                    "Merge {name} with the record of the same person under another name, school or email. Their "
                    "quiz results and sign-offs are all kept, and every PC shows them as one person from its next "
                    "sync."
                ).format(name=summary.name)
            )
        )
        self.search = QLineEdit()
        self.search.setAccessibleName(_("Search for the other person"))
        self.search.setPlaceholderText(_("Type part of a name or school"))
        clear_button(self.search)
        self.search.textChanged.connect(self._filter)
        caption = label(_("The same person as:"))
        caption.setBuddy(self.search)
        layout.addWidget(caption)
        layout.addWidget(self.search)
        self.others = QListWidget()
        self.others.setAccessibleName(_("The other person"))
        self.others.setWordWrap(True)
        self.others.setMinimumHeight(self.fontMetrics().height() * 7)
        likely = {
            id(s.second if s.first is summary.person else s.first): s.why
            for s in suggested
            if summary.person in (s.first, s.second)
        }
        candidates = [s for s in everyone if _identity(s) != _identity(summary)]
        candidates.sort(key=lambda s: (id(s.person) not in likely, s.person.sort_key()))
        for candidate in candidates:
            why = likely.get(id(candidate.person))
            text = who(candidate) + ("\n" + _("may be the same person: {why}").format(why=why) if why else "")
            item = QListWidgetItem(text)
            item.setData(_WHO, candidate)
            item.setData(_WHO + 1, letters(f"{candidate.name} {candidate.school} {candidate.email}"))
            self.others.addItem(item)
            if candidate is other:
                self.others.setCurrentItem(item)
        self.others.currentItemChanged.connect(self._picked)
        layout.addWidget(self.others)
        self.keep_caption = label(_("Keep the name, school and email of:"))
        layout.addWidget(self.keep_caption)
        self.keep_group = QButtonGroup(self)
        self.keep_this = QRadioButton()
        self.keep_other = QRadioButton()
        for number, choice in enumerate((self.keep_this, self.keep_other)):
            self.keep_group.addButton(choice, number)
            layout.addWidget(choice)
        layout.addStretch(1)
        self.error = _problem_line(outer)
        self.buttons = _box(self, _("Merge"), _("Merge the two into one person"))
        outer.addWidget(self.buttons)
        self.setMinimumWidth(min(760, max(480, self.fontMetrics().averageCharWidth() * 60)))
        self._picked()

    def _filter(self, text: str) -> None:
        wanted = letters(text)
        for row in range(self.others.count()):
            item = self.others.item(row)
            item.setHidden(bool(wanted) and wanted not in item.data(_WHO + 1))

    def chosen(self) -> PersonSummary | None:
        item = self.others.currentItem()
        return item.data(_WHO) if item is not None and not item.isHidden() else None

    def _picked(self, *_args: Any) -> None:
        other = self.chosen()
        shown = other is not None
        for widget in (self.keep_caption, self.keep_this, self.keep_other):
            widget.setVisible(shown)
        if other is None:
            return
        # Short enough for one line at large text; the whole of who they are is said to a screen reader.
        for choice, summary in ((self.keep_this, self.summary), (self.keep_other, other)):
            choice.setText(_("{name}, {school}").format(name=summary.name, school=summary.school))
            choice.setAccessibleName(_("Keep {who}").format(who=who(summary)))
        # A person only on the staff list has no records to move: they are the one kept.
        only_listed = [s for s in (self.summary, other) if all(x.id == "roster" for x in s.person.learners)]
        if only_listed:
            (self.keep_this if only_listed[0] is self.summary else self.keep_other).setChecked(True)
        elif self.keep_group.checkedButton() is None:
            self.keep_other.setChecked(True)

    def accept(self) -> None:
        if self.chosen() is None:
            self.error.setText(_("Choose the other person from the list."))
            self.error.show()
            announce(self.error, self.error.text())
            self.others.setFocus()
            return
        super().accept()

    def pair(self) -> tuple[PersonSummary, PersonSummary]:
        """(moved, kept)."""
        other = self.chosen()
        assert other is not None
        return (other, self.summary) if self.keep_this.isChecked() else (self.summary, other)


def _identity(summary: PersonSummary) -> tuple[str, ...]:
    return person_identity(summary.name, summary.school, summary.email)


class CorrectDialog(QDialog):
    """Correct a person's name, school or email, on every PC. Save emits ``save``; :meth:`finish` closes it."""

    save = Signal()

    def __init__(self, summary: PersonSummary, schools: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Correct name or school"))
        self.setAccessibleName(_("Correct name or school"))
        layout = QVBoxLayout(self)
        layout.addWidget(
            label(
                _(
                    "Correct how {name} is written. Their records are all kept, and every PC shows the corrected "
                    "name from its next sync."
                ).format(name=summary.name)
            )
        )
        form = QFormLayout()
        self.name = QLineEdit(summary.name)
        self.name.setAccessibleName(_("Name"))
        self.school = QComboBox()
        self.school.setEditable(True)
        self.school.addItems(sorted({summary.school, *schools}, key=str.casefold))
        self.school.setCurrentText(summary.school)
        self.school.setAccessibleName(_("School"))
        self.email = QLineEdit(summary.email)
        self.email.setAccessibleName(_("Email (optional)"))
        for text, field in ((_("Name"), self.name), (_("School"), self.school), (_("Email (optional)"), self.email)):
            caption = label(text)
            caption.setBuddy(field)
            form.addRow(caption, field)
        layout.addLayout(form)
        self.error = _problem_line(layout)
        layout.addWidget(_box(self, _("Save"), _("Save the correction")))
        self.setMinimumWidth(min(760, max(480, self.fontMetrics().averageCharWidth() * 56)))

    def accept(self) -> None:
        self.save.emit()

    def finish(self) -> None:
        super().accept()

    def values(self) -> tuple[str, str, str | None]:
        return self.name.text(), self.school.currentText(), self.email.text().strip() or None

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
        announce(self.error, message)


class DuplicatesDialog(QDialog):
    """The likely duplicates, each with a Merge… button."""

    merge = Signal(object)  # a Suggestion

    def __init__(self, suggested: Sequence[Suggestion], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("People who may be the same person"))
        self.setAccessibleName(_("People who may be the same person"))
        self.suggested = list(suggested)
        layout = QVBoxLayout(self)
        layout.addWidget(
            label(
                ngettext(
                    "{n} pair of records may be one person. Choose a pair and Merge… to look at it more closely.",
                    "{n} pairs of records may be one person. Choose a pair and Merge… to look at it more closely.",
                    len(self.suggested),
                ).format(n=len(self.suggested))
            )
        )
        self.pairs = QListWidget()
        self.pairs.setAccessibleName(_("Pairs that may be one person"))
        self.pairs.setWordWrap(True)
        self.pairs.setMinimumHeight(self.fontMetrics().height() * 8)
        for suggestion in self.suggested:
            first, second = suggestion.first, suggestion.second
            self.pairs.addItem(
                _("{first} ({first_school}) and {second} ({second_school}): {why}").format(
                    first=first.name,
                    first_school=first.school,
                    second=second.name,
                    second_school=second.school,
                    why=suggestion.why,
                )
            )
        if self.suggested:
            self.pairs.setCurrentRow(0)
        self.pairs.itemActivated.connect(lambda _item: self._merge())
        layout.addWidget(self.pairs, 1)
        box = in_our_words(QDialogButtonBox(QDialogButtonBox.StandardButton.Close))
        box.button(QDialogButtonBox.StandardButton.Close).setAccessibleName(_("Close"))
        box.rejected.connect(self.reject)
        self.merge_button = button(_("Merge…"), _("Merge the chosen pair…"), primary=True)
        self.merge_button.clicked.connect(self._merge)
        box.addButton(self.merge_button, QDialogButtonBox.ButtonRole.ActionRole)
        layout.addWidget(box)
        self.setMinimumWidth(min(760, max(480, self.fontMetrics().averageCharWidth() * 64)))

    def _merge(self) -> None:
        row = self.pairs.currentRow()
        if 0 <= row < len(self.suggested):
            self.merge.emit(self.suggested[row])


# Doing it ---------------------------------------------------------------------------------------


def said(done: Tidied, message: str) -> str:
    """What the office is told after a merge or correction."""
    lines = [message]
    if done.roster_problem:
        lines.append(done.roster_problem)
    if done.share_problem:
        lines.append(_("The shared folder cannot be reached now: the other PCs follow after the next sync."))
    return " ".join(lines)


def do_merge(
    parent: QWidget,
    settings: Settings,
    store: Store,
    content: Content,
    moved: PersonSummary,
    kept: PersonSummary,
    key: Any,
) -> str | None:
    """Merge ``moved`` into ``kept``; the sentence to say, or None when it was refused (and said why)."""
    try:
        done = merge_everywhere(settings, store, moved.person, kept.person, key, content)
    except (MergeError, InputError) as error:
        QMessageBox.warning(parent, _("Not merged"), as_text(str(error)))
        return None
    log.info("office: merged two people")
    return said(done, _("Merged into one person: {name}, {school}.").format(name=kept.name, school=kept.school))


def do_correct(
    parent: CorrectDialog, settings: Settings, store: Store, content: Content, summary: PersonSummary, key: Any
) -> str | None:
    """Save the correction the dialog holds; the sentence to say, or None (the dialog shows why, or nothing changed)."""
    name, school, email = parent.values()
    try:
        done = correct_everywhere(settings, store, summary.person, name, school, email, key, content)
    except InputError as error:
        parent.show_error(str(error))
        return None
    if done is None:
        return ""
    return said(done, _("Corrected: {name}, {school}.").format(name=" ".join(name.split()), school=school.strip()))
