"""The door to the office console: the admin passphrase, set on first use, checked with waits after wrong tries.

With a shared folder that has the office's admin authority, the passphrase
must open the authority's sealed key (:mod:`socialsafe.office.authority`);
the key opened is what the office signs its records with while it is open.
With a shared folder that has none yet, the first set-up here makes it, after
showing what records already there it will adopt.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from socialsafe.config import Settings
from socialsafe.i18n import _, ngettext
from socialsafe.storage.store import Store
from socialsafe.ui.fields import mark_invalid
from socialsafe.ui.widgets import announce, button, label

SHARE_SECONDS = 3.0  # how long the gate waits for a shared folder that may not answer (a hung network drive)


def admin_module() -> Any:
    """:mod:`socialsafe.admin`, looked up at each use (so a test can stand in for it)."""
    from socialsafe import admin

    return admin


def wait_of(unlock: Any) -> int:
    """Whole seconds to wait that an unlock answer gives (``wait_seconds``, or ``wait``), rounded up."""
    value = getattr(unlock, "wait_seconds", None)
    if value is None:
        value = getattr(unlock, "wait", 0)
    return max(0, math.ceil(float(value or 0)))


def min_length(authority: bool = False) -> int:
    """The shortest passphrase that may be set (the admin module's rule); longer for the share's authority."""
    if authority:
        from socialsafe.trust.authority import MIN_LENGTH

        return MIN_LENGTH
    return int(getattr(admin_module(), "MIN_LENGTH", 8))


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def passphrase_field(text: str, layout: QVBoxLayout, submit: Callable[[], None]) -> QLineEdit:
    """A passphrase box with its caption above it (named by it), its typing hidden; Enter submits, once."""
    caption = label(text)
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setAccessibleName(text)
    caption.setBuddy(field)
    field.returnPressed.connect(lambda: None if _enter_presses_default(field) else submit())
    layout.addWidget(caption)
    layout.addWidget(field)
    return field


def _enter_presses_default(field: QLineEdit) -> bool:
    """Whether Enter in ``field`` goes on to its dialog's default button (Qt's way): then that button submits,
    and the field must not as well (one Enter on a wrong passphrase counted two wrong tries, the second one
    with the field already emptied)."""
    dialog = field.window()
    return isinstance(dialog, QDialog) and any(
        found.isDefault() and found.isVisibleTo(dialog) for found in dialog.findChildren(QPushButton)
    )


class GateDialog(QDialog):
    """Asks for the admin passphrase; on first use (none set yet) asks for a new one, twice.

    Opened with ``open()``; ``accepted`` means the office may open, with :attr:`key`
    the admin key when the share has the office's authority. ``clock`` gives the
    time the gate is asked at (tests move it on instead of waiting).
    """

    def __init__(
        self,
        store: Store,
        settings: Settings,
        parent: QWidget | None = None,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.settings = settings
        self.clock = clock
        admin = admin_module()
        from socialsafe.office import authority as office

        self.key: Any = None  # the admin key, once the passphrase has opened the share's authority
        self.access = office.access(settings, store, seconds=SHARE_SECONDS)
        self.missing = self.access.missing
        self.gate = admin.AdminGate(store, authority=self.access.authority)
        self.first_use = not self.missing and not self.gate.required
        # First use with a shared folder: the office's authority is made there, its passphrase a longer one.
        self.setting_up = self.first_use and self.access.share is not None
        self.setWindowTitle(_("Office: admin passphrase"))
        self.setAccessibleName(self.windowTitle())
        self._countdown = QTimer(self)
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self._tick)
        self._wait_until: dt.datetime | None = None

        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        if self.setting_up:
            title, intro = (
                _("Set up the office"),
                _(
                    "The shared folder has no office passphrase yet. Choose one of at least {n} characters (a few "
                    "ordinary words make a good one): it opens the office on every PC, and only records made with it "
                    "count as the office's. Keep it to yourself."
                ).format(n=min_length(self.setting_up)),
            )
        elif self.first_use:
            title, intro = (
                _("Set the admin passphrase"),
                _(
                    "No admin passphrase is set on this PC yet. Choose one of at least {n} characters: "
                    "it opens the office area, where everyone's training records are. Keep it to yourself."
                ).format(n=min_length()),
            )
        elif self.missing:
            title, intro = _("Office"), office.missing_message(self.access)
        else:
            title, intro = _("Office"), _("Type the admin passphrase to see everyone's training records.")
        layout.addWidget(label(title, "h2"))
        self.intro = label(intro)
        layout.addWidget(self.intro)

        self.passphrase = self._field(_("New passphrase") if self.first_use else _("Admin passphrase"), layout)
        self.repeat: QLineEdit | None = None
        if self.first_use:
            self.repeat = self._field(_("Type the new passphrase again"), layout)
        if self.missing:
            self.passphrase.setEnabled(False)
        self.message = label("")
        self.message.setAccessibleName(_("About the passphrase"))
        self.message.hide()
        layout.addWidget(self.message)

        row = QHBoxLayout()
        row.addStretch(1)
        self.cancel_button = button(_("Cancel"), _("Cancel: do not open the office"))
        self.cancel_button.clicked.connect(self.reject)
        self.ok_button = button(
            _("Set and open") if self.first_use else _("Open"),
            _("Set the passphrase and open the office") if self.first_use else _("Open the office"),
            primary=True,
        )
        self.ok_button.setDefault(True)
        self.ok_button.setEnabled(not self.missing)
        self.ok_button.clicked.connect(self.submit)
        row.addWidget(self.cancel_button)
        row.addWidget(self.ok_button)
        layout.addLayout(row)
        self.setMinimumWidth(min(760, max(460, self.fontMetrics().averageCharWidth() * 52)))

        if not self.first_use and not self.missing:
            remaining = getattr(self.gate, "remaining", None)
            left = int(remaining(self.clock())) if callable(remaining) else 0
            if left:
                self._start_wait(left, _("Too many wrong tries."))

    def _field(self, text: str, layout: QVBoxLayout) -> QLineEdit:
        return passphrase_field(text, layout, self.submit)

    # Answers -------------------------------------------------------------------------------

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))
        if text:
            announce(self.message, text)
        layout = self.layout()
        if layout is not None and self.isVisible():
            layout.activate()
            self.resize(self.width(), max(self.height(), self.sizeHint().height()))

    def _refuse(self, field: QLineEdit, text: str) -> None:
        """``text`` shown and said, ``field`` marked as the one to put right, with the keyboard on it."""
        mark_invalid(field, text)
        self._say(text)

    def submit(self) -> None:
        if self.waiting or self.missing:
            return
        if self.first_use:
            self._set_new()
        else:
            self._unlock()

    def _set_new(self) -> None:
        admin = admin_module()
        text = self.passphrase.text()
        assert self.repeat is not None
        shortest = min_length(self.setting_up)
        if len(text.strip()) < shortest:
            self._refuse(
                self.passphrase, _("✖ The passphrase must be at least {n} characters long.").format(n=shortest)
            )
            return
        if text != self.repeat.text():
            self.repeat.clear()
            self._refuse(self.repeat, _("✖ The two passphrases are not the same: type them again."))
            return
        if self.setting_up:
            self._set_up(text)
            return
        try:
            admin.set_passphrase(self.store, text)
        except ValueError as error:  # admin.PassphraseError: too short, or set by the site config
            self._refuse(self.passphrase, "✖ " + str(error))
            return
        self.accept()

    def _set_up(self, text: str) -> None:
        """Make the share's authority, after the office has seen what it will adopt."""
        from socialsafe.office import authority as office
        from socialsafe.sync.share import ShareError

        share = self.access.share
        assert share is not None
        try:
            found = office.adoption(share)
        except OSError as error:
            self._say("✖ " + str(error))
            return
        adopt = True
        if not found.empty:
            from socialsafe.ui.admin.adopt import AdoptDialog

            dialog = AdoptDialog(found, self)
            self.adopt_dialog = dialog
            if dialog.exec() != QDialog.DialogCode.Accepted:
                self._say(_("Nothing was set up."))
                return
            adopt = dialog.adopt
        try:
            result = office.set_up(self.settings, self.store, text, adopt)
        except (office.SetupError, ShareError, ValueError) as error:
            self._say("✖ " + str(error))
            return
        self.key = result.key
        self.accept()

    def _unlock(self) -> None:
        answer = self.gate.try_unlock(self.passphrase.text(), self.clock())
        if answer.ok:
            self.key = getattr(answer, "key", None)
            self.accept()
            return
        self.passphrase.clear()
        wait = wait_of(answer)
        checked = str(getattr(answer, "result", "wrong")) != "wait"
        reason = _("✖ That is not the admin passphrase.") if checked else _("Too many wrong tries.")
        if wait:
            if checked:  # a wrong passphrase, then a wait; not a wait alone, which says nothing of what was typed
                mark_invalid(self.passphrase, reason, focus=False)
            self._start_wait(wait, reason)
        else:
            self._refuse(self.passphrase, reason + " " + _("Try again."))

    # Waiting after wrong tries -----------------------------------------------------------------

    @property
    def waiting(self) -> bool:
        return self._wait_until is not None

    def _start_wait(self, seconds: int, reason: str) -> None:
        self._reason = reason
        self._wait_until = self.clock() + dt.timedelta(seconds=seconds)
        self.passphrase.setEnabled(False)
        self.ok_button.setEnabled(False)
        self.cancel_button.setFocus()
        self._countdown.start()
        self._tick()

    def seconds_left(self) -> int:
        if self._wait_until is None:
            return 0
        return max(0, math.ceil((self._wait_until - self.clock()).total_seconds()))

    def _tick(self) -> None:
        left = self.seconds_left()
        if left > 0:
            wait = ngettext("You can try again in {n} second.", "You can try again in {n} seconds.", left).format(
                n=left
            )
            # Said aloud when the wait starts; the count then changes quietly.
            if self.message.text().startswith(self._reason):
                self.message.setText(self._reason + " " + wait)
                self.message.setAccessibleDescription(self.message.text())
            else:
                self._say(self._reason + " " + wait)
            return
        self._countdown.stop()
        self._wait_until = None
        self.passphrase.setEnabled(True)
        self.ok_button.setEnabled(True)
        self.passphrase.setFocus()
        self._say(_("You can try again now."))

    def done(self, result: int) -> None:
        self._countdown.stop()
        super().done(result)
