"""The office console's tables: thin models over rows from :mod:`socialsafe.insight`, filtered in proxies.

Everything a cell shows and every sort key is worked out once, when the rows
are loaded (:func:`person_line`, off the GUI thread), so that ``data()`` only
looks a string up. A click on a heading sorts the rows in Python, by the
precomputed keys, and the proxy keeps that order: with thousands of people,
asking ``data()`` for each comparison of a sort (what a proxy's own sort does)
takes the better part of a second; sorting the keys takes a few milliseconds.
``benchmarks/dashboard.py`` measures both.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

from socialsafe.domain.people import letters
from socialsafe.domain.status import Status
from socialsafe.i18n import _, format_date
from socialsafe.insight import STATUS_ORDER, InsightRow, PersonSummary
from socialsafe.labels import role_label
from socialsafe.reports import collation
from socialsafe.ui.safe_text import as_text
from socialsafe.ui.style import TRAINING_TONES, colour, current_theme

Index = QModelIndex | QPersistentModelIndex
NO_PARENT = QModelIndex()  # the root: a table's rows have no parent
SUMMARY_ROLE = int(Qt.ItemDataRole.UserRole) + 1  # the PersonSummary behind a row
SORT_ROLE = int(Qt.ItemDataRole.UserRole) + 2  # the key a column sorts by (the insight table)
# Roles as plain ints: data() is called for every role of every cell painted, and compares them fast.
DISPLAY = int(Qt.ItemDataRole.DisplayRole)
ACCESSIBLE_TEXT = int(Qt.ItemDataRole.AccessibleTextRole)
FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)


def status_brush(status: Status) -> QBrush:
    """A status's colour in the theme in force: a second cue beside the words and symbols, never the only one."""
    theme = current_theme().name
    key = (theme, status)
    brush = _BRUSHES.get(key)
    if brush is None:
        brush = _BRUSHES[key] = QBrush(QColor(colour(TRAINING_TONES[status])))
    return brush


_BRUSHES: dict[tuple[str, Status], QBrush] = {}


def status_words(status: Status) -> str:
    """A training status in words with a symbol, so it never relies on colour alone."""
    return {
        Status.COMPLETE: _("✔ Complete"),
        Status.DUE_SOON: _("◷ Due soon"),
        Status.EXPIRED: _("✖ Expired"),
        Status.UPDATE_NEEDED: _("↻ Update needed"),
        Status.IN_PROGRESS: _("◐ In progress"),
        Status.NOT_STARTED: _("○ Not started"),
        Status.EXEMPT: _("– Exempt"),
    }[status]


# People ------------------------------------------------------------------------------------


class PeopleColumn(IntEnum):
    NAME = 0
    SCHOOL = 1
    ROLE = 2
    STATUS = 3
    MODULES = 4
    LAST_ACTIVITY = 5
    EXPIRES = 6


def people_headings() -> list[str]:
    return [_("Name"), _("School"), _("Role"), _("Status"), _("Modules"), _("Last activity"), _("Expires")]


@dataclass(frozen=True)
class PersonLine:
    """One person as the table shows them: the cells' text, the sort keys, what the search box looks in."""

    summary: PersonSummary
    cells: tuple[str, ...]
    keys: tuple[Any, ...]
    search: str  # name, email and school, case and accents set aside


def _day(value: Any) -> str:
    return format_date(value, "medium") if value else ""


def person_line(summary: PersonSummary) -> PersonLine:
    """The line of the people table for one person (pure: safe on a background thread)."""
    row = summary.row
    name = collation(summary.name)
    cells = (
        summary.name,
        summary.school,
        role_label(summary.role),
        status_words(summary.status),
        _("{passed} of {total}").format(passed=row.modules_passed, total=row.modules_total),
        _day(summary.last_activity),
        _day(summary.expires_on),
    )
    never = "9999-12-31"  # no date sorts after every date
    keys = (
        (name, collation(summary.school)),
        (collation(summary.school), name),
        (collation(cells[PeopleColumn.ROLE]), name),
        (STATUS_ORDER.index(summary.status), name),
        (row.modules_passed / row.modules_total if row.modules_total else 0.0, row.modules_passed, name),
        ((summary.last_activity.isoformat() if summary.last_activity else ""), name),
        ((summary.expires_on.isoformat() if summary.expires_on else never), name),
    )
    # Found as people are told apart: on letters alone ("obrien" finds O'Brien, "sian" Siân).
    search = " ".join(letters(x) for x in (summary.name, summary.email or "", summary.school))
    return PersonLine(summary, cells, keys, search)


class PeopleModel(QAbstractTableModel):
    """Everyone, one row a person; sorts itself by precomputed keys."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._lines: list[PersonLine] = []
        self._sort: tuple[int, Qt.SortOrder] = (PeopleColumn.NAME, Qt.SortOrder.AscendingOrder)
        self._headings = people_headings()

    # Reading -----------------------------------------------------------------------------

    def rowCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self._lines)

    def columnCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(PeopleColumn)

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        # Called for every role of every cell painted: the usual answers come first, in plain ints.
        if role in (DISPLAY, ACCESSIBLE_TEXT):
            row = index.row()
            return self._lines[row].cells[index.column()] if 0 <= row < len(self._lines) else None
        if role == FOREGROUND:
            if index.column() == PeopleColumn.STATUS and 0 <= index.row() < len(self._lines):
                return status_brush(self._lines[index.row()].summary.status)
            return None
        if role != TOOLTIP and role != SUMMARY_ROLE:
            return None
        if not index.isValid() or index.row() >= len(self._lines):
            return None
        line = self._lines[index.row()]
        if role == SUMMARY_ROLE:
            return line.summary
        # A tooltip is HTML when it looks like HTML: names and schools are shown as typed.
        if index.column() == PeopleColumn.NAME and line.summary.email:
            return as_text(_("{name} <{email}>").format(name=line.summary.name, email=line.summary.email))
        return as_text(line.cells[index.column()]) or None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        wanted = role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole)
        if wanted and orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._headings):
            return self._headings[section]
        return None

    def line(self, row: int) -> PersonLine:
        return self._lines[row]

    @property
    def lines(self) -> Sequence[PersonLine]:
        return self._lines

    # Changing ----------------------------------------------------------------------------

    def set_lines(self, lines: Sequence[PersonLine]) -> None:
        self.beginResetModel()
        column, order = self._sort
        self._lines = sorted(lines, key=lambda x: x.keys[column], reverse=order == Qt.SortOrder.DescendingOrder)
        self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(PeopleColumn):
            return
        self._sort = (column, order)
        self.layoutAboutToBeChanged.emit()
        before = self.persistentIndexList()
        old_rows = [index.row() for index in before]
        numbered = sorted(
            range(len(self._lines)),
            key=lambda i: self._lines[i].keys[column],
            reverse=order == Qt.SortOrder.DescendingOrder,
        )
        where = {old: new for new, old in enumerate(numbered)}
        self._lines = [self._lines[i] for i in numbered]
        self.changePersistentIndexList(
            before, [self.index(where[row], index.column()) for row, index in zip(old_rows, before, strict=True)]
        )
        self.layoutChanged.emit()


def end_filter_change(proxy: QSortFilterProxyModel, begin: bool) -> None:
    """Tell a proxy its filter changes (Qt 6.10's begin/endFilterChange, else invalidateRowsFilter)."""
    if hasattr(proxy, "endFilterChange"):
        (proxy.beginFilterChange if begin else proxy.endFilterChange)()
    elif not begin:
        proxy.invalidateRowsFilter()


class PeopleFilter(QSortFilterProxyModel):
    """Shows the people who match the school, role, status and search chosen; sorting goes to the model."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.school: str | None = None
        self.role: str | None = None
        self.status: Status | None = None
        self.words: list[str] = []

    def people(self) -> PeopleModel:
        model = self.sourceModel()
        assert isinstance(model, PeopleModel)
        return model

    def _change(self, apply: Callable[[], None]) -> None:
        end_filter_change(self, begin=True)
        apply()
        end_filter_change(self, begin=False)

    def set_school(self, school: str | None) -> None:
        self._change(lambda: setattr(self, "school", school or None))

    def set_role(self, role: str | None) -> None:
        self._change(lambda: setattr(self, "role", role or None))

    def set_status(self, status: Status | str | None) -> None:
        """One status to show (a combo box gives its value back as plain text), or None for any."""
        self._change(lambda: setattr(self, "status", Status(status) if status else None))

    def set_search(self, text: str) -> None:
        self._change(lambda: setattr(self, "words", [w for w in map(letters, text.split()) if w]))

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        line = self.people().line(source_row)
        summary = line.summary
        if self.school is not None and summary.school != self.school:
            return False
        if self.role is not None and summary.role != self.role:
            return False
        if self.status is not None and summary.status is not self.status:
            return False
        return all(word in line.search for word in self.words)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        # The model sorts by its precomputed keys; the proxy keeps the model's order.
        self.people().sort(column, order)

    def summaries(self) -> list[PersonSummary]:
        """The people shown now, in the order shown."""
        model = self.people()
        return [model.line(self.mapToSource(self.index(row, 0)).row()).summary for row in range(self.rowCount())]


# Question insight ----------------------------------------------------------------------


class InsightColumn(IntEnum):
    MODULE = 0
    QUESTION = 1
    CLAUSES = 2
    PEOPLE = 3
    WRONG = 4
    WRONG_CHOICES = 5


def insight_headings() -> list[str]:
    return [_("Module"), _("Question"), _("Clauses"), _("People"), _("Wrong"), _("Wrong answers chosen most")]


class InsightModel(QAbstractTableModel):
    """A row per question (or scenario step): how many answered it, how many got it wrong, and how."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[InsightRow] = []
        self._headings = insight_headings()

    def rowCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(InsightColumn)

    def _cell(self, row: InsightRow, column: int) -> str:
        if column == InsightColumn.MODULE:
            return row.module_title or row.module_id
        if column == InsightColumn.QUESTION:
            return row.question
        if column == InsightColumn.CLAUSES:
            return row.clause_ids
        if column == InsightColumn.PEOPLE:
            return str(row.people_answered)
        if column == InsightColumn.WRONG:
            if not row.answers:
                return ""
            return _("{percent}% ({wrong} of {answers})").format(
                percent=row.wrong_percent, wrong=row.wrong_answers, answers=row.answers
            )
        return row.most_chosen_wrong

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._cell(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:  # HTML when it looks like HTML: a pack's question shown as typed
            return as_text(self._cell(row, column)) or None
        if role == SORT_ROLE:
            if column == InsightColumn.PEOPLE:
                return row.people_answered
            if column == InsightColumn.WRONG:
                return row.wrong_percent if row.answers else -1
            return collation(self._cell(row, column))
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (InsightColumn.PEOPLE, InsightColumn.WRONG):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        wanted = role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole)
        if wanted and orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._headings):
            return self._headings[section]
        return None

    def set_rows(self, rows: Sequence[InsightRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    @property
    def rows(self) -> Sequence[InsightRow]:
        return self._rows


def insight_proxy(model: InsightModel, parent: Any = None) -> QSortFilterProxyModel:
    """The insight table sorted by a column's key (a few hundred rows: the proxy's own sort is quick)."""
    proxy = QSortFilterProxyModel(parent)
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    return proxy
