"""Completion by school and by role: a stacked bar chart, with the same numbers in words beside it."""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QSplitter, QVBoxLayout, QWidget

from socialsafe.i18n import _
from socialsafe.insight import STATUS_ORDER, GroupCounts, PersonSummary, counts_by
from socialsafe.labels import role_label, status_name
from socialsafe.ui.safe_text import Reader, as_text
from socialsafe.ui.style import CHART_ROLES, colour, notifier
from socialsafe.ui.widgets import label

BY_SCHOOL, BY_ROLE = "school", "role"
# The bars' colours (style.CHART_ROLES) are told apart with the common kinds of colour blindness; the legend
# names every colour, and the numbers are given in words too.


def group_sentence(group: GroupCounts) -> str:
    """One group's numbers in words: '<school>: 5 of 8 trained (63%); 2 complete, 1 due soon, …'."""
    parts = [
        _("{n} {status}").format(n=group.counts[s], status=status_name(s).lower())
        for s in STATUS_ORDER
        if group.counts[s]
    ]
    return _("{group}: {trained} of {total} trained ({percent}%); {details}.").format(
        group=group.group,
        trained=group.trained,
        total=group.total,
        percent=group.trained_percent,
        details=", ".join(parts),
    )


class ChartPage(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summaries: Sequence[PersonSummary] = []
        self.groups: list[GroupCounts] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        row = QHBoxLayout()
        caption = label(_("Show by"))
        self.by = QComboBox()
        self.by.addItem(_("School"), BY_SCHOOL)
        self.by.addItem(_("Role"), BY_ROLE)
        self.by.setAccessibleName(_("Show the chart by school or by role"))
        caption.setBuddy(self.by)
        self.by.currentIndexChanged.connect(self._draw)
        row.addWidget(caption)
        row.addWidget(self.by)
        row.addStretch(1)
        layout.addLayout(row)

        self.chart = QChart()
        self.chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.chart.setMargins(QMargins(4, 4, 4, 4))
        self.chart.setBackgroundRoundness(6)
        self.view = QChartView(self.chart)
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.view.setMinimumHeight(200)
        self.view.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.numbers = Reader()
        self.numbers.setAccessibleName(_("The chart's numbers in words"))
        self.numbers.setMinimumHeight(self.numbers.fontMetrics().height() * 4)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.view)
        split.addWidget(self.numbers)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setChildrenCollapsible(False)
        split.setAccessibleName(_("Chart and numbers"))
        layout.addWidget(split, 1)
        self._draw()
        notifier().changed.connect(self._draw)  # a new theme or text size: drawn again in its colours

    def show_summaries(self, summaries: Sequence[PersonSummary]) -> None:
        self.summaries = summaries
        self._draw()

    def _group(self, summary: PersonSummary) -> str:
        return summary.school if self.by.currentData() == BY_SCHOOL else role_label(summary.role)

    def _draw(self) -> None:
        by_school = self.by.currentData() == BY_SCHOOL
        title = _("Training by school") if by_school else _("Training by role")
        self.groups = counts_by(self.summaries, self._group)
        # Top to bottom in alphabetical order: a horizontal chart draws its first category at the bottom.
        groups = list(reversed(self.groups))
        self.chart.removeAllSeries()
        for axis in self.chart.axes():
            self.chart.removeAxis(axis)
        self.chart.setTitle(title)
        font = QFont(self.font())
        font.setBold(True)
        self.chart.setTitleFont(font)
        series = QHorizontalStackedBarSeries()
        for status in STATUS_ORDER:
            bars = QBarSet(status_name(status))
            bars.setColor(QColor(colour(CHART_ROLES[status])))
            bars.setBorderColor(QColor(colour("chart_border")))
            bars.append([float(g.counts[status]) for g in groups])
            series.append(bars)
        self.chart.addSeries(series)
        categories = QBarCategoryAxis()
        # A chart's labels are always HTML: a school's name, escaped, shows as typed and loads nothing.
        categories.append([html.escape(name) for name in _unique([_short(g.group) for g in groups])] or [""])
        values = QValueAxis()
        values.setLabelFormat("%d")
        most = max((g.total for g in groups), default=0)
        values.setRange(0, max(1, most))
        values.setTickCount(min(11, max(2, most + 1)))
        values.setTitleText(_("People"))
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, self.font().pointSizeF() * 0.9))
        self.chart.legend().setFont(small)
        categories.setLabelsFont(small)
        values.setLabelsFont(small)
        values.setTitleFont(small)
        # Room for every bar and its label: with large text or many schools the page scrolls instead.
        line = QFontMetrics(small).height()
        self.view.setMinimumHeight(max(240, min(1200, line * (8 + 2 * len(groups)))))
        self._paint(categories, values)
        self.chart.addAxis(categories, Qt.AlignmentFlag.AlignLeft)
        self.chart.addAxis(values, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(categories)
        series.attachAxis(values)
        sentences = [group_sentence(g) for g in self.groups]
        described = " ".join(sentences) if sentences else _("No one to show yet.")
        self.view.setAccessibleName(title)
        self.view.setAccessibleDescription(described)
        self.view.setToolTip(as_text(described) if len(described) < 600 else "")
        rows = "".join(f"<li>{html.escape(s)}</li>" for s in sentences)
        self.numbers.setHtml(
            f"<p><b>{html.escape(title)}</b></p><ul>{rows}</ul>" if rows else f"<p>{html.escape(described)}</p>"
        )
        self.numbers.setAccessibleDescription(described)

    def _paint(self, categories: QBarCategoryAxis, values: QValueAxis) -> None:
        """The chart in the theme's colours: a chart does not follow the style sheet by itself."""
        ink, background = QColor(colour("text")), QColor(colour("chart_bg"))
        self.chart.setBackgroundBrush(background)
        self.chart.setPlotAreaBackgroundVisible(False)
        self.chart.setTitleBrush(ink)
        self.chart.legend().setLabelColor(ink)
        for axis in (categories, values):
            axis.setLabelsColor(ink)
            axis.setLinePenColor(QColor(colour("input_border")))
            axis.setGridLineColor(QColor(colour("border")))
        values.setTitleBrush(ink)

    def description(self) -> str:
        return self.view.accessibleDescription()


def _unique(names: list[str]) -> list[str]:
    """Category names told apart (a chart axis drops a repeated one): a number after a repeat."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out


def _short(text: str, limit: int = 28) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
