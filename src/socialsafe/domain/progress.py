"""Where a learner stands on each module: the rules the home screen shows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from socialsafe.content.model import Module
from socialsafe.domain.states import ModuleStatus as ModuleStatus


class AttemptRecord(Protocol):
    module_id: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    score: int | None
    max_score: int
    passed: bool | None


@dataclass(frozen=True)
class ModuleProgress:
    module: Module
    status: ModuleStatus
    best_score: float | None  # best finished fraction, None before any finish
    open_attempt: bool  # an unfinished attempt can be resumed
    carried_over: bool = False  # passed under an earlier policy version whose clauses did not change
    finished: int = 0  # finished attempts
    last_activity: dt.datetime | None = None  # the latest start or finish


def module_progress(module: Module, attempts: Iterable[AttemptRecord]) -> ModuleProgress:
    # One pass: reports call this for every person and module of a trust.
    best: float | None = None
    last: dt.datetime | None = None
    finished = 0
    passed = open_attempt = False
    for a in attempts:
        if a.module_id != module.id:
            continue
        moment = a.finished_at or a.started_at
        last = moment if last is None or moment > last else last
        if a.finished_at is None:
            open_attempt = True
            continue
        finished += 1
        passed = passed or bool(a.passed)
        if a.max_score:
            fraction = (a.score or 0) / a.max_score
            best = fraction if best is None or fraction > best else best
    if passed:
        status = ModuleStatus.PASSED
    elif open_attempt:
        status = ModuleStatus.IN_PROGRESS
    elif finished:
        status = ModuleStatus.NOT_PASSED
    else:
        status = ModuleStatus.NOT_STARTED
    return ModuleProgress(module, status, best, open_attempt, False, finished, last)


def overall(progress: Iterable[ModuleProgress]) -> tuple[int, int]:
    """(modules passed, modules in all)."""
    items = list(progress)
    return sum(p.status is ModuleStatus.PASSED for p in items), len(items)
