"""The main window: a header with the person and 'Switch person', and the screens.

Start-up shows 'Who are you?' first, from plain SQL reads (:mod:`socialsafe.storage.quick`).
The database's ORM, the quiz packs, the other screens and sharing load once that
screen is up, or at once when something needs them first (:meth:`MainWindow.ready`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QLocale, QObject, QSize, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from socialsafe.config import SHARE_SETTING, Settings, Source, effective
from socialsafe.i18n import _, current_locale, format_datetime, format_percent, ngettext, set_locale
from socialsafe.preferences import Preferences, bigger, smaller
from socialsafe.preferences import load as load_preferences
from socialsafe.preferences import save as save_preferences
from socialsafe.storage.quick import QuickReads
from socialsafe.ui.language import apply_qt_language
from socialsafe.ui.page_scroll import to_top
from socialsafe.ui.safe_text import as_text
from socialsafe.ui.style import app_icon, apply_style, current_scale
from socialsafe.ui.who_page import WhoPage
from socialsafe.ui.widgets import announce, button, label

# Everything below is imported where it is first used, after 'Who are you?' shows: start-up time (issue #8).
if TYPE_CHECKING:
    from socialsafe.content.loader import Content
    from socialsafe.content.model import Module, Pack
    from socialsafe.domain.status import PersonStatus
    from socialsafe.storage.models import Learner
    from socialsafe.storage.store import Store
    from socialsafe.sync.engine import SyncReport
    from socialsafe.training import Result
    from socialsafe.ui.admin import Office
    from socialsafe.ui.display_dialog import DisplayDialog
    from socialsafe.ui.settings_dialog import SettingsDialog
    from socialsafe.ui.sync_worker import SyncWorker

__all__ = ["MainWindow"]

MIN_WIDTH, MIN_HEIGHT = 1024, 600
SYNC_MINUTES_SETTING = "sync_minutes"  # how often the app shares results while it is open
DEFAULT_SYNC_MINUTES = 5

# Text size keys: Ctrl with = or + for bigger (on most keyboards + is Shift and =), - for smaller, 0 for normal.
BIGGER_KEYS = ("Ctrl+=", "Ctrl++")
SMALLER_KEYS = ("Ctrl+-",)
NORMAL_KEYS = ("Ctrl+0",)
DISPLAY_KEYS = "Ctrl+Shift+D"
OTHER_PAGE_NAMES = ("home", "module", "quiz", "results", "signoff", "record")  # as _other_pages() lists them
# How long after 'Who are you?' shows the rest of the app starts loading: time for the first screen to paint.
READY_AFTER_MS = 50
# The day's backup of the local database waits until the app is up and quiet; it copies the whole file.
BACKUP_AFTER_MS = 3000
BACKUP_EVERY_MS = 3_600_000  # an hourly look: a copy is taken only when today's is missing

_INPUT_EVENTS = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
}


def start_size(room: QSize | None) -> tuple[int, int]:
    """The window's first size: 1024 × 700, but never more than the screen has room for (a small laptop's
    1024 × 600), less a title bar's height, so its foot, where the buttons are, is on the screen."""
    width, height = MIN_WIDTH, 700
    if room is None or room.isEmpty():
        return width, height
    return min(width, room.width()), max(560, min(height, room.height() - TITLE_BAR))


WARN_BEFORE_MS = 60_000  # how long before an idle sign-out the person is warned
TITLE_BAR = 40  # what a window manager's title bar takes of the screen's height, about


class MainWindow(QMainWindow):
    def __init__(
        self,
        store: Store | Path,
        content: Content | Callable[[], Content],
        settings: Settings | None = None,
        sync_at_start: bool = True,
    ) -> None:
        """The window over ``store`` and ``content``.

        Given the path of a database made ready by ``prepare_database`` and a function that
        loads the packs (as the app starts),
        the window shows 'Who are you?' first and loads them when that screen is up
        (:meth:`ready`). Given an open Store and loaded content, it is ready at once.
        ``settings`` gives a shared folder from a flag or the environment; without it, the one saved here.
        """
        super().__init__()
        self._store: Store | None = None if isinstance(store, Path) else store
        database = store if isinstance(store, Path) else store.path
        self.quick = QuickReads(database)  # what the first screen reads, before the Store has loaded
        self._load_content: Callable[[], Content] | None = content if callable(content) else None
        self._source_content: Content | None = None if callable(content) else content
        self._content: Content | None = None
        self._sync_at_start = sync_at_start
        self._ready = False
        self.settings = settings if settings is not None else Settings(data_dir=database.parent)
        self.learner: Learner | None = None
        self.pack: Pack | None = None
        self.module: Module | None = None
        self.settings_dialog: SettingsDialog | None = None  # this PC's settings: opened from the office only
        self.display_dialog: DisplayDialog | None = None
        self.preferences = Preferences()  # the display preferences in force (the person's, or the PC's)
        self._language: str | None = None  # the language last asked for (None: as the app started)
        self.office: Office | None = None  # the office area, made on first use
        self._reading: tuple[str, str] | None = None  # the reading page shown: ("summary" | "changed", pack id)
        self._result: Result | None = None  # the results shown last
        self.setWindowTitle(_("SocialSafe"))
        self.setWindowIcon(app_icon())
        self.setMinimumSize(800, 560)
        self.resize(*start_size(self.screen().availableGeometry().size() if self.screen() else None))

        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        self.header = self._build_header()
        column.addWidget(self.header)
        self.stack = QStackedWidget()
        self.stack.currentChanged.connect(self._opened)
        column.addWidget(self.stack, 1)
        column.addWidget(self._build_sync_bar())
        self.setCentralWidget(central)

        self._build_pages()

        # Shared PCs: after a quiet spell, warn, then hand the PC back to the next person.
        self.idle = QTimer(self)
        self.idle.setSingleShot(True)
        self.idle.timeout.connect(self._idle_warning)
        self.idle_end = QTimer(self)
        self.idle_end.setSingleShot(True)
        self.idle_end.timeout.connect(self._idle_sign_out)
        self._warn_ms = WARN_BEFORE_MS
        self.idle_warning: QMessageBox | None = None
        app = QApplication.instance()
        assert app is not None
        app.installEventFilter(self)
        QShortcut(QKeySequence("Ctrl+Shift+S"), self, self.switch_person)
        self._text_size_keys()
        QShortcut(QKeySequence(DISPLAY_KEYS), self, self.open_display)

        # Sharing results: at start, after each finished quiz and sign-off, every few minutes, and on request.
        self.sync_worker: SyncWorker | None = None  # made by ready()
        self.sync_timer = QTimer(self)
        self.sync_timer.timeout.connect(self.request_sync)
        self._sync_error = ("", "")  # the last sync problem: plain words, details
        self._awaiting = ""  # this PC's key while the office has not trusted it (from the last sync)
        self.switch_person()
        if self._store is not None and self._source_content is not None:
            self.ready()
        else:
            QTimer.singleShot(READY_AFTER_MS, self.ready)

    # Loading what comes after 'Who are you?' ------------------------------------------------------

    @property
    def store(self) -> Store:
        """The local database's Store, opened on first use (the first screen reads through ``quick``)."""
        if self._store is None:
            from socialsafe.storage.store import Store

            self._store = Store(self.quick.path, check=False)  # checked by prepare_database before the window
        return self._store

    @property
    def source_content(self) -> Content:
        """The packs as loaded: status, reports and the shared folder use their words."""
        if self._source_content is None:
            assert self._load_content is not None
            self._source_content = self._load_content()
        return self._source_content

    @property
    def content(self) -> Content:
        """What people read: the packs in the language in force."""
        if self._content is None:
            self._content = self.source_content.localized()
        return self._content

    def close_store(self) -> None:
        store, self._store = self._store, None
        if store is not None:
            store.close()

    def is_ready(self) -> bool:
        return self._ready

    def ready(self) -> None:
        """Load the rest of the app: the Store, the packs, every screen and sharing. Runs once; safe to call again."""
        if self._ready:
            return
        from socialsafe.ui.sync_worker import SyncWorker

        # First what may fail (a database another program holds locked): then nothing is half made,
        # and the next thing that needs the rest tries again.
        store, content = self.store, self.source_content
        self._build_other_pages()
        self.sync_worker = SyncWorker(store, content, self)
        self.sync_worker.started.connect(self._sync_started)
        self.sync_worker.finished.connect(self._sync_finished)
        self.sync_worker.failed.connect(self._sync_failed)
        self._ready = True
        self._show_policy_line()
        self.sync_timer.setInterval(self.sync_minutes() * 60_000)
        # The count of results waiting follows the person's work (a new person, a finished quiz).
        self.stack.currentChanged.connect(self._show_sync_state)
        self._share_changed(sync=self._sync_at_start)
        # The day's copy soon after start, and again on a PC left open past midnight.
        QTimer.singleShot(BACKUP_AFTER_MS, self.take_daily_backup)
        self.backup_timer = QTimer(self)
        self.backup_timer.setInterval(BACKUP_EVERY_MS)
        self.backup_timer.timeout.connect(self.take_daily_backup)
        self.backup_timer.start()

    def take_daily_backup(self) -> None:
        """Today's copy of the local database, if there is none yet (the last 7 days are kept)."""
        if self._store is not None:  # closed with the window: no copy of a database being shut
            self._store.take_daily_backup()

    def _build_pages(self) -> None:
        """The learners' screens, in the language in force; made again when it changes."""
        self.who = WhoPage(self.quick, lambda: self.store, self.settings)
        self.stack.addWidget(self.who)
        self.who.chosen.connect(self.sign_in)
        if self._ready:
            self._build_other_pages()
            self.who.load_roster()

    def _build_other_pages(self) -> None:
        from socialsafe.ui.home_page import HomePage
        from socialsafe.ui.module_page import ModulePage
        from socialsafe.ui.quiz_page import QuizPage, ResultsPage
        from socialsafe.ui.record_page import RecordPage
        from socialsafe.ui.signoff_page import SignOffPage

        self.home = HomePage(self.store, self.content)
        self.module_page = ModulePage()
        self.quiz = QuizPage()
        self.results = ResultsPage()
        self.signoff = SignOffPage()
        self.record = RecordPage()
        for page in (self.home, self.module_page, self.quiz, self.results, self.signoff, self.record):
            self.stack.addWidget(page)
        self.home.open_module.connect(self.open_module)
        self.home.open_summary.connect(self.open_summary)
        self.home.sign_off.connect(self.open_signoff)
        self.home.refresher.connect(self.open_refresher)
        self.home.what_changed.connect(self.open_what_changed)
        self.home.my_record.connect(self.open_record)
        self.home.save_certificate.connect(lambda pid: self._certificate(print_it=False, pack_id=pid))
        self.signoff.sign.connect(self.sign)
        self.signoff.back.connect(self.show_home)
        self.record.back.connect(self.show_home)
        self.record.save_certificate.connect(lambda: self._certificate(print_it=False))
        self.record.print_certificate.connect(lambda: self._certificate(print_it=True))
        self.results.sign.connect(lambda: self.open_signoff(self.pack.id) if self.pack else None)
        self.module_page.start_quiz.connect(self.start_quiz)
        self.module_page.back.connect(self.show_home)
        self.quiz.leave.connect(self.show_home)
        self.quiz.finished.connect(self.show_results)
        self.results.home.connect(self.show_home)
        self.results.retry.connect(self.retry)
        self.results.next_module.connect(self._open_next)
        self.results.reread.connect(
            lambda: self.open_module(self.pack.id, self.module.id) if self.pack and self.module else None
        )

    def _other_pages(self) -> list[QWidget]:
        """The screens after 'Who are you?', in a fixed order; none until :meth:`ready`."""
        if not self._ready:
            return []
        return [self.home, self.module_page, self.quiz, self.results, self.signoff, self.record]  # OTHER_PAGE_NAMES

    def _build_header(self) -> QWidget:
        header = QFrame()
        header.setObjectName("header")
        row = self.header_row = QHBoxLayout(header)
        row.setContentsMargins(20, 6, 20, 6)
        icon = QLabel()
        icon.setPixmap(app_icon().pixmap(36, 36))
        icon.setAccessibleName(_("SocialSafe logo"))
        row.addWidget(icon)
        self.titles_box = QWidget()
        titles = QVBoxLayout(self.titles_box)
        titles.setContentsMargins(0, 0, 0, 0)
        titles.setSpacing(0)
        self.app_title = title = label(_("SocialSafe"))
        title.setObjectName("appTitle")
        titles.addWidget(title)
        self.policy_line = label(_("Use of Social Media training"))
        self.policy_line.setObjectName("policyLine")
        titles.addWidget(self.policy_line)
        self._show_policy_line()
        row.addWidget(self.titles_box, 1)
        self.person_line = QLabel("")
        self.person_line.setTextFormat(Qt.TextFormat.PlainText)  # a person's name, as they typed it
        self.person_line.setObjectName("personLine")
        # A long name wraps onto a second line rather than pushing the buttons off the window.
        self.person_line.setWordWrap(True)
        self.person_line.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        row.addWidget(self.person_line, 1)
        self.switch_button = button(
            _("Switch person"), _("Switch person"), description=_("Hand the PC to someone else (Ctrl+Shift+S)")
        )
        self.switch_button.clicked.connect(self.switch_person)
        row.addWidget(self.switch_button)
        self.office_button = button(
            _("Office"), _("Office"), description=_("Everyone's training records, for the office (admin passphrase)")
        )
        self.office_button.clicked.connect(self.open_office)
        row.addWidget(self.office_button)
        # Anyone may change how the app looks to them; this PC's own settings are in the office.
        self.display_button = button(
            # Translators: "&&" shows one "&" on the button.
            _("Display && language"),
            _("Display and language"),
            description=_("Text size, colours and language (Ctrl+Shift+D)"),
        )
        self.display_button.clicked.connect(self.open_display)
        row.addWidget(self.display_button)
        return header

    def _show_policy_line(self) -> None:
        """The policy's name and version under the title, once the packs have loaded."""
        if not self._ready:
            return
        current = self.content.current
        policy = current[0].policy if current else None
        if policy is not None:
            self.policy_line.setText(
                _("{organisation}: {title}, version {version}").format(
                    organisation=policy.organisation, title=policy.title, version=policy.version
                )
            )

    def _build_sync_bar(self) -> QWidget:
        """A line at the foot of the window on how sharing went; hidden when no shared folder is set."""
        self.sync_bar = QFrame()
        self.sync_bar.setObjectName("syncBar")
        self.sync_bar.setAccessibleName(_("Sharing results"))
        row = QHBoxLayout(self.sync_bar)
        row.setContentsMargins(20, 4, 20, 4)
        row.setSpacing(12)
        self.sync_status = label("")
        self.sync_status.setObjectName("syncStatus")
        # A long folder name wraps or is cut; it never widens the window.
        self.sync_status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        row.addWidget(self.sync_status, 1)
        self.sync_button = button(
            _("Sync now"), _("Sync now"), description=_("Send the results on this PC to the office now")
        )
        self.sync_button.clicked.connect(self.request_sync)
        row.addWidget(self.sync_button)
        self.sync_bar.hide()
        return self.sync_bar

    # Navigation ---------------------------------------------------------------

    def _opened(self, index: int) -> None:
        """A page shown opens at its top, its heading in view, however far down it was left the last time."""
        page = self.stack.widget(index)
        if page is not None:
            to_top(page)

    def switch_person(self) -> None:
        self.learner = None
        self.apply_preferences(load_preferences(self.quick, None))  # the PC's, not the last person's
        self.pack = self.module = None
        self._header_for_person()
        self.stop_idle()
        self.who.refresh()
        self.stack.setCurrentWidget(self.who)

    def sign_in(self, learner_id: str) -> None:
        self.ready()
        self.learner = self.store.learner(learner_id)
        if self.learner is None:
            self.switch_person()
            return
        self.apply_preferences(load_preferences(self.store, learner_id))
        self._header_for_person()
        self.restart_idle()
        self.show_home()

    def _header_for_person(self) -> None:
        """The header for whoever is at the PC: their name and 'Switch person', or (no one) the way to the office."""
        learner = self.learner
        self.person_line.setText(learner.name if learner is not None else "")
        self.person_line.setAccessibleName(
            _("Signed in as {name}").format(name=learner.name) if learner is not None else ""
        )
        # Home shows the policy; the header keeps room for the person and their buttons.
        self.policy_line.setVisible(learner is None)
        self._fit_header()
        self.switch_button.setVisible(learner is not None)
        # The office is opened from 'Who are you?', never from a learner's screens.
        self.office_button.setVisible(learner is None)

    def show_home(self) -> None:
        if self.learner is None:
            self.switch_person()
            return
        self.home.show_learner(self.learner)
        self.stack.setCurrentWidget(self.home)

    def open_module(self, pack_id: str, module_id: str) -> None:
        pack = next((p for p in self.content.current if p.id == pack_id), None)
        if pack is None or self.learner is None:
            return
        self.pack, self.module = pack, pack.module(module_id)
        self._reading = None
        open_attempt = self.store.open_attempt(self.learner.id, module_id)
        resume_at = total = None
        if open_attempt is not None:
            from socialsafe.training import QuizRun

            run = QuizRun(self.store, pack, self.module, open_attempt)
            resume_at, total = run.position().index + 1, len(run.plan)
        self.module_page.show_module(pack, self.module, resume_at, total)
        self.stack.setCurrentWidget(self.module_page)

    def open_summary(self, pack_id: str) -> None:
        pack = next((p for p in self.content.current if p.id == pack_id), None)
        if pack is None or not pack.header.summary:
            return
        self.module_page.show_reading(_("The policy at a glance"), pack.header.summary)
        self._reading = ("summary", pack_id)
        self.stack.setCurrentWidget(self.module_page)

    def _pack(self, pack_id: str) -> Pack | None:
        return next((p for p in self.content.current if p.id == pack_id), None)

    def open_signoff(self, pack_id: str) -> None:
        pack = self._pack(pack_id)
        if pack is None or self.learner is None:
            return
        self.pack = pack
        from socialsafe.training import declaration, status_of

        status = status_of(self.store, self.content, self.learner, pack)
        self.signoff.show_declaration(declaration(pack), self.learner.name, renewal=bool(status.completions))
        self.stack.setCurrentWidget(self.signoff)

    def sign(self, typed_name: str) -> None:
        if self.learner is None or self.pack is None:
            return
        from socialsafe.storage.store import InputError
        from socialsafe.training import sign_off

        try:
            sign_off(self.store, self.content, self.learner, self.pack, typed_name)
        except InputError as error:
            self.signoff.show_error(str(error))
            return
        self.show_home()
        self.request_sync()

    def open_refresher(self, pack_id: str) -> None:
        from socialsafe.training import refresher_of

        pack = self._pack(pack_id)
        refresher = refresher_of(pack) if pack else None
        if pack is not None and refresher is not None:
            self.open_module(pack.id, refresher.id)

    def open_what_changed(self, pack_id: str) -> None:
        pack = self._pack(pack_id)
        if pack is None:
            return
        from socialsafe.domain.status import PolicyPacks
        from socialsafe.ui.module_page import what_changed_markdown

        older = PolicyPacks.of(self.content.packs, pack.policy.id).older
        if not older:
            return
        self.module_page.show_reading(_("What changed in the policy"), what_changed_markdown(older[0], pack))
        self._reading = ("changed", pack_id)
        self.stack.setCurrentWidget(self.module_page)

    def open_record(self, pack_id: str) -> None:
        pack = self._pack(pack_id)
        if pack is None or self.learner is None:
            return
        self.pack = pack
        from socialsafe.training import status_of

        status = status_of(self.store, self.content, self.learner, pack)
        self.record.show_record(self.store, self.content, self.learner, pack, status)
        self.stack.setCurrentWidget(self.record)

    def _certificate(self, print_it: bool, pack_id: str = "") -> None:
        """Save or print the certificate of ``pack_id``'s course (default: the course open now)."""
        if pack_id:
            self.pack = self._pack(pack_id)
        if self.learner is None or self.pack is None:
            return
        from socialsafe.training import certificate_for

        data = certificate_for(self.store, self.content, self.learner, self.pack)
        if data is None:
            return
        # Loaded on first use: printing support is not needed to start the app.
        from socialsafe.ui import certificate

        if print_it:
            certificate.print_certificate(data, self)
        else:
            certificate.save_certificate(data, self)

    def start_quiz(self) -> None:
        if self.learner is None or self.pack is None or self.module is None:
            return
        from socialsafe.training import QuizRun

        # The page first: an attempt with every answer given (the app closed, or its language
        # changed, before the results) finishes at once and shows the results instead.
        self.stack.setCurrentWidget(self.quiz)
        self.quiz.start(QuizRun.begin(self.store, self.learner, self.pack, self.module))

    def _next(self, status: PersonStatus) -> Module | None:
        from socialsafe.training import next_module

        if self.learner is None or self.pack is None or self.module is None:
            return None
        return next_module(self.store, self.learner, self.pack, status, self.module)

    def _next_title(self, status: PersonStatus) -> str:
        found = self._next(status)
        return found.title if found is not None else ""

    def _open_next(self) -> None:
        from socialsafe.training import status_of

        if self.learner is None or self.pack is None:
            return
        found = self._next(status_of(self.store, self.content, self.learner, self.pack))
        if found is not None:
            self.open_module(self.pack.id, found.id)

    def retry(self) -> None:
        if self.learner is None or self.pack is None or self.module is None:
            return
        from socialsafe.training import QuizRun

        self.quiz.start(QuizRun.start_new(self.store, self.learner, self.pack, self.module))
        self.stack.setCurrentWidget(self.quiz)

    def show_results(self, result: Result) -> None:
        from socialsafe.training import status_of

        self._result = result
        can_sign = renewing = False
        onward = ""
        if self.learner is not None and self.pack is not None and result.passed:
            status = status_of(self.store, self.content, self.learner, self.pack)
            can_sign, renewing = status.awaiting_signoff, status.renewing
            onward = self._next_title(status)
        self.results.show_result(self.module.title if self.module else "", result, can_sign, renewing, onward)
        self.stack.setCurrentWidget(self.results)
        self.request_sync()

    # Idle sign-out ------------------------------------------------------------

    def idle_minutes(self) -> int:
        """This PC's choice, else the site config's, else 5 minutes."""
        return effective("idle_minutes", self.settings, self.store).value or 0

    def _office_open(self) -> bool:
        return self.office is not None and self.office.is_open

    def restart_idle(self) -> None:
        """The idle time starts again: a learner's (this PC's choice), or the office's (never 'Never')."""
        self.stop_idle()
        if self.learner is not None:
            minutes = self.idle_minutes()
        elif self.office is not None and self.office.is_open:  # the office's idle time locks it
            minutes = self.office.idle_minutes()
        else:
            return
        if minutes > 0:
            total = minutes * 60_000
            self._warn_ms = min(WARN_BEFORE_MS, total // 2)
            self.idle.start(total - self._warn_ms)

    def stop_idle(self) -> None:
        """No idle time runs, and a warning shown goes: any key or click is the person still there."""
        self.idle.stop()
        self.idle_end.stop()
        if self.idle_warning is not None:
            warning, self.idle_warning = self.idle_warning, None
            warning.done(0)
            warning.deleteLater()

    def _idle_warning(self) -> None:
        """Shortly before signing out or locking the office: say so, with a button to stay (any key or click too)."""
        seconds = self._warn_ms // 1000
        if self.learner is not None:
            text = ngettext(
                "Are you still there? To keep your training private on this shared PC, you will be signed out in "
                "{n} second. Everything you have answered is saved.",
                "Are you still there? To keep your training private on this shared PC, you will be signed out in "
                "{n} seconds. Everything you have answered is saved.",
                seconds,
            ).format(n=seconds)
        elif self._office_open():
            text = ngettext(
                "Are you still there? To keep everyone's records private, the office will lock in {n} second. "
                "What you have saved is kept; anything not yet saved in an open window is not.",
                "Are you still there? To keep everyone's records private, the office will lock in {n} seconds. "
                "What you have saved is kept; anything not yet saved in an open window is not.",
                seconds,
            ).format(n=seconds)
        else:
            return
        warning = QMessageBox(QMessageBox.Icon.Information, _("Still there?"), text, parent=self)
        warning.setTextFormat(Qt.TextFormat.PlainText)
        stay = warning.addButton(_("I'm still here"), QMessageBox.ButtonRole.AcceptRole)
        stay.setAccessibleName(
            _("I'm still here: stay signed in")
            if self.learner is not None
            else _("I'm still here: keep the office open")
        )
        warning.setDefaultButton(stay)
        warning.setAccessibleName(_("Still there?"))
        warning.setAccessibleDescription(text)
        self.idle_warning = warning
        warning.open()
        stay.setFocus()
        announce(warning, text)
        self.idle_end.start(self._warn_ms)

    def _idle_sign_out(self) -> None:
        """Nobody answered the warning: close what was open, sign out or lock, and tell the next person why."""
        learner, office = self.learner, self._office_open()
        self.idle_warning = None
        app = QApplication.instance()
        for widget in app.topLevelWidgets() if isinstance(app, QApplication) else []:
            if isinstance(widget, QDialog) and widget.isVisible():
                widget.done(0)  # a dialog left open must not stay over the next person's screen
        self.switch_person()  # the office, if open, locks as it is left
        if learner is not None:
            self.who.say_signed_out(
                _(
                    "{name} was signed out because the PC was not used for a while. Their answers are saved: "
                    "they carry on where they left off when they pick their name."
                ).format(name=learner.name)
            )
        elif office:
            self.who.say_signed_out(
                _(
                    "The office was locked because the PC was not used for a while. What was saved in it is kept; "
                    "the admin passphrase opens it again."
                )
            )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT_EVENTS and self.learner is not None:
            self.restart_idle()
        return False

    # Display preferences: text size, colours, language -----------------------------------------

    def _text_size_keys(self) -> None:
        """Ctrl+= / Ctrl++ bigger, Ctrl+- smaller, Ctrl+0 normal; the platform's own zoom keys too, once each."""
        wanted = [
            *((QKeySequence(k), self.bigger_text) for k in BIGGER_KEYS),
            (QKeySequence(QKeySequence.StandardKey.ZoomIn), self.bigger_text),
            *((QKeySequence(k), self.smaller_text) for k in SMALLER_KEYS),
            (QKeySequence(QKeySequence.StandardKey.ZoomOut), self.smaller_text),
            *((QKeySequence(k), self.normal_text) for k in NORMAL_KEYS),
        ]
        seen: set[str] = set()
        self.text_size_shortcuts: list[QShortcut] = []
        for keys, slot in wanted:
            name = keys.toString()
            if not name or name in seen:
                continue  # two shortcuts on one key would make both ambiguous: neither would work
            seen.add(name)
            self.text_size_shortcuts.append(QShortcut(keys, self, slot))

    def bigger_text(self) -> None:
        self.set_text_scale(bigger(self.preferences.text_scale))

    def smaller_text(self) -> None:
        self.set_text_scale(smaller(self.preferences.text_scale))

    def normal_text(self) -> None:
        self.set_text_scale(1.0)

    def set_text_scale(self, scale: float) -> None:
        """A new text size, kept for the person signed in (or, on 'Who are you?', for this PC)."""
        if scale == self.preferences.text_scale:
            return
        prefs = replace(self.preferences, text_scale=scale)
        self.apply_preferences(prefs)
        save_preferences(self.store, self._whose(), prefs)
        announce(self.person_line, _("Text size {percent}").format(percent=format_percent(scale)))

    def _whose(self) -> str | None:
        """Whose preferences change now: the person signed in, or (no one) this PC's."""
        return self.learner.id if self.learner is not None else None

    def apply_preferences(self, prefs: Preferences) -> None:
        """Show the app in ``prefs``'s text size, colours and language."""
        self.preferences = prefs
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_style(app, prefs.text_scale, prefs.theme)
        if prefs.language != self._language:
            self._language = prefs.language  # first: a language switch may show a page, which applies again
            set_language = getattr(self, "set_language", None)
            if callable(set_language):
                set_language(prefs.language)
        self._fit_header()

    def _fit_header(self) -> None:
        """With large text, the header keeps to the logo, the person and their buttons."""
        signed_in = self.learner is not None
        title = not signed_in or current_scale() < 1.5
        self.app_title.setVisible(title)
        titles = title or not signed_in
        self.titles_box.setVisible(titles)  # hidden, it leaves its room to the person's name
        self.header_row.setStretchFactor(self.person_line, 1 if signed_in else 0)

    def open_display(self) -> None:
        """'Display & language', for whoever is at the PC: each choice shows at once; Cancel goes back."""
        if self.display_dialog is not None:
            self.display_dialog.deleteLater()
        before = self.preferences
        whose = self.learner.name if self.learner is not None else None
        from socialsafe.ui.display_dialog import DisplayDialog

        dialog = self.display_dialog = DisplayDialog(before, whose, self)
        dialog.changed.connect(self.apply_preferences)
        dialog.accepted.connect(lambda: self._display_saved(dialog.preferences()))
        dialog.rejected.connect(lambda: self.apply_preferences(before))
        dialog.open()

    def _display_saved(self, prefs: Preferences) -> None:
        self.apply_preferences(prefs)
        save_preferences(self.store, self._whose(), prefs)

    # Language -------------------------------------------------------------------------------------

    def set_language(self, code: str | None) -> str:
        """Show the app in ``code``'s language (None: the system's, or SOCIALSAFE_LANG's), without a restart.

        Every screen is made again in the new language and the person comes back to where they
        were: the same person on the same page; a quiz at the question they are on (answers are
        saved as they are given). An office area that was open closes: its passphrase opens it
        again. Returns the locale now in force.
        """
        before = current_locale()
        locale = set_locale(code)
        apply_qt_language(locale)
        # Qt's default locale is now the language's: the window and all in it take it too, so that a screen
        # reader is told the language the words are in (WCAG 3.1.1). Dialogs made from now on have it already.
        self.setLocale(QLocale())
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.setApplicationDisplayName(_("SocialSafe"))
        if locale != before:
            self._remake_screens()
        return locale

    def _remake_screens(self) -> None:
        """The header, the screens and the sync bar made again in the language now in force."""
        view = self._view()
        self._drop_office()
        self._content = None  # localized again when next read
        if self.pack is not None:
            self.pack = self._pack(self.pack.id)
        if self.pack is not None and self.module is not None:
            module_id = self.module.id
            self.module = next((m for m in self.pack.modules if m.id == module_id), None)
        self.setWindowTitle(_("SocialSafe"))
        central = self.centralWidget()
        column = central.layout() if central is not None else None
        assert column is not None
        old_header, self.header = self.header, self._build_header()
        column.replaceWidget(old_header, self.header)
        old_bar = self.sync_bar
        column.replaceWidget(old_bar, self._build_sync_bar())
        for old in (old_header, old_bar):
            old.hide()
            old.deleteLater()
        self.header.show()  # made after the window was shown: a new child is hidden until shown
        old_pages = [self.who, *self._other_pages()]
        self._build_pages()
        for page in old_pages:
            self.stack.removeWidget(page)
            page.deleteLater()
        self._header_for_person()
        self.sync_bar.setVisible(self._ready and self.share_folder()[0] is not None)
        self._show_sync_state()
        self._go_back_to(view)

    def _view(self) -> tuple[str, tuple[str, int, str, str] | None]:
        """Which screen is showing (and what was typed on 'Add yourself'), to come back to."""
        page = self.stack.currentWidget()
        if page is self.who and self.who.stack.currentIndex() == 1:
            who = self.who
            return "add", (who.name.text(), who.role.currentIndex(), who.school.text(), who.email.text())
        pages = self._other_pages()  # none before ready(): a PC's own language applies before then
        names = (
            dict(zip(pages, ("home", "module", "quiz", "results", "signoff", "record"), strict=True)) if pages else {}
        )
        # The office area, too, gives way to 'Who are you?'.
        return (names.get(page, "who") if page is not None else "who"), None

    def _go_back_to(self, view: tuple[str, tuple[str, int, str, str] | None]) -> None:
        kind, typed = view
        pack, module = self.pack, self.module
        if self.learner is None or kind in ("who", "add"):
            # Never switch_person() here: it applies the PC's preferences, which may name another language.
            self.who.refresh()
            if typed is not None:
                self.who.show_add()
                name, role, school, email = typed
                self.who.name.setText(name)
                self.who.role.setCurrentIndex(role)
                self.who.school.setText(school)
                self.who.email.setText(email)
            self.stack.setCurrentWidget(self.who)
            if self.learner is None:
                self.stop_idle()
            return
        if kind == "module" and self._reading is not None:
            what, pack_id = self._reading
            (self.open_summary if what == "summary" else self.open_what_changed)(pack_id)
        elif kind == "module" and pack is not None and module is not None:
            self.open_module(pack.id, module.id)
        elif kind == "quiz" and pack is not None and module is not None:
            self.start_quiz()  # resumes the attempt at the question not yet answered
        elif kind == "results" and pack is not None and self._result is not None:
            self._show_result_again(pack)
        elif kind == "signoff" and pack is not None:
            self.open_signoff(pack.id)
        elif kind == "record" and pack is not None:
            self.open_record(pack.id)
        else:
            self.show_home()

    def _show_result_again(self, pack: Pack) -> None:
        """The results shown last, their questions and clauses in the language now in force."""
        from socialsafe.training import Missed, status_of

        assert self._result is not None
        assert self.learner is not None
        questions = pack.questions()
        clauses = {c.id: c for c in pack.header.clauses}
        missed = [
            Missed(questions.get(m.question.id, m.question), [clauses.get(c.id, c) for c in m.clauses])
            for m in self._result.missed
        ]
        self._result = replace(self._result, missed=missed)
        status = status_of(self.store, self.content, self.learner, pack)
        can_sign = self._result.passed and status.awaiting_signoff
        onward = self._next_title(status) if self._result.passed else ""
        self.results.show_result(
            self.module.title if self.module else "", self._result, can_sign, status.renewing, onward
        )
        self.stack.setCurrentWidget(self.results)

    def _drop_office(self) -> None:
        """The office area goes, without a word to the PC's preferences; its passphrase opens it again."""
        office, self.office = self.office, None
        if office is None:
            return
        area, office.area = office.area, None
        if area is not None:
            self.stack.removeWidget(area)
            area.hide()
            area.deleteLater()
        if office.gate is not None:
            office.gate.hide()
            office.gate.deleteLater()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(office)
        office.deleteLater()

    def open_office(self) -> None:
        """The office area, behind the admin passphrase; loaded on first use, like printing."""
        if self.office is None:
            from socialsafe.ui.admin import Office

            self.office = Office(self)
        self.office.open()

    def open_settings(self) -> None:
        """This PC's settings (shared folder, idle time): opened from the office, behind the admin passphrase."""
        # open(), not exec(): the window keeps running (a sync may finish) while the dialog is up.
        from socialsafe.ui.settings_dialog import SettingsDialog

        if self.settings_dialog is not None:
            self.settings_dialog.deleteLater()
        self.settings_dialog = SettingsDialog(self.store, self.settings, self.idle_minutes(), self)
        self.settings_dialog.accepted.connect(self._settings_saved)
        self.settings_dialog.open()

    def _settings_saved(self) -> None:
        self.restart_idle()
        if self.settings_dialog is not None and self.settings_dialog.share_changed:
            self._share_changed(sync=True)

    # Sharing results ------------------------------------------------------------

    def share_folder(self) -> tuple[Path | None, Source]:
        """The shared folder in force (flag, environment, this PC's choice, site config) and its source."""
        return self.settings.share_folder(self.quick.setting(SHARE_SETTING))

    def sync_minutes(self) -> int:
        try:
            return max(1, int(self.store.setting(SYNC_MINUTES_SETTING) or DEFAULT_SYNC_MINUTES))
        except ValueError:
            return DEFAULT_SYNC_MINUTES

    def _share_changed(self, sync: bool) -> None:
        """Show or hide sharing for the folder now in force; sync at once if asked."""
        share, _source = self.share_folder()
        self._sync_error = ("", "")
        self.who.load_roster()  # the staff list 'Who are you?' offers is the one kept for this folder
        self.sync_bar.setVisible(share is not None)
        if share is None:
            self.sync_timer.stop()
            return
        self.sync_timer.start()
        self._show_sync_state()
        if sync:
            self.request_sync()

    def request_sync(self) -> bool:
        """Share results now, or right after the sync under way; False when no shared folder is set."""
        share, _source = self.share_folder()
        if share is None or self.sync_worker is None:
            return False
        self.sync_worker.request(share)
        return True

    def stop_sync(self, timeout_s: float = 0.0) -> bool:
        """No more syncs; wait at most ``timeout_s`` for one under way. True if none is left running."""
        self.sync_timer.stop()
        return self.sync_worker is None or self.sync_worker.stop(timeout_s)

    def _sync_started(self) -> None:
        self._set_sync_text(_("⟳ Sending results to the office…"), _("⟳ Sharing…"))

    def _sync_finished(self, report: SyncReport) -> None:
        self._sync_error = ("", "")
        self._awaiting = report.awaiting  # the office has not trusted this PC yet: its key, to compare
        if self.learner is not None and report.erased and self.store.learner(self.learner.id) is None:
            self.switch_person()  # this person's records were erased on request, through another PC
        self.who.load_roster()  # the sync keeps the newest staff list the office signed
        self._show_sync_state()

    def _sync_failed(self, message: str) -> None:
        from socialsafe.ui.sync_worker import first_sentence

        share, _source = self.share_folder()
        reason = first_sentence(message, share)
        plain = _("⚠ Your results are safe on this PC and will be sent to the office later.")
        detail = _("⚠ Not shared: {reason} Your results are safe on this PC.").format(reason=reason)
        new = (plain, detail) != self._sync_error
        self._sync_error = (plain, detail)
        self._set_sync_text(plain, detail, error=True)
        if new:
            announce(self.sync_status, self.sync_status.accessibleName())

    def _shorten_folder(self, text: str) -> str:
        """The text with a long shared folder name shortened in the middle, so the line stays short."""
        share, _source = self.share_folder()
        if share is None or str(share) not in text:
            return text
        room = max(160, int(self.sync_status.width() * 0.4))
        short = self.sync_status.fontMetrics().elidedText(str(share), Qt.TextElideMode.ElideMiddle, room)
        return text.replace(str(share), short)

    def _show_sync_state(self) -> None:
        if self.sync_bar.isHidden() or self.sync_worker is None:
            return
        from socialsafe.sync.engine import LAST_SYNC_SETTING, waiting_to_publish

        if self.sync_worker.running:
            self._sync_started()
            return
        if self._sync_error[0]:
            self._set_sync_text(*self._sync_error, error=True)
            return
        waiting = waiting_to_publish(self.store)
        last = self.store.setting(LAST_SYNC_SETTING)
        moment = _parse_utc(last) if last else None
        # What a learner needs: their work is safe and is reaching the office.
        if waiting or moment is None:
            plain = [_("✔ Results are saved on this PC and will be sent to the office shortly.")]
        else:
            time = format_datetime(moment, "short")
            plain = [_("✔ Results are saved and were sent to the office ({time}).").format(time=time)]
        # What the office and IT need: when, how many records, this PC's key.
        detail = []
        if moment is not None:
            detail.append(_("✔ Last shared: {time}").format(time=format_datetime(moment, "short")))
        else:
            detail.append(_("Not shared yet"))
        if waiting:
            detail.append(
                ngettext("{n} result waiting to be shared", "{n} results waiting to be shared", waiting).format(
                    n=waiting
                )
            )
        elif moment is not None:
            detail.append(_("nothing waiting to be shared"))
        if self._awaiting:
            plain.append(_("They count for the office once it approves this PC."))
            detail.append(
                _("counted on other PCs once the office trusts this PC (key {key})").format(key=self._awaiting)
            )
        self._set_sync_text(" ".join(plain), " · ".join(detail))

    def _office_shown(self) -> bool:
        return self.office is not None and self.stack.currentWidget() is self.office.area

    def _set_sync_text(self, plain: str, detail: str, error: bool = False) -> None:
        """Plain words for learners, the details (folder, counts, key) in the office; the tooltip has them for IT.

        A long folder name is shortened on screen; the tooltip and assistive technology get it whole.
        """
        text = detail if self._office_shown() else plain
        self.sync_status.setText(self._shorten_folder(text))
        self.sync_status.setToolTip(as_text(detail))  # a sync problem may name a file
        self.sync_status.setAccessibleName(text)
        if self.sync_bar.property("state") != ("error" if error else "ok"):
            self.sync_bar.setProperty("state", "error" if error else "ok")
            self.sync_bar.style().unpolish(self.sync_bar)
            self.sync_bar.style().polish(self.sync_bar)

    def focusNextPrevChild(self, next: bool) -> bool:
        """Tab and Shift+Tab: first keep the sync bar's button last in the order, where it is shown.

        Widgets made after the window (a screen's new buttons, the office) join the
        end of the focus chain, after the bar at the foot of the window.
        """
        last = self.previousInFocusChain()
        while last is not None and last is not self and last.focusPolicy() == Qt.FocusPolicy.NoFocus:
            last = last.previousInFocusChain()  # Qt orders only widgets that take the focus
        if last is not None and last is not self and last is not self.sync_button:
            QWidget.setTabOrder(last, self.sync_button)
        return super().focusNextPrevChild(next)

    def closeEvent(self, event) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self.stop_idle()
        self.stop_sync()
        super().closeEvent(event)


def _parse_utc(text: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
