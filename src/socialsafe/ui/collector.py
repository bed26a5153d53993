"""Python's cyclic garbage collector runs on the GUI thread only.

Background threads (a sync, an export) allocate many objects, and Python
starts a collection on whichever thread crosses its threshold. A collection
that frees a cycle holding a Qt object then destroys that object on the
background thread, which Qt does not allow: the process can crash with a
segmentation fault. So automatic collection is switched off and the same
thresholds are checked from a timer on the GUI thread instead. Reference
counting, which frees nearly everything, is not affected.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

CHECK_MS = 1000


def collect_due() -> int | None:
    """Collect the oldest generation whose count is over its threshold, as Python itself would; which one, or None."""
    counts, thresholds = gc.get_count(), gc.get_threshold()
    due = None
    for generation in range(3):
        if thresholds[generation] and counts[generation] > thresholds[generation]:
            due = generation
    if due is not None:
        gc.collect(due)
    return due


class MainThreadCollector(QObject):
    """Made on the GUI thread: from then on cycles are only ever collected there."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        gc.disable()
        self._timer = QTimer(self)
        self._timer.timeout.connect(collect_due)
        self._timer.start(CHECK_MS)
