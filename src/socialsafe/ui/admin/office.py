"""The office area: a page of the main window, reached only through the admin passphrase.

It is a page of the main window rather than a window of its own, so that on a
shared PC there is never an office window left open behind the learners'
screen: leaving the page (Lock, Switch person, or the idle timer handing the
PC back to 'Who are you?') locks it and drops everything it loaded.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QStandardPaths, Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from socialsafe.config import DEFAULT_IDLE_MINUTES, SHARE_SETTING, Settings
from socialsafe.content.loader import Content
from socialsafe.domain.people import normalise_name, person_identity
from socialsafe.export import ExportFormat, write_file
from socialsafe.i18n import _, ngettext
from socialsafe.insight import PersonSummary, insight_csv
from socialsafe.storage.store import InputError, Store
from socialsafe.training import certificate_for
from socialsafe.ui.admin import data
from socialsafe.ui.admin.chart import ChartPage
from socialsafe.ui.admin.dashboard import DashboardPage, identity_of
from socialsafe.ui.admin.exports import (
    ExportDialog,
    file_bytes,
    governors_html,
    governors_pdf,
    suffix,
)
from socialsafe.ui.admin.gate import GateDialog, admin_module
from socialsafe.ui.admin.insight_page import InsightPage
from socialsafe.ui.admin.models import PersonLine, person_line
from socialsafe.ui.admin.pcs_page import PcsPage
from socialsafe.ui.admin.person import PaperDialog, PersonPage, SessionDialog, erase_with_confirmation
from socialsafe.ui.admin.roster_page import RosterPage
from socialsafe.ui.admin.session import GroupSessionDialog
from socialsafe.ui.admin.tabs import SectionTabs
from socialsafe.ui.admin.tidy import CorrectDialog, DuplicatesDialog, MergeDialog, do_correct, do_merge
from socialsafe.ui.flow import FlowRow
from socialsafe.ui.page_area import PageArea
from socialsafe.ui.safe_text import as_text
from socialsafe.ui.sync_worker import Relay, first_sentence, run_in_background
from socialsafe.ui.widgets import announce, button, label

if TYPE_CHECKING:
    from socialsafe.ui.main_window import MainWindow

INPUT_EVENTS = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
}
LOAD, EXPORT = "load", "export"


def prepare(snapshot: data.Snapshot) -> tuple[data.Snapshot, list[PersonLine]]:
    """The table's lines for a snapshot: the cells' text and sort keys, worked out once (off the GUI thread)."""
    return snapshot, [person_line(s) for s in snapshot.summaries]


def documents_folder() -> Path:
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(folder) if folder else Path.home()


class OfficeArea(QWidget):
    """Everyone's training, a person's record, completion by school and role, and question insight."""

    lock = Signal()
    loaded = Signal()  # a load finished and is shown
    exported = Signal(object)  # the Path written
    export_failed = Signal(str)
    recorded = Signal()  # an admin record was saved (the reload follows)
    pc_settings = Signal()  # this PC's settings asked for (the shared folder, the idle time)

    def __init__(
        self, store: Store, settings: Settings, content: Content, parent: QWidget | None = None, key: Any = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("officeArea")
        # The admin key the passphrase opened (socialsafe.trust.authority.AdminKey), when the share has the
        # office's authority: what the office's records are signed with. Held only while the office is open.
        self.key = key
        self.store = store
        self.settings = settings
        self.content = content
        self.snapshot: data.Snapshot | None = None
        self.loading = False
        self._notice = ""  # what the admin just did, said with the next reload
        self._request = 0
        self._person: tuple[str, ...] | None = None  # whose page is open
        self._relay = Relay(self)
        self._relay.done.connect(self._done)
        self._relay.failed.connect(self._failed)
        self.dialog: Any = None  # the dialog open now, if any (tests drive it)

        # The tabs, the section on show and its buttons make one page, which scrolls as a whole only when
        # large text leaves it no other way (page_area); the line saying where the records come from stays below.
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 8)
        outer.setSpacing(4)
        self.body = QWidget()
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(20, 8, 20, 0)
        layout.setSpacing(4)
        self.refresh_button = button(
            _("Refresh"), _("Refresh: read everyone's records again"), description=_("Read everyone's records again")
        )
        self.refresh_button.clicked.connect(self.refresh)
        self.lock_button = button(
            _("Lock office"),
            _("Lock the office and go back to 'Who are you?'"),
            description=_("Lock the office area: the passphrase is needed to open it again"),
        )
        self.lock_button.clicked.connect(self.lock)
        # Tabs over the sections, with the area's own buttons on the same line.
        self.tab_bar = SectionTabs()  # its names on two lines when large text leaves no room for one
        self.tab_bar.setAccessibleName(_("Office sections"))
        self.tab_bar.setDrawBase(False)
        self.tab_bar.setExpanding(False)
        self.tab_bar.setUsesScrollButtons(False)  # every section's tab shown, none behind an arrow
        self.sections = QStackedWidget()
        # With large text the buttons go onto a line of their own, below the tabs, rather than hide some of them.
        buttons = QWidget()
        row = QHBoxLayout(buttons)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(8)
        for widget in (self.refresh_button, self.lock_button):
            row.addWidget(widget)
        self.top = QWidget()
        top = FlowRow(self.top)
        top.add(self.tab_bar)
        top.add(buttons, right=True)
        self.top_buttons = buttons
        layout.addWidget(self.top)
        self.people = QStackedWidget()
        self.dashboard = DashboardPage()
        self.person = PersonPage()
        # One face-to-face session for many people at once (an INSET day): under the list of everyone.
        self.group_button = button(
            _("Record a group session…"),
            _("Record a group session: one face-to-face session for several people, everyone who was there"),
            description=_("Tick who was there or load the attendance list; the whole course or chosen modules"),
        )
        self.group_button.clicked.connect(self.record_group_session)
        self.group_button.setEnabled(False)  # until everyone is loaded: the people to tick
        # People who may be one person (a name typed twice, a school spelt two ways): said, and one click away.
        self.duplicates_note = label("")
        self.duplicates_note.setAccessibleName(_("People who may be the same person"))
        self.duplicates_button = button(
            _("Review possible duplicates…"), _("Review the people who may be the same person, and merge them")
        )
        self.duplicates_button.clicked.connect(self.review_duplicates)
        self.duplicates_note.hide()
        self.duplicates_button.hide()
        self.duplicates_note.setWordWrap(True)  # on two lines (see _show_duplicates)
        # After the list's own buttons, on their line where there is room, else on lines below: never wider
        # than the window, which would make the whole page scroll sideways (WCAG 1.4.10).
        for part in (self.group_button, self.duplicates_note, self.duplicates_button):
            self.dashboard.foot.add(part)
        self.people.addWidget(self.dashboard)
        self.people.addWidget(self.person)
        self.chart = ChartPage()
        self.insight = InsightPage()
        self.roster_page = RosterPage(store, settings, key=key)
        self.roster_page.changed.connect(self.refresh)
        self.pcs_page = PcsPage(store, settings, content, key)
        # This PC's own settings are the office's to change, never a learner's: beside whether it trusts this PC.
        self.settings_button = self.pcs_page.settings_button
        self.settings_button.clicked.connect(self.pc_settings)
        self.pcs_page.changed.connect(self._trust_changed)
        self.pcs_page.key_changed.connect(self._key_changed)
        for page, title in (
            (self.people, _("Everyone")),
            (self.chart, _("By school and role")),
            (self.insight, _("Question insight")),
            (self.roster_page, _("Staff list")),
            (self.pcs_page, _("PCs and proof")),
        ):
            self.tab_bar.addTab(title)
            self.sections.addWidget(page)
        self.tab_bar.currentChanged.connect(self.sections.setCurrentIndex)
        layout.addWidget(self.sections, 1)
        self.page_area = PageArea(self.body, _("Office"), self.sections)
        # The lists that take the height left over on their page (all their rows, when the page scrolls).
        self.page_area.give_room(self.dashboard, self.dashboard.table)
        self.page_area.give_room(self.person, self.person.tree)
        self.page_area.give_room(self.insight, self.insight.table)
        self.page_area.give_room(self.roster_page, self.roster_page.table)
        for table in (self.pcs_page.waiting, self.pcs_page.apart):
            self.page_area.give_room(self.pcs_page, table, rows=3)
        for stack in (self.sections, self.people):
            stack.currentChanged.connect(self._page_shown)
        self.page_area.room.connect(self._fit_tabs)
        self.page_area.keep_in_sight(self.top)  # Lock and Refresh stay in the window by a page wider than it
        outer.addWidget(self.page_area, 1)
        self.state = label("", "muted")
        self.state.setAccessibleName(_("Where these records come from"))
        state_row = QHBoxLayout()
        state_row.setContentsMargins(20, 0, 20, 0)
        state_row.addWidget(self.state)
        outer.addLayout(state_row)

        self.dashboard.open_person.connect(self.open_person)
        self.dashboard.export.connect(self.export_people)
        self.dashboard.governors.connect(self.export_governors)
        self.person.back.connect(self.show_everyone)
        self.person.record_session.connect(self.record_session)
        self.person.record_paper.connect(self.record_paper)
        self.person.certificate.connect(self.reissue_certificate)
        self.person.erase.connect(self.erase_person)
        self.person.correct.connect(self.correct_person)
        self.person.merge.connect(lambda: self.merge_person())
        self.insight.export.connect(self.export_insight)

    def _fit_tabs(self, width: int) -> None:
        """The section tabs on one line beside the area's buttons where they fit, their longest names on two
        where not (as tall as the buttons: no room lost); only if that is not enough do the buttons go below."""
        layout = self.body.layout()
        margins = layout.contentsMargins() if layout is not None else None
        room = width - (margins.left() + margins.right() if margins is not None else 0)
        beside = room - self.top_buttons.sizeHint().width() - 8  # the row's spacing
        self.tab_bar.set_room(beside if self._tabs_fit(beside) else room)

    def _tabs_fit(self, room: int) -> bool:
        """Whether the tabs, their longest names on two lines as needed, fit ``room``."""
        self.tab_bar.set_room(room)
        return sum(self.tab_bar.tabSizeHint(i).width() for i in range(self.tab_bar.count())) <= room

    def _page_shown(self, _index: int) -> None:
        """A section or a person's record opens at its top, laid out for what it holds."""
        self.page_area.relayout()
        self.page_area.to_top()

    # Loading -------------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read everyone's records again, off the GUI thread; the list shows 'Loading…' meanwhile."""
        self._request += 1
        self.loading = True
        self._say_state(_("Loading…"))
        self.refresh_button.setEnabled(False)
        self.dashboard.set_loading(True)
        self.roster_page.reload()
        self.pcs_page.reload()
        store, settings, content, today = self.store, self.settings, self.content, dt.date.today()
        run_in_background(
            lambda: prepare(data.load(settings, store, content, today)),
            self._relay,
            tag=(LOAD, self._request),
            name="office-load",
        )

    def _done(self, tag: object, result: Any) -> None:
        kind = tag[0] if isinstance(tag, tuple) else tag
        if kind == LOAD:
            if tag != (LOAD, self._request):
                return  # an older load: a newer one is on its way
            self._loaded(*result)
        elif kind == EXPORT:
            path, rows = result
            text = (
                ngettext("Saved {n} row to {file}.", "Saved {n} rows to {file}.", rows).format(n=rows, file=path)
                if rows is not None
                else _("Saved {file}.").format(file=path)
            )
            self._say_state("✔ " + text, alert=True)
            self.exported.emit(path)

    def _failed(self, tag: object, message: str) -> None:
        kind = tag[0] if isinstance(tag, tuple) else tag
        if kind == LOAD:
            if tag != (LOAD, self._request):
                return
            self.loading = False
            self.refresh_button.setEnabled(True)
            self.group_button.setEnabled(True)  # an attendance list can still be loaded
            self.dashboard.set_loading(False)
            self._say_state("⚠ " + message, alert=True)
            self.loaded.emit()
        else:
            self._say_state("✖ " + message, alert=True)
            self.export_failed.emit(message)

    def _loaded(self, snapshot: data.Snapshot, lines: list[PersonLine]) -> None:
        self.snapshot = snapshot
        self.loading = False
        self.refresh_button.setEnabled(True)
        self.group_button.setEnabled(True)
        self.dashboard.show_lines(lines)
        self.chart.show_summaries(snapshot.summaries)
        self.insight.show_rows(snapshot.insight)
        self._show_duplicates()
        notice, self._notice = self._notice, ""
        scope = self.scope_text()
        self._say_state(f"{notice} {scope}" if notice else scope, alert=bool(snapshot.share_error or notice))
        if self._person is not None and self.people.currentWidget() is self.person:
            summary = self.summary_of(self._person)
            if summary is not None:
                self._show_person(summary)
            else:
                self.show_everyone()
        self.loaded.emit()

    def scope_text(self) -> str:
        snapshot = self.snapshot
        if snapshot is None:
            return ""
        if snapshot.share_error:
            share, _source = self.settings.share_folder(self.store.setting(SHARE_SETTING))
            text = _("⚠ The shared folder cannot be read now: {reason} Showing this PC's records only.").format(
                reason=first_sentence(snapshot.share_error, share)
            )
        elif snapshot.from_share:
            text = _("Everyone on every PC, from the shared folder.")
        else:
            text = _("This PC's records only: no shared folder is set.")
        if snapshot.problems:
            text += " " + ngettext(
                "{n} line could not be read (see the log).",
                "{n} lines could not be read (see the log).",
                len(snapshot.problems),
            ).format(n=len(snapshot.problems))
        return text

    def _say_state(self, text: str, alert: bool = False) -> None:
        self.state.setText(text)
        self.state.setToolTip(as_text(text))  # share problems name files: shown as typed
        if alert:
            announce(self.state, text)
        else:
            self.state.setAccessibleDescription(text)

    def summary_of(self, identity: tuple[str, ...]) -> PersonSummary | None:
        if self.snapshot is None:
            return None
        return next((s for s in self.snapshot.summaries if identity_of(s) == identity), None)

    # A person -------------------------------------------------------------------------------------

    def open_person(self, summary: PersonSummary) -> None:
        self._person = identity_of(summary)
        self._show_person(summary)
        self.people.setCurrentWidget(self.person)
        self.person.tree.setFocus()

    def _show_person(self, summary: PersonSummary) -> None:
        today = self.snapshot.today if self.snapshot else dt.date.today()
        can_erase = callable(getattr(admin_module(), "erase_person", None))
        self.person.show_person(summary, self.store, self.content, today, can_erase)

    def show_everyone(self) -> None:
        identity, self._person = self._person, None
        self.people.setCurrentWidget(self.dashboard)
        self.dashboard.select_person(identity)

    def _current(self) -> PersonSummary | None:
        return self.person.summary if self.people.currentWidget() is self.person else None

    def _key_changed(self, key: Any) -> None:
        """The office set up its authority, or changed its passphrase: sign with this key from now on."""
        self.key = self.roster_page.key = key

    def _trust_changed(self) -> None:
        """A PC was trusted, or the authority set up: shared at once, then everyone's records read again."""
        self.recorded.emit()
        self.refresh()

    def prove(self) -> Any:
        """The office's signature for the records it makes, when the share has an authority (else None)."""
        from socialsafe.office.authority import maybe_prover

        return maybe_prover(self.key)

    def _open_dialog(self, dialog: QDialog) -> QDialog:
        """Show ``dialog`` (one at a time: the one before it is let go)."""
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = dialog
        dialog.open()
        return dialog

    def record_session(self) -> None:
        summary, pack = self._current(), data.policy_pack(self.content)
        if summary is None or pack is None:
            return
        dialog = SessionDialog(summary, pack, self)
        dialog.accepted.connect(lambda: self._save_session(summary, pack))
        self._open_dialog(dialog)

    def record_group_session(self) -> None:
        """One face-to-face session for several people: everyone the office knows, to tick, or an attendance list."""
        pack = data.policy_pack(self.content)
        if pack is None:
            return
        people = self.snapshot.summaries if self.snapshot is not None else []
        dialog = GroupSessionDialog(people, pack, self.store, self.prove, self)
        dialog.recorded.connect(self._after_record)
        self._open_dialog(dialog)

    def _save_session(self, summary: PersonSummary, pack: Any) -> None:
        module, score, max_score, day, note = self.dialog.values()
        try:
            data.record_face_to_face(
                self.store, summary.person, pack, module, score, max_score, day, note, self.prove()
            )
        except InputError as error:
            QMessageBox.warning(self, _("Not recorded"), as_text(str(error)))
            return
        self._after_record(_("Recorded the face-to-face session for {name}.").format(name=summary.name))

    def record_paper(self) -> None:
        summary, pack = self._current(), data.policy_pack(self.content)
        if summary is None or pack is None:
            return
        dialog = PaperDialog(summary, pack, self)
        dialog.accepted.connect(lambda: self._save_paper(summary, pack))
        self._open_dialog(dialog)

    def _save_paper(self, summary: PersonSummary, pack: Any) -> None:
        signed_name, day, note = self.dialog.values()
        try:
            data.record_paper_signoff(self.store, summary.person, pack, signed_name, day, note, self.prove())
        except InputError as error:
            QMessageBox.warning(self, _("Not recorded"), as_text(str(error)))
            return
        self._after_record(_("Recorded the paper sign-off for {name}.").format(name=summary.name))

    def _after_record(self, message: str) -> None:
        self.recorded.emit()
        self.refresh()
        self._notice = "✔ " + message  # said again with the reloaded list
        self._say_state(self._notice + " " + _("Loading…"), alert=True)

    def reissue_certificate(self) -> None:
        summary, pack = self._current(), data.policy_pack(self.content)
        if summary is None or pack is None:
            return
        today = self.snapshot.today if self.snapshot else dt.date.today()
        own = data.own_learner(self.store, summary.person)
        if own is not None:
            certificate = certificate_for(self.store, self.content, own, pack, today)
        else:
            from socialsafe.training import certificate_of_person, issue_certificate

            certificate = certificate_of_person(summary.person, self.content, pack, today)
            if certificate is not None:
                certificate = issue_certificate(self.store, certificate, summary.person, pack)
        if certificate is None:
            QMessageBox.information(
                self,
                _("No certificate"),
                as_text(_("{name} has not completed the training yet.").format(name=summary.name)),
            )
            return
        from socialsafe.ui import certificate as pdf

        saved = pdf.save_certificate(certificate, self)
        if saved is not None:
            self._say_state("✔ " + _("Saved {file}.").format(file=saved), alert=True)
            self.exported.emit(saved)

    # Tidying people ---------------------------------------------------------------------------

    def _show_duplicates(self) -> None:
        found = len(self.snapshot.duplicates) if self.snapshot is not None else 0
        self.duplicates_note.setText(
            ngettext("{n} pair of records may be one person.", "{n} pairs of records may be one person.", found).format(
                n=found
            )
        )
        # On two lines, half its words wide, so that it and its button share a line with 'Record a group
        # session…' rather than take a line of their own below it.
        metrics = self.duplicates_note.fontMetrics()
        self.duplicates_note.setFixedWidth(
            metrics.horizontalAdvance(self.duplicates_note.text()) // 2 + 4 * metrics.averageCharWidth()
        )
        self.duplicates_note.setVisible(bool(found))
        self.duplicates_button.setVisible(bool(found))

    def review_duplicates(self) -> None:
        if self.snapshot is None or not self.snapshot.duplicates:
            return
        dialog = DuplicatesDialog(self.snapshot.duplicates, self)
        dialog.merge.connect(self._merge_suggested)
        self._open_dialog(dialog)

    def _merge_suggested(self, suggestion: Any) -> None:
        summaries = self.snapshot.summaries if self.snapshot is not None else []
        by_person = {id(s.person): s for s in summaries}
        first, second = by_person.get(id(suggestion.first)), by_person.get(id(suggestion.second))
        if first is not None and second is not None:
            self.merge_person(first, second)

    def merge_person(self, summary: PersonSummary | None = None, other: PersonSummary | None = None) -> None:
        """Merge the person shown (or ``summary``) with another record of the same person."""
        summary = summary or self._current()
        if summary is None or self.snapshot is None:
            return
        dialog = MergeDialog(summary, self.snapshot.summaries, self.snapshot.duplicates, other, self)
        dialog.accepted.connect(lambda: self._merge(dialog))
        self._open_dialog(dialog)

    def _merge(self, dialog: MergeDialog) -> None:
        moved, kept = dialog.pair()
        message = do_merge(self, self.settings, self.store, self.content, moved, kept, self.key)
        if message is None:
            return
        if self._current() is not None:
            self._person = identity_of(kept)  # the page shows them again
        self._after_record(message)

    def correct_person(self) -> None:
        summary = self._current()
        if summary is None:
            return
        schools = sorted({s.school for s in self.snapshot.summaries} if self.snapshot is not None else set())
        dialog = CorrectDialog(summary, schools, self)
        dialog.save.connect(lambda: self._correct(dialog, summary))
        self._open_dialog(dialog)

    def _correct(self, dialog: CorrectDialog, summary: PersonSummary) -> None:
        message = do_correct(dialog, self.settings, self.store, self.content, summary, self.key)
        if message is None:
            return  # the dialog says why
        dialog.finish()
        if message:
            name, school, email = dialog.values()
            self._person = person_identity(normalise_name(name), normalise_name(school), email)
            self._after_record(message)

    def erase_person(self) -> None:
        """Erase the person shown, after a confirmation that names exactly what goes."""
        summary = self._current()
        if summary is None or not erase_with_confirmation(
            self, self.settings, self.store, self.content, summary, self.key
        ):
            return
        self._person = None
        self.show_everyone()
        self.refresh()

    # Exports -------------------------------------------------------------------------------------

    def _ask_path(self, title: str, name: str, fmt: ExportFormat | None, pattern: str) -> Path | None:
        chosen = QFileDialog.getSaveFileName(self, title, str(documents_folder() / name), pattern)[0]
        if not chosen:
            return None
        path = Path(chosen)
        wanted = suffix(fmt) if fmt is not None else ".pdf"
        if path.suffix.lower() != wanted:
            path = path.with_name(path.name + wanted)
        return path

    def _write_in_background(self, path: Path, make: Any) -> None:
        self._say_state(_("Saving {file}…").format(file=path))

        def job() -> tuple[Path, int | None]:
            made = make()
            data_bytes, rows = made if isinstance(made, tuple) else (made, None)
            write_file(path, data_bytes)
            return path, rows

        # write_file's OSError says what to do ("it may be open in Excel"): the person is told that.
        run_in_background(job, self._relay, tag=(EXPORT, str(path)), name="office-export", readable=(OSError,))

    def export_people(self) -> None:
        shown = self.dashboard.shown_summaries()
        dialog = ExportDialog(len(shown), self, problems=len(self.snapshot.problems) if self.snapshot else 0)
        dialog.accepted.connect(lambda: self._export_people(shown))
        self._open_dialog(dialog)

    def _export_people(self, shown: list[PersonSummary]) -> None:
        fmt, by = self.dialog.chosen_format, self.dialog.chosen_by
        today = self.snapshot.today if self.snapshot else dt.date.today()
        name = _("SocialSafe training {date}").format(date=today.isoformat()) + suffix(fmt)
        patterns = {
            ExportFormat.XLSX: _("Excel workbook (*.xlsx)"),
            ExportFormat.CSV: _("CSV (*.csv)"),
            ExportFormat.JSON: _("JSON (*.json)"),
        }
        path = self._ask_path(_("Export the people shown"), name, fmt, patterns[fmt])
        if path is None:
            return
        people = [s.person for s in shown]
        content = self.content
        self._write_in_background(path, lambda: file_bytes(fmt, by, people, content, today))

    def export_governors(self) -> None:
        if self.snapshot is None:
            return
        today = self.snapshot.today
        name = _("SocialSafe summary for governors {date}.pdf").format(date=today.isoformat())
        path = self._ask_path(_("Save the summary for governors"), name, None, _("PDF (*.pdf)"))
        if path is None:
            return
        scope = (
            _("Everyone on every PC, from the shared folder.")
            if self.snapshot.from_share
            else _("This PC's records only.")
        )
        text = governors_html(
            self.dashboard.shown_summaries(), self.content, today, scope, self.dashboard.filters_text()
        )
        # Drawn here (fonts belong to the GUI thread; one page is quick), written off it.
        pdf = governors_pdf(text, _("Social media policy training: summary for governors"))
        self._write_in_background(path, lambda: pdf)

    def export_insight(self) -> None:
        if self.snapshot is None:
            return
        name = _("SocialSafe question insight {date}.csv").format(date=self.snapshot.today.isoformat())
        path = self._ask_path(_("Export the question insight"), name, ExportFormat.CSV, _("CSV (*.csv)"))
        if path is None:
            return
        rows = list(self.insight.model.rows)
        self._write_in_background(path, lambda: (insight_csv(rows), len(rows)))


class Office(QObject):
    """Opens the office area through the passphrase, and locks it when it is left or the PC is idle.

    Attached to the main window: its ``idle`` timer and page stack are the ones
    learners use, so that the office is handed back exactly as a learner's
    session is.
    """

    unlocked = Signal()
    locked = Signal()

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.area: OfficeArea | None = None
        self.gate: GateDialog | None = None
        window.stack.currentChanged.connect(self._page_changed)
        window.ready()  # the office reads everyone's records: the Store, the packs and sharing
        assert window.sync_worker is not None
        window.sync_worker.finished.connect(self._synced)

    @property
    def is_open(self) -> bool:
        return self.area is not None

    def open(self) -> None:
        """The header's Office button: the passphrase first, unless the office is open already."""
        if self.area is not None:
            self.window.stack.setCurrentWidget(self.area)
            return
        if self.gate is not None:
            self.gate.deleteLater()
        self.gate = GateDialog(self.window.store, self.window.settings, self.window)
        self.gate.accepted.connect(self._open_area)
        self.gate.open()

    def _open_area(self) -> None:
        window = self.window
        window.switch_person()  # whoever was signed in is signed out: the office is not theirs to see
        key = self.gate.key if self.gate is not None else None
        self.area = OfficeArea(window.store, window.settings, window.content, key=key)
        self.area.lock.connect(self.lock)
        self.area.pc_settings.connect(window.open_settings)
        self.area.recorded.connect(window.request_sync)  # what the office records reaches the share at once
        window.stack.addWidget(self.area)
        window.stack.setCurrentWidget(self.area)
        window.office_button.hide()
        window.person_line.setText(_("Office"))
        window.person_line.setAccessibleName(_("The office area is open"))
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self.window.restart_idle()
        self.area.refresh()
        self.area.dashboard.table.setFocus()
        self.unlocked.emit()

    def lock(self) -> None:
        """Close the office area and forget what it loaded; back to 'Who are you?' if it was showing."""
        area = self.area
        if area is None:
            return
        self.area = None
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        window = self.window
        window.stop_idle()
        if window.settings_dialog is not None and window.settings_dialog.isVisible():
            window.settings_dialog.reject()  # this PC's settings are never left open for the next person
        showing = window.stack.currentWidget() is area
        window.stack.removeWidget(area)
        area.hide()
        area.deleteLater()
        window.office_button.show()
        window.person_line.setText("")
        window.person_line.setAccessibleName("")
        if showing:
            window.switch_person()
        self.locked.emit()

    def _page_changed(self, _index: int) -> None:
        if self.area is not None and self.window.stack.currentWidget() is not self.area:
            self.lock()

    def _synced(self, _report: object) -> None:
        if self.area is not None:
            self.area.refresh()

    def idle_minutes(self) -> int:
        """The main window's idle time; the office is never left open for ever, even when learners' is 'Never'."""
        return self.window.idle_minutes() or DEFAULT_IDLE_MINUTES

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.area is not None and event.type() in INPUT_EVENTS:
            self.window.restart_idle()
        return False
