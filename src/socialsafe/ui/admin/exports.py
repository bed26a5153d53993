"""Files from the office console: the people shown, as CSV, Excel or JSON, and a one-page summary for governors.

CSV and JSON are written exactly as ``socialsafe export`` writes them
(:mod:`socialsafe.export`); the Excel workbook is for people: headings and
statuses in words, real dates, the heading row frozen and filtered. Every file
is written whole with :func:`socialsafe.export.write_file`, which also removes
what an export killed before left in the folder.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence

from PySide6.QtCore import QRectF
from PySide6.QtGui import QPainter, QPdfWriter
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from socialsafe import export
from socialsafe.content.loader import Content
from socialsafe.domain.status import Status
from socialsafe.export import ExportFormat
from socialsafe.i18n import _, format_date, ngettext
from socialsafe.insight import STATUS_ORDER, GroupCounts, PersonSummary, count_by_status, counts_by
from socialsafe.labels import role_label, status_name
from socialsafe.reports import ModuleRow, PersonRecords, PersonRow, Row, build_module_rows, build_person_rows, columns
from socialsafe.ui.pdf import a4_pdf
from socialsafe.ui.safe_text import InertDocument
from socialsafe.ui.style import PAPER
from socialsafe.ui.widgets import in_our_words, label, name_button

BY_PERSON, BY_MODULE = "person", "module"
DATE_COLUMNS = {"acknowledged_at", "completed_at", "expires_on", "first_passed_at", "last_activity_at"}
# Printed: dark ink on white paper whatever the app's theme (the colours live in style.PAPER).
GREEN, DARK_GREEN, RULE, TINT, INK, MUTED = (PAPER[k] for k in ("accent", "heading", "rule", "tint", "ink", "muted"))
PDF_DPI = 150
MARGIN_MM = 15.0


def suffix(fmt: ExportFormat) -> str:
    return "." + fmt.value


def rows_for(by: str, people: Sequence[PersonRecords], content: Content, today: dt.date) -> tuple[list[str], list[Row]]:
    """The header and rows of the report ``by`` person or module, for the primary policy (as the share's)."""
    policy = content.primary_policy_id
    if by == BY_MODULE:
        return columns(ModuleRow), list(build_module_rows(people, content, today, policy))
    return columns(PersonRow), list(build_person_rows(people, content, today, policy))


def file_bytes(
    fmt: ExportFormat, by: str, people: Sequence[PersonRecords], content: Content, today: dt.date
) -> tuple[bytes, int]:
    """The file's bytes and how many rows it holds (slow for thousands of people: call it off the GUI thread)."""
    header, rows = rows_for(by, people, content, today)
    if fmt is ExportFormat.CSV:
        return export.to_csv(header, rows), len(rows)
    if fmt is ExportFormat.JSON:
        return export.to_json(rows), len(rows)
    return export.xlsx_bytes(header, rows, by == BY_MODULE), len(rows)


# The governors' summary ---------------------------------------------------------------------


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _align(column: int) -> str:
    """Numbers line up on the right; the first column is a name."""
    return "" if column == 0 else ' align="right"'


def _group_table(title: str, groups: Sequence[GroupCounts], first: str, limit: int) -> str:
    head = f"background-color: {TINT}; color: {DARK_GREEN}; font-weight: bold; border-bottom: 1px solid {GREEN};"
    cell = f"border-bottom: 1px solid {RULE};"
    headings = [first, _("People"), _("Trained"), _("Due soon"), _("Expired or update needed"), _("Not yet")]
    rows = []
    shown = sorted(groups, key=lambda g: (-g.total, g.group.casefold()))[:limit]
    for group in shown:
        c = group.counts
        overdue = c[Status.EXPIRED] + c[Status.UPDATE_NEEDED]
        not_yet = c[Status.IN_PROGRESS] + c[Status.NOT_STARTED]
        trained = _("{n} ({percent}%)").format(n=group.trained, percent=group.trained_percent)
        values = [group.group, group.total, trained, c[Status.DUE_SOON], overdue, not_yet]
        tds = "".join(f'<td style="{cell}"{_align(i)}>{_e(v)}</td>' for i, v in enumerate(values))
        rows.append(f"<tr>{tds}</tr>")
    more = ""
    if len(groups) > limit:
        more = f'<p style="font-size: 8.5pt;">{_e(_("and {n} more").format(n=len(groups) - limit))}</p>'
    ths = "".join(f'<td style="{head}"{_align(i)}>{_e(h)}</td>' for i, h in enumerate(headings))
    return (
        f'<h2 style="font-size: 12pt; color: {DARK_GREEN}; margin: 14px 0 4px 0;">{_e(title)}</h2>'
        f'<table width="100%" cellspacing="0" cellpadding="4" style="border-collapse: collapse; font-size: 9.5pt;">'
        f"<tr>{ths}</tr>{''.join(rows)}</table>{more}"
    )


def governors_html(
    summaries: Sequence[PersonSummary],
    content: Content,
    today: dt.date,
    scope: str,
    filters: str = "",
    limit: int = 15,
) -> str:
    """A one-page summary for governors: counts by status, by school and by role, as Qt rich text.

    ``scope`` says whose records these are; ``filters`` what the list was narrowed to ("" for everyone).
    """
    policy = content.current[0].policy if content.current else None
    counts = count_by_status(summaries)
    total = sum(counts.values())
    trained = counts[Status.COMPLETE] + counts[Status.DUE_SOON]
    percent = round(100 * trained / total) if total else 0
    title = _("Social media policy training: summary for governors")
    about = (
        _("{organisation}: {title}, version {version}").format(
            organisation=policy.organisation, title=policy.title, version=policy.version
        )
        if policy
        else ""
    )
    status_rows = "".join(
        f'<tr><td style="border-bottom: 1px solid {RULE};">{_e(status_name(s))}</td>'
        f'<td align="right" style="border-bottom: 1px solid {RULE};">{counts[s]}</td></tr>'
        for s in STATUS_ORDER
    )
    head = f"background-color: {TINT}; color: {DARK_GREEN}; font-weight: bold; border-bottom: 1px solid {GREEN};"
    headline = _("{trained} of {total} people are trained ({percent}%).").format(
        trained=trained, total=total, percent=percent
    )
    parts = [
        f"<html><body style=\"font-family: 'Segoe UI', Calibri, Arial, 'DejaVu Sans', sans-serif; "
        f'font-size: 10pt; color: {INK};">',
        f'<h1 style="font-size: 17pt; color: {DARK_GREEN}; margin: 0;">{_e(title)}</h1>',
        f'<p style="margin: 4px 0 0 0;">{_e(about)}</p>' if about else "",
        f'<p style="margin: 2px 0 0 0; color: {MUTED};">'
        f"{_e(_('As at {date}. {scope}').format(date=format_date(today), scope=scope))}</p>",
        f'<p style="margin: 2px 0 0 0; color: {MUTED};">{_e(filters)}</p>' if filters else "",
        f'<p style="margin: 12px 0 0 0; font-size: 13pt; font-weight: bold;">{_e(headline)}</p>',
        f'<h2 style="font-size: 12pt; color: {DARK_GREEN}; margin: 14px 0 4px 0;">{_e(_("By status"))}</h2>',
        f'<table width="55%" cellspacing="0" cellpadding="4" style="border-collapse: collapse; font-size: 9.5pt;">'
        f'<tr><td style="{head}">{_e(_("Status"))}</td><td align="right" style="{head}">{_e(_("People"))}</td></tr>'
        f"{status_rows}</table>",
        _group_table(_("By school"), counts_by(summaries, lambda s: s.school), _("School"), limit),
        _group_table(_("By role"), counts_by(summaries, lambda s: role_label(s.role)), _("Role"), limit),
        f'<p style="margin-top: 14px; font-size: 8.5pt; color: {MUTED};">'
        f"{_e(_('Trained: completed and still valid (due soon means it expires within 30 days).'))}</p>",
        "</body></html>",
    ]
    return "".join(parts)


def governors_pdf(text: str, title: str) -> bytes:
    """The summary on one A4 page (shrunk to fit if ever it would not), as PDF bytes."""

    def draw(writer: QPdfWriter) -> None:
        document = InertDocument()  # school names are escaped; and it fetches nothing, whatever they say
        document.documentLayout().setPaintDevice(writer)
        document.setDocumentMargin(0)
        document.setHtml(text)
        page = QRectF(0, 0, writer.width(), writer.height())
        document.setTextWidth(page.width())
        scale = min(1.0, page.height() / max(1.0, document.size().height()))
        if scale < 1.0:
            document.setTextWidth(page.width() / scale)
            scale = min(1.0, page.height() / max(1.0, document.size().height()))
        painter = QPainter()
        if not painter.begin(writer):
            raise OSError(_("The summary could not be drawn."))
        try:
            painter.scale(scale, scale)
            document.drawContents(painter)
        finally:
            painter.end()

    return a4_pdf(title, draw, PDF_DPI, MARGIN_MM)


# Choosing what to export ------------------------------------------------------------------------


class ExportDialog(QDialog):
    """Asks for the format and whether one row per person or per module; ``accepted`` when chosen.

    ``problems``: lines or files of the shared folder that could not be read, so
    the list (and the file) lacks whatever they hold: the dialog says so.
    """

    def __init__(self, shown: int, parent: QWidget | None = None, problems: int = 0) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Export the people shown"))
        layout = QVBoxLayout(self)
        layout.addWidget(
            label(
                ngettext(
                    "Exports the {n} person the list shows now, with the filters and search in force. "
                    "The file holds personal data: keep it safe.",
                    "Exports the {n} people the list shows now, with the filters and search in force. "
                    "The file holds personal data: keep it safe.",
                    shown,
                ).format(n=shown)
            )
        )
        self.incomplete: QLabel | None = None
        if problems:
            self.incomplete = label(
                "⚠ "
                + ngettext(
                    "The list is incomplete: {n} line or file in the shared folder could not be read, "
                    "so the file will lack whatever it holds (the log lists it).",
                    "The list is incomplete: {n} lines or files in the shared folder could not be read, "
                    "so the file will lack whatever they hold (the log lists them).",
                    problems,
                ).format(n=problems)
            )
            layout.addWidget(self.incomplete)
        form = QFormLayout()
        self.format = QComboBox()
        self.format.addItem(_("Excel workbook (.xlsx)"), ExportFormat.XLSX)
        self.format.addItem(_("CSV, safe to open in Excel (.csv)"), ExportFormat.CSV)
        self.format.addItem(_("JSON, for other programs (.json)"), ExportFormat.JSON)
        self.format.setAccessibleName(_("File format"))
        self.by = QComboBox()
        self.by.addItem(_("One row per person"), BY_PERSON)
        self.by.addItem(_("One row per person and module"), BY_MODULE)
        self.by.setAccessibleName(_("Rows"))
        for combo in (self.format, self.by):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        for text, field in ((_("File format"), self.format), (_("Rows"), self.by)):
            caption = label(text)
            caption.setBuddy(field)
            form.addRow(caption, field)
        layout.addLayout(form)
        buttons = in_our_words(
            QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(_("Save as…"))
        name_button(self.save_button, _("Choose where to save the file"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName(_("Cancel"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(min(760, max(480, self.fontMetrics().averageCharWidth() * 56)))

    @property
    def chosen_format(self) -> ExportFormat:
        return ExportFormat(self.format.currentData())

    @property
    def chosen_by(self) -> str:
        return str(self.by.currentData())
