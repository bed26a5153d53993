"""The office console's list of everyone: counts by status, filters, search, and the table."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from socialsafe.domain.status import Status
from socialsafe.i18n import _, ngettext
from socialsafe.insight import STATUS_ORDER, PersonSummary, count_by_status
from socialsafe.labels import role_label, status_name
from socialsafe.ui.admin.models import PeopleColumn, PeopleFilter, PeopleModel, PersonLine, status_words
from socialsafe.ui.flow import EvenFlow, FlowRow
from socialsafe.ui.style import notifier, set_role
from socialsafe.ui.widgets import button, clear_button, esc, label


def setup_table(view: QTableView, name: str, description: str) -> None:
    """A table people read row by row: whole rows selected, Tab leaves it, Enter opens the row."""
    view.setAccessibleName(name)
    view.setAccessibleDescription(description)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setTabKeyNavigation(False)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.setCornerButtonEnabled(False)
    rows = view.verticalHeader()
    rows.hide()
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setDefaultSectionSize(view.fontMetrics().height() + 12)
    rows.setAccessibleName(_("Row numbers"))
    header = view.horizontalHeader()
    header.setAccessibleName(_("Column headings: choose one to sort by it"))
    header.setHighlightSections(False)
    header.setSectionsClickable(True)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)


class ColumnFitter(QObject):
    """Keeps a table's columns fitted to its width: some as wide as their contents need, the others sharing the rest.

    ``fixed``: column -> width; ``shares``: column -> share of the room left (they add up to 100);
    a shared column is never narrower than ``least``: the table then scrolls sideways.
    """

    def __init__(self, view: QAbstractItemView, fixed: dict[int, int], shares: dict[int, int], least: int) -> None:
        super().__init__(view)
        self.view = view
        self.fixed = fixed
        self.shares = shares
        self.least = least
        header = view.horizontalHeader() if isinstance(view, QTableView) else view.header()  # type: ignore[attr-defined]
        header.setStretchLastSection(False)
        for column in (*fixed, *shares):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        self.header = header
        self._viewport = view.viewport()
        self._viewport.installEventFilter(self)
        self.fit()

    def fit(self) -> None:
        room = self.view.viewport().width() - sum(self.fixed.values())
        for column, share in self.shares.items():
            self.header.resizeSection(column, max(self.least, room * share // 100))
        for column, width in self.fixed.items():
            self.header.resizeSection(column, width)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The type first: while the view is being destroyed, it must not be asked anything.
        if event.type() == QEvent.Type.Resize and watched is self._viewport and isValid(self.view):
            self.fit()
        return False


class CountTile(QFrame):
    """One status and how many people have it: the number and the status in words."""

    def __init__(self, status: Status, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.status = status
        set_role(self, "card")
        column = QVBoxLayout(self)
        column.setContentsMargins(6, 4, 6, 4)
        self.text = label("", rich=True)
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        column.addWidget(self.text)
        self.show_count(None)

    def show_count(self, count: int | None) -> None:
        number = "–" if count is None else str(count)
        self.text.setText(f"<big><b>{number}</b></big> {esc(status_words(self.status))}")
        text = status_name(self.status) + ": " + ("…" if count is None else str(count))
        self.setAccessibleName(text)
        self.text.setAccessibleName(text)

    @property
    def count_text(self) -> str:
        return self.text.accessibleName()


class DashboardPage(QWidget):
    """Everyone's training at a glance. ``open_person`` asks for one person's page."""

    open_person = Signal(object)  # PersonSummary
    export = Signal()
    governors = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.setSpacing(6)

        # With large text the counts and the filters go onto two or three lines rather than off the side.
        tiles = EvenFlow(spacing=6)
        self.tiles = {status: CountTile(status) for status in STATUS_ORDER}
        for tile in self.tiles.values():
            tiles.add(tile)
        layout.addLayout(tiles)

        filters = EvenFlow(spacing=10)
        self.school = self._combo(_("School"), _("Show the people of one school"))
        self.role = self._combo(_("Role"), _("Show the people in one role"))
        self.status = self._combo(_("Status"), _("Show the people with one training status"))
        self.search = QLineEdit()
        self.search.setAccessibleName(_("Search by name, email or school"))
        self.search.setPlaceholderText(_("Name, email or school"))
        clear_button(self.search)
        for text, field in (
            (_("School"), self.school),
            (_("Role"), self.role),
            (_("Status"), self.status),
            (_("Search"), self.search),
        ):
            # Each caption beside its field: one line for the four at normal text, two at the largest.
            pair = QWidget()
            row = QHBoxLayout(pair)
            row.setContentsMargins(0, 0, 0, 0)
            row.setSpacing(6)
            caption = label(text)
            caption.setWordWrap(False)
            caption.setBuddy(field)
            row.addWidget(caption)
            row.addWidget(field, 1)
            filters.add(pair)
        layout.addLayout(filters)

        self.model = PeopleModel(self)
        self.proxy = PeopleFilter(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        setup_table(
            self.table,
            _("Everyone's training"),
            _("One row a person. Use the arrow keys to move, Enter to open a person's record."),
        )
        header = self.table.horizontalHeader()
        header.setSortIndicator(PeopleColumn.NAME, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.columns: ColumnFitter | None = None
        self._size_columns()
        self.table.activated.connect(self._activated)
        layout.addWidget(self.table, 1)  # the height left over is the list's (office.page_area)

        # The count and the buttons for the people shown; the office adds its own after them. They wrap
        # onto a second line at large text rather than hide one another.
        foot = self.foot = FlowRow()
        self.shown = label("", "muted")
        self.shown.setWordWrap(False)
        self.shown.setAccessibleName(_("How many people are shown"))
        foot.add(self.shown)
        self.open_button = button(_("Open record"), _("Open the record of the person selected"))
        self.open_button.clicked.connect(self._open_current)
        self.export_button = button(
            _("Export…"), _("Export the people shown"), description=_("Save the list as Excel, CSV or JSON")
        )
        self.export_button.clicked.connect(self.export)
        self.governors_button = button(
            _("Governors' summary…"),
            _("Save a one-page summary for governors as a PDF"),
            description=_("Counts by status, by school and by role, on one printable page"),
        )
        self.governors_button.clicked.connect(self.governors)
        for widget in (self.open_button, self.export_button, self.governors_button):
            foot.add(widget)
        layout.addLayout(foot)

        self.school.currentIndexChanged.connect(lambda: self.proxy.set_school(self.school.currentData()))
        self.role.currentIndexChanged.connect(lambda: self.proxy.set_role(self.role.currentData()))
        self.status.currentIndexChanged.connect(lambda: self.proxy.set_status(self.status.currentData()))
        self.search.textChanged.connect(self.proxy.set_search)
        for signal in (
            self.proxy.rowsInserted,
            self.proxy.rowsRemoved,
            self.proxy.modelReset,
            self.proxy.layoutChanged,
        ):
            signal.connect(self._show_shown)
        self._fill_status()
        self.set_loading(True)
        notifier().changed.connect(self._fit_text)  # a new text size while the office is open

    def _fit_text(self) -> None:
        """Rows and columns made again for the text size now in force."""
        rows = self.table.verticalHeader()
        rows.setDefaultSectionSize(self.table.fontMetrics().height() + 12)
        self._size_columns()

    def _combo(self, name: str, description: str) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName(name)
        combo.setAccessibleDescription(description)
        combo.setToolTip(description)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(8)
        return combo

    def _size_columns(self) -> None:
        """Columns of dates, counts and statuses as wide as they need; name and school share the rest."""
        metrics = self.table.fontMetrics()
        self.table.horizontalHeader().setMinimumSectionSize(metrics.horizontalAdvance("0000") + 12)
        fixed = {
            PeopleColumn.ROLE: metrics.horizontalAdvance(_("Support staff")),
            PeopleColumn.STATUS: metrics.horizontalAdvance(status_words(Status.UPDATE_NEEDED)),
            PeopleColumn.MODULES: metrics.horizontalAdvance(_("Modules")),
            PeopleColumn.LAST_ACTIVITY: metrics.horizontalAdvance("00 Sept 0000"),
            PeopleColumn.EXPIRES: metrics.horizontalAdvance("00 Sept 0000"),
        }
        # A heading is bold, and has room for the sort arrow: as wide as the column's words or its heading.
        bold = QFont(self.table.horizontalHeader().font())
        bold.setBold(True)
        heading = QFontMetrics(bold)
        widths: dict[int, int] = {
            column: max(
                width + 22,
                heading.horizontalAdvance(str(self.proxy.headerData(column, Qt.Orientation.Horizontal))) + 32,
            )
            for column, width in fixed.items()
        }
        least = metrics.horizontalAdvance("Priya Sharma") + 12
        if self.columns is not None:
            self.columns.fixed, self.columns.least = widths, least
            self.columns.fit()
            return
        self.columns = ColumnFitter(self.table, widths, {PeopleColumn.NAME: 55, PeopleColumn.SCHOOL: 45}, least)

    # Showing data --------------------------------------------------------------------------

    def set_loading(self, loading: bool) -> None:
        for widget in (self.export_button, self.governors_button):
            widget.setEnabled(not loading and self.model.rowCount() > 0)
        if loading and self.model.rowCount() == 0:
            self.shown.setText(_("Loading…"))
            for tile in self.tiles.values():
                tile.show_count(None)

    def show_lines(self, lines: Sequence[PersonLine]) -> None:
        summaries = [line.summary for line in lines]
        self._fill_choices(summaries)
        self.model.set_lines(lines)
        for status, count in count_by_status(summaries).items():
            self.tiles[status].show_count(count)
        self.set_loading(False)
        self._show_shown()

    def _fill_choices(self, summaries: Sequence[PersonSummary]) -> None:
        """The schools and roles there are, keeping what was chosen when it is still there."""
        schools = sorted({s.school for s in summaries}, key=str.casefold)
        roles = sorted({s.role for s in summaries}, key=lambda r: role_label(r).casefold())
        self._refill(self.school, _("All schools"), [(s, s) for s in schools])
        self._refill(self.role, _("All roles"), [(role_label(r), r) for r in roles])

    @staticmethod
    def _refill(combo: QComboBox, everyone: str, items: list[tuple[str, str]]) -> None:
        chosen = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(everyone, None)
        for text, value in items:
            combo.addItem(text, value)
        found = combo.findData(chosen) if chosen is not None else 0
        combo.setCurrentIndex(max(0, found))
        combo.blockSignals(False)
        if chosen is not None and found < 0:
            combo.currentIndexChanged.emit(0)  # what was chosen has gone: show everyone again

    def _fill_status(self) -> None:
        self.status.addItem(_("Any status"), None)
        for status in STATUS_ORDER:
            self.status.addItem(status_words(status), status)

    def _show_shown(self) -> None:
        total = self.model.rowCount()
        shown = self.proxy.rowCount()
        if total == shown:
            text = ngettext("{n} person", "{n} people", total).format(n=total)
        else:
            text = ngettext("Showing {shown} of {n} person", "Showing {shown} of {n} people", total).format(
                shown=shown, n=total
            )
        self.shown.setText(text)
        self.shown.setAccessibleDescription(text)
        self.open_button.setEnabled(shown > 0)

    def filters_text(self) -> str:
        """The filters and search in force, in words ("" when everyone is shown)."""
        parts = [
            combo.currentText() for combo in (self.school, self.role, self.status) if combo.currentData() is not None
        ]
        if self.search.text().strip():
            parts.append(_("search: “{text}”").format(text=self.search.text().strip()))
        return _("Shown: {filters}.").format(filters="; ".join(parts)) if parts else ""

    def shown_summaries(self) -> list[PersonSummary]:
        return self.proxy.summaries()

    # Opening a person ------------------------------------------------------------------------

    def _activated(self, index: QModelIndex) -> None:
        if index.isValid():
            source = self.proxy.mapToSource(index)
            self.open_person.emit(self.model.line(source.row()).summary)

    def _open_current(self) -> None:
        index = self.table.currentIndex()
        if not index.isValid() and self.proxy.rowCount():
            index = self.proxy.index(0, 0)
        self._activated(index)

    def select_person(self, identity: tuple[str, ...] | None) -> None:
        """Put the keyboard back on a person's row (after their page closes)."""
        self.table.setFocus()
        if identity is None:
            return
        for row in range(self.proxy.rowCount()):
            summary = self.model.line(self.proxy.mapToSource(self.proxy.index(row, 0)).row()).summary
            if identity_of(summary) == identity:
                self.table.setCurrentIndex(self.proxy.index(row, 0))
                self.table.scrollTo(self.proxy.index(row, 0))
                return


def identity_of(summary: PersonSummary) -> tuple[str, ...]:
    from socialsafe.domain.people import person_identity

    return person_identity(summary.name, summary.school, summary.email)
