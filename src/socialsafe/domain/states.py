"""The states a person's training and each module can be in.

Plain enums in a module of their own, light to import: the first screen's
colours and words need them, the rules that decide them (:mod:`status`,
:mod:`progress`) are loaded later.
"""

from __future__ import annotations

from enum import StrEnum

DEFAULT_VALIDITY_MONTHS = 12  # how long a completion lasts when the pack sets no period


class Status(StrEnum):
    """A person's training status (``shared/contracts/status-rules.md``)."""

    EXEMPT = "exempt"
    COMPLETE = "complete"
    DUE_SOON = "due_soon"
    EXPIRED = "expired"
    UPDATE_NEEDED = "update_needed"
    IN_PROGRESS = "in_progress"
    NOT_STARTED = "not_started"


class ModuleStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    PASSED = "passed"
    NOT_PASSED = "not_passed"  # finished, below the pass mark, not yet passed since
