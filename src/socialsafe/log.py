"""The log file in the data folder: where tracebacks go, never a person's screen.

Also the one place that makes text safe for a terminal or a log line
(:func:`printable`): names, device names and file names come from the shared
folder, where anyone can write, and must not move the cursor, clear the
screen, rewrite a line or reverse the text around them.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from socialsafe.paths import LOG_DIR_NAME

LOG_NAME = "socialsafe.log"
log = logging.getLogger("socialsafe")

SHORT_ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
# C0 and C1 controls and DEL; U+061C, U+200E/F, U+202A-E, U+2066-9 reorder the text around them on screen
# (the bidirectional controls); U+2028/9 break lines; U+D800-DFFF, unpaired, come from file names that are not text.
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]",
)


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    if ch in SHORT_ESCAPES:
        return SHORT_ESCAPES[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(value: object) -> str:
    """``value`` as text that is safe on one terminal or log line, every unsafe character shown, not obeyed.

    Control characters (C0, DEL and C1: ESC, CR, LF, backspace, bell…), the
    line and paragraph separators, the bidirectional controls (such as U+202E,
    which would show the rest of the line backwards) and unpaired surrogates
    (from file names that are not valid text) are written as the escapes a
    programmer would type: ``\\x1b``, ``\\r``, ``\\n``, ``\\u202e``. Escapes rather
    than a replacement character, so that whoever reads the log or the terminal
    can tell what was really there and find it, in plain ASCII that every
    console can show. Everything else, accents and every script included, is
    left as it is; a backslash stays one backslash, so Windows paths read as
    they always do.
    """
    text = value if isinstance(value, str) else str(value)
    return _UNSAFE.sub(_escape, text)


def printable_lines(text: object) -> str:
    """Several lines of our own (joined by ``\\n``), each made :func:`printable`: the line breaks stay."""
    return "\n".join(printable(line) for line in str(text).split("\n"))


def _safe_arg(value: object) -> object:
    """A log argument as :func:`printable` text; numbers stay numbers, so ``%d`` still works."""
    if value is None or isinstance(value, int | float):
        return value
    return printable(value)


class SafeFormatter(logging.Formatter):
    """Every record's message and arguments made :func:`printable`, so no value from data can forge a log line.

    The message's own line breaks (a programmer's) stay; every argument is
    escaped whole, line breaks included. Tracebacks keep their lines, each
    line escaped. The record itself is left as it was for any other handler.
    """

    def format(self, record: logging.LogRecord) -> str:
        safe = logging.makeLogRecord(record.__dict__)
        safe.msg = printable_lines(record.msg)
        # Formatted afresh by formatException below, never a copy another handler made unescaped.
        safe.exc_text = None if record.exc_info else printable_lines(record.exc_text) if record.exc_text else None
        args: Any = record.args
        if isinstance(args, Mapping):
            safe.args = {key: _safe_arg(value) for key, value in args.items()}
        elif isinstance(args, tuple):
            safe.args = tuple(_safe_arg(value) for value in args)
        return super().format(safe)

    def formatException(self, ei: Any) -> str:  # noqa: N802 - logging's name
        return printable_lines(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:  # noqa: N802 - logging's name
        return printable_lines(super().formatStack(stack_info))


class _QuietFileHandler(logging.handlers.RotatingFileHandler):
    """A log that cannot be written (a full disk) says nothing on the terminal: the person's message stands alone."""

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 - logging's name
        pass


def setup_logging(data_dir: Path) -> Path | None:
    """Log to a rotating file in the data folder; returns its path, or None if it cannot be written."""
    path = data_dir / LOG_DIR_NAME / LOG_NAME
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = _QuietFileHandler(path, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(SafeFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for old in list(log.handlers):
        log.removeHandler(old)
        old.close()
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    return path
