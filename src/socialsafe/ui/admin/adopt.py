"""Before the office's authority is made: what the shared folder already holds, to adopt as the office's or not.

The decision is the office's, and it is shown before anything happens: each
PC's file with its people by name, the staff list and the quiz packs.
:mod:`socialsafe.office.authority` adopts them; this dialog only asks.
"""

from __future__ import annotations

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QDialog, QPlainTextEdit, QVBoxLayout, QWidget

from socialsafe.i18n import _
from socialsafe.office.authority import Adoption, adoption_counts, when_written
from socialsafe.ui.flow import FlowRow
from socialsafe.ui.widgets import button, fit_to_text, label, scrolling


def adoption_text(found: Adoption) -> str:
    """What adopting takes in, one line each, plain text (names are read from the share: never rich text)."""
    lines: list[str] = []
    for device in found.devices:
        lines.append(
            _("{name} ({device}), written {when}").format(
                name=device.name or _("a PC with no name"),
                device=device.device_id,
                when=when_written(device.written_at),
            )
        )
        lines.append("    " + ", ".join(adoption_counts(device)))
        lines += ["    " + name for name in device.names]
        lines += ["    " + _("erases: {who}").format(who=who) for who in device.erased]
    if found.roster:
        lines.append(_("The staff list (roster/roster.csv)"))
    lines += [_("The quiz pack {folder}").format(folder=folder.name) for folder in found.packs]
    lines += [str(problem) for problem in found.problems]
    return "\n".join(lines)


class AdoptDialog(QDialog):
    """Adopt what is there and set up, set up without adopting, or do nothing."""

    def __init__(self, found: Adoption, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.adopt = True
        self.setWindowTitle(_("Records already in the shared folder"))
        self.setAccessibleName(self.windowTitle())
        layout = QVBoxLayout(self)
        # The words and the list scroll together; the buttons stay in sight (200% text on a small screen).
        self.body = QWidget()
        inner = QVBoxLayout(self.body)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addWidget(label(_("Records already in the shared folder"), "h2"))
        inner.addWidget(
            label(
                _(
                    "Before the office's passphrase protected it, anyone who could open the shared folder could "
                    "write these. Adopt them if they are what you expect: they then count as proof on every PC. "
                    "If not, set up without them: they stay in the folder, listed in the office as not counted."
                )
            )
        )
        self.details = QPlainTextEdit(adoption_text(found))
        self.details.setReadOnly(True)
        self.details.setAccessibleName(_("What would be adopted"))
        self.details.setMinimumHeight(self.details.fontMetrics().lineSpacing() * 8)
        inner.addWidget(self.details, 1)
        self.scroller = scrolling(self.body, _("Records already in the shared folder"))
        layout.addWidget(self.scroller, 1)
        row = FlowRow()
        self.cancel_button = button(_("Cancel"), _("Cancel: set nothing up"))
        self.without_button = button(_("Set up without them"), _("Set up without adopting these records"))
        self.adopt_button = button(
            _("Adopt and set up"), _("Adopt and set up: these records count as the office's"), primary=True
        )
        self.cancel_button.clicked.connect(self.reject)
        self.without_button.clicked.connect(self._without)
        self.adopt_button.clicked.connect(self.accept)
        for widget in (self.cancel_button, self.without_button, self.adopt_button):
            row.add(widget, right=True)
        layout.addLayout(row)
        self.adopt_button.setFocus()
        room = self.screen().availableGeometry()
        self.resize(min(max(self.sizeHint().width(), 640), room.width() * 9 // 10), self.sizeHint().height())

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fit()

    def _fit(self) -> None:
        fit_to_text(self, self.scroller, self.body)

    def _without(self) -> None:
        self.adopt = False
        self.accept()
