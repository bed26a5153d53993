"""Settings: when the PC goes back to 'Who are you?', and the shared folder results are copied to.

It also lists every other setting in force and where it comes from (the site
config IT deploys, this PC, or the built-in default), so an office manager can
tell why the app behaves as it does.

A folder chosen here is checked at once, off the GUI thread (a network drive
may not answer for minutes): it must be reachable, writable and either empty
of SocialSafe files or already SocialSafe's. Only a folder that passed the
check can be saved. A folder given on the command line or in the environment
comes before this PC's choice, so it is shown but cannot be changed here.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from socialsafe import __version__
from socialsafe.config import IDLE_SETTING, SHARE_SETTING, Resolved, Settings, Source, effective_all
from socialsafe.i18n import _, format_percent, ngettext
from socialsafe.labels import role_label
from socialsafe.storage.models import utcnow
from socialsafe.storage.store import Store
from socialsafe.sync.share import open_share
from socialsafe.ui.fields import clear_invalid, mark_invalid
from socialsafe.ui.safe_text import as_text
from socialsafe.ui.sync_worker import Relay, first_sentence, run_in_background
from socialsafe.ui.widgets import announce, button, esc, fit_to_text, in_our_words, label


def source_text(source: Source) -> str:
    """Where a setting came from, as a phrase after its value."""
    return {
        Source.FLAG: _("from the command line"),
        Source.ENVIRONMENT: _("from the environment"),
        Source.SAVED: _("from this PC's settings"),
        Source.SITE: _("from the site config"),
        Source.DEFAULT: _("the built-in default"),
    }.get(source, "")


def in_force_lines(settings: Settings, store: Store) -> list[tuple[str, str]]:
    """(setting, value — where it comes from) for the settings this dialog does not change."""
    found = effective_all(settings, store)

    def line(key: str, value: str) -> str:
        resolved: Resolved[object] = found[key]
        return _("{value} — {source}").format(value=value, source=source_text(resolved.source))

    school, roles, mark = found["school_name"].value, found["roles"].value, found["pass_mark"].value
    months, passphrase = found["valid_for_months"].value, found["admin_passphrase_hash"].value
    return [
        (_("School name"), line("school_name", school or _("not set: each person types their school"))),
        (_("Roles offered"), line("roles", ", ".join(role_label(r) for r in roles))),
        (_("Lowest pass mark"), line("pass_mark", format_percent(mark) if mark else _("each module's own"))),
        (
            _("Training valid for"),
            line(
                "valid_for_months",
                ngettext("{n} month, unless the pack says", "{n} months, unless the pack says", months).format(
                    n=months
                ),
            ),
        ),
        (_("Admin passphrase"), line("admin_passphrase_hash", _("set") if passphrase else _("not set"))),
    ]


def share_text(share: Path | None, source: Source) -> str:
    if share is None:
        return _("None: results stay on this PC")
    where = source_text(source)
    return _("{path} — {source}").format(path=share, source=where) if where else str(share)


class SettingsDialog(QDialog):
    """Opened with ``open()``; on Save it stores the settings itself (``share_changed`` says if the folder did)."""

    def __init__(self, store: Store, settings: Settings, idle_minutes: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.settings = settings
        self.setWindowTitle(_("Settings"))
        self._saved = store.setting(SHARE_SETTING) or ""  # this PC's saved choice; "" for none
        self._chosen = self._saved  # what Save will store
        self._check = 0  # which folder check the dialog waits for; a newer one makes older answers stale
        self._checking: Path | None = None
        self.share_changed = False
        self._relay = Relay(self)
        self._relay.done.connect(self._checked)
        self._relay.failed.connect(self._check_failed)

        # Everything but the buttons scrolls: at 200% text it is taller than a 600-pixel screen.
        outer = QVBoxLayout(self)
        self.body = QWidget()
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        self.scroller = QScrollArea()
        self.scroller.setWidgetResizable(True)
        # A frame, drawn as a ring only while the keyboard is on it (the style sheet): the body takes the focus so
        # that it scrolls by keys, and shows that it has it.
        self.scroller.setFrameShape(QFrame.Shape.StyledPanel)
        self.scroller.setWidget(self.body)
        self.scroller.setAccessibleName(_("This PC's settings"))
        outer.addWidget(self.scroller, 1)
        idle_row = QHBoxLayout()
        idle_label = label(_("Return to 'Who are you?' after idle"))
        self.minutes = QSpinBox()
        self.minutes.setRange(0, 120)
        self.minutes.setValue(idle_minutes)
        self.minutes.setSuffix(_(" min"))
        self.minutes.setSpecialValueText(_("Never"))
        self.minutes.setAccessibleName(_("Return to 'Who are you?' after this many idle minutes"))
        self.minutes.lineEdit().setAccessibleName(self.minutes.accessibleName())
        idle_label.setBuddy(self.minutes)
        idle_row.addWidget(idle_label, 1)
        idle_row.addWidget(self.minutes)
        layout.addLayout(idle_row)
        idle_source = effective_all(settings, store)["idle_minutes"].source
        idle_from = label(_("Now: {source}").format(source=source_text(idle_source)), "muted")
        idle_from.setAccessibleName(_("Idle minutes in force: {source}").format(source=source_text(idle_source)))
        layout.addWidget(idle_from)

        layout.addWidget(label(_("Shared folder"), "h2"))
        layout.addWidget(
            label(
                _(
                    "Each PC copies its results here, so the school office sees everyone's training in one place. "
                    "Choose a folder every PC can reach."
                ),
                "muted",
            )
        )
        self.share_line = QLineEdit()
        self.share_line.setReadOnly(True)
        self.share_line.setAccessibleName(_("Shared folder in use"))
        layout.addWidget(self.share_line)
        row = QHBoxLayout()
        self.choose_button = button(_("Choose…"), _("Choose the shared folder"))
        self.choose_button.clicked.connect(self.choose)
        row.addWidget(self.choose_button)
        self.stop_button = button(
            _("Stop sharing"),
            _("Stop sharing"),
            description=_("Forget the folder chosen on this PC; results then stay on this PC"),
        )
        self.stop_button.clicked.connect(self.stop_sharing)
        row.addWidget(self.stop_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.share_message = label("")
        self.share_message.setAccessibleName(_("About the shared folder"))
        layout.addWidget(self.share_message)

        layout.addWidget(label(_("Also in force on this PC"), "h2"))
        for name, value in in_force_lines(settings, store):
            shown = label(f"<b>{esc(name)}:</b> {esc(value)}", rich=True)
            shown.setAccessibleName(f"{name}: {value}")
            layout.addWidget(shown)
        layout.addStretch(1)

        foot = QHBoxLayout()
        foot.addWidget(label(_("SocialSafe {version}").format(version=__version__), "muted"), 1)
        self.buttons = in_our_words(
            QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setAccessibleName(_("Save settings"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName(_("Cancel"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        foot.addWidget(self.buttons)
        outer.addLayout(foot)
        # Wide enough for a folder name at any text size; a long message then takes fewer lines.
        self.setMinimumWidth(min(960, max(600, self.fontMetrics().averageCharWidth() * 66)))

        if self.locked:
            explanation = self._locked_message()
            for widget in (self.choose_button, self.stop_button):
                widget.setToolTip(explanation)
                widget.setAccessibleDescription(explanation)
        self._show_share()
        self._say("")

    # The folder in force --------------------------------------------------------

    @property
    def locked(self) -> bool:
        """A folder from the command line or the environment comes before this PC's choice."""
        return self.settings.share is not None

    def _locked_message(self) -> str:
        if self.settings.share_source is Source.ENVIRONMENT:
            return _(
                "This folder is set by the SOCIALSAFE_SHARE environment variable, which comes before Settings, "
                "so it cannot be changed here."
            )
        return _(
            "This folder was given on the command line, which comes before Settings, so it cannot be changed here."
        )

    def in_force(self) -> tuple[Path | None, Source]:
        """The folder that will be used once the dialog is saved, and where it comes from."""
        return self.settings.share_folder(self._chosen or None)

    @property
    def chosen(self) -> str:
        """What Save stores as this PC's shared folder ("" for none)."""
        return self._chosen

    def _show_share(self) -> None:
        share, source = self.in_force()
        if source is Source.SAVED and self._chosen != self._saved:
            text = _("{path} — not saved yet").format(path=share)
        else:
            text = share_text(share, source)
        self.share_line.setText(text)
        self.share_line.setCursorPosition(0)
        self.share_line.setToolTip(as_text(text))
        self.share_line.setAccessibleDescription(text)
        self.stop_button.setEnabled(self.locked or bool(self._chosen))

    def _say(self, text: str, alert: bool = False) -> None:
        self.share_message.setText(text)
        self.share_message.setVisible(bool(text))
        if alert:
            announce(self.share_message, text)
        else:
            self.share_message.setAccessibleDescription(text)
        if self.isVisible():
            self._fit()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fit()  # with large text its wrapped sentences need more height than Qt first gives them

    def _fit(self) -> None:
        fit_to_text(self, self.scroller, self.body)

    # Choosing, checking, stopping ---------------------------------------------------

    def choose(self) -> None:
        if self.locked:
            self._say(self._locked_message(), alert=True)
            return
        # Opened without a starting folder: starting in a share that has gone away could hang the file dialog.
        chosen = QFileDialog.getExistingDirectory(self, _("Choose the shared folder"))
        if not chosen:
            return
        self._start_check(Path(chosen))

    def _start_check(self, folder: Path) -> None:
        self._check += 1
        clear_invalid(self.share_line)  # a new folder: the one refused before no longer counts
        self._checking = folder
        self.save_button.setEnabled(False)
        self._say(_("Checking {path}…").format(path=folder), alert=True)
        owner = self.store.device_id
        run_in_background(
            lambda: open_share(folder, utcnow(), owner=owner), self._relay, tag=self._check, name="share-check"
        )

    @property
    def checking(self) -> bool:
        return self._checking is not None

    def _end_check(self) -> None:
        self._checking = None
        self.save_button.setEnabled(True)

    def _checked(self, tag: object, folder: object) -> None:
        if tag != self._check:
            return
        self._end_check()
        self._chosen = str(folder)
        self._show_share()
        self._say(_("✔ SocialSafe can share results in this folder. Press Save to use it."), alert=True)

    def _check_failed(self, tag: object, message: str) -> None:
        if tag != self._check:
            return
        folder = self._checking
        self._end_check()
        # The first sentence says what is wrong; the advice after it is about syncing, not about choosing.
        reason = first_sentence(message, folder)
        refused = _("✖ {reason} This folder was not saved.").format(reason=reason)
        # The folder line is the field refused, though it is only filled by 'Choose…': marked, and the keyboard
        # on it, so a screen reader says the reason with the folder still in use.
        mark_invalid(self.share_line, refused)
        self._say(refused, alert=True)

    def stop_sharing(self) -> None:
        if self.locked:
            self._say(self._locked_message(), alert=True)
            return
        self._check += 1  # an answer still on its way no longer counts
        self._end_check()
        self._chosen = ""
        clear_invalid(self.share_line)
        self.choose_button.setFocus()  # the Stop button is about to be disabled
        self._show_share()
        share, _source = self.in_force()
        if share is None:
            self._say(_("Sharing stops when you press Save. Results will stay on this PC."), alert=True)
        else:
            self._say(_("When you press Save, this PC uses the folder from the site config."), alert=True)

    # Saving --------------------------------------------------------------------------

    def accept(self) -> None:
        if self.checking:
            return
        self.store.set_setting(IDLE_SETTING, str(self.minutes.value()))
        if self._chosen != self._saved:
            self.store.set_setting(SHARE_SETTING, self._chosen)
            self._saved = self._chosen
            self.share_changed = True
        super().accept()
