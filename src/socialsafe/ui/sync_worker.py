"""Work that may block on a network drive, run off the GUI thread.

A shared folder on a server that has gone away can make a single file call
hang for minutes. Such calls run here, on a background thread, and their
outcome comes back to the GUI thread as a Qt signal, so the window keeps
answering whatever the network does.

The threads are Python daemon threads rather than QThreads: a QThread that is
still running when it is destroyed aborts the process ("QThread: Destroyed
while thread is still running"), and a QThreadPool waits for its work when the
application ends. A daemon thread stuck in a hung network call simply ends
with the process, which is what quitting must do. Nothing is lost by that:
every write to the share and to the database is atomic.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from threading import Thread
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from socialsafe.content.loader import Content
from socialsafe.i18n import _
from socialsafe.log import log
from socialsafe.storage.store import Store
from socialsafe.sync.share import ShareError

if TYPE_CHECKING:
    from socialsafe.sync.engine import SyncReport


def unexpected_error() -> str:
    return _("Something unexpected went wrong while sharing; the details are in the log.")


def first_sentence(message: str, folder: Path | None = None) -> str:
    """The first sentence of a ShareError's message: what went wrong, without the advice after it.

    ``folder``, if the message names it, is never cut: a folder may be called "St. Mary's".
    """
    hidden = "\0"
    text = message.replace(str(folder), hidden) if folder is not None else message
    match = re.search(r"[.!?。](?=\s|$)", text)
    if match:
        text = text[: match.end()]
    return text.replace(hidden, str(folder)) if folder is not None else text


class Relay(QObject):
    """Brings a background result to the GUI thread.

    Make it on the GUI thread as a child of the object that receives its
    signals: a signal emitted on it from another thread is delivered on the GUI
    thread, and it lives exactly as long as its receiver. ``tag`` says which
    request a result answers, so a receiver can ignore the answer to an old one.
    """

    done = Signal(object, object)  # tag, result
    failed = Signal(object, str)  # tag, message for the person


def run_in_background(
    job: Callable[[], Any],
    relay: Relay,
    tag: object = None,
    name: str = "background",
    readable: tuple[type[Exception], ...] = (),
) -> Thread:
    """Call ``job`` on a daemon thread; its result or error arrives through ``relay`` on the GUI thread.

    A ShareError's message is passed on as it is (it is written for the
    person), and so is that of an error of a ``readable`` kind; any other error
    is logged with its traceback and reported in one calm sentence.
    """

    def work() -> None:
        try:
            result = job()
        except ShareError as error:
            log.warning("%s: %s", name, error)
            _emit(relay.failed, tag, str(error))
        except readable as error:
            log.warning("%s: %s", name, error)
            _emit(relay.failed, tag, str(error))
        except Exception:
            log.exception("%s failed", name)
            _emit(relay.failed, tag, unexpected_error())
        else:
            _emit(relay.done, tag, result)

    thread = Thread(target=work, name=f"socialsafe-{name}", daemon=True)
    thread.start()
    return thread


def _emit(signal: Any, tag: object, value: object) -> None:
    try:
        signal.emit(tag, value)
    except RuntimeError:  # the receiver has gone (its window closed, or the app is ending)
        log.info("background result dropped: nobody is waiting for it")


class SyncWorker(QObject):
    """Runs :func:`socialsafe.sync.engine.sync` off the GUI thread, one sync at a time.

    ``request(share)`` starts a sync at once, or, while one runs, queues one
    more (however many requests arrive meanwhile, one sync follows). Signals
    arrive on the GUI thread: ``started`` as a sync begins, then ``finished``
    with the SyncReport or ``failed`` with a sentence for the person.
    """

    started = Signal()
    finished = Signal(object)  # SyncReport
    failed = Signal(str)

    def __init__(self, store: Store, content: Content, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.content = content
        self._thread: Thread | None = None
        self._relay = Relay(self)
        self._relay.done.connect(self._done)
        self._relay.failed.connect(self._failed)
        self._queued: Path | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None

    @property
    def queued(self) -> bool:
        return self._queued is not None

    def request(self, share: Path) -> bool:
        """Sync with ``share`` now, or after the running sync; True when it started now."""
        if self._thread is not None:
            self._queued = share
            return False
        self._start(share)
        return True

    def _start(self, share: Path) -> None:
        path, content = self.store.path, self.content

        def job() -> SyncReport:
            # Loaded with the first sync, on its thread: a PC that never shares never loads it.
            from socialsafe.sync import engine

            # The thread opens the database for itself: nothing it holds can be closed under it
            # when the window (and its store) goes away first, as at quit or between tests.
            own = Store(path)
            try:
                # engine.sync is looked up at each call, so a test can put a slow one in its place.
                return engine.sync(own, content, share)
            finally:
                own.close()

        self._thread = run_in_background(job, self._relay, name="sync")
        self.started.emit()

    def _done(self, _tag: object, report: SyncReport) -> None:
        self._thread = None
        for problem in report.problems:
            log.warning("sync: %s", problem)
        self.finished.emit(report)
        self._next()

    def _failed(self, _tag: object, message: str) -> None:
        self._thread = None
        self.failed.emit(message)
        self._next()

    def _next(self) -> None:
        if self._queued is not None and self._thread is None:
            share, self._queued = self._queued, None
            self._start(share)

    def stop(self, timeout_s: float = 0.0) -> bool:
        """Drop any queued sync and wait at most ``timeout_s`` for the running one; True if none is left running.

        A sync still running after that (a network drive that does not answer)
        is left to end with the process: its writes are atomic, so nothing is torn.
        """
        self._queued = None
        thread = self._thread
        if thread is None:
            return True
        thread.join(timeout_s)
        return not thread.is_alive()
