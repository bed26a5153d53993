"""Report rows as files and as a table on the terminal.

CSV follows ``shared/contracts/share-format.md`` ("Derived reports"): UTF-8 with
a BOM, a header row, and spreadsheet formulas neutralised. JSON is a list of
objects, values as they are. Every file is written whole with
:func:`socialsafe.files.write_atomic`, after removing what a crashed export left.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import re
import unicodedata
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path

from socialsafe.domain.status import Status
from socialsafe.files import disk_full_message, write_export
from socialsafe.i18n import _
from socialsafe.labels import module_status_name, role_label, status_name
from socialsafe.log import printable
from socialsafe.reports import Row

# A cell beginning with one of these is read as a formula by spreadsheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    JSON = "json"


class UnknownFormatError(ValueError):
    """The file's suffix names no format this app writes; the message says so."""


def format_for(path: Path, explicit: str | None = None) -> ExportFormat:
    """The format asked for with ``--format``, else the one the file's suffix names."""
    if explicit:
        return ExportFormat(explicit.lower())
    suffix = path.suffix.lower().lstrip(".")
    try:
        return ExportFormat(suffix)
    except ValueError:
        raise UnknownFormatError(
            _(
                "Cannot tell the format from the file name {name}: end it in .csv, .xlsx or .json, or use --format."
            ).format(name=path.name)
        ) from None


def neutralise(cell: str) -> str:
    """A cell a spreadsheet would run as a formula, made plain text with a leading apostrophe."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def _text(value: object) -> str:
    return "" if value is None else str(value)


def to_csv(header: Sequence[str], rows: Sequence[Row]) -> bytes:
    """UTF-8 with a BOM, a header row, ``\\r\\n`` line ends (RFC 4180), formulas neutralised."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        # getattr, not dataclasses.asdict: asdict deep-copies every value of every row.
        writer.writerow([neutralise(_text(getattr(row, name))) for name in header])
    return (BOM + buffer.getvalue()).encode("utf-8")


def to_json(rows: Sequence[Row]) -> bytes:
    """A list of objects in column order; numbers stay numbers, a missing score is null."""
    data = [dataclasses.asdict(row) for row in rows]
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def headings() -> dict[str, str]:
    """Column headings for people reading the table (the files keep the column names)."""
    return {
        "name": _("Name"),
        "email": _("Email"),
        "role": _("Role"),
        "school": _("School"),
        "modules_passed": _("Passed"),
        "modules_total": _("Modules"),
        "acknowledged_at": _("Signed"),
        "completed_at": _("Completed"),
        "expires_on": _("Expires"),
        "status": _("Status"),
        "module_id": _("Module"),
        "module_title": _("Title"),
        "best_score_percent": _("Best %"),
        "attempts": _("Attempts"),
        "first_passed_at": _("First passed"),
        "last_activity_at": _("Last activity"),
        "policy_version": _("Policy version"),
    }


_BREAKS = re.compile("[\t\n\v\f\r\x1c-\x1f\x85\u2028\u2029]")


def _one_line(text: str) -> str:
    """A cell on one line of the table: a line break or tab is a space, any other control shown escaped."""
    return printable(_BREAKS.sub(" ", text))


def _width(text: str) -> int:
    """Columns on a terminal: wide (East Asian) characters take two, combining marks none."""
    return sum(
        0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text
    )


def to_table(header: Sequence[str], rows: Sequence[Row]) -> str:
    """A plain-text table, one line per row, columns padded to line up."""
    names = headings()
    lines = [[names.get(column, column) for column in header]]
    for row in rows:
        values = dataclasses.asdict(row)
        lines.append([_one_line(_text(values[column])) for column in header])
    widths = [max(_width(line[i]) for line in lines) for i in range(len(header))]
    lines.insert(1, ["-" * w for w in widths])
    out = []
    for line in lines:
        cells = [cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(line)]
        out.append("  ".join(cells).rstrip())
    return "\n".join(out) + "\n"


XLSX_DATE_FORMAT = "yyyy-mm-dd"
XLSX_HEADING_FILL = "1F6F50"
DATE_COLUMNS = {"acknowledged_at", "completed_at", "expires_on", "first_passed_at", "last_activity_at"}


def _xlsx_value(column: str, value: object, by_module: bool) -> object:
    if value is None or value == "":
        return None
    if column in DATE_COLUMNS and isinstance(value, str):
        return dt.date.fromisoformat(value)
    if column == "status" and isinstance(value, str):
        if by_module:
            return module_status_name(value)
        return status_name(Status(value)) if value in set(Status) else value
    if column == "role" and isinstance(value, str):
        return role_label(value)
    return value


def xlsx_bytes(header: Sequence[str], rows: Sequence[Row], by_module: bool = False) -> bytes:
    """An Excel workbook: one formatted sheet, headings in words, real dates, frozen heading row, autofilter."""
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped]
    from openpyxl.styles import Alignment, Font, PatternFill  # type: ignore[import-untyped]
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

    book = Workbook()
    sheet = book.active
    sheet.title = _("Modules") if by_module else _("Training")
    book.properties.creator = "SocialSafe"
    book.properties.title = _("SocialSafe training records")
    names = headings()
    sheet.append([names.get(column, column) for column in header])
    bold = Font(bold=True, color="FFFFFF")
    fill = PatternFill("solid", fgColor=XLSX_HEADING_FILL)
    for cell in sheet[1]:
        cell.font = bold
        cell.fill = fill
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    widths = [len(str(cell.value)) for cell in sheet[1]]
    for number, row in enumerate(rows, start=2):
        values = dataclasses.asdict(row)
        for index, column in enumerate(header, start=1):
            value = _xlsx_value(column, values[column], by_module)
            cell = sheet.cell(row=number, column=index)
            if isinstance(value, str):
                # Text stays text: never a formula, whatever it starts with; no characters Excel refuses.
                cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
                cell.data_type = "s"
                width = len(value)
            else:
                cell.value = value
                width = 10 if isinstance(value, dt.date) else len(str(value)) if value is not None else 0
            if isinstance(value, dt.date):
                cell.number_format = XLSX_DATE_FORMAT
            widths[index - 1] = max(widths[index - 1], width)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(60, max(8, width + 2))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{max(1, len(rows) + 1)}"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_rows(path: Path, header: Sequence[str], rows: Sequence[Row], fmt: ExportFormat) -> None:
    """Write the rows to ``path`` in ``fmt``, whole or not at all."""
    if fmt is ExportFormat.CSV:
        data = to_csv(header, rows)
    elif fmt is ExportFormat.JSON:
        data = to_json(rows)
    else:
        data = xlsx_bytes(header, rows, by_module=bool(header) and "module_id" in header)
    write_file(path, data)


def write_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole; an OSError's message says what to do about it.

    What an export killed before (in this folder) left behind is removed first.
    """
    try:
        write_export(path, data)
    except PermissionError as error:
        raise OSError(
            _("Cannot write {file}: it may be open in another program (Excel?), or you may not change it.").format(
                file=path
            )
        ) from error
    except OSError as error:
        full = disk_full_message(error, path.parent)
        raise OSError(
            full or _("Cannot write {file}: {reason}.").format(file=path, reason=error.strerror or error)
        ) from error
