"""Work over hundreds of thousands of records (a trust's shared folder) without needless overhead."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while many acyclic objects are made (records, report rows).

    Each collection walks every live object, and allocation-heavy loops set off
    many of them; records and rows hold no reference cycles, so there is nothing
    for the collector to find. Reference counting still frees everything as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
