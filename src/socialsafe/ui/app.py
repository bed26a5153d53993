"""Starting the desktop app."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from socialsafe.config import SHARE_SETTING, Settings
from socialsafe.i18n import _, set_locale
from socialsafe.log import LOG_NAME, log
from socialsafe.paths import LOG_DIR_NAME, DataDirError, prepare_data_dir
from socialsafe.storage.db import DatabaseError, prepare_database
from socialsafe.storage.quick import QuickReads
from socialsafe.ui.collector import MainThreadCollector
from socialsafe.ui.error_dialog import ErrorReporter
from socialsafe.ui.language import apply_qt_language
from socialsafe.ui.main_window import MainWindow
from socialsafe.ui.page_scroll import install_wheel_guard
from socialsafe.ui.safe_text import as_text
from socialsafe.ui.style import app_icon, apply_style

if TYPE_CHECKING:
    from socialsafe.content.loader import Content
    from socialsafe.storage.recovery import Recovery

QUIT_WAIT_S = 3.0  # how long quitting waits for a sync under way


def make_app() -> QApplication:
    if QApplication.instance() is None:
        # The system's display scale as it is (125%, 150%…), not rounded to a whole number; every size in the
        # style sheet is in points or scaled pixels, so text and targets follow it. Nothing here overrides it.
        QApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("SocialSafe")
    app.setOrganizationName("LeafTrust")
    app.setApplicationDisplayName(_("SocialSafe"))
    app.setWindowIcon(app_icon())
    apply_style(app)
    if app.findChild(MainThreadCollector) is None:
        MainThreadCollector(app)
    install_wheel_guard(app)  # the wheel scrolls pages, never a drop-down the keyboard is not in
    return app


def run(settings: Settings, startup_check: bool = False, ready_check: bool = False) -> int:
    """Open the app. A check opens it and exits: once the first window is shown (``startup_check``), or once
    the store, the packs and every screen are loaded too, so a learner could start a quiz (``ready_check``).
    """
    if ready_check:
        startup_check = True  # quiet, no sync, and exit 1 on any unexpected error on the way
    # The system's language (or SOCIALSAFE_LANG's) until a person's own choice applies at sign-in.
    locale = set_locale()
    app = make_app()
    apply_qt_language(locale)
    try:
        prepare_data_dir(settings.data_dir)
        # Made, moved forward or restored here, with sqlite3 alone: the ORM loads after the first screen.
        recovery = prepare_database(settings.database)
    except (DataDirError, DatabaseError) as error:
        log.error("cannot start: %s", error)
        return cannot_start(str(error), startup_check)
    quick = QuickReads(settings.database)

    def load_content() -> Content:
        content = settings.load_content(quick.setting(SHARE_SETTING))
        for problem in content.problems:
            log.warning("pack left out: %s", problem)
        # A pack's translation is read, and what is wrong with it logged, when its language is first shown.
        return content

    reporter = ErrorReporter(log_file(settings), quiet=startup_check)
    before_hook, sys.excepthook = sys.excepthook, reporter
    try:
        # A start-up check only opens the window: it does not touch the shared folder.
        window = MainWindow(settings.database, load_content, settings, sync_at_start=not startup_check)
    except Exception:
        # A fault of ours, before there is a window to carry on in: logged whole, said in words.
        log.exception("cannot start")
        sys.excepthook = before_hook
        where = log_file(settings) or _("the log file")
        return cannot_start(
            _("SocialSafe could not start because of a problem it did not expect. The details are in {log}.").format(
                log=where
            ),
            startup_check,
        )
    reporter.window = window
    window.show()
    if recovery is not None:
        if startup_check:
            print(recovery.message(), file=sys.stderr)
        else:
            QTimer.singleShot(0, lambda: tell_recovery(window, recovery))
    if ready_check:

        def ready_then_quit() -> None:
            window.ready()
            QTimer.singleShot(0, app.quit)  # once idle again, everything loaded

        QTimer.singleShot(0, ready_then_quit)  # as soon as the window is shown
    elif startup_check:
        # A zero timer fires once the event loop has shown the window and is idle.
        QTimer.singleShot(0, app.quit)
    try:
        code = app.exec()
        # A start-up check fails on any unexpected error on the way, even one the app would carry on after.
        return 1 if startup_check and reporter.failed else code
    finally:
        # A sync on a network drive that does not answer is not waited for long: its writes are
        # atomic, so the process may end under it. Its daemon thread ends with the process.
        if not window.stop_sync(QUIT_WAIT_S):
            log.warning("quitting while a sync is still running: the shared folder is not answering")
        window.close()
        window.close_store()
        sys.excepthook = before_hook


def cannot_start(message: str, startup_check: bool) -> int:
    if startup_check:
        print(message, file=sys.stderr)
    else:
        QMessageBox.critical(None, _("SocialSafe cannot start"), as_text(message))  # it may name a file
    return 1


def log_file(settings: Settings) -> Path | None:
    """Where the log is, or None when it could not be made (a read-only data folder)."""
    path = settings.data_dir / LOG_DIR_NAME / LOG_NAME
    return path if path.is_file() else None


def tell_recovery(window: MainWindow, recovery: Recovery) -> None:
    """The damaged records and what was done about them, told once, in words (and to a screen reader)."""
    box = QMessageBox(QMessageBox.Icon.Warning, _("Your records were repaired"), recovery.message(), parent=window)
    box.setTextFormat(Qt.TextFormat.PlainText)  # it names records and files, as they are
    box.setAccessibleName(_("Your records were repaired"))
    box.open()
