"""The office's PCs: which it trusts, which wait for it, what does not count, and checking a certificate.

Nothing here decides anything: :mod:`socialsafe.office.authority` and
:mod:`socialsafe.office.certificates` do. Text read from the share (PC and
people's names) is shown as plain text only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from socialsafe.config import Settings
from socialsafe.content.loader import Content
from socialsafe.i18n import _, format_date, ngettext
from socialsafe.labels import role_label, status_name
from socialsafe.storage.store import Store
from socialsafe.ui.safe_text import as_text
from socialsafe.ui.sync_worker import Relay, run_in_background
from socialsafe.ui.widgets import announce, button, card, label

LOAD, CHECK = "pcs", "check"


class NewPassphraseDialog(QDialog):
    """A new admin passphrase for the office's authority, typed twice: to set it up, or to change it."""

    def __init__(self, title: str, intro: str, action: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from socialsafe.trust.authority import MIN_LENGTH

        self.shortest = MIN_LENGTH
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        layout = QVBoxLayout(self)
        layout.addWidget(label(title, "h2"))
        layout.addWidget(label(intro))
        self.passphrase = self._field(_("New passphrase"), layout)
        self.repeat = self._field(_("Type the new passphrase again"), layout)
        self.message = label("")
        self.message.setAccessibleName(_("About the passphrase"))
        self.message.hide()
        layout.addWidget(self.message)
        row = QHBoxLayout()
        row.addStretch(1)
        self.cancel_button = button(_("Cancel"), _("Cancel: change nothing"))
        self.ok_button = button(action, action, primary=True)
        self.ok_button.setDefault(True)
        self.cancel_button.clicked.connect(self.reject)
        self.ok_button.clicked.connect(self.submit)
        row.addWidget(self.cancel_button)
        row.addWidget(self.ok_button)
        layout.addLayout(row)
        self.setMinimumWidth(min(760, max(460, self.fontMetrics().averageCharWidth() * 52)))

    def _field(self, text: str, layout: QVBoxLayout) -> QLineEdit:
        from socialsafe.ui.admin.gate import passphrase_field

        return passphrase_field(text, layout, self.submit)

    def _say(self, text: str, field: QLineEdit) -> None:
        self.message.setText(text)
        self.message.show()
        announce(self.message, text)
        field.setFocus()

    def submit(self) -> None:
        text = self.passphrase.text()
        if len(text.strip()) < self.shortest:
            self._say(
                _("✖ The passphrase must be at least {n} characters long.").format(n=self.shortest), self.passphrase
            )
            return
        if text != self.repeat.text():
            self.repeat.clear()
            self._say(_("✖ The two passphrases are not the same: type them again."), self.repeat)
            return
        self.accept()


def check_lines(check: Any) -> list[str]:
    """What the office is told of a verification code, a sentence a line."""
    if not check.genuine:
        lines = ["✖ " + check.problem]
        if check.name:
            lines.append(_("It names {name}, {school}.").format(name=check.name, school=check.school))
        return lines
    lines = [
        "✔ "
        + _("Genuine: {code} was issued by {pc} on {date}.").format(
            code=check.code, pc=check.issued_by, date=format_date(check.issued_at.date()) if check.issued_at else ""
        ),
        _("To: {name}, {role}, {school}.").format(name=check.name, role=role_label(check.role), school=check.school),
        _("Completed {completed}, valid until {expires} (policy version {version}).").format(
            completed=format_date(check.completed_on) if check.completed_on else "",
            expires=format_date(check.expires_on) if check.expires_on else "",
            version=check.policy_version,
        ),
    ]
    if check.status_now is not None:
        lines.append(_("Their training today: {status}.").format(status=status_name(check.status_now)))
    return lines


def _table(name: str, headings: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headings))
    table.setAccessibleName(name)
    table.horizontalHeader().setAccessibleName(_("{table}: column headings").format(table=name))
    table.verticalHeader().setVisible(False)
    table.setHorizontalHeaderLabels(headings)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setTabKeyNavigation(False)
    table.horizontalHeader().setStretchLastSection(True)
    table.setMinimumHeight(table.fontMetrics().height() * 6)
    return table


def _fill(table: QTableWidget, rows: list[list[str]]) -> None:
    table.setRowCount(len(rows))
    for r, cells in enumerate(rows):
        for c, text in enumerate(cells):
            item = QTableWidgetItem(text)
            item.setFlags(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled)
            table.setItem(r, c, item)
    table.resizeColumnsToContents()


class PcsPage(QWidget):
    """The office's authority, this PC, PCs waiting for approval, records not counted, and certificate checks."""

    changed = Signal()  # the office trusted a PC or was set up: everyone's records are read again
    key_changed = Signal(object)  # the admin key to sign with from now on (set up here, or a new passphrase)

    def __init__(self, store: Store, settings: Settings, content: Content, key: Any = None) -> None:
        super().__init__()
        self.setObjectName("pcsPage")
        self.store, self.settings, self.content, self.key = store, settings, content, key
        self.view: Any = None
        self.dialog: QDialog | None = None  # the dialog open now, if any (tests drive it)
        self._relay = Relay(self)
        self._relay.done.connect(self._done)
        self._relay.failed.connect(self._failed)
        self._request = 0

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setSpacing(12)

        frame, box = card()
        box.addWidget(label(_("The office's authority"), "h2"))
        self.authority_text = label("")
        self.authority_text.setAccessibleName(_("About the office's authority"))
        self.authority_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.addWidget(self.authority_text)
        row = QHBoxLayout()
        self.setup_button = button(
            _("Set up the office's authority…"),
            _("Set up the office's authority on the shared folder"),
            primary=True,
        )
        self.passphrase_button = button(_("Change passphrase…"), _("Change the office's admin passphrase"))
        self.setup_button.clicked.connect(self.set_up)
        self.passphrase_button.clicked.connect(self.change_passphrase)
        row.addWidget(self.setup_button)
        row.addWidget(self.passphrase_button)
        row.addStretch(1)
        box.addLayout(row)
        layout.addWidget(frame)

        frame, box = card()
        box.addWidget(label(_("This PC"), "h2"))
        self.this_pc = label("")
        self.this_pc.setAccessibleName(_("Whether the office trusts this PC"))
        box.addWidget(self.this_pc)
        row = QHBoxLayout()
        self.settings_button = button(
            _("PC settings"),
            _("This PC's settings"),
            description=_("The shared folder results are copied to, and when the PC goes back to 'Who are you?'"),
        )
        row.addWidget(self.settings_button)
        self.trust_button = button(
            _("Trust this PC"),
            _("Trust this PC: its learners' results count on every PC"),
            primary=True,
        )
        self.trust_button.clicked.connect(self.trust_this_pc)
        row.addWidget(self.trust_button)
        row.addStretch(1)
        box.addLayout(row)
        layout.addWidget(frame)

        layout.addWidget(label(_("PCs waiting for the office's approval"), "h2"))
        self.waiting = _table(
            _("PCs waiting for the office's approval"), [_("PC"), _("Key"), _("People"), _("Records"), _("Why")]
        )
        self.waiting.itemSelectionChanged.connect(self._enable)
        self.waiting.activated.connect(lambda _index: self.approve())
        layout.addWidget(self.waiting)
        row = QHBoxLayout()
        self.approve_button = button(_("Approve…"), _("Approve the selected PC: its records count from the next sync"))
        self.approve_button.clicked.connect(self.approve)
        row.addWidget(self.approve_button)
        row.addStretch(1)
        layout.addLayout(row)

        layout.addWidget(label(_("Records not counted"), "h2"))
        self.apart = _table(_("Records not counted"), [_("PC"), _("Why"), _("Records"), _("People"), _("File")])
        layout.addWidget(self.apart)

        frame, box = card()
        box.addWidget(label(_("Check a certificate"), "h2"))
        caption = label(_("Verification code, as printed on the certificate"))
        self.code = QLineEdit()
        self.code.setAccessibleName(_("Verification code"))
        self.code.setPlaceholderText("7KQ2-M9XD-4FTA")
        caption.setBuddy(self.code)
        self.code.returnPressed.connect(self.check_code)
        box.addWidget(caption)
        row = QHBoxLayout()
        row.addWidget(self.code, 1)
        self.check_button = button(_("Check"), _("Check the verification code"))
        self.check_button.clicked.connect(self.check_code)
        row.addWidget(self.check_button)
        box.addLayout(row)
        self.result = label("")
        self.result.setAccessibleName(_("What the verification code shows"))
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.addWidget(self.result)
        layout.addWidget(frame)

        self.message = label("", "muted")
        self.message.setAccessibleName(_("PCs: messages"))
        layout.addWidget(self.message)
        layout.addStretch(1)
        self._enable()

    # Loading --------------------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the share again, off the GUI thread."""
        from socialsafe.office.authority import pcs_view

        self._request += 1
        self._say(_("Loading…"))
        store, settings = self.store, self.settings
        run_in_background(lambda: pcs_view(settings, store), self._relay, tag=(LOAD, self._request), name="office-pcs")

    def _done(self, tag: object, result: Any) -> None:
        if isinstance(tag, tuple) and tag[0] == LOAD:
            if tag == (LOAD, self._request):
                self.show_view(result)
        elif tag == CHECK:
            self.result.setText("\n".join(check_lines(result)))
            announce(self.result, self.result.text())
            self.check_button.setEnabled(True)

    def _failed(self, tag: object, message: str) -> None:
        if tag == CHECK:
            self.check_button.setEnabled(True)
            self.result.setText("⚠ " + message)
            announce(self.result, self.result.text())
        elif tag == (LOAD, self._request):
            self._say("⚠ " + message, alert=True)

    def show_view(self, view: Any) -> None:
        from socialsafe.config import SHARE_SETTING

        self.view = view
        share = self.settings.share_folder(self.store.setting(SHARE_SETTING))[0]
        if view.authority is not None:
            self.authority_text.setText(
                _(
                    "The office's records (face-to-face results, paper sign-offs, erasures, the staff list, "
                    "trusted PCs) are signed with the office's key, {key}. So that no one can swap it, your IT "
                    'team can set admin_authority = "{key}" in the site config of every PC.'
                ).format(key=view.authority.fingerprint)
            )
        elif share is None:
            self.authority_text.setText(_("No shared folder is set: the office's records stay on this PC."))
        else:
            self.authority_text.setText(
                "⚠ "
                + _(
                    "The office's authority is not set up on the shared folder yet, so anyone who can open it "
                    "could add or change records there. Set it up to protect them."
                )
            )
        self.setup_button.setVisible(view.authority is None and share is not None)
        self.passphrase_button.setVisible(view.authority is not None)
        if view.authority is None:
            self.this_pc.setText(_("This PC's key is {key}.").format(key=view.this_key))
        elif view.this_trusted:
            self.this_pc.setText(
                _("The office trusts this PC (key {key}): its learners' results count on every PC.").format(
                    key=view.this_key
                )
            )
        else:
            self.this_pc.setText(
                "⚠ "
                + _(
                    "The office does not trust this PC yet (key {key}): results made here count only on this PC."
                ).format(key=view.this_key)
            )
        self.trust_button.setVisible(view.authority is not None and not view.this_trusted)
        waiting = view.waiting
        _fill(
            self.waiting,
            [
                [
                    f"{u.device_name or _('a PC with no name')} ({u.device_id[:8]})",
                    u.fingerprint,
                    str(len(u.people)),
                    str(len(u.records)),
                    u.reason,
                ]
                for u in waiting
            ],
        )
        apart = [u for u in view.unverified if not u.waiting]
        _fill(
            self.apart,
            [[u.device_name, u.reason, str(len(u.records)), ", ".join(u.people), u.path.name] for u in apart],
        )
        self._say(
            ngettext("{n} PC waiting for approval.", "{n} PCs waiting for approval.", len(waiting)).format(
                n=len(waiting)
            )
            + " "
            + ngettext(
                "{n} file whose records are not counted.", "{n} files whose records are not counted.", len(apart)
            ).format(n=len(apart))
        )
        self._enable()

    def _enable(self) -> None:
        self.approve_button.setEnabled(self.key is not None and self.selected() is not None)

    def selected(self) -> Any:
        rows = {i.row() for i in self.waiting.selectedIndexes()}
        if self.view is None or len(rows) != 1:
            return None
        waiting = self.view.waiting
        row = rows.pop()
        return waiting[row] if row < len(waiting) else None

    def _say(self, text: str, alert: bool = False) -> None:
        self.message.setText(text)
        if alert:
            announce(self.message, text)

    # Actions --------------------------------------------------------------------------------------

    def _sync_soon(self) -> None:
        self.changed.emit()
        self.reload()

    def trust_this_pc(self) -> None:
        from socialsafe.office.authority import enrol_this_pc

        if self.key is None:
            return
        enrol_this_pc(self.store, self.key)
        self._say("✔ " + _("The office now trusts this PC: its results count on every PC from the next sync."), True)
        self._sync_soon()

    def approve(self) -> None:
        from socialsafe.office.authority import approve
        from socialsafe.trust import keys

        pc = self.selected()
        if pc is None or self.key is None or pc.key is None:
            return
        question = _(
            "Approve {name} ({device})? Its records will count on every PC. Only approve a PC you know: on it, "
            "the sync message (or socialsafe sync) shows its key, which must be {key}."
        ).format(name=pc.device_name or _("a PC with no name"), device=pc.device_id, key=pc.fingerprint)
        answer = QMessageBox.question(self, _("Approve this PC"), as_text(question))  # a PC names itself
        if answer != QMessageBox.StandardButton.Yes:
            return
        approve(self.store, self.key, pc.device_id, keys.b64(pc.key), pc.device_name)
        self._say("✔ " + _("Approved {name}: its records count from the next sync.").format(name=pc.device_name), True)
        self._sync_soon()

    def set_up(self) -> None:
        """Make the office's authority on the share, after showing what it will adopt."""
        from socialsafe.office import authority as office
        from socialsafe.sync.share import ShareError
        from socialsafe.trust.authority import MIN_LENGTH
        from socialsafe.ui.admin.adopt import AdoptDialog

        dialog = NewPassphraseDialog(
            _("Set up the office's authority"),
            _(
                "Choose the office's passphrase for every PC: at least {n} characters (a few ordinary words make a "
                "good one). Anyone who can open the shared folder could try guesses against it, so make it long."
            ).format(n=MIN_LENGTH),
            _("Set up"),
            self,
        )
        self.dialog = dialog
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        share = office.access(self.settings, self.store).share
        if share is None:
            return
        try:
            found = office.adoption(share)
            adopt = True
            if not found.empty:
                choice = AdoptDialog(found, self)
                self.dialog = choice
                if choice.exec() != QDialog.DialogCode.Accepted:
                    return
                adopt = choice.adopt
            result = office.set_up(self.settings, self.store, dialog.passphrase.text(), adopt)
        except (office.SetupError, ShareError, OSError, ValueError) as error:
            self._say("⚠ " + str(error), True)
            QMessageBox.warning(self, _("Not set up"), as_text(str(error)))
            return
        self.key = result.key
        self.key_changed.emit(result.key)
        self._say(
            "✔ "
            + _("The office's authority is set up. Its key is {key}.").format(
                key=result.key.authority.fingerprint if result.key else ""
            ),
            True,
        )
        self._sync_soon()

    def change_passphrase(self) -> None:
        from socialsafe.config import SHARE_SETTING
        from socialsafe.office.authority import change_passphrase

        if self.key is None:
            return
        dialog = NewPassphraseDialog(
            _("Change the office's passphrase"),
            _("The new passphrase opens the office on every PC from its next sync; the old one then opens nothing."),
            _("Change"),
            self,
        )
        self.dialog = dialog
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        share = self.settings.share_folder(self.store.setting(SHARE_SETTING))[0]
        try:
            self.key = change_passphrase(self.store, self.key, dialog.passphrase.text(), share)
        except ValueError as error:
            QMessageBox.warning(self, _("Not changed"), as_text(str(error)))
            return
        self.key_changed.emit(self.key)
        self._say("✔ " + _("Changed the office's passphrase."), True)

    def check_code(self) -> None:
        from socialsafe.office.certificates import check_certificate

        typed = self.code.text()
        if not typed.strip():
            self.code.setFocus()
            return
        self.check_button.setEnabled(False)
        self.result.setText(_("Checking…"))
        store, settings, content = self.store, self.settings, self.content
        run_in_background(
            lambda: check_certificate(settings, store, content, typed, dt.date.today()),
            self._relay,
            tag=CHECK,
            name="office-certificate",
        )
