"""The log file in the data folder: where tracebacks go, never a person's screen."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from socialsafe.paths import LOG_DIR_NAME

LOG_NAME = "socialsafe.log"
log = logging.getLogger("socialsafe")


def setup_logging(data_dir: Path) -> Path | None:
    """Log to a rotating file in the data folder; returns its path, or None if it cannot be written."""
    path = data_dir / LOG_DIR_NAME / LOG_NAME
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for old in list(log.handlers):
        log.removeHandler(old)
        old.close()
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    return path
