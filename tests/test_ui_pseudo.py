"""Every visible text goes through translation: the whole app walked in the pseudo-locale.

In ``en_XA`` every translated text reads ``⟦Ŝŵîţçĥ ƥéŕšöñ⟧``: letters accented,
the whole bracketed. The quiz pack's text is pseudo-translated too (it goes
through the pack-translation mechanism), so what may be left in plain English
is only data: the people's names, schools and emails made here, ids, dates and
numbers, and the PC's and folders' names. Anything else in plain letters is a
string that never went through ``_()``, listed with the widget that shows it.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from babel.dates import get_day_names, get_month_names, get_period_names
from PySide6.QtCore import QAbstractListModel, QModelIndex, Qt
from PySide6.QtGui import Qt as QtGui_Qt
from PySide6.QtGui import QTextDocumentFragment
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QDialog,
    QGroupBox,
    QLabel,
    QLineEdit,
    QProgressBar,
    QTabBar,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from conftest import MINI
from helpers_packs import PACK_TOML, copy_pack, edit
from socialsafe.i18n import SOURCE_LOCALE, set_locale
from socialsafe.storage.store import Store
from socialsafe.ui.language import reset_qt_language
from socialsafe.ui.main_window import MainWindow
from test_ui_admin import OAK, PASSPHRASE, RIVERSIDE, gate_of, loaded, open_person, seed, type_into
from ui_helpers import add_person, answer_all, open_window, press, type_text

PSEUDO = "en_XA"
NAME, SCHOOL = "Priya Sharma-Whitfield", "Oak Hill Church of England Primary School"
SEEDED = ["Amina Okafor", "Ben Carter", "Cara Diaz", "Dev Patel", "Eve Long"]
TEACHER = 1


@pytest.fixture
def pseudo_locale() -> Iterator[None]:
    yield
    set_locale(SOURCE_LOCALE)
    reset_qt_language()


def two_versions(tmp_path: Path) -> list[Path]:
    """The mini pack and a newer version of its policy with one clause reworded: 'what changed' has something."""
    newer = copy_pack(tmp_path / "newer")
    edit(newer / PACK_TOML, 'version = "1.0"', 'version = "1.1"')
    edit(newer / PACK_TOML, "must be declined and reported", "must be declined at once and reported")
    return [MINI, newer]


# Collecting what is on screen ------------------------------------------------------------------


def _plain(label: QLabel) -> str:
    text = label.text()
    rich = label.textFormat() == Qt.TextFormat.RichText or (
        label.textFormat() == Qt.TextFormat.AutoText and QtGui_Qt.mightBeRichText(text)
    )
    return QTextDocumentFragment.fromHtml(text).toPlainText() if rich else text


def _model_texts(view: QAbstractItemView) -> Iterator[tuple[str, str]]:
    model = view.model()
    if model is None:
        return

    def columns(parent: QModelIndex) -> int:
        if isinstance(model, QAbstractListModel):  # its columnCount() is not callable from Python
            return 0 if parent.isValid() else 1
        return model.columnCount(parent)

    for column in range(columns(QModelIndex())):
        header = model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
        yield "header", str(header or "")

    def rows(parent: QModelIndex) -> Iterator[tuple[str, str]]:
        for row in range(model.rowCount(parent)):
            for column in range(columns(parent)):
                index = model.index(row, column, parent)
                for role, what in (
                    (Qt.ItemDataRole.DisplayRole, "cell"),
                    (Qt.ItemDataRole.ToolTipRole, "cell tooltip"),
                    (Qt.ItemDataRole.AccessibleTextRole, "cell accessible text"),
                ):
                    value = model.data(index, role)
                    if isinstance(value, str):
                        yield what, value
            yield from rows(model.index(row, 0, parent))

    yield from rows(QModelIndex())


def widget_texts(widget: QWidget) -> Iterator[tuple[str, str]]:
    """(what, text) for every text a widget shows or gives to assistive technology."""
    if isinstance(widget, QLabel):
        yield "text", _plain(widget)
    elif isinstance(widget, QAbstractButton):
        yield "text", widget.text()
    elif isinstance(widget, QLineEdit):
        yield "placeholder", widget.placeholderText()
    elif isinstance(widget, QGroupBox):
        yield "title", widget.title()
    elif isinstance(widget, QTabBar):
        for i in range(widget.count()):
            yield "tab", widget.tabText(i)
            yield "tab tooltip", widget.tabToolTip(i)
    elif isinstance(widget, QComboBox):
        for i in range(widget.count()):
            yield "item", widget.itemText(i)
    elif isinstance(widget, QTextEdit):
        yield "text", widget.toPlainText()
    elif isinstance(widget, QProgressBar) and widget.isTextVisible():
        yield "text", widget.text()
    if isinstance(widget, QAbstractItemView):
        yield from _model_texts(widget)
    if isinstance(widget, QAbstractSpinBox):
        yield "special value", widget.specialValueText()
        for part in ("prefix", "suffix"):
            getter = getattr(widget, part, None)
            if callable(getter):
                yield part, str(getter())
    if widget.isWindow():
        yield "window title", widget.windowTitle()
    yield "tooltip", widget.toolTip()
    yield "accessible name", widget.accessibleName()
    yield "accessible description", widget.accessibleDescription()


def visible_texts(root: QWidget) -> Iterator[tuple[QWidget, str, str]]:
    for widget in [root, *root.findChildren(QWidget)]:
        if widget is not root and not widget.isVisibleTo(root):
            continue
        for what, text in widget_texts(widget):
            if text:
                yield widget, what, text


# What may be in plain letters -------------------------------------------------------------------


class Allowed:
    """The data the test itself made or met: names, schools, emails, ids, folders; and dates' words."""

    def __init__(self, window: MainWindow, extra: Iterable[str]) -> None:
        data = {NAME, SCHOOL, OAK, RIVERSIDE, *SEEDED, socket.gethostname(), str(window.store.path.parent)}
        data |= {f"{name.split()[0].lower()}@example.org" for name in SEEDED}
        for pack in window.source_content.packs:
            data |= {pack.id, pack.version, pack.policy.id, pack.policy.version}
            data |= {c.id for c in pack.header.clauses} | {m.id for m in pack.modules} | set(pack.questions())
        data |= set(extra)
        self.data = sorted((d for d in data if d), key=len, reverse=True)
        words: set[str] = set()
        for names in (
            get_month_names("wide", locale=SOURCE_LOCALE),
            get_month_names("abbreviated", locale=SOURCE_LOCALE),
            get_day_names("wide", locale=SOURCE_LOCALE),
            get_day_names("abbreviated", locale=SOURCE_LOCALE),
            get_period_names(locale=SOURCE_LOCALE),
        ):
            words |= {str(n) for n in names.values()}
        self.dates = re.compile(r"\b(" + "|".join(sorted(map(re.escape, words), key=len, reverse=True)) + r")\b")

    def leftover(self, text: str) -> str:
        """What of ``text`` is in plain letters once translated parts and data are taken out."""
        while True:
            shorter = re.sub(r"⟦[^⟦⟧]*⟧", " ", text)
            if shorter == text:
                break
            text = shorter
        for data in self.data:
            text = text.replace(data, " ")
        text = self.dates.sub(" ", text)
        return text.strip() if re.search(r"[^\W\d_]", text) else ""


class Walk:
    """Everything seen, screen by screen; what is untranslated, with where it is."""

    def __init__(self, allowed: Allowed) -> None:
        self.allowed = allowed
        self.screens: list[str] = []
        self.untranslated: list[str] = []

    def look(self, screen: str, root: QWidget) -> None:
        self.screens.append(screen)
        for widget, what, text in visible_texts(root):
            left = self.allowed.leftover(text)
            if left:
                where = widget.objectName() or type(widget).__name__
                self.untranslated.append(f"{screen}: {where} {what}: {text!r} (plain: {left!r})")


# The walk ---------------------------------------------------------------------------------------


def learner_screens(qtbot: QtBot, window: MainWindow, walk: Walk) -> None:
    walk.look("who-empty", window)
    window.who.show_add()
    walk.look("add-person", window)
    add_person(qtbot, window, NAME, TEACHER, SCHOOL)
    walk.look("home", window)
    pack = window.content.current[0]
    window.open_module(pack.id, pack.modules[0].id)
    walk.look("module", window)
    window.start_quiz()
    walk.look("question", window)
    asked = window.quiz.asked
    assert asked is not None
    window.quiz.pick(1)
    window.quiz.check()
    walk.look("feedback", window)
    window.quiz.advance()
    answer_all(qtbot, window, right=False)
    walk.look("results-not-passed", window)
    for module in pack.modules:
        window.open_module(pack.id, module.id)
        window.start_quiz()
        answer_all(qtbot, window, right=True)
    walk.look("results-sign-now", window)
    window.open_signoff(pack.id)
    walk.look("sign-off", window)
    type_text(qtbot, "someone else")
    press(qtbot, Qt.Key.Key_Return)
    walk.look("sign-off-error", window)
    window.signoff.name.clear()
    type_text(qtbot, NAME)
    press(qtbot, Qt.Key.Key_Return)
    walk.look("home-complete", window)
    window.open_record(pack.id)
    walk.look("my-record", window)
    window.open_summary(pack.id)
    walk.look("policy-at-a-glance", window)
    window.open_what_changed(pack.id)
    walk.look("what-changed", window)
    assert window.module_page.title.text().startswith("⟦")
    window.open_display()
    dialog = window.display_dialog
    assert isinstance(dialog, QDialog)
    qtbot.waitExposed(dialog)
    walk.look("display-and-language", dialog)
    dialog.reject()


def office_screens(qtbot: QtBot, window: MainWindow, walk: Walk) -> None:
    window.switch_person()
    gate = gate_of(qtbot, window)
    walk.look("office-gate-first-use", gate)
    type_into(qtbot, gate.passphrase, PASSPHRASE, enter=False)
    assert gate.repeat is not None
    type_into(qtbot, gate.repeat, PASSPHRASE)
    assert window.office is not None
    area = window.office.area
    assert area is not None
    loaded(qtbot, area)
    walk.look("office-everyone", window)
    open_person(qtbot, area, "Dev Patel")
    walk.look("office-person", window)
    for name, button in (
        ("office-face-to-face", area.person.session_button),
        ("office-paper", area.person.paper_button),
    ):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        walk.look(name, area.dialog)
        area.dialog.reject()
    area.show_everyone()
    area.dashboard.search.clear()
    qtbot.mouseClick(area.dashboard.export_button, Qt.MouseButton.LeftButton)
    walk.look("office-export", area.dialog)
    area.dialog.reject()
    for index, name in enumerate(("office-chart", "office-insight", "office-staff-list"), start=1):
        area.tab_bar.setCurrentIndex(index)
        walk.look(name, window)
    window.open_settings()
    dialog = window.settings_dialog
    assert isinstance(dialog, QDialog)
    qtbot.waitExposed(dialog)
    walk.look("settings", dialog)
    dialog.reject()
    qtbot.mouseClick(area.lock_button, Qt.MouseButton.LeftButton)
    gate = gate_of(qtbot, window)
    for _ in range(3):
        type_into(qtbot, gate.passphrase, "wrong passphrase")
    walk.look("office-gate-wait", gate)
    gate.reject()


def test_every_visible_text_is_translated(qtbot: QtBot, store: Store, tmp_path: Path, pseudo_locale: None) -> None:
    window = open_window(qtbot, store, two_versions(tmp_path))
    seed(store, window.source_content.current[0])
    # Switched while the app runs: whatever the switch forgets to make again shows up below.
    assert window.set_language(PSEUDO) == PSEUDO
    walk = Walk(Allowed(window, [str(tmp_path)]))
    learner_screens(qtbot, window, walk)
    office_screens(qtbot, window, walk)
    assert len(walk.screens) >= 25
    assert walk.untranslated == []
