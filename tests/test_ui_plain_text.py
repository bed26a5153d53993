"""Names, PC names and pack text show as typed: no markup in them loads a file, hides words or opens a link.

Each test puts markup naming an image file in the data: a small magenta square
the test makes. Then it draws the real widget offscreen and looks for magenta:
the square drawn means the file was read. The words a label shows (its text
less any markup Qt read in it) must hold the markup word for word.
"""

from __future__ import annotations

import datetime as dt
import types
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QEvent, QIODevice, QPoint, Qt, QUrl
from PySide6.QtGui import QColor, QHelpEvent, QImage, QPdfWriter, QPixmap, QTextDocument
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLabel, QMessageBox, QToolTip, QWidget
from pytestqt.qtbot import QtBot

from helpers_packs import FRIENDS, PACK_TOML, copy_pack, edit
from socialsafe.config import Settings
from socialsafe.domain.certificate import CertificateData
from socialsafe.storage.store import Store
from socialsafe.ui.admin.pcs_page import PcsPage
from socialsafe.ui.admin.person import EraseConfirmation, erase_with_confirmation
from socialsafe.ui.certificate import _document
from socialsafe.ui.main_window import MainWindow
from socialsafe.ui.safe_text import as_text, label_markdown, markdown_document
from sync_helpers import mini_content
from test_ui_admin import admin, loaded, open_person, pack_of, seed, unlock
from ui_helpers import open_window

__all__ = ["admin"]  # the fixture, used here by name

MAGENTA = QColor(255, 0, 255)
MAGENTA_PIXEL = bytes([255, 0, 255, 255])  # as a pixel of Format_RGB32 lies in memory: blue, green, red, alpha


@pytest.fixture
def mark(tmp_path: Path) -> Path:
    """The image file named in the data: drawn, it shows as magenta."""
    path = tmp_path / "mark.png"
    image = QImage(24, 24, QImage.Format.Format_RGB32)
    image.fill(MAGENTA)
    assert image.save(str(path))
    return path


def shows_mark(widget: QWidget) -> bool:
    """Whether the marked image is drawn in ``widget``: its file was read."""
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    data = bytes(image.constBits())  # a copy, made while ``image`` holds the pixels
    at = data.find(MAGENTA_PIXEL)
    while at >= 0 and at % 4:
        at = data.find(MAGENTA_PIXEL, at + 1)
    return at >= 0


def shown_words(label: QLabel) -> str:
    """The words ``label`` shows: its text less any markup Qt reads in it, worked out as Qt does to show it."""
    text, kind = label.text(), label.textFormat()
    if kind == Qt.TextFormat.AutoText:
        kind = Qt.TextFormat.RichText if GuiQt.mightBeRichText(text) else Qt.TextFormat.PlainText
    if kind == Qt.TextFormat.PlainText:
        return text
    document = QTextDocument()  # never laid out, so it loads nothing
    if kind == Qt.TextFormat.MarkdownText:
        document.setMarkdown(text)
    else:
        document.setHtml(text)
    return document.toPlainText()


def hostile_name(mark: Path) -> str:
    """A name that, read as HTML, shows an image from a local file and makes the words after it a pixel high."""
    return f'<img src="{QUrl.fromLocalFile(str(mark)).toString()}"><h1>Bob</h1></b><span style="font-size:1px">'


def markdown_with_mark(mark: Path) -> str:
    """Markdown naming the file as an image (in Markdown and in HTML) and as a link, and a network path as an image."""
    return f"Read this. ![the alt words]({mark}) [the link words](file://{mark}) <img src={mark}> ![b](//server/x.png)"


def message_box_label(box: QMessageBox) -> QLabel:
    found = box.findChild(QLabel, "qt_msgbox_label")
    assert isinstance(found, QLabel)
    return found


# The office: a person with markup for a name ----------------------------------------------------------------


# A school whose name loads the image from the folder the app runs in; short enough for the chart not to cut it.
SCHOOL = "<img src=mark.png>Oak"


@pytest.fixture
def window(qtbot: QtBot, store: Store, mark: Path, monkeypatch: pytest.MonkeyPatch) -> MainWindow:
    monkeypatch.chdir(mark.parent)
    window = open_window(qtbot, store, [Path(__file__).parent / "packs" / "mini"])
    seed(store, pack_of(window))
    store.add_learner(hostile_name(mark), "teacher", SCHOOL)
    return window


def test_the_erase_confirmation_shows_a_name_as_typed_and_still_says_it_cannot_be_undone(
    qtbot: QtBot, window: MainWindow, admin: Any, mark: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = hostile_name(mark)
    area = unlock(qtbot, window, admin)
    open_person(qtbot, area, name)
    seen: list[tuple[bool, str]] = []

    def exec_(box: EraseConfirmation) -> int:  # shown as exec() would show it, then Cancel
        box.show()
        qtbot.waitExposed(box)
        seen.append((shows_mark(box), shown_words(message_box_label(box))))
        box.cancel_button.click()
        return 0

    monkeypatch.setattr(EraseConfirmation, "exec", exec_)
    summary = area.person.summary
    assert summary is not None
    assert not erase_with_confirmation(area, area.settings, area.store, area.content, summary)
    [(drawn, text)] = seen
    assert not drawn, "the image named in the name was loaded"
    assert f"Erase {name} ({SCHOOL})?" in text
    assert text.rstrip().endswith("This cannot be undone.")
    assert name in [x.name for x in window.store.learners()]


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # a tooltip, offscreen
def test_the_office_list_its_tooltips_and_the_chart_show_names_as_typed(
    qtbot: QtBot, window: MainWindow, admin: Any, mark: Path
) -> None:
    name = hostile_name(mark)
    area = loaded(qtbot, unlock(qtbot, window, admin))
    table = area.dashboard.table
    table.setFocus()
    row = next(r for r in range(table.model().rowCount()) if table.model().index(r, 0).data() == name)
    assert not shows_mark(table)
    for column in (0, 1):  # the name, the school
        cell = table.visualRect(table.model().index(row, column))
        assert cell.isValid()
        tip = tooltip_of(table, cell.center())
        assert not shows_mark(tip), f"column {column}'s tooltip loaded the image"
        assert shown_words(tip) == (name if column == 0 else SCHOOL)
        QToolTip.hideText()

    area.tab_bar.setCurrentIndex(1)  # by school and role: the schools are the chart's labels
    qtbot.waitUntil(lambda: area.chart.isVisible())
    assert not shows_mark(area.chart.view), "the chart drew the image named in a school"
    assert SCHOOL in area.chart.numbers.toPlainText()
    tip = tooltip_of(area.chart.view, area.chart.view.rect().center())
    assert not shows_mark(tip)
    assert SCHOOL in shown_words(tip)
    QToolTip.hideText()


def tooltip_of(widget: QWidget, where: QPoint) -> QLabel:
    """The tooltip shown when the pointer rests at ``where`` in ``widget`` (a view: in its viewport)."""
    target = widget.viewport() if isinstance(widget, QAbstractItemView) else widget
    QApplication.sendEvent(target, QHelpEvent(QEvent.Type.ToolTip, where, target.mapToGlobal(where)))
    shown = [w for w in QApplication.topLevelWidgets() if w.objectName() == "qtooltip_label" and w.isVisible()]
    assert shown, "no tooltip shown"
    assert isinstance(shown[0], QLabel)
    return shown[0]


def test_a_pc_named_with_markup_is_asked_about_and_listed_as_typed(
    qtbot: QtBot, store: Store, mark: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = hostile_name(mark)
    page = PcsPage(store, Settings(data_dir=store.path.parent), mini_content(), key=object())
    qtbot.addWidget(page)
    pc = types.SimpleNamespace(
        device_name=name,
        device_id="0123456789abcdef",
        fingerprint="ABCD-EFGH",
        people=[name],
        records=[1],
        reason="new",
        key=b"k" * 32,
        waiting=True,
        path=Path(f"<img src={mark}>.jsonl"),
    )
    view = types.SimpleNamespace(
        authority=None,
        this_key="KEY",
        this_trusted=False,
        waiting=[pc],
        unverified=[pc, types.SimpleNamespace(**{**vars(pc), "waiting": False})],
    )
    page.resize(900, 900)
    page.show()
    page.show_view(view)
    assert page.waiting.item(0, 0).text().startswith(name)
    assert page.apart.item(0, 0).text() == name
    assert not shows_mark(page)

    asked: list[tuple[bool, str]] = []

    def question(parent: QWidget, title: str, text: str, *args: object) -> QMessageBox.StandardButton:
        # As Qt's own question() makes its box, shown without waiting for a click.
        box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.Yes, parent)
        box.show()
        qtbot.waitExposed(box)
        asked.append((shows_mark(box), shown_words(message_box_label(box))))
        box.close()
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", question)
    page.waiting.selectRow(0)
    page.approve()
    [(drawn, text)] = asked
    assert not drawn, "the image named in the PC's name was loaded"
    assert text.startswith(f"Approve {name} (0123456789abcdef)?")


def test_a_name_shows_as_typed_on_who_are_you_and_in_the_header(qtbot: QtBot, store: Store, mark: Path) -> None:
    name = hostile_name(mark)
    learner = store.add_learner(name, "teacher", "Oak Primary")
    window = open_window(qtbot, store, [Path(__file__).parent / "packs" / "mini"])
    assert window.who.people.item(0).text().startswith(name)
    assert not shows_mark(window)
    window.sign_in(learner.id)
    assert window.stack.currentWidget() is window.home
    assert not shows_mark(window), "the image named in the name was loaded"
    assert shown_words(window.person_line) == name
    assert f"Hello, {name}" in [shown_words(x) for x in window.home.findChildren(QLabel)]


# Pack text: Markdown and HTML in a pack -----------------------------------------------------------------------


@pytest.fixture
def marked_pack(tmp_path: Path, mark: Path) -> Path:
    """The mini pack with Markdown naming the image in its summary, a module's introduction and every prompt."""
    pack = copy_pack(tmp_path / "marked")
    markdown = markdown_with_mark(mark)
    edit(pack / PACK_TOML, "Keep a professional distance from pupils online.", markdown)
    edit(
        pack / FRIENDS,
        'intro = "Pupils sometimes try to contact staff online. Here is what to do."',
        f"intro = '{markdown}'",
    )
    edit(pack / FRIENDS, 'key_points = ["Decline it.",', f"key_points = ['Decline it. <img src={mark}>',")
    edit(pack / FRIENDS, 'prompt = "', f'prompt = "![x]({mark}) <img src={mark}> ', count=5)
    return pack


@pytest.fixture
def learner_window(qtbot: QtBot, store: Store, marked_pack: Path) -> MainWindow:
    learner = store.add_learner("Amina Okafor", "teacher", "Oak Primary")
    window = open_window(qtbot, store, [marked_pack])
    window.sign_in(learner.id)
    return window


def fetches(document: QTextDocument, path: Path) -> bool:
    """Whether ``document``, asked for the image at ``path`` (as it would be to draw one), reads the file."""
    got = document.loadResource(QTextDocument.ResourceType.ImageResource.value, QUrl.fromLocalFile(str(path)))
    if isinstance(got, QByteArray | bytes | bytearray):
        return bytes(got) == path.read_bytes()
    if isinstance(got, QPixmap):
        got = got.toImage()
    return isinstance(got, QImage) and got.pixelColor(0, 0) == MAGENTA


def has_images_or_links(document: QTextDocument) -> bool:
    block = document.begin()
    while block.isValid():
        pieces = block.begin()
        while not pieces.atEnd():
            style = pieces.fragment().charFormat()
            if style.isImageFormat() or style.isAnchor() or style.anchorHref():
                return True
            pieces += 1
        block = block.next()
    return False


def test_a_modules_introduction_and_the_summary_load_no_image_and_link_nowhere(
    qtbot: QtBot, learner_window: MainWindow, mark: Path
) -> None:
    window = learner_window
    [pack] = window.content.current
    for show in (lambda: window.open_module(pack.id, "friend-requests"), lambda: window.open_summary(pack.id)):
        show()
        reader = window.module_page.reader
        assert window.stack.currentWidget() is window.module_page
        qtbot.waitExposed(reader)
        assert not shows_mark(reader), "the image named in the pack was loaded"
        words = reader.toPlainText()
        assert "Read this. the alt words the link words" in words  # an image as its alt text, a link as its words
        assert f"<img src={mark}>" in words  # HTML as it was typed
        assert not has_images_or_links(reader.document())
        assert not reader.openLinks()
        assert not reader.openExternalLinks()
        assert not fetches(reader.document(), mark)  # the last line of defence


def test_a_quiz_prompt_loads_no_image_and_shows_its_markup_as_typed(
    qtbot: QtBot, learner_window: MainWindow, mark: Path
) -> None:
    window = learner_window
    [pack] = window.content.current
    window.open_module(pack.id, "friend-requests")
    window.start_quiz()
    assert window.stack.currentWidget() is window.quiz
    qtbot.waitExposed(window.quiz)
    assert window.quiz.asked is not None
    assert not shows_mark(window.quiz), "the image named in the prompt was loaded"
    assert shown_words(window.quiz.prompt).startswith(f"![x]({mark}) <img src={mark}> ")


# The helpers themselves -------------------------------------------------------------------------------------


def test_text_qt_would_read_as_html_is_handed_over_to_show_as_typed(qtbot: QtBot, mark: Path) -> None:
    for text in ("Ben Carter", "Amina <amina@example.org>", "Saved 3 rows to C:\\Users\\office\\a.csv."):
        assert as_text(text) == text  # plain text is left as it is
    hostile = f"{hostile_name(mark)}\nline two"
    label = QLabel(as_text(hostile))
    qtbot.addWidget(label)
    label.show()
    assert not shows_mark(label)
    assert shown_words(label) == hostile
    assert label_markdown("**not** the [1] <b> \\[kept\\] \\\\[x") == "**not** the \\[1] \\<b> \\[kept\\] \\\\\\[x"
    document = markdown_document(markdown_with_mark(mark))
    assert not has_images_or_links(document)
    assert document.toPlainText().startswith("Read this. the alt words the link words <img src=")


def test_the_certificate_document_fetches_nothing_its_data_names(qtbot: QtBot, mark: Path) -> None:
    data = CertificateData(
        name=hostile_name(mark),
        role="teacher",
        school="Oak",
        organisation="Example School",
        policy_title="Use of Social Media Policy",
        policy_version="1.0",
        completed_on=dt.date(2025, 3, 1),
        expires_on=dt.date(2026, 3, 1),
        modules=[],
        code="",
    )
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    document = _document(data, writer)
    assert hostile_name(mark) in document.toPlainText()
    assert not fetches(document, mark)
