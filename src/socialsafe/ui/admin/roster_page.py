"""The office's staff list: who should do the training, importing it from a spreadsheet, and exemptions.

Nothing here decides anything: :mod:`socialsafe.roster` previews, applies and
saves; this page shows the roster, asks, and saves through it. The roster is
kept on the share when one is set, else in the data folder.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from socialsafe import roster
from socialsafe.config import SHARE_SETTING, Settings
from socialsafe.content.model import Role
from socialsafe.domain.people import person_identity
from socialsafe.i18n import _, format_date, ngettext
from socialsafe.roster import Match, RosterError, RosterPerson, RosterPreview, ShareError
from socialsafe.storage.store import Store
from socialsafe.ui.safe_text import as_text
from socialsafe.ui.widgets import announce, button, label, name_button

CLEARED = 2  # ExemptionDialog's result when "Clear exemption" is pressed


def role_in_words(code: str) -> str:
    try:
        return roster.role_labels()[Role(code)]
    except ValueError:
        return code


def one_row_csv(name: str, email: str, role: str, school: str) -> str:
    """A staff list of one row, so that a person added by hand is checked exactly as an imported row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(roster.IMPORT_COLUMNS)
    writer.writerow([name, email, role, school])
    return out.getvalue()


def preview_summary(preview: RosterPreview) -> list[str]:
    """The preview's counts, one sentence a line."""
    return [
        ngettext(
            "{n} person already on the staff list.",
            "{n} people already on the staff list.",
            len(preview.of(Match.ROSTER)),
        ).format(n=len(preview.of(Match.ROSTER))),
        ngettext(
            "{n} person who already uses SocialSafe on this PC.",
            "{n} people who already use SocialSafe on this PC.",
            len(preview.of(Match.LEARNER)),
        ).format(n=len(preview.of(Match.LEARNER))),
        ngettext("{n} new person.", "{n} new people.", len(preview.of(Match.NEW))).format(n=len(preview.of(Match.NEW))),
        ngettext("{n} duplicate row left out.", "{n} duplicate rows left out.", len(preview.duplicates)).format(
            n=len(preview.duplicates)
        ),
        ngettext("{n} row with problems left out.", "{n} rows with problems left out.", len(preview.problems)).format(
            n=len(preview.problems)
        ),
    ]


class ImportPreviewDialog(QDialog):
    """What importing the file would do; nothing is saved until Import."""

    def __init__(self, preview: RosterPreview, file_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preview = preview
        self.setWindowTitle(_("Import staff list"))
        self.setAccessibleName(_("Import staff list: preview"))
        layout = QVBoxLayout(self)
        layout.addWidget(label(_("What importing {file} would do:").format(file=file_name)))
        self.summary = label("\n".join(preview_summary(preview)))
        self.summary.setAccessibleName(_("What the import would do"))
        layout.addWidget(self.summary)
        self.left_out = label(
            "\n".join(_("Line {line}: {message}").format(line=p.line, message=p.message) for p in preview.left_out)
        )
        self.left_out.setAccessibleName(_("Rows left out"))
        self.left_out.setVisible(bool(preview.left_out))
        layout.addWidget(self.left_out)
        box = QDialogButtonBox()
        self.import_button = QPushButton(_("Import"))
        self.import_button.setAccessibleName(_("Import these people into the staff list"))
        self.import_button.setEnabled(bool(preview.rows))
        self.cancel_button = QPushButton(_("Cancel"))
        self.cancel_button.setAccessibleName(_("Cancel: import nothing"))
        box.addButton(self.import_button, QDialogButtonBox.ButtonRole.AcceptRole)
        box.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        layout.addWidget(box)
        self.cancel_button.setFocus()

    def showEvent(self, event) -> None:
        """Rows left out are problems: said to a screen reader as the preview opens, not only shown."""
        super().showEvent(event)
        if self.preview.left_out:
            announce(self.left_out, self.summary.text() + "\n" + self.left_out.text())


class PersonDialog(QDialog):
    """Add one person by hand: checked as a row of an imported staff list would be."""

    def __init__(self, existing: list[RosterPerson], store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.existing, self.store = existing, store
        self.preview: RosterPreview | None = None
        self.setWindowTitle(_("Add person"))
        self.setAccessibleName(_("Add a person to the staff list"))
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.name = QLineEdit()
        self.name.setAccessibleName(_("Name"))
        self.email = QLineEdit()
        self.email.setAccessibleName(_("Email (optional)"))
        self.role = QComboBox()
        self.role.setAccessibleName(_("Role"))
        for role, text in roster.role_labels().items():
            self.role.addItem(text, role.value)
        self.school = QLineEdit()
        self.school.setAccessibleName(_("School"))
        form.addRow(_("&Name:"), self.name)
        form.addRow(_("&Email (optional):"), self.email)
        form.addRow(_("&Role:"), self.role)
        form.addRow(_("&School:"), self.school)
        layout.addLayout(form)
        self.message = label("", "error")
        self.message.setAccessibleName(_("What needs correcting"))
        layout.addWidget(self.message)
        box = QDialogButtonBox()
        add = QPushButton(_("Add"))
        add.setAccessibleName(_("Add this person to the staff list"))
        cancel = QPushButton(_("Cancel"))
        cancel.setAccessibleName(_("Cancel: add no one"))
        box.addButton(add, QDialogButtonBox.ButtonRole.AcceptRole)
        box.addButton(cancel, QDialogButtonBox.ButtonRole.RejectRole)
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        layout.addWidget(box)
        self.name.setFocus()

    def check(self) -> str:
        """'' when the person can be added (self.preview then adds them), else what is wrong."""
        text = one_row_csv(
            self.name.text(), self.email.text().strip(), str(self.role.currentData()), self.school.text()
        )
        preview = roster.preview(self.existing, self.store.learners(), text)
        if preview.left_out:
            return preview.left_out[0].message
        if not preview.rows:
            return _("a row with no name")
        if preview.rows[0].match is Match.ROSTER:
            return _("{name} is already on the staff list.").format(name=preview.rows[0].name)
        self.preview = preview
        return ""

    def accept(self) -> None:
        problem = self.check()
        if problem:
            self.message.setText(problem)
            announce(self.message, problem)
            return
        super().accept()


class ExemptionDialog(QDialog):
    """Exempt one person until a date, for a reason; or clear their exemption."""

    def __init__(self, person: RosterPerson, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Mark exempt"))
        self.setAccessibleName(_("Mark {name} exempt").format(name=person.name))
        layout = QVBoxLayout(self)
        layout.addWidget(label(_("{name} need not do the training until:").format(name=person.name)))
        form = QFormLayout()
        self.until = QDateEdit()
        self.until.setCalendarPopup(True)
        self.until.setAccessibleName(_("Exempt until"))
        today = QDate.currentDate()
        self.until.setMinimumDate(today)
        start = person.exempt_until or (dt.date.today() + dt.timedelta(days=365))
        self.until.setDate(QDate(start.year, start.month, start.day))
        self.reason = QLineEdit(person.exempt_reason)
        self.reason.setAccessibleName(_("Reason for the exemption"))
        form.addRow(_("&Until:"), self.until)
        form.addRow(_("&Reason:"), self.reason)
        layout.addLayout(form)
        box = QDialogButtonBox()
        save = QPushButton(_("Save exemption"))
        name_button(save, _("Save the exemption"))
        self.clear_button = QPushButton(_("Clear exemption"))
        name_button(self.clear_button, _("Clear the exemption: the training is due again"))
        self.clear_button.setEnabled(person.exempt_until is not None)
        cancel = QPushButton(_("Cancel"))
        cancel.setAccessibleName(_("Cancel: change nothing"))
        box.addButton(save, QDialogButtonBox.ButtonRole.AcceptRole)
        box.addButton(self.clear_button, QDialogButtonBox.ButtonRole.ActionRole)
        box.addButton(cancel, QDialogButtonBox.ButtonRole.RejectRole)
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        self.clear_button.clicked.connect(lambda: self.done(CLEARED))
        layout.addWidget(box)
        self.until.setFocus()

    def values(self) -> tuple[dt.date, str]:
        return self.until.date().toPython(), self.reason.text()  # type: ignore[return-value]


class RosterPage(QWidget):
    """The staff list as a table, with import, add and exemption."""

    changed = Signal()  # the roster was saved: the office reloads

    COLUMNS = ("name", "email", "role", "school", "until", "reason")

    def __init__(self, store: Store, settings: Settings, parent: QWidget | None = None, key: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("rosterPage")
        self.store, self.settings = store, settings
        self.key = key  # the office's admin key: a share with its authority keeps the staff list it signed
        self.people: list[RosterPerson] = []
        self.readable = False
        self.dialog: QDialog | None = None  # the dialog open now, if any (tests look at it)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        buttons = QHBoxLayout()
        self.import_button = button(
            _("Import staff list…"),
            _("Import staff list from a CSV file"),
            description=_("Read a CSV file with the columns name, email, role, school; you see a preview first"),
        )
        self.add_button = button(_("Add person…"), _("Add a person to the staff list"))
        self.exempt_button = button(
            _("Mark exempt…"),
            _("Mark the selected person exempt, or clear their exemption"),
        )
        self.import_button.clicked.connect(self.import_file)
        self.add_button.clicked.connect(self.add_person)
        self.exempt_button.clicked.connect(self.mark_exempt)
        for widget in (self.import_button, self.add_button, self.exempt_button):
            buttons.addWidget(widget)
        buttons.addStretch(1)
        layout.addLayout(buttons)

        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setAccessibleName(_("Staff list"))
        self.table.horizontalHeader().setAccessibleName(_("Staff list column headings"))
        self.table.verticalHeader().setAccessibleName(_("Staff list row numbers"))
        self.table.setHorizontalHeaderLabels(
            [_("Name"), _("Email"), _("Role"), _("School"), _("Exempt until"), _("Reason")]
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._enable)
        self.table.activated.connect(lambda _index: self.mark_exempt())
        layout.addWidget(self.table, 1)
        self.message = label("", "muted")
        self.message.setAccessibleName(_("Staff list messages"))
        layout.addWidget(self.message)
        self._enable()

    # Where it is kept ---------------------------------------------------------------------------

    def share(self) -> Path | None:
        return self.settings.share_folder(self.store.setting(SHARE_SETTING))[0]

    def signing(self):
        """How the share's staff list is read and written: signed, once the share has the office's authority."""
        from socialsafe.office.authority import roster_signing_for

        return roster_signing_for(self.settings, self.store, self.key)

    def reload(self) -> None:
        """Read the roster again; when it cannot be read, say so and change nothing."""
        try:
            self.people = roster.load(self.share(), self.settings.data_dir, self.signing())
            self.readable = True
            self._say(
                ngettext("{n} person on the staff list.", "{n} people on the staff list.", len(self.people)).format(
                    n=len(self.people)
                )
            )
        except (ShareError, RosterError) as error:
            self.people, self.readable = [], False
            lines = [str(error)] + [str(p) for p in getattr(error, "problems", [])]
            self._say("⚠ " + "\n".join(lines), alert=True)
        self._show()

    def _save(self, people: list[RosterPerson], done: str) -> bool:
        """Save ``people`` as the roster; on failure one calm message, and the roster as it was."""
        try:
            roster.save(
                people, self.share(), self.settings.data_dir, owner=self.store.device_id, signing=self.signing()
            )
        except (ShareError, OSError) as error:
            text = (
                str(error)
                if isinstance(error, ShareError)
                else _("The staff list could not be saved ({reason}). Nothing was changed.").format(
                    reason=error.strerror or error
                )
            )
            self._say("⚠ " + text, alert=True)
            QMessageBox.warning(self, _("Staff list not saved"), as_text(text))
            return False
        self.people = list(people)
        self._show()
        self._say("✔ " + done, alert=True)
        self.changed.emit()
        return True

    # The table -----------------------------------------------------------------------------------

    def _show(self) -> None:
        self.table.setRowCount(len(self.people))
        for row, person in enumerate(self.people):
            cells = (
                person.name,
                person.email or "",
                role_in_words(person.role),
                person.school,
                format_date(person.exempt_until) if person.exempt_until else "",
                person.exempt_reason,
            )
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        self._enable()

    def _enable(self) -> None:
        self.import_button.setEnabled(self.readable)
        self.add_button.setEnabled(self.readable)
        self.exempt_button.setEnabled(self.readable and self.selected() is not None)

    def selected(self) -> RosterPerson | None:
        rows = {index.row() for index in self.table.selectionModel().selectedRows()}
        if len(rows) != 1:
            return None
        row = rows.pop()
        return self.people[row] if 0 <= row < len(self.people) else None

    def select(self, name: str) -> None:
        for row, person in enumerate(self.people):
            if person.name == name:
                self.table.selectRow(row)
                return

    def _say(self, text: str, alert: bool = False) -> None:
        self.message.setText(text)
        if alert:
            announce(self.message, text)
        else:
            self.message.setAccessibleDescription(text)

    # Actions -------------------------------------------------------------------------------------

    def import_file(self) -> None:
        chosen = QFileDialog.getOpenFileName(
            self, _("Import staff list"), str(Path.home()), _("CSV files (*.csv);;All files (*)")
        )[0]
        if not chosen:
            return
        path = Path(chosen)
        try:
            text = roster.decode(path.read_bytes())
        except ValueError as error:
            self._say("⚠ " + str(error), alert=True)
            return
        except OSError as error:
            self._say(
                "⚠ " + _("{file} cannot be read ({reason}).").format(file=path, reason=error.strerror or error),
                alert=True,
            )
            return
        preview = roster.preview(self.people, self.store.learners(), text)
        dialog = ImportPreviewDialog(preview, path.name, self)
        self.dialog = dialog
        if dialog.exec() != QDialog.DialogCode.Accepted or not preview.rows:
            self._say(_("Nothing was imported."))
            return
        added = len(preview.rows) - len(preview.of(Match.ROSTER))
        self._save(
            roster.apply(self.people, preview),
            ngettext(
                "Imported the staff list: {n} person added.", "Imported the staff list: {n} people added.", added
            ).format(n=added),
        )

    def add_person(self) -> None:
        dialog = PersonDialog(self.people, self.store, self)
        self.dialog = dialog
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.preview is None:
            return
        [row] = dialog.preview.rows
        if self._save(roster.apply(self.people, dialog.preview), _("Added {name}.").format(name=row.name)):
            self.select(row.name)

    def mark_exempt(self) -> None:
        person = self.selected()
        if person is None:
            return
        dialog = ExemptionDialog(person, self)
        self.dialog = dialog
        result = dialog.exec()
        identity = person_identity(person.name, person.school, person.email)
        if result == CLEARED:
            people = roster.set_exemption(self.people, identity, None)
            done = _("{name} is no longer exempt.").format(name=person.name)
        elif result == QDialog.DialogCode.Accepted:
            until, reason = dialog.values()
            people = roster.set_exemption(self.people, identity, until, reason)
            done = _("{name} is exempt until {date}.").format(name=person.name, date=format_date(until))
        else:
            return
        if self._save(people, done):
            self.select(person.name)
            self.table.setFocus()


__all__ = ["ExemptionDialog", "ImportPreviewDialog", "PersonDialog", "RosterPage"]
