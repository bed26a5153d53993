"""'Who are you?': pick your name on a shared PC, or add yourself."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QRegularExpression, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from socialsafe.config import Settings, Source, effective
from socialsafe.domain.people import letters
from socialsafe.domain.pin import check_pin
from socialsafe.i18n import _
from socialsafe.labels import role_label
from socialsafe.storage.quick import QuickReads
from socialsafe.ui.flow import FlowRow
from socialsafe.ui.widgets import announce, button, clear_button, in_our_words, label, page_layout, scrolling

if TYPE_CHECKING:
    from socialsafe.storage.models import Learner
    from socialsafe.storage.store import Store

SEARCH_FROM = 6  # people on the PC before a search box is worth its space
_SEARCH_ROLE = Qt.ItemDataRole.UserRole + 1  # an item's name and school as letters alone


class WhoPage(QWidget):
    """Emits ``chosen`` with a learner id once the person is known (and their PIN checked).

    The list of names comes from ``quick`` (plain SQL, at start-up); ``store`` gives the Store,
    loading it if need be, for what comes after a choice: the PIN check and adding a person.
    """

    chosen = Signal(str)

    def __init__(
        self,
        quick: QuickReads,
        store: Callable[[], Store],
        settings: Settings | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.quick = quick
        self._store = store
        self.settings = settings or Settings(data_dir=quick.path.parent)
        self.stack = QStackedWidget()
        self.stack.addWidget(scrolling(self._build_pick(), _("Choose your name")))
        self._add_built = False  # 'Add yourself' is made when first shown: start-up needs only the names
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)

    @property
    def store(self) -> Store:
        return self._store()

    # Picking ------------------------------------------------------------------

    def _build_pick(self) -> QWidget:
        page = QWidget()
        layout = page_layout(page)
        layout.addWidget(label(_("Who are you?"), "h1"))
        self.pick_hint = label("", "muted")
        layout.addWidget(self.pick_hint)
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Type to find your name"))
        self.search.setAccessibleName(_("Find your name"))
        clear_button(self.search)
        self.search.textChanged.connect(self._filter)
        layout.addWidget(self.search)
        # Right under the search box, where eyes already are (at 200 % text the list's foot is off screen).
        self.no_match = label("", "muted")
        self.no_match.setVisible(False)
        layout.addWidget(self.no_match)
        self.people = QListWidget()
        self.people.setAccessibleName(_("People on this PC"))
        self.people.setAccessibleDescription(_("Pick your name, then press Enter."))
        self.people.itemActivated.connect(lambda _item: self._continue())
        # Long names and schools wrap with large text, rather than running off to the side.
        self.people.setWordWrap(True)
        self.people.setResizeMode(QListView.ResizeMode.Adjust)
        self.people.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.people.currentItemChanged.connect(lambda *_: self._update_buttons())
        layout.addWidget(self.people, 10)
        self.empty = label(_("Nobody has used SocialSafe on this PC yet. Add yourself to begin."), "muted")
        layout.addWidget(self.empty)
        row = FlowRow()  # with large text the buttons wrap onto a second line
        self.continue_button = button(_("Continue"), _("Continue as the selected person"), primary=True)
        self.continue_button.clicked.connect(self._continue)
        self.add_button = button(_("I'm new: add me"), _("Add yourself as a new person"))
        self.add_button.clicked.connect(self.show_add)
        row.add(self.continue_button)
        row.add(self.add_button)
        layout.addLayout(row)
        layout.addStretch(1)
        return page

    def refresh(self) -> None:
        """Show the pick list afresh: called whenever the screen is shown."""
        # Only people who use this PC: others' records arrive through the share, for reports.
        learners = self.quick.people_on_this_pc()
        self.people.clear()
        for learner in learners:
            item = QListWidgetItem(f"{learner.name}  ·  {learner.school}  ·  {role_label(learner.role)}")
            item.setData(Qt.ItemDataRole.UserRole, learner.id)
            # Found on letters alone, as people are told apart: "sian" finds Siân, "obrien" O'Brien.
            item.setData(_SEARCH_ROLE, letters(f"{learner.name} {learner.school}"))
            item.setData(
                Qt.ItemDataRole.AccessibleTextRole, f"{learner.name}, {learner.school}, {role_label(learner.role)}"
            )
            self.people.addItem(item)
        has_people = bool(learners)
        self.people.setVisible(has_people)
        self.empty.setVisible(not has_people)
        self.search.clear()
        self.search.setVisible(len(learners) >= SEARCH_FROM)
        self.pick_hint.setText(
            _("Pick your name to carry on where you left off, or add yourself if you are new.")
            if has_people
            else _("SocialSafe walks you through the trust's Use of Social Media policy, a short module at a time.")
        )
        self.stack.setCurrentIndex(0)
        self._update_buttons()
        (self.people if has_people else self.add_button).setFocus()
        if has_people:
            self.people.setCurrentRow(-1)

    def _filter(self, text: str) -> None:
        needle = letters(text)
        first_visible = None
        for row in range(self.people.count()):
            item = self.people.item(row)
            hidden = bool(needle) and needle not in item.data(_SEARCH_ROLE)
            item.setHidden(hidden)
            if not hidden and first_visible is None:
                first_visible = item
        if needle and first_visible is not None:
            self.people.setCurrentItem(first_visible)
        nobody = bool(needle) and first_visible is None
        said = _("No one on this PC matches “{text}”. If you are new here, add yourself.").format(text=text.strip())
        if nobody and not self.no_match.isVisible():
            announce(self.no_match, said)  # once, as it appears: not at every further letter typed
        self.no_match.setText(said if nobody else "")
        self.no_match.setAccessibleDescription(said if nobody else "")  # a reader coming to it later hears it whole
        self.no_match.setVisible(nobody)
        self._update_buttons()

    def _update_buttons(self) -> None:
        item = self.people.currentItem()
        self.continue_button.setEnabled(item is not None and not item.isHidden())
        self.continue_button.setVisible(self.people.count() > 0)

    def _continue(self) -> None:
        item = self.people.currentItem()
        if item is None:
            return
        learner = self.store.learner(item.data(Qt.ItemDataRole.UserRole))
        if learner is None:
            return
        if learner.pin_hash and not PinDialog(learner, self).exec():
            return
        self.chosen.emit(learner.id)

    # Adding -------------------------------------------------------------------

    def _build_add(self) -> QWidget:
        page = QWidget()
        layout = page_layout(page)
        layout.addWidget(label(_("Add yourself"), "h1"))
        layout.addWidget(
            label(
                _("Your progress is kept on this PC under your name. Only your name, role and school are needed."),
                "muted",
            )
        )
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setVerticalSpacing(12)
        self.name = QLineEdit()
        self.name.setAccessibleName(_("Your name"))
        self.name.setMaxLength(120)
        self.role = QComboBox()
        self.role.setAccessibleName(_("Your role"))
        self.role.addItem(_("Choose your role…"), "")
        # The site config may narrow the roles offered (a school with no trustees on its PCs).
        for role in effective("roles", self.settings, self.quick).value:
            self.role.addItem(role_label(role), str(role))
        self.school = QLineEdit()
        self.school.setAccessibleName(_("Your school"))
        self.school.setMaxLength(120)
        self.email = QLineEdit()
        self.email.setAccessibleName(_("Your email (optional)"))
        self.email.setPlaceholderText(_("Optional"))
        self.pin = QLineEdit()
        self.pin.setAccessibleName(_("A 4-digit PIN (optional)"))
        self.pin.setAccessibleDescription(_("On a shared PC, a PIN stops others opening your training by mistake."))
        self.pin.setPlaceholderText(_("Optional, 4 digits"))
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setMaxLength(4)
        self.pin.setValidator(QRegularExpressionValidator(QRegularExpression(r"[0-9]{0,4}"), self.pin))
        form.addRow(_("&Name"), self.name)
        form.addRow(_("&Role"), self.role)
        form.addRow(_("&School"), self.school)
        form.addRow(_("&Email"), self.email)
        form.addRow(_("&PIN"), self.pin)
        layout.addLayout(form)
        self.add_error = label("", "error")
        self.add_error.setAccessibleName(_("Problem"))
        self.add_error.hide()
        layout.addWidget(self.add_error)
        row = FlowRow()
        self.save_button = button(_("Save and start"), _("Save and start your training"), primary=True)
        self.save_button.clicked.connect(self._save)
        cancel = button(_("Cancel"), _("Cancel and go back to the list of names"))
        cancel.clicked.connect(self.refresh)
        row.add(self.save_button)
        row.add(cancel)
        layout.addLayout(row)
        layout.addStretch(1)
        for field in (self.name, self.school, self.email, self.pin):
            field.returnPressed.connect(self._save)
        return page

    def show_add(self) -> None:
        if not self._add_built:
            self._add_built = True
            self.stack.addWidget(scrolling(self._build_add(), _("Add yourself")))
        for field in (self.name, self.school, self.email, self.pin):
            field.clear()
        self.role.setCurrentIndex(0)
        school = effective("school_name", self.settings, self.quick)
        schools = sorted({person.school for person in self.quick.people_on_this_pc()})
        if school.source is not Source.DEFAULT and school.value:
            self.school.setText(school.value)
        elif len(schools) == 1:
            self.school.setText(schools[0])  # most shared PCs serve one school
        self.add_error.hide()
        self.stack.setCurrentIndex(1)
        self.name.setFocus()

    def _save(self) -> None:
        pin = self.pin.text()
        if pin and len(pin) != 4:
            self._show_error(_("A PIN has exactly 4 digits. Leave it empty if you do not want one."))
            return
        from socialsafe.storage.store import InputError

        try:
            learner = self.store.add_learner(
                self.name.text(), self.role.currentData() or "", self.school.text(), self.email.text(), pin or None
            )
        except InputError as error:
            self._show_error(str(error))
            return
        self.chosen.emit(learner.id)

    def _show_error(self, message: str) -> None:
        self.add_error.setText(message)
        self.add_error.show()
        announce(self.add_error, message)


class PinDialog(QDialog):
    """Asks for a person's PIN; accepts only the right one."""

    def __init__(self, learner: Learner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.learner = learner
        self.setWindowTitle(_("Enter your PIN"))
        layout = QVBoxLayout(self)
        layout.addWidget(label(_("Enter the 4-digit PIN for {name}.").format(name=learner.name)))
        self.pin = QLineEdit()
        self.pin.setAccessibleName(_("PIN"))
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setMaxLength(4)
        layout.addWidget(self.pin)
        self.error = label("", "error")
        self.error.hide()
        layout.addWidget(self.error)
        buttons = in_our_words(
            QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(_("Open my training"))  # what it does, on it: the words said and seen are the same
        ok.setAccessibleName(_("Open my training"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName(_("Cancel"))
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _check(self) -> None:
        if self.learner.pin_hash and check_pin(self.pin.text(), self.learner.pin_hash):
            self.accept()
            return
        message = _("That PIN is not right. Try again, or ask the office to help.")
        self.error.setText(message)
        self.error.show()
        self.pin.selectAll()
        self.pin.setFocus()
        announce(self.error, message)
