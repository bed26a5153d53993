"""Signing the policy: the declaration, signed by typing one's name."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget

from socialsafe.i18n import _
from socialsafe.ui.fields import clear_invalid, in_view, mark_invalid
from socialsafe.ui.flow import FlowRow
from socialsafe.ui.reading import ReadingText, follow_focus
from socialsafe.ui.widgets import announce, button, card, esc, label, page_layout, scrolling


class SignOffPage(QWidget):
    sign = Signal(str)  # the name as typed
    back = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        body = QWidget()
        layout = page_layout(body)
        layout.addWidget(label(_("Sign the policy"), "h1"))
        self.intro = label("", "muted")
        layout.addWidget(self.intro)
        frame, inner = card()
        # Its words to read, line by line, before the name that signs them: a label's would reach a
        # screen reader only as a name, if at all.
        self.declaration = ReadingText(_("The declaration you are signing"))
        inner.addWidget(self.declaration)
        layout.addWidget(frame)
        self.name_hint = label("")
        layout.addWidget(self.name_hint)
        self.name = QLineEdit()
        self.name.setAccessibleName(_("Type your full name to sign"))
        self.name.setMaxLength(120)
        self.name.returnPressed.connect(self._sign)
        layout.addWidget(self.name)
        self.error = label("", "error")
        self.error.setAccessibleName(_("Problem"))
        self.error.hide()
        layout.addWidget(self.error)
        row = FlowRow()  # with large text the buttons wrap onto a second line
        self.sign_button = button(_("Sign"), _("Sign the policy"), primary=True)
        self.sign_button.clicked.connect(self._sign)
        back = button(_("Not now"), _("Back to my modules without signing"))
        back.clicked.connect(self.back)
        row.add(self.sign_button)
        row.add(back)
        layout.addLayout(row)
        layout.addStretch(1)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        area = scrolling(body, _("Sign the policy"))
        follow_focus(area)
        outer.addWidget(area)

    def show_declaration(self, declaration: str, name: str, renewal: bool) -> None:
        self.intro.setText(
            _("You have passed the refresher. Sign the policy again to renew your training.")
            if renewal
            else _("You have passed every module. Signing the policy completes your training.")
        )
        self.declaration.show_html(f"<p style='font-size: large;'><b>{esc(declaration)}</b></p>")
        self.name_hint.setText(_("To sign, type your name as it is shown: {name}").format(name=name))
        # Said with the field the keyboard starts on: what typing one's name there signs, and how.
        self.name.setAccessibleDescription(
            _("You are signing: {declaration} {hint}").format(declaration=declaration, hint=self.name_hint.text())
        )
        self.name.clear()
        clear_invalid(self.name)
        self.error.hide()
        self.name.setFocus()

    def show_error(self, message: str) -> None:
        """The name refused: the field marked, the keyboard on it, the message just below it, in view and said."""
        mark_invalid(self.name, message)
        self.error.setText(message)
        self.error.show()
        in_view(self.name, self.error)
        announce(self.error, message)

    def _sign(self) -> None:
        self.sign.emit(self.name.text())
