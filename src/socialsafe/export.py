"""Report rows as files and as a table on the terminal.

CSV follows ``shared/contracts/share-format.md`` ("Derived reports"): UTF-8 with
a BOM, a header row, and spreadsheet formulas neutralised. JSON is a list of
objects, values as they are. Every file is written whole with
:func:`socialsafe.files.write_atomic`.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import unicodedata
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path

from socialsafe.files import write_atomic
from socialsafe.i18n import _
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


class FormatNotAvailableError(Exception):
    """A format the contract names that this version cannot write yet."""


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


def _one_line(text: str) -> str:
    """No line breaks, tabs or terminal control sequences from a cell reach the terminal."""
    return "".join(" " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in text)


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


def ensure_available(fmt: ExportFormat) -> None:
    """Raise :class:`FormatNotAvailableError` for a format this version cannot write yet."""
    if fmt is ExportFormat.XLSX:
        raise FormatNotAvailableError(_("Excel (.xlsx) export is not available yet: use .csv, which Excel opens."))


def write_rows(path: Path, header: Sequence[str], rows: Sequence[Row], fmt: ExportFormat) -> None:
    """Write the rows to ``path`` in ``fmt``, whole or not at all."""
    ensure_available(fmt)
    data = to_csv(header, rows) if fmt is ExportFormat.CSV else to_json(rows)
    write_atomic(path, data)
