"""Cycles are collected on the GUI thread only, never on a background thread (freeing a Qt object there crashes)."""

from __future__ import annotations

import gc
import threading
from typing import ClassVar

from PySide6.QtCore import QObject

from socialsafe.ui.app import make_app
from socialsafe.ui.collector import MainThreadCollector, collect_due


class Cycle:
    freed_on: ClassVar[list[str]] = []

    def __init__(self) -> None:
        self.me = self
        self.qt = QObject()

    def __del__(self) -> None:
        Cycle.freed_on.append(threading.current_thread().name)


def test_a_background_thread_never_frees_a_cycle_and_the_gui_thread_does(qtbot) -> None:
    app = make_app()
    assert app.findChildren(MainThreadCollector), "the app starts the collector"
    assert not gc.isenabled()
    Cycle.freed_on.clear()
    Cycle()  # unreachable at once, held only by its own cycle

    def allocate() -> None:
        # Far over every threshold: with automatic collection on, this thread would free the cycle.
        keep = [[] for _ in range(gc.get_threshold()[0] * 50)]
        del keep

    worker = threading.Thread(target=allocate, name="background")
    worker.start()
    worker.join()
    assert Cycle.freed_on == []

    gc.collect()  # as the collector does on the GUI thread when its time comes
    assert Cycle.freed_on == [threading.current_thread().name]


def test_the_check_collects_what_python_would_and_nothing_before() -> None:
    gc.collect()
    assert collect_due() is None
    junk = [[] for _ in range(gc.get_threshold()[0] + 10)]
    assert collect_due() == 0
    del junk
