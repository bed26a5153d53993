"""When something unexpected goes wrong: a calm message, never a traceback.

The traceback goes to the log file; the person reads what it means for them,
can copy the details for the office, and carries on: the window stays usable.
A full disk is said as such (:func:`socialsafe.files.disk_full_message`), with
the folder it holds, since freeing space is something the person can do.
"""

from __future__ import annotations

import datetime as dt
import platform
import sys
import traceback
from pathlib import Path
from types import TracebackType

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QVBoxLayout, QWidget

from socialsafe import __version__
from socialsafe.files import disk_full_message
from socialsafe.i18n import _
from socialsafe.log import log
from socialsafe.ui.widgets import announce, in_our_words, label


def versions() -> str:
    return (
        f"SocialSafe {__version__}, Python {platform.python_version()}, PySide6 {pyside_version}, {platform.platform()}"
    )


def details_of(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> str:
    """What the office (or whoever supports the app) needs: versions, the time, and the traceback."""
    moment = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return f"{versions()}\n{moment}\n\n{''.join(traceback.format_exception(kind, error, tb))}"


class ErrorDialog(QDialog):
    """'Something went wrong': what it means, where the log is, and a way to copy the details."""

    def __init__(
        self, details: str, log_path: Path | None, parent: QWidget | None = None, disk_full: str | None = None
    ) -> None:
        super().__init__(parent)
        self.details = details
        self.log_path = log_path
        title = _("The disk is full") if disk_full else _("Something went wrong")
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        layout.addWidget(label(title, "h2"))
        self.message = label(
            disk_full
            + " "
            + _("Everything saved before is kept; what you did last was not saved, so do it again once there is room.")
            if disk_full
            else _(
                "SocialSafe hit a problem it did not expect. Your answers so far are saved, and you can carry on. "
                "If it happens again, please tell the school office: “Copy details” copies what they need."
            )
        )
        layout.addWidget(self.message)
        where = (
            _("The details are also kept in the log file: {path}").format(path=log_path)
            if log_path is not None
            else _("The log file could not be written on this PC.")
        )
        self.where = label(where, "muted")
        self.where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.where)
        buttons = in_our_words(QDialogButtonBox(QDialogButtonBox.StandardButton.Close))
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setText(_("Carry on"))
        close.setAccessibleName(_("Carry on"))
        self.copy_button = buttons.addButton(_("Copy details"), QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.setAccessibleName(_("Copy details"))
        self.copy_button.clicked.connect(self.copy_details)
        if log_path is not None:
            self.folder_button = buttons.addButton(_("Open the log folder"), QDialogButtonBox.ButtonRole.ActionRole)
            self.folder_button.setAccessibleName(_("Open the log folder"))
            self.folder_button.clicked.connect(self.open_folder)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        close.setDefault(True)
        close.setFocus()

    def copy_details(self) -> None:
        clipboard = QGuiApplication.clipboard()
        clipboard.setText(self.details)
        announce(self.where, _("The details are copied. Paste them into an email to the school office."))
        self.copy_button.setText(_("Copied"))
        self.copy_button.setAccessibleName(_("Copied"))

    def open_folder(self) -> None:
        if self.log_path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.log_path.parent)))


class ErrorReporter:
    """``sys.excepthook`` for the app: logs the error in full, and shows one :class:`ErrorDialog` at a time."""

    def __init__(self, log_path: Path | None, quiet: bool = False, data_dir: Path | None = None) -> None:
        self.log_path = log_path
        # The data folder (whose disk holds the database): by default, the one the log is in.
        self.data_dir = data_dir or (log_path.parent.parent if log_path is not None else None)
        self.quiet = quiet  # a start-up check: say it on stderr instead of a dialog, and fail the check
        self.window: QWidget | None = None  # the main window, once there is one: the dialog sits over it
        self.dialog: ErrorDialog | None = None
        self.failed = False

    def __call__(self, kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        self.failed = True
        details = details_of(kind, error, tb)
        # The traceback as the log's own lines (each made printable there), not one escaped value.
        log.error("unexpected error (%s)", versions(), exc_info=(kind, error, tb))
        full = disk_full_message(error, self.data_dir)
        if self.quiet:
            print(
                full or _("Something went wrong. The details are in {log}.").format(log=self.log_path), file=sys.stderr
            )
            return
        try:
            self._show(details, full)
        except Exception:  # the message itself failed: the log has it all, and Python must not print a traceback
            log.exception("could not show the error message")

    def _show(self, details: str, disk_full: str | None = None) -> None:
        if self.dialog is not None:
            try:
                if self.dialog.isVisible():
                    return  # one message is enough: a fault in a loop must not bury the window in dialogs
            except RuntimeError:
                pass  # deleted with a window it sat over
        # Over the main window, never over a passing dialog that may be deleted with the dialog inside it.
        self.dialog = ErrorDialog(details, self.log_path, self.window, disk_full)
        self.dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog.destroyed.connect(self._forget)
        self.dialog.open()

    def _forget(self) -> None:
        self.dialog = None
