"""The main window: a header with the person and 'Switch person', and the screens."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from socialsafe import __version__
from socialsafe.content.loader import Content
from socialsafe.content.model import Module, Pack
from socialsafe.domain.status import PolicyPacks
from socialsafe.i18n import _
from socialsafe.storage.models import Learner
from socialsafe.storage.store import InputError, Store
from socialsafe.training import (
    QuizRun,
    Result,
    certificate_for,
    declaration,
    refresher_of,
    sign_off,
    status_of,
)
from socialsafe.ui.home_page import HomePage
from socialsafe.ui.module_page import ModulePage, what_changed_markdown
from socialsafe.ui.quiz_page import QuizPage, ResultsPage
from socialsafe.ui.record_page import RecordPage
from socialsafe.ui.signoff_page import SignOffPage
from socialsafe.ui.style import app_icon
from socialsafe.ui.who_page import WhoPage
from socialsafe.ui.widgets import button, label

IDLE_SETTING = "idle_minutes"
DEFAULT_IDLE_MINUTES = 5
MIN_WIDTH, MIN_HEIGHT = 1024, 600

_INPUT_EVENTS = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
}


class MainWindow(QMainWindow):
    def __init__(self, store: Store, content: Content) -> None:
        super().__init__()
        self.store = store
        self.content = content
        self.learner: Learner | None = None
        self.pack: Pack | None = None
        self.module: Module | None = None
        self.setWindowTitle(_("SocialSafe"))
        self.setWindowIcon(app_icon())
        self.setMinimumSize(800, 560)
        self.resize(MIN_WIDTH, 700)

        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self._build_header())
        self.stack = QStackedWidget()
        column.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.who = WhoPage(store)
        self.home = HomePage(store, content)
        self.module_page = ModulePage()
        self.quiz = QuizPage()
        self.results = ResultsPage()
        self.signoff = SignOffPage()
        self.record = RecordPage()
        for page in (self.who, self.home, self.module_page, self.quiz, self.results, self.signoff, self.record):
            self.stack.addWidget(page)
        self.who.chosen.connect(self.sign_in)
        self.home.open_module.connect(self.open_module)
        self.home.open_summary.connect(self.open_summary)
        self.home.sign_off.connect(self.open_signoff)
        self.home.refresher.connect(self.open_refresher)
        self.home.what_changed.connect(self.open_what_changed)
        self.home.my_record.connect(self.open_record)
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
        self.results.reread.connect(
            lambda: self.open_module(self.pack.id, self.module.id) if self.pack and self.module else None
        )

        # Shared PCs: after a quiet spell, hand the PC back to the next person.
        self.idle = QTimer(self)
        self.idle.setSingleShot(True)
        self.idle.timeout.connect(self.switch_person)
        app = QApplication.instance()
        assert app is not None
        app.installEventFilter(self)
        QShortcut(QKeySequence("Ctrl+Shift+S"), self, self.switch_person)
        self.switch_person()

    def _build_header(self) -> QWidget:
        header = QFrame()
        header.setObjectName("header")
        row = QHBoxLayout(header)
        row.setContentsMargins(20, 10, 20, 10)
        icon = QLabel()
        icon.setPixmap(app_icon().pixmap(36, 36))
        icon.setAccessibleName(_("SocialSafe logo"))
        row.addWidget(icon)
        titles = QVBoxLayout()
        titles.setSpacing(0)
        title = label(_("SocialSafe"))
        title.setObjectName("appTitle")
        titles.addWidget(title)
        current = self.content.current
        policy = current[0].policy if current else None
        line = (
            _("{organisation}: {title}, version {version}").format(
                organisation=policy.organisation, title=policy.title, version=policy.version
            )
            if policy
            else _("Use of Social Media training")
        )
        self.policy_line = label(line)
        self.policy_line.setObjectName("policyLine")
        titles.addWidget(self.policy_line)
        row.addLayout(titles, 1)
        self.person_line = QLabel("")
        self.person_line.setObjectName("personLine")
        row.addWidget(self.person_line)
        self.switch_button = button(
            _("Switch person"), _("Switch person"), description=_("Hand the PC to someone else (Ctrl+Shift+S)")
        )
        self.switch_button.clicked.connect(self.switch_person)
        row.addWidget(self.switch_button)
        self.settings_button = button(_("Settings"), _("Settings"))
        self.settings_button.clicked.connect(self.open_settings)
        row.addWidget(self.settings_button)
        return header

    # Navigation ---------------------------------------------------------------

    def switch_person(self) -> None:
        self.learner = None
        self.pack = self.module = None
        self.person_line.setText("")
        self.person_line.setAccessibleName("")
        self.policy_line.show()
        self.switch_button.hide()
        self.idle.stop()
        self.who.refresh()
        self.stack.setCurrentWidget(self.who)

    def sign_in(self, learner_id: str) -> None:
        self.learner = self.store.learner(learner_id)
        if self.learner is None:
            self.switch_person()
            return
        self.person_line.setText(self.learner.name)
        self.person_line.setAccessibleName(_("Signed in as {name}").format(name=self.learner.name))
        # Home shows the policy; the header keeps room for the person and their buttons.
        self.policy_line.hide()
        self.switch_button.show()
        self._restart_idle()
        self.show_home()

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
        open_attempt = self.store.open_attempt(self.learner.id, module_id)
        resume_at = None
        if open_attempt is not None:
            resume_at = QuizRun(self.store, pack, self.module, open_attempt).position().index + 1
        self.module_page.show_module(pack, self.module, resume_at)
        self.stack.setCurrentWidget(self.module_page)

    def open_summary(self, pack_id: str) -> None:
        pack = next((p for p in self.content.current if p.id == pack_id), None)
        if pack is None or not pack.header.summary:
            return
        self.module_page.show_reading(_("The policy at a glance"), pack.header.summary)
        self.stack.setCurrentWidget(self.module_page)

    def _pack(self, pack_id: str) -> Pack | None:
        return next((p for p in self.content.current if p.id == pack_id), None)

    def open_signoff(self, pack_id: str) -> None:
        pack = self._pack(pack_id)
        if pack is None or self.learner is None:
            return
        self.pack = pack
        status = status_of(self.store, self.content, self.learner, pack)
        self.signoff.show_declaration(declaration(pack), self.learner.name, renewal=bool(status.completions))
        self.stack.setCurrentWidget(self.signoff)

    def sign(self, typed_name: str) -> None:
        if self.learner is None or self.pack is None:
            return
        try:
            sign_off(self.store, self.content, self.learner, self.pack, typed_name)
        except InputError as error:
            self.signoff.show_error(str(error))
            return
        self.show_home()

    def open_refresher(self, pack_id: str) -> None:
        pack = self._pack(pack_id)
        refresher = refresher_of(pack) if pack else None
        if pack is not None and refresher is not None:
            self.open_module(pack.id, refresher.id)

    def open_what_changed(self, pack_id: str) -> None:
        pack = self._pack(pack_id)
        if pack is None:
            return
        older = PolicyPacks.of(self.content.packs, pack.policy.id).older
        if not older:
            return
        self.module_page.show_reading(_("What changed in the policy"), what_changed_markdown(older[0], pack))
        self.stack.setCurrentWidget(self.module_page)

    def open_record(self, pack_id: str) -> None:
        pack = self._pack(pack_id)
        if pack is None or self.learner is None:
            return
        self.pack = pack
        status = status_of(self.store, self.content, self.learner, pack)
        self.record.show_record(self.store, self.content, self.learner, pack, status)
        self.stack.setCurrentWidget(self.record)

    def _certificate(self, print_it: bool) -> None:
        if self.learner is None or self.pack is None:
            return
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
        self.quiz.start(QuizRun.begin(self.store, self.learner, self.pack, self.module))
        self.stack.setCurrentWidget(self.quiz)

    def retry(self) -> None:
        if self.learner is None or self.pack is None or self.module is None:
            return
        self.quiz.start(QuizRun.start_new(self.store, self.learner, self.pack, self.module))
        self.stack.setCurrentWidget(self.quiz)

    def show_results(self, result: Result) -> None:
        can_sign = False
        if self.learner is not None and self.pack is not None and result.passed:
            can_sign = status_of(self.store, self.content, self.learner, self.pack).awaiting_signoff
        self.results.show_result(self.module.title if self.module else "", result, can_sign)
        self.stack.setCurrentWidget(self.results)

    # Idle sign-out ------------------------------------------------------------

    def idle_minutes(self) -> int:
        try:
            return max(0, int(self.store.setting(IDLE_SETTING) or DEFAULT_IDLE_MINUTES))
        except ValueError:
            return DEFAULT_IDLE_MINUTES

    def _restart_idle(self) -> None:
        minutes = self.idle_minutes()
        if self.learner is not None and minutes > 0:
            self.idle.start(minutes * 60_000)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT_EVENTS and self.learner is not None:
            self._restart_idle()
        return False

    def open_settings(self) -> None:
        dialog = SettingsDialog(self.idle_minutes(), self)
        if dialog.exec():
            self.store.set_setting(IDLE_SETTING, str(dialog.minutes.value()))
            self._restart_idle()

    def closeEvent(self, event) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        super().closeEvent(event)


class SettingsDialog(QDialog):
    def __init__(self, idle_minutes: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Settings"))
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.minutes = QSpinBox()
        self.minutes.setRange(0, 120)
        self.minutes.setValue(idle_minutes)
        self.minutes.setSuffix(_(" min"))
        self.minutes.setSpecialValueText(_("Never"))
        self.minutes.setAccessibleName(_("Return to 'Who are you?' after this many idle minutes"))
        form.addRow(_("Return to 'Who are you?' after idle"), self.minutes)
        layout.addLayout(form)
        layout.addWidget(label(_("SocialSafe {version}").format(version=__version__), "muted"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Save).setAccessibleName(_("Save settings"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName(_("Cancel"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
