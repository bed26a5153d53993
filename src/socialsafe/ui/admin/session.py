"""One face-to-face session for several people at once, in the office (issue #16).

An INSET day for 30 staff on the whole policy is one dialog, not 240: tick
who was there in a list of everyone the office knows (or load the attendance
list, a CSV file), choose the whole course or some modules, give the score
everyone got, and save. The pass mark is shown as the score changes, and a
score below it is said plainly and asked about before anything is saved.
The rules, and the recording, are :mod:`socialsafe.office.sessions`: the same
``socialsafe record --attendees`` uses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QButtonGroup,
    QCheckBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QRadioButton,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from socialsafe.content.model import Module, Pack
from socialsafe.domain.people import letters
from socialsafe.i18n import _, format_date, format_percent, ngettext
from socialsafe.insight import PersonSummary
from socialsafe.labels import role_label
from socialsafe.log import log
from socialsafe.office import sessions
from socialsafe.office.sessions import Attendee, Covered, Outcome, Session
from socialsafe.reports import collation
from socialsafe.storage.store import InputError, Prove, Store
from socialsafe.ui.fields import clear_invalid, mark_invalid
from socialsafe.ui.flow import FlowRow
from socialsafe.ui.safe_text import Reader, as_text
from socialsafe.ui.style import current_scale, set_role, set_tone
from socialsafe.ui.widgets import ScrollingDialog, announce, button, clear_button, fit_to_text, label, scrolling

FIRST_DAY = QDate(2000, 1, 1)
ENTRY_ROLE = int(Qt.ItemDataRole.UserRole) + 1  # the index of a list row's entry


@dataclass(frozen=True)
class Entry:
    """One person in the list: someone the office knows, or a row of an attendance file who is new."""

    attendee: Attendee
    new: bool = False
    search: str = ""  # their name, email and school on their letters (found as the office's search finds them)


def known_attendee(summary: PersonSummary) -> Attendee:
    """Someone the office lists, as an attendee: their records go under their own learner record, by their role."""
    return Attendee(
        summary.name,
        summary.school,
        summary.email or None,
        summary.role,
        learner_ids=tuple(str(x.id) for x in summary.person.learners),
        known_role=summary.role,
    )


def entry_of(attendee: Attendee, new: bool = False) -> Entry:
    words = " ".join(letters(x) for x in (attendee.name, attendee.email or "", attendee.school))
    return Entry(attendee, new, words)


def row_text(entry: Entry) -> str:
    """A list row in words (plain text: an item view never reads it as markup)."""
    person = entry.attendee
    text = _("{name} — {school} · {role}").format(
        name=person.name, school=person.school, role=role_label(person.known_role or person.role)
    )
    if entry.new:
        text += " · " + _("new: added to this PC when saved")
    return text


def pass_mark_text(modules: Sequence[Module], max_score: int) -> str:
    """'Pass mark: 80% (8 of 10)', or each module's where they differ."""
    marks = {sessions.pass_mark(m) for m in modules}

    def mark(value: float) -> str:
        return _("{percent} ({least} of {max})").format(
            percent=format_percent(value), least=sessions.least_to_pass(max_score, value), max=max_score
        )

    if len(marks) == 1:
        return _("Pass mark: {mark}").format(mark=mark(marks.pop()))
    if not marks:
        return ""
    each = "; ".join(_("{module}: {mark}").format(module=m.title, mark=mark(sessions.pass_mark(m))) for m in modules)
    return _("Pass marks: {marks}").format(marks=each)


def below_text(below: Sequence[Module], of: int) -> str:
    """The warning for a score under the pass mark of ``below`` (of ``of`` modules chosen)."""
    if len(below) == of:
        return _("⚠ Below the pass mark: these people will be recorded as not passed.")
    return ngettext(
        "⚠ Below the pass mark of {modules}: these people will be recorded as not passed in it.",
        "⚠ Below the pass mark of {modules}: these people will be recorded as not passed in them.",
        len(below),
    ).format(modules=", ".join(m.title for m in below))


def names(people: Sequence[str]) -> list[str]:
    """One name a line: a long list reads down the page, and a name in another script keeps its own line."""
    return ["  • " + name for name in people]


def summary_text(outcomes: Sequence[Outcome], day: dt.date, score: int, max_score: int) -> str:
    """What was recorded, in plain text: how many people and records, who is below the mark, added, left out."""
    said = sessions.summary(outcomes)
    lines = [
        ngettext(
            "✔ Recorded the face-to-face session of {date} for {n} person: {records}.",
            "✔ Recorded the face-to-face session of {date} for {n} people: {records}.",
            said.people,
        ).format(
            date=format_date(day),
            n=said.people,
            records=ngettext("{n} record", "{n} records", said.records).format(n=said.records),
        ),
        _("Score: {score} of {max}.").format(score=score, max=max_score),
    ]
    if said.passed:
        lines.append(
            ngettext("Passed: {n} person.", "Passed: {n} people.", len(said.passed)).format(n=len(said.passed))
        )
    if said.below:
        lines.append(
            ngettext(
                "⚠ Below the pass mark, recorded as not passed: {n} person:",
                "⚠ Below the pass mark, recorded as not passed: {n} people:",
                len(said.below),
            ).format(n=len(said.below))
        )
        lines += names(said.below)
    if said.added:
        lines.append(
            ngettext("Added to this PC: {n} person:", "Added to this PC: {n} people:", len(said.added)).format(
                n=len(said.added)
            )
        )
        lines += names(said.added)
    if said.no_module:
        lines.append(
            ngettext(
                "No module chosen applies to the role of {n} person, so nothing was recorded for them:",
                "No module chosen applies to the role of {n} people, so nothing was recorded for them:",
                len(said.no_module),
            ).format(n=len(said.no_module))
        )
        lines += names(said.no_module)
    for title, left in said.left_out.items():
        lines.append(_("{module} is not for their role, so it was left out for:").format(module=title))
        lines += names(left)
    return "\n".join(lines)


def date_edit(name: str) -> QDateEdit:
    """The day of the session: today at first, never in the future."""
    edit = QDateEdit(QDate.currentDate())
    edit.setCalendarPopup(True)
    edit.setMaximumDate(QDate.currentDate())
    edit.setMinimumDate(FIRST_DAY)
    edit.setDisplayFormat("d MMM yyyy")
    edit.setMinimumHeight(QSpinBox().sizeHint().height())  # the style sheet gives date boxes a spin box's look
    edit.setAccessibleName(name)
    edit.lineEdit().setAccessibleName(name)
    return edit


def spin_box(name: str, least: int, value: int) -> QSpinBox:
    box = QSpinBox()
    box.setRange(least, 1000)
    box.setValue(value)
    box.setAccessibleName(name)
    box.lineEdit().setAccessibleName(name)
    return box


class TickRow(QWidget):
    """A tick box with its words wrapped beside it: a module's title can be a long line at 200% text.

    The tick box carries the accessible name; clicking the words ticks it.
    """

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.box = QCheckBox()
        self.box.setAccessibleName(text)
        self.text = label(text)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        row.addWidget(self.box, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.text, 1)

    def mouseReleaseEvent(self, event) -> None:
        if self.isEnabled() and event.button() == Qt.MouseButton.LeftButton:
            self.box.click()
        super().mouseReleaseEvent(event)


class TickList(QListWidget):
    """A list of people to tick: a click anywhere on a row ticks or unticks it, as Space does, and the tick
    boxes are as big as the app's others (Qt's own are small, at any text size)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        size = round(22 * current_scale())
        self.setStyleSheet(f"QListWidget::indicator {{ width: {size}px; height: {size}px; }}")
        self._pressed: QListWidgetItem | None = None

    def mousePressEvent(self, event) -> None:
        self._pressed = self.itemAt(event.position().toPoint())
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        item = self.itemAt(event.position().toPoint())
        before = item.checkState() if item is not None else None
        pressed, self._pressed = self._pressed, None
        super().mouseReleaseEvent(event)  # on the tick box itself, Qt ticks it
        if item is None or item is not pressed or event.button() != Qt.MouseButton.LeftButton:
            return
        if item.checkState() == before:  # elsewhere on the row: tick it here
            ticked = before != Qt.CheckState.Checked
            item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)


class BelowPassMarkConfirmation(QMessageBox):
    """Asks before results below the pass mark are saved; Cancel is the default, the record must be chosen."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setIcon(QMessageBox.Icon.Warning)
        icon = self.findChild(QLabel, "qt_msgboxex_icon_label")  # Qt's warning sign, without words
        if icon is not None:
            icon.setAccessibleName(_("Warning"))
        self.setWindowTitle(_("Record results below the pass mark?"))
        self.setTextFormat(Qt.TextFormat.PlainText)  # names as typed, never markup
        self.setText(text)
        self.setAccessibleName(self.windowTitle())
        self.setAccessibleDescription(text)
        self.record_button = self.addButton(_("Record as not passed"), QMessageBox.ButtonRole.AcceptRole)
        self.record_button.setAccessibleName(_("Record as not passed"))
        self.record_button.setAutoDefault(False)
        self.cancel_button = self.addButton(QMessageBox.StandardButton.Cancel)
        self.cancel_button.setText(_("Cancel"))
        self.cancel_button.setAccessibleName(_("Cancel: record nothing yet"))
        self.setDefaultButton(self.cancel_button)
        self.setEscapeButton(self.cancel_button)

    def confirmed(self) -> bool:
        """Show the question; whether the record was chosen."""
        self.exec()
        return self.clickedButton() is self.record_button


class GroupSessionDialog(ScrollingDialog):
    """Record one face-to-face session for several people: who, what it covered, the score, the day, a note.

    ``recorded`` carries a sentence for the office's status line once the session is saved; the dialog then
    shows what was recorded until it is closed.
    """

    recorded = Signal(str)

    def __init__(
        self,
        people: Sequence[PersonSummary],
        pack: Pack,
        store: Store,
        prove: Callable[[], Prove | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.pack, self.store, self.prove = pack, store, prove
        self.modules = sessions.course_modules(pack)
        self.entries: list[Entry] = []
        self.file_problems: list[str] = []
        self.problem_file: Path | None = None
        self.outcomes: list[Outcome] = []
        self._warned = ""
        self.setWindowTitle(_("Record a session for several people"))
        self.setAccessibleName(self.windowTitle())

        outer = QVBoxLayout(self)
        self.pages = QStackedWidget()
        outer.addWidget(self.pages, 1)
        self.body = QWidget()
        self._build_form(self.body)
        self.scroller = scrolling(self.body, _("Record a session for several people"))
        self.pages.addWidget(self.scroller)
        self.done_page = self._build_done()
        self.pages.addWidget(self.done_page)

        self.error = label("", "error")
        self.error.setAccessibleName(_("Problem"))
        self.error.hide()
        outer.addWidget(self.error)
        foot = FlowRow()
        self.cancel_button = button(_("Cancel"), _("Cancel: record nothing"))
        self.cancel_button.clicked.connect(self.reject)
        self.save_button = button(_("Save"), _("Save the session for everyone ticked"), primary=True)
        self.save_button.clicked.connect(self.save)
        self.close_button = button(_("Close"), _("Close: the session is recorded"), primary=True)
        self.close_button.clicked.connect(self.accept)
        self.close_button.hide()
        for widget in (self.cancel_button, self.save_button, self.close_button):
            foot.add(widget, right=True)
        outer.addLayout(foot)

        self._add_people(people)
        self._covered_changed()
        # As wide as 72 characters, as tall as it needs: never more than the window it belongs to (it scrolls).
        owner = parent.window() if parent is not None else None
        room = owner.size() if owner is not None else self.screen().availableGeometry().size()
        wide = max(680, self.fontMetrics().averageCharWidth() * 72)
        self.resize(min(room.width(), wide), min(room.height(), self.sizeHint().height()))
        self.search.setFocus()

    # Building ---------------------------------------------------------------------------------------

    def _build_form(self, body: QWidget) -> None:
        layout = self.body_layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(
            label(
                _(
                    "Record one face-to-face session for everyone who was there: tick them in the list, or load "
                    "the attendance list (a CSV file with the columns name, email, role and school)."
                )
            )
        )
        layout.addWidget(label(_("Who was there"), "h2"))
        caption = label(_("Find people"))
        self.search = QLineEdit()
        self.search.setAccessibleName(_("Find people by name, email or school"))
        self.search.setPlaceholderText(_("Name, email or school"))
        clear_button(self.search)
        caption.setBuddy(self.search)
        layout.addWidget(caption)
        layout.addWidget(self.search)
        self.people = TickList()
        self.people.setAccessibleName(_("Everyone the office knows"))
        self.people.setAccessibleDescription(
            _("Tick everyone who was at the session. Space ticks or unticks the person selected.")
        )
        self.people.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.people.setWordWrap(True)
        self.people.setUniformItemSizes(False)
        self.people.setMinimumHeight(self.people.fontMetrics().height() * 7)
        layout.addWidget(self.people, 1)
        self.count = label("", "muted")
        self.count.setAccessibleName(_("How many people are ticked"))
        layout.addWidget(self.count)
        row = FlowRow()
        self.tick_button = button(_("Tick all shown"), _("Tick all shown in the list"))
        self.untick_button = button(_("Untick all"), _("Untick all: no one ticked"))
        self.load_button = button(
            _("Load attendance list…"),
            _("Load attendance list from a CSV file"),
            description=_("A CSV file with the columns name, email, role and school"),
        )
        for widget in (self.tick_button, self.untick_button, self.load_button):
            row.add(widget)
        layout.addLayout(row)
        self.file_line = label("")
        self.file_line.setAccessibleName(_("The attendance list"))
        self.file_line.hide()
        layout.addWidget(self.file_line)
        self.problems_frame = QFrame()
        set_role(self.problems_frame, "banner")
        problems = QVBoxLayout(self.problems_frame)
        problems.setContentsMargins(12, 8, 12, 8)
        self.problems_text = label("")
        self.problems_text.setAccessibleName(_("Problems in the attendance list"))
        problems.addWidget(self.problems_text)
        self.leave_out_button = button(_("Leave this file out"), _("Leave this file out: record without it"))
        problems.addWidget(self.leave_out_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.problems_frame.hide()
        layout.addWidget(self.problems_frame)

        layout.addWidget(label(_("What the session covered"), "h2"))
        self.whole = QRadioButton(_("The whole course"))
        self.whole.setAccessibleName(_("The whole course"))
        self.whole.setAccessibleDescription(_("Every module that applies to each person's role"))
        self.whole.setChecked(True)
        layout.addWidget(self.whole)
        whole_words = label(_("Every module that applies to each person's role."), "muted")
        whole_words.setContentsMargins(28, 0, 0, 0)
        layout.addWidget(whole_words)
        self.chosen = QRadioButton(_("Chosen modules"))
        self.chosen.setAccessibleName(_("Chosen modules"))
        self.chosen.setAccessibleDescription(_("Only the modules ticked below, for those whose role they apply to"))
        layout.addWidget(self.chosen)
        self.choice = QButtonGroup(self)
        self.choice.addButton(self.whole)
        self.choice.addButton(self.chosen)
        ticks = QVBoxLayout()
        ticks.setContentsMargins(28, 0, 0, 0)
        self.module_rows: dict[str, TickRow] = {}
        self._picked: set[str] = set()  # the modules ticked for "Chosen modules", kept while the whole course is
        for module in self.modules:
            tick = TickRow(module.title)
            tick.box.toggled.connect(self._module_ticked)
            self.module_rows[module.id] = tick
            ticks.addWidget(tick)
        layout.addLayout(ticks)

        form = QFormLayout()
        self.day = date_edit(_("Date of the session"))
        self.score = spin_box(_("Score"), 0, 10)
        self.max_score = spin_box(_("Out of"), 1, 10)
        self.note = QLineEdit()
        self.note.setAccessibleName(_("Note"))
        self.note.setPlaceholderText(_("For example where the session took place"))
        self.pass_mark = label("")
        set_tone(self.pass_mark, "strong")
        self.pass_mark.setAccessibleName(_("Pass mark"))
        # The warning sits under the score it is about, where the eye is as the score is typed.
        self.warning_frame = QFrame()
        set_role(self.warning_frame, "banner")
        warning = QVBoxLayout(self.warning_frame)
        warning.setContentsMargins(12, 8, 12, 8)
        self.warning = label("")
        self.warning.setAccessibleName(_("Warning"))
        warning.addWidget(self.warning)
        self.warning_frame.hide()
        for text, field in (
            (_("Date"), self.day),
            (_("Score"), self.score),
            (_("Out of"), self.max_score),
            ("", self.pass_mark),
            ("", self.warning_frame),
            (_("Note"), self.note),
        ):
            if not text:
                form.addRow(field)
                continue
            caption = label(text)
            caption.setBuddy(field)
            form.addRow(caption, field)
        layout.addLayout(form)

        self.search.textChanged.connect(self._filter)
        self.people.itemChanged.connect(self._count)
        self.tick_button.clicked.connect(lambda: self._tick_shown(True))
        self.untick_button.clicked.connect(lambda: self._tick_all(False))
        self.load_button.clicked.connect(self.load_attendance)
        self.leave_out_button.clicked.connect(self._leave_file_out)
        self.choice.buttonToggled.connect(self._covered_changed)
        self.score.valueChanged.connect(self._update_marks)
        self.max_score.valueChanged.connect(self._update_marks)

    def _build_done(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(label(_("Session recorded"), "h2"))
        self.summary = Reader()  # read only, loads nothing; the names in it set as plain text
        self.summary.setAccessibleName(_("What was recorded"))
        layout.addWidget(self.summary, 1)
        return page

    # The people ------------------------------------------------------------------------------------

    def _add_people(self, people: Sequence[PersonSummary]) -> None:
        ordered = sorted(people, key=lambda s: (collation(s.name), collation(s.school)))
        self.people.blockSignals(True)
        for summary in ordered:
            self._add_entry(entry_of(known_attendee(summary)))
        self.people.blockSignals(False)
        self._count()

    def _add_entry(self, entry: Entry, ticked: bool = False) -> QListWidgetItem:
        self.entries.append(entry)
        item = QListWidgetItem(row_text(entry))
        item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
        item.setData(ENTRY_ROLE, len(self.entries) - 1)
        self.people.addItem(item)
        return item

    def items(self) -> list[QListWidgetItem]:
        return [self.people.item(row) for row in range(self.people.count())]

    def entry(self, item: QListWidgetItem) -> Entry:
        return self.entries[int(item.data(ENTRY_ROLE))]

    def ticked(self) -> list[Attendee]:
        return [self.entry(i).attendee for i in self.items() if i.checkState() == Qt.CheckState.Checked]

    def shown_items(self) -> list[QListWidgetItem]:
        return [i for i in self.items() if not i.isHidden()]

    def _filter(self, text: str) -> None:
        words = [w for w in map(letters, text.split()) if w]
        for item in self.items():
            item.setHidden(not all(word in self.entry(item).search for word in words))
        self._count()

    def _tick_shown(self, ticked: bool) -> None:
        self._tick(self.shown_items(), ticked)

    def _tick_all(self, ticked: bool) -> None:
        self._tick(self.items(), ticked)

    def _tick(self, items: Sequence[QListWidgetItem], ticked: bool) -> None:
        state = Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked
        self.people.blockSignals(True)
        for item in items:
            item.setCheckState(state)
        self.people.blockSignals(False)
        self._count()

    def _count(self, *_args: object) -> None:
        ticked, shown, total = len(self.ticked()), len(self.shown_items()), self.people.count()
        if ticked:
            clear_invalid(self.people)  # 'no one ticked' is answered, however they were ticked
        text = ngettext("{n} person ticked", "{n} people ticked", ticked).format(n=ticked)
        if shown != total:
            text += " · " + ngettext("showing {shown} of {n}", "showing {shown} of {n}", total).format(
                shown=shown, n=total
            )
        self.count.setText(text)
        self.count.setAccessibleDescription(text)

    # The attendance list ---------------------------------------------------------------------------

    def load_attendance(self) -> None:
        from socialsafe.ui.admin.office import documents_folder

        chosen = QFileDialog.getOpenFileName(
            self, _("Load the attendance list"), str(documents_folder()), _("CSV (*.csv);;All files (*)")
        )[0]
        if chosen:
            self.load_file(Path(chosen))

    def load_file(self, path: Path) -> None:
        """Tick everyone in the attendance list ``path``; new people join the list. A file with problems adds
        no one: its problems are shown, and nothing can be saved until it is corrected or left out."""
        try:
            rows, problems = sessions.read_attendance(path)
        except sessions.AttendanceError as error:
            self._show_file_problems(path, [str(error)])
            return
        if problems:
            lines = [
                _("Line {line}: {problem}").format(line=p.line, problem=p.message) if p.line else p.message
                for p in problems
            ]
            self._show_file_problems(path, lines)
            return
        if not rows:
            self._show_file_problems(path, [_("{file} lists no one.").format(file=path)])
            return
        self._clear_file_problems()
        known = [e.attendee for e in self.entries]
        ticked, new = 0, 0
        self.people.blockSignals(True)
        for row, person in sessions.matched(rows, known):
            if person is None:
                self._add_entry(entry_of(row, new=True), ticked=True)
                new += 1
            else:
                item = next(i for i in self.items() if self.entry(i).attendee is person)
                item.setCheckState(Qt.CheckState.Checked)
            ticked += 1
        self.people.blockSignals(False)
        self.search.clear()
        self._count()
        text = ngettext(
            "✔ Loaded {file}: {n} person ticked",
            "✔ Loaded {file}: {n} people ticked",
            ticked,
        ).format(file=path.name, n=ticked)
        if new:
            text += ngettext(", {n} of them new to the office.", ", {n} of them new to the office.", new).format(n=new)
        else:
            text += "."
        self.file_line.setText(text)
        self.file_line.setToolTip(as_text(str(path)))
        self.file_line.show()
        announce(self.file_line, text)
        log.info("office: attendance list of %d rows loaded, %d new", ticked, new)

    def _show_file_problems(self, path: Path, problems: list[str]) -> None:
        self.file_problems, self.problem_file = problems, path
        heading = ngettext(
            "✖ {file} has a problem, so no one in it was ticked. Correct it and load it again:",
            "✖ {file} has {n} problems, so no one in it was ticked. Correct them and load it again:",
            len(problems),
        ).format(file=path.name, n=len(problems))
        text = "\n".join([heading, *problems])
        self.problems_text.setText(text)
        self.file_line.hide()
        self.problems_frame.show()
        announce(self.problems_text, text)
        self._fit()

    def _clear_file_problems(self) -> None:
        self.file_problems, self.problem_file = [], None
        self.problems_frame.hide()
        self.problems_text.setText("")

    def _leave_file_out(self) -> None:
        self._clear_file_problems()
        self.load_button.setFocus()

    # What it covered, the pass mark ---------------------------------------------------------------------

    def chosen_modules(self) -> list[Module]:
        if self.whole.isChecked():
            return list(self.modules)
        return [m for m in self.modules if self.module_rows[m.id].box.isChecked()]

    def covered(self) -> Covered | None:
        if self.whole.isChecked():
            return Covered.course(self.pack)
        chosen = self.chosen_modules()
        return Covered(self.pack, tuple(chosen)) if chosen else None

    def _covered_changed(self, *_args: object) -> None:
        """The whole course ticks every module (greyed: they are not to choose); chosen modules are as ticked."""
        whole = self.whole.isChecked()
        for module_id, row in self.module_rows.items():
            row.box.blockSignals(True)
            row.box.setChecked(whole or module_id in self._picked)
            row.box.blockSignals(False)
            row.setEnabled(not whole)
            clear_invalid(row.box)  # 'no module ticked' is answered
        self._update_marks()

    def _module_ticked(self, *_args: object) -> None:
        if self.chosen.isChecked():
            self._picked = {i for i, row in self.module_rows.items() if row.box.isChecked()}
        for row in self.module_rows.values():
            clear_invalid(row.box)  # one ticked answers 'no module ticked' for them all
        self._update_marks()

    def _update_marks(self, *_args: object) -> None:
        modules = self.chosen_modules()
        score, most = self.score.value(), self.max_score.value()
        text = pass_mark_text(modules, most)
        self.pass_mark.setText(text)
        self.pass_mark.setAccessibleDescription(text)
        below = sessions.below_pass_mark(modules, score, most) if score <= most else []
        warning = below_text(below, len(modules)) if below else ""
        self.warning.setText(warning)
        self.warning_frame.setVisible(bool(warning))
        if warning and warning != self._warned:
            announce(self.warning, warning)  # said once as it appears or changes, not at every step of the score
            self.body_layout.activate()
            self.scroller.ensureWidgetVisible(self.warning_frame)
        self._warned = warning

    @property
    def below_warning(self) -> str:
        """The warning shown now ("" when the score reaches every pass mark)."""
        return self.warning.text() if self.warning_frame.isVisibleTo(self) else ""

    # Saving ----------------------------------------------------------------------------------------

    def show_error(self, text: str, focus: QWidget | None = None, fields: Sequence[QWidget] = ()) -> None:
        """Say why nothing was saved, below the form and aloud, the keyboard on ``focus``; ``fields`` (the
        first of them ``focus``, if it is one) are marked as at fault, ``text`` said with each."""
        for field in fields:
            mark_invalid(field, text, focus=field is focus)
        self.error.setText("✖ " + text)
        self.error.show()
        announce(self.error, text)
        if focus is not None and not focus.hasFocus():
            focus.setFocus()

    def day_chosen(self) -> dt.date:
        value = self.day.date()
        return dt.date(value.year(), value.month(), value.day())

    def save(self) -> None:
        """Check everything, ask about results below the pass mark, then record and show what was recorded."""
        if self.file_problems:
            self.show_error(
                _("The attendance list {file} has problems: correct it and load it again, or leave it out.").format(
                    file=self.problem_file.name if self.problem_file else ""
                ),
                self.leave_out_button,
            )
            return
        attendees = self.ticked()
        if not attendees:
            self.show_error(
                _("Tick the people who were at the session, or load the attendance list."), self.people, [self.people]
            )
            return
        covered = self.covered()
        if covered is None:
            boxes = [row.box for row in self.module_rows.values()]
            self.show_error(
                _("Tick the modules the session covered, or choose the whole course."),
                boxes[0] if boxes else self.chosen,
                boxes,
            )
            return
        score, most = self.score.value(), self.max_score.value()
        session = Session(covered, score, most, self.day_chosen(), self.note.text().strip() or None)
        try:
            planned = sessions.plan(self.store, session, attendees)
        except sessions.SessionError as error:
            if isinstance(error, sessions.ScoreError):
                self.show_error(error.say(), self.score, [self.score])
            else:
                self.show_error(error.say())
            return
        below = {m.id for m in sessions.below_pass_mark(covered.modules, score, most)}
        affected = [p for p in planned if any(m.id in below for m in p.modules)]
        if affected and not self.confirm_below(affected, [m for m in covered.modules if m.id in below], session):
            return
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.outcomes = sessions.record(self.store, session, planned, self.prove())
        except InputError as error:
            self.show_error(str(error))
            return
        finally:
            QApplication.restoreOverrideCursor()
        self._show_done(session)

    def confirm_below(self, affected: Sequence[sessions.Planned], below: Sequence[Module], session: Session) -> bool:
        text = ngettext(
            "{score} of {max} is below the pass mark of {modules}: {n} person will be recorded as not passed.",
            "{score} of {max} is below the pass mark of {modules}: {n} people will be recorded as not passed.",
            len(affected),
        ).format(
            score=session.score,
            max=session.max_score,
            modules=", ".join(m.title for m in below),
            n=len(affected),
        )
        text += "\n\n" + _("Record the session anyway?")
        return BelowPassMarkConfirmation(text, self).confirmed()

    def _show_done(self, session: Session) -> None:
        said = sessions.summary(self.outcomes)
        text = summary_text(self.outcomes, self.day_chosen(), session.score, session.max_score)
        self.summary.setPlainText(text)
        self.error.hide()
        self.pages.setCurrentWidget(self.done_page)
        self.cancel_button.hide()
        self.save_button.hide()
        self.close_button.show()
        self.close_button.setFocus()
        announce(self.summary, text.split("\n", 1)[0])
        self.recorded.emit(
            ngettext(
                "Recorded the face-to-face session for {n} person: {records}.",
                "Recorded the face-to-face session for {n} people: {records}.",
                said.people,
            ).format(n=said.people, records=ngettext("{n} record", "{n} records", said.records).format(n=said.records))
        )

    def _fit(self) -> None:
        if self.isVisible():
            fit_to_text(self, self.scroller, self.body)
