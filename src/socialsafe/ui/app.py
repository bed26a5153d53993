"""Starting the desktop app."""

from __future__ import annotations

import sys
import traceback
from types import TracebackType

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from socialsafe.config import SHARE_SETTING, Settings
from socialsafe.i18n import _, set_locale
from socialsafe.log import LOG_NAME, log
from socialsafe.paths import LOG_DIR_NAME, DataDirError, prepare_data_dir
from socialsafe.storage.db import DatabaseError
from socialsafe.storage.store import Store
from socialsafe.ui.language import apply_qt_language
from socialsafe.ui.main_window import MainWindow
from socialsafe.ui.style import app_icon, apply_style

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
    return app


def run(settings: Settings, startup_check: bool = False) -> int:
    # The system's language (or SOCIALSAFE_LANG's) until a person's own choice applies at sign-in.
    locale = set_locale()
    app = make_app()
    apply_qt_language(locale)
    try:
        prepare_data_dir(settings.data_dir)
        store = Store(settings.database)
    except (DataDirError, DatabaseError) as error:
        log.error("cannot start: %s", error)
        if startup_check:
            print(error, file=sys.stderr)
        else:
            QMessageBox.critical(None, _("SocialSafe cannot start"), str(error))
        return 1
    content = settings.load_content(store.setting(SHARE_SETTING))
    for problem in content.problems:
        log.warning("pack left out: %s", problem)
    for problem in content.warnings:
        log.warning("pack translation not used: %s", problem)
    # A start-up check only opens the window: it does not touch the shared folder.
    window = MainWindow(store, content, settings, sync_at_start=not startup_check)
    if not startup_check:
        sys.excepthook = _excepthook_for(settings)
    window.show()
    if startup_check:
        # A zero timer fires once the event loop has shown the window and is idle.
        QTimer.singleShot(0, app.quit)
    try:
        return app.exec()
    finally:
        # A sync on a network drive that does not answer is not waited for long: its writes are
        # atomic, so the process may end under it. Its daemon thread ends with the process.
        if not window.stop_sync(QUIT_WAIT_S):
            log.warning("quitting while a sync is still running: the shared folder is not answering")
        store.close()


def _excepthook_for(settings: Settings):
    log_path = settings.data_dir / LOG_DIR_NAME / LOG_NAME

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        # Logged in full; the person gets a calm message and the app carries on.
        log.error("unexpected error:\n%s", "".join(traceback.format_exception(kind, error, tb)))
        QMessageBox.warning(
            None,
            _("Something went wrong"),
            _(
                "Something went wrong, but your answers so far are saved. "
                "If it happens again, please tell the school office. Details are in {log}."
            ).format(log=log_path),
        )

    return hook
