"""'Who are you?': pick your name on a shared PC, or add yourself.

The names are the people who use this PC and, when the office keeps a staff
list, everyone on it, one row each. Someone adding themselves is first asked
"Is this you?" when the name is close to one already known, and picks their
school from the staff list's schools. Who is offered, who a newcomer may be and
which schools are decided in :mod:`socialsafe.domain.door`; this page shows it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QRegularExpression, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from socialsafe.config import Settings, Source, effective
from socialsafe.domain.door import (
    Entry,
    OnTheList,
    SchoolChoice,
    at_the_door,
    close_matches,
    known_spelling,
    school_choice,
)
from socialsafe.domain.people import letters
from socialsafe.domain.pin import check_pin
from socialsafe.i18n import _, ngettext
from socialsafe.labels import role_label
from socialsafe.storage.quick import QuickReads
from socialsafe.ui.fields import clear_invalid, in_view, mark_invalid, put_under
from socialsafe.ui.flow import FlowRow
from socialsafe.ui.widgets import announce, button, clear_button, in_our_words, label, page_layout, scrolling

if TYPE_CHECKING:
    from socialsafe.storage.models import Learner
    from socialsafe.storage.store import Store

SEARCH_FROM = 6  # people offered before a search box is worth its space
_SEARCH_ROLE = Qt.ItemDataRole.UserRole + 1  # an item's name and school as letters alone
_ENTRY_ROLE = Qt.ItemDataRole.UserRole + 2  # an item's place in WhoPage.entries


def _row_text(entry: Entry) -> tuple[str, str]:
    """A person as a row shows them, and as a screen reader says the row."""
    role = role_label(entry.role)
    return f"{entry.name}  ·  {entry.school}  ·  {role}", f"{entry.name}, {entry.school}, {role}"


def _people_list(name: str, description: str) -> QListWidget:
    """A list of people: names and schools wrap with large text rather than run off to the side."""
    people = QListWidget()
    people.setAccessibleName(name)
    people.setAccessibleDescription(description)
    people.setWordWrap(True)
    people.setResizeMode(QListView.ResizeMode.Adjust)
    people.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return people


def _fill_list(people: QListWidget, entries: Sequence[Entry]) -> None:
    people.clear()
    for index, entry in enumerate(entries):
        shown, said = _row_text(entry)
        item = QListWidgetItem(shown)
        item.setData(Qt.ItemDataRole.UserRole, entry.learner_id or "")
        item.setData(_ENTRY_ROLE, index)
        # Found on letters alone, as people are told apart: "sian" finds Siân, "obrien" O'Brien.
        item.setData(_SEARCH_ROLE, entry.found_by)
        item.setData(Qt.ItemDataRole.AccessibleTextRole, said)
        people.addItem(item)


def _pin_field() -> QLineEdit:
    pin = QLineEdit()
    pin.setAccessibleName(_("A 4-digit PIN (optional)"))
    pin.setAccessibleDescription(_("On a shared PC, a PIN stops others opening your training by mistake."))
    pin.setPlaceholderText(_("4 digits"))  # that it is optional is in its label, where it stays in sight
    pin.setEchoMode(QLineEdit.EchoMode.Password)
    pin.setMaxLength(4)
    pin.setValidator(QRegularExpressionValidator(QRegularExpression(r"[0-9]{0,4}"), pin))
    return pin


def _problem_label() -> QLabel:
    problem = label("", "error")
    problem.setAccessibleName(_("Problem"))
    problem.hide()
    return problem


class WhoPage(QWidget):
    """Emits ``chosen`` with a learner id once the person is known (and their PIN checked).

    The list of names comes from ``quick`` (plain SQL, at start-up) and, once the app has loaded, from the
    staff list this PC keeps (:meth:`load_roster`); ``store`` gives the Store, loading it if need be, for
    what comes after a choice: the PIN check and adding a person.
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
        self.entries: list[Entry] = []  # the rows of the list, in order
        self.roster: list[OnTheList] = []  # the staff list offered: none until load_roster
        self._roster_asked = 0  # which reading of the staff list is the latest asked for
        self._roster_relay: QObject | None = None
        self._schools = SchoolChoice((), False, None)
        self._matched: list[Entry] = []  # the people 'Is this you?' shows
        self._starting: Entry | None = None  # the staff list's person 'Start your training' is for
        self._syncing_school = False
        self._focus_put: QWidget | None = None  # where the page last put the keyboard
        self.stack = QStackedWidget()
        self.stack.addWidget(scrolling(self._build_pick(), _("Choose your name")))
        # 'Add yourself' (always the second page), 'Is this you?' and 'Start your training' are made when
        # first needed: start-up needs only the names.
        self._more_built = False
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
        # Why the last person is no longer signed in (the PC was left idle): said once, to the next person too.
        self.notice = label("")
        self.notice.setAccessibleName(_("Signed out"))
        self.notice.hide()
        layout.addWidget(self.notice)
        self.pick_hint = label("", "muted")
        layout.addWidget(self.pick_hint)
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Type to find your name"))
        self.search.setAccessibleName(_("Find your name"))
        clear_button(self.search)
        self.search.textChanged.connect(self._filter)
        self.search.returnPressed.connect(self._continue)  # type a few letters of your name, then Enter
        layout.addWidget(self.search)
        # Right under the search box, where eyes already are (at 200 % text the list's foot is off screen).
        self.no_match = label("", "muted")
        self.no_match.setVisible(False)
        layout.addWidget(self.no_match)
        self.people = _people_list(_("People on this PC"), _("Pick your name, then press Enter."))
        self.people.itemActivated.connect(lambda _item: self._continue())
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

    def say_signed_out(self, text: str) -> None:
        """Show and announce why the last person was signed out; gone once someone is picked or added."""
        self.notice.setText(text)
        self.notice.show()
        announce(self.notice, text)

    def refresh(self) -> None:
        """Show the pick list afresh: called whenever the screen is shown."""
        self.notice.hide()
        if self._roster_asked:  # the app has loaded (before that, the staff list's code waits)
            kept = self._kept_roster()
            if kept is not None:
                self.roster = kept
        self._fill()
        self.search.clear()
        self.stack.setCurrentIndex(0)
        self._update_buttons()
        self._focus_first()
        if self.entries:
            self.people.setCurrentRow(-1)

    def _fill(self) -> None:
        # Only people who use this PC, and the staff list: others' records arrive through the share, for reports.
        self.entries = at_the_door(self.quick.people_on_this_pc(), self.roster)
        self.people.setUpdatesEnabled(False)  # one layout for a staff list of hundreds, not one a name
        _fill_list(self.people, self.entries)
        self.people.setUpdatesEnabled(True)
        has_people = bool(self.entries)
        self.people.setVisible(has_people)
        self.empty.setVisible(not has_people)
        self.search.setVisible(len(self.entries) >= SEARCH_FROM)
        self.people.setAccessibleName(_("Staff list and people on this PC") if self.roster else _("People on this PC"))
        if any(entry.learner_id for entry in self.entries):
            hint = _("Pick your name to carry on where you left off, or add yourself if you are new.")
        elif has_people:
            hint = _("Find your name on the staff list to begin, or add yourself if it is not there.")
        else:
            hint = _("SocialSafe walks you through the trust's Use of Social Media policy, a short module at a time.")
        self.pick_hint.setText(hint)

    def _focus_first(self) -> None:
        """The keyboard starts where a person starts: the search box before a long list, else the list, else
        'add me'."""
        if self.search.isVisibleTo(self) and self.roster:
            start: QWidget = self.search
        else:
            start = self.people if self.entries else self.add_button
        start.setFocus()
        self._focus_put = start

    # The staff list -------------------------------------------------------------------------------------

    def load_roster(self) -> None:
        """Offer the staff list this PC knows (:func:`socialsafe.roster.kept_for_the_door`): at once from
        what it keeps, or, on a contract v1 share, read from the share off the GUI thread, the names shown
        when they come. Called once the app has loaded, and after each sync; from then on each
        :meth:`refresh` reads it again (the office may have imported a new one)."""
        kept = self._kept_roster()
        if kept is not None:
            self.set_roster(kept)

    def _kept_roster(self) -> list[OnTheList] | None:
        """The staff list kept here; None when only the share has it, and it is being read (set_roster follows)."""
        from socialsafe import roster

        share = effective("share_folder", self.settings, self.quick).value
        self._roster_asked += 1
        kept = roster.kept_for_the_door(share, self.settings.data_dir, self.quick)
        if kept is not None or share is None:
            return list(kept or [])
        from socialsafe.ui.sync_worker import Relay, run_in_background

        if self._roster_relay is None:
            relay = Relay(self)
            relay.done.connect(self._roster_read)
            self._roster_relay = relay
        assert isinstance(self._roster_relay, Relay)
        quick = self.quick
        run_in_background(
            lambda: roster.shared_for_the_door(share, quick), self._roster_relay, self._roster_asked, "staff list"
        )
        return None

    def _roster_read(self, asked: object, people: list[OnTheList]) -> None:
        if asked == self._roster_asked:  # an answer to an older question is no longer the list in force
            self.set_roster(people)

    def set_roster(self, people: Sequence[OnTheList]) -> None:
        """Offer ``people`` (the staff list) beside the people on this PC. The list shown keeps what was
        typed in the search box and the name picked."""
        if list(people) == self.roster:
            return  # the same list read again (after a sync, or as the screen was shown): nothing moves
        self.roster = list(people)
        if self.stack.currentIndex() != 0:
            # Someone is adding themselves: 'Is this you?' asks about everyone; the list is made afresh on return.
            self.entries = at_the_door(self.quick.people_on_this_pc(), self.roster)
            return
        item = self.people.currentItem()
        picked = self.entries[item.data(_ENTRY_ROLE)] if item is not None and not item.isHidden() else None
        text = self.search.text()
        self._fill()
        if text:
            self._filter(text)
        if picked is not None:
            for row, entry in enumerate(self.entries):
                if (entry.learner_id, entry.name, entry.school) == (picked.learner_id, picked.name, picked.school):
                    self.people.setCurrentRow(row)
                    break
        if not text and picked is None and self.window().focusWidget() in (None, self._focus_put):
            self._focus_first()  # the names came before anyone moved on from where the page put the keyboard
        self._update_buttons()

    # Finding and choosing ---------------------------------------------------------------------------------

    def _filter(self, text: str) -> None:
        needle = letters(text)
        first_visible = None
        self.people.setUpdatesEnabled(False)
        for row in range(self.people.count()):
            item = self.people.item(row)
            hidden = bool(needle) and needle not in item.data(_SEARCH_ROLE)
            if item.isHidden() != hidden:
                item.setHidden(hidden)
            if not hidden and first_visible is None:
                first_visible = item
        self.people.setUpdatesEnabled(True)
        if needle and first_visible is not None:
            self.people.setCurrentItem(first_visible)
        nobody = bool(needle) and first_visible is None
        if self.roster:
            said = _("No one on the staff list or this PC matches “{text}”. If you are new here, add yourself.")
        else:
            said = _("No one on this PC matches “{text}”. If you are new here, add yourself.")
        said = said.format(text=text.strip())
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
        if item is None or item.isHidden():
            return
        self._go_on_as(self.entries[item.data(_ENTRY_ROLE)])

    def _go_on_as(self, entry: Entry) -> None:
        """Carry on as ``entry``: their record here (after their PIN), or, for someone only on the staff
        list, 'Start your training', which makes their record."""
        if entry.learner_id is None:
            self._show_start(entry)
            return
        learner = self.store.learner(entry.learner_id)
        if learner is None:
            return
        if learner.pin_hash and not PinDialog(learner, self).exec():
            return
        self.chosen.emit(learner.id)

    def _make(self, entry: Entry, pin: str | None, problem: QLabel) -> None:
        """Make the record of ``entry``, from the staff list, as it has them; ``problem`` says why not."""
        from socialsafe.storage.store import InputError

        try:
            learner = self.store.add_learner(entry.name, entry.role, entry.school, entry.email, pin)
        except InputError as error:
            self._say(problem, str(error))
            return
        self.chosen.emit(learner.id)

    def _say(self, problem: QLabel, message: str) -> None:
        problem.setText(message)
        problem.show()
        announce(problem, message)

    # The pages after the list -----------------------------------------------------------------------------

    def _build_more(self) -> None:
        if self._more_built:
            return
        self._more_built = True
        self._add_page = scrolling(self._build_add(), _("Add yourself"))
        self.stack.addWidget(self._add_page)  # the second page, always
        self._match_page = scrolling(self._build_matches(), _("Is this you?"))
        self.stack.addWidget(self._match_page)
        self._start_page = scrolling(self._build_start(), _("Start your training"))
        self.stack.addWidget(self._start_page)

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
        form = self.add_form = QFormLayout()
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
        # Typed only when there is no staff list: with one, chosen from its schools, never spelt anew.
        self.school = QLineEdit()
        self.school.setAccessibleName(_("Your school"))
        self.school.setMaxLength(120)
        self.school_list = QComboBox()
        self.school_list.setAccessibleName(_("Your school"))
        self.school_list.setAccessibleDescription(_("Choose your school from the list with the arrow keys."))
        self.school_list.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.school_list.currentIndexChanged.connect(self._school_picked)
        self.school.textChanged.connect(self._school_set)
        self.email = QLineEdit()
        self.email.setAccessibleName(_("Your email (optional)"))
        self.pin = _pin_field()
        form.addRow(_("&Name"), self.name)
        form.addRow(_("&Role"), self.role)
        form.addRow(_("&School"), self.school)
        form.addRow(_("&School"), self.school_list)
        # 'Optional' in the label, not a placeholder: it stays in sight once something is typed.
        form.addRow(_("&Email (optional)"), self.email)
        form.addRow(_("&PIN (optional)"), self.pin)
        form.setRowVisible(self.school_list, False)
        layout.addLayout(form)
        self.add_error = _problem_label()
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
        self._build_more()
        here = self.quick.people_on_this_pc()
        self.entries = at_the_door(here, self.roster)
        for field in (self.name, self.school, self.email, self.pin):
            field.clear()
        self.role.setCurrentIndex(0)
        for widget in (self.name, self.role, self.school, self.school_list, self.email, self.pin):
            clear_invalid(widget)  # a new form: nothing refused yet
        school = effective("school_name", self.settings, self.quick)
        this_pc = school.value if school.source is not Source.DEFAULT and school.value else None
        # Most shared PCs serve one school: it is chosen already.
        self._schools = school_choice((p.school for p in self.roster), this_pc, (p.school for p in here))
        self._offer_schools()
        self.add_error.hide()
        self.stack.setCurrentWidget(self._add_page)
        self.name.setFocus()

    def _offer_schools(self) -> None:
        listed = self._schools.listed
        self.add_form.setRowVisible(self.school, not listed)
        self.add_form.setRowVisible(self.school_list, listed)
        self._syncing_school = True
        self.school_list.clear()
        if listed:
            self.school_list.addItem(_("Choose your school…"), "")
            for name in self._schools.names:
                self.school_list.addItem(name, name)
        self._syncing_school = False
        self.school.setText(self._schools.chosen or "")  # and the list follows (_school_set)

    def _school_picked(self, _index: int) -> None:
        """The school chosen from the list is the School field's text too (kept through a language change)."""
        if self._syncing_school:
            return
        self._syncing_school = True
        self.school.setText(str(self.school_list.currentData() or ""))
        self._syncing_school = False

    def _school_set(self, text: str) -> None:
        """The School field's text set (as the app puts back what was chosen): the list shows that school."""
        if self._syncing_school or not self._schools.listed:
            return
        wanted = letters(text)
        found = next(
            (
                i
                for i in range(1, self.school_list.count())
                if wanted and letters(self.school_list.itemText(i)) == wanted
            ),
            0,
        )
        self._syncing_school = True
        self.school_list.setCurrentIndex(found)
        self._syncing_school = False

    def _save(self) -> None:
        self._add(ask=True)

    def _add(self, ask: bool) -> None:
        """Add the person typed in; with ``ask``, first 'Is this you?' when someone close is known already."""
        pin = self.pin.text()
        name, role, email = self.name.text(), str(self.role.currentData() or ""), self.email.text()
        listed = self._schools.listed
        school_field: QWidget = self.school_list if listed else self.school
        if listed:
            school = str(self.school_list.currentData() or "")
        else:
            school = known_spelling(self.school.text(), self._schools.names)
        # What the form asks for, checked in reading order so the field marked is the first to put right (the
        # store checks these too, but its refusal does not say which field).
        for missing, field, message in (
            (not name.strip(), self.name, _("Please enter your name.")),
            (not role, self.role, _("Please choose your role.")),
            (
                not school.strip(),
                school_field,
                _("Please choose your school from the list.") if listed else _("Please enter your school."),
            ),
            (
                bool(pin) and len(pin) != 4,
                self.pin,
                _("A PIN has exactly 4 digits. Leave it empty if you do not want one."),
            ),
        ):
            if missing:
                self._show_error(message, field)
                return
        if ask:
            matches = close_matches(self.entries, name, school, email)
            if matches:
                self._show_matches(matches)
                return
        from socialsafe.storage.store import InputError

        try:
            learner = self.store.add_learner(name, role, school, email, pin or None)
        except InputError as error:
            # Left for the store to refuse: an email that does not look right, or a name already on this PC.
            email_wrong = _("That email address does not look right. Leave it empty if you have none.")
            self._show_error(str(error), self.email if str(error) == email_wrong else self.name)
            return
        self.chosen.emit(learner.id)

    def _show_error(self, message: str, field: QWidget) -> None:
        """Say why the form was refused, just below ``field`` and aloud, the field marked, the keyboard on it."""
        self.stack.setCurrentWidget(self._add_page)
        put_under(self.add_form, field, self.add_error)  # read with the field, not a screen below it
        mark_invalid(field, message)
        self._say(self.add_error, message)
        in_view(field, self.add_error)

    # Is this you? -------------------------------------------------------------------------------------

    def _build_matches(self) -> QWidget:
        page = QWidget()
        layout = page_layout(page)
        layout.addWidget(label(_("Is this you?"), "h1"))
        self.match_hint = label("", "muted")
        layout.addWidget(self.match_hint)
        self.matches = _people_list(_("People you may be"), _("Pick yourself, then press Enter."))
        self.matches.setSizeAdjustPolicy(QAbstractScrollArea.SizeAdjustPolicy.AdjustToContents)
        self.matches.itemActivated.connect(lambda _item: self._its_me())
        layout.addWidget(self.matches)
        self.match_error = _problem_label()
        layout.addWidget(self.match_error)
        row = FlowRow()
        self.yes_button = button(
            _("Yes, that's me"), _("Yes, that's me: carry on as the selected person"), primary=True
        )
        self.yes_button.clicked.connect(self._its_me)
        self.new_button = button(_("No, add me as new"), _("No, add me as new: none of these is me"))
        self.new_button.clicked.connect(lambda: self._add(ask=False))
        back = button(_("Back"), _("Back to change what you typed"))
        back.clicked.connect(self._back_to_form)
        for widget in (self.yes_button, self.new_button, back):
            row.add(widget)
        layout.addLayout(row)
        layout.addStretch(1)
        return page

    def _show_matches(self, matches: list[Entry]) -> None:
        self._matched = matches
        _fill_list(self.matches, matches)
        self.matches.setCurrentRow(0)
        hint = ngettext(
            "Someone with a name like yours is known here already. If this is you, carry on as them, so that "
            "your training is kept in one place.",
            "{n} people with names like yours are known here already. If one of them is you, pick them and "
            "carry on, so that your training is kept in one place.",
            len(matches),
        ).format(n=len(matches))
        self.match_hint.setText(hint)
        self.match_error.hide()
        self.stack.setCurrentWidget(self._match_page)
        self.matches.setFocus()
        announce(self.match_hint, hint)

    def _its_me(self) -> None:
        row = self.matches.currentRow()
        if not 0 <= row < len(self._matched):
            return
        entry = self._matched[row]
        if entry.learner_id is None:
            self._make(entry, self.pin.text() or None, self.match_error)  # the PIN they chose as they added themselves
        else:
            self._go_on_as(entry)

    def _back_to_form(self) -> None:
        self.stack.setCurrentWidget(self._add_page)
        self.name.setFocus()

    # Someone on the staff list, here for the first time ----------------------------------------------------

    def _build_start(self) -> QWidget:
        page = QWidget()
        layout = page_layout(page)
        layout.addWidget(label(_("Start your training"), "h1"))
        self.start_person = label("", "h2")  # who, as the staff list has them
        layout.addWidget(self.start_person)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.start_pin = _pin_field()
        self.start_pin.returnPressed.connect(self._start)
        form.addRow(_("&PIN (optional)"), self.start_pin)
        layout.addLayout(form)
        self.start_error = _problem_label()
        layout.addWidget(self.start_error)
        row = FlowRow()
        self.start_button = button(_("Start my training"), _("Start my training"), primary=True)
        self.start_button.clicked.connect(self._start)
        back = button(_("Back"), _("Back to the list of names"))
        back.clicked.connect(self.refresh)
        row.add(self.start_button)
        row.add(back)
        layout.addLayout(row)
        layout.addStretch(1)
        return page

    def _show_start(self, entry: Entry) -> None:
        self._build_more()
        self._starting = entry
        who = _("{name}, {role} at {school}, on the staff list.").format(
            name=entry.name, role=role_label(entry.role), school=entry.school
        )
        self.start_person.setText(who)
        self.start_pin.clear()
        clear_invalid(self.start_pin)
        self.start_error.hide()
        self.stack.setCurrentWidget(self._start_page)
        self.start_pin.setFocus()
        announce(self.start_person, who)

    def _start(self) -> None:
        entry, pin = self._starting, self.start_pin.text()
        if entry is None:
            return
        if pin and len(pin) != 4:
            message = _("A PIN has exactly 4 digits. Leave it empty if you do not want one.")
            mark_invalid(self.start_pin, message)
            self._say(self.start_error, message)
            return
        self._make(entry, pin or None, self.start_error)


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
        mark_invalid(self.pin, message)  # and the keyboard on it, what was typed selected to type again
        announce(self.error, message)
