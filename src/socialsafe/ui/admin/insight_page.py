"""Question insight: how each question was answered on this PC, and the wrong answers chosen most."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QHeaderView, QTableView, QVBoxLayout, QWidget

from socialsafe.i18n import _, ngettext
from socialsafe.insight import InsightRow
from socialsafe.ui.admin.dashboard import ColumnFitter, setup_table
from socialsafe.ui.admin.models import InsightColumn, InsightModel, insight_proxy
from socialsafe.ui.widgets import button, label


class InsightPage(QWidget):
    export = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setSpacing(8)
        self.about = label(
            _(
                "From the answers given on this PC: how many people answered each question, how many answers "
                "were wrong, and the wrong answers chosen most. A question many get wrong may need explaining "
                "again, or rewording."
            ),
            "muted",
        )
        layout.addWidget(self.about)
        self.model = InsightModel(self)
        self.proxy = insight_proxy(self.model, self)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        setup_table(
            self.table,
            _("Question insight"),
            _("One row a question, or a step of a scenario. Choose a column heading to sort by it."),
        )
        self.table.setWordWrap(True)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(InsightColumn.WRONG, Qt.SortOrder.DescendingOrder)
        # A few hundred rows at most: each row grows to show its question whole.
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        metrics = self.table.fontMetrics()
        self.columns = ColumnFitter(
            self.table,
            {
                InsightColumn.CLAUSES: metrics.horizontalAdvance("USE-10") + 24,
                InsightColumn.PEOPLE: metrics.horizontalAdvance(_("People")) + 32,
                InsightColumn.WRONG: metrics.horizontalAdvance("100% (00 of 00)") + 16,
            },
            {InsightColumn.MODULE: 20, InsightColumn.QUESTION: 45, InsightColumn.WRONG_CHOICES: 35},
            metrics.horizontalAdvance("Friend requests") + 8,
        )
        layout.addWidget(self.table, 1)  # the height left over is the table's (office.page_area)
        foot = QHBoxLayout()
        self.shown = label("", "muted")
        self.shown.setAccessibleName(_("How many questions are listed"))
        foot.addWidget(self.shown, 1)
        self.export_button = button(_("Export CSV…"), _("Export the question insight as a CSV file"))
        self.export_button.clicked.connect(self.export)
        self.export_button.setEnabled(False)
        foot.addWidget(self.export_button)
        layout.addLayout(foot)

    def show_rows(self, rows: Sequence[InsightRow]) -> None:
        self.model.set_rows(rows)
        answered = sum(1 for r in rows if r.answers)
        self.shown.setText(
            ngettext(
                "{n} question; {answered} answered on this PC so far.",
                "{n} questions; {answered} answered on this PC so far.",
                len(rows),
            ).format(n=len(rows), answered=answered)
        )
        self.export_button.setEnabled(bool(rows))
