"""Text from data shown as text: nothing in a name, a PC's name or a pack loads a file or opens a link.

Qt reads text that looks like HTML as HTML wherever it is left to guess (a
label or message box at ``Qt.AutoText``, a tooltip), and a chart's labels are
always HTML. HTML and Markdown can show an image from any path or URL (on
Windows a UNC path reaches out over SMB) and restyle or hide the words around
them: a name could hide "This cannot be undone". So a label that shows data is
plain text (:func:`socialsafe.ui.widgets.label`), data inside our own markup is
escaped (:func:`socialsafe.ui.widgets.esc`), and text left to Qt's guess goes
through :func:`as_text`. Pack text that is Markdown is read with its raw HTML
as text, its images as their alt text and its links as their words
(:class:`Reader`); in a label, whose Markdown cannot be restricted, every "["
and "<" is escaped (:func:`label_markdown`).
"""

from __future__ import annotations

import html
import re

from PySide6.QtCore import QObject, Qt, QUrl
from PySide6.QtGui import QImage, QTextCharFormat, QTextCursor, QTextDocument, QTextFormat
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtWidgets import QTextBrowser, QWidget

# GitHub's Markdown, as Qt reads it by default (tables, strikethrough), with raw HTML shown as text.
MARKDOWN = QTextDocument.MarkdownFeature.MarkdownDialectGitHub | QTextDocument.MarkdownFeature.MarkdownNoHTML

# What makes a piece of text an image or a link: taken off, the words stay.
_IMAGE_AND_LINK = (
    QTextFormat.Property.ObjectType,
    QTextFormat.Property.ImageName,
    QTextFormat.Property.ImageTitle,
    QTextFormat.Property.ImageAltText,
    QTextFormat.Property.ImageWidth,
    QTextFormat.Property.ImageHeight,
    QTextFormat.Property.IsAnchor,
    QTextFormat.Property.AnchorHref,
    QTextFormat.Property.AnchorName,
    QTextFormat.Property.ForegroundBrush,  # a link's colour
    QTextFormat.Property.TextUnderlineStyle,
    QTextFormat.Property.FontUnderline,
)

# An escape already there (kept whole, so that "\[" stays one and "\\[" gets one), or what opens markup.
_OPENS_MARKUP = re.compile(r"\\.|[\[<]", re.DOTALL)


def as_text(text: str) -> str:
    """``text`` for a place where Qt guesses whether text is HTML (a tooltip, ``QMessageBox.warning``): shown as it is.

    Text Qt would take for HTML is handed over as HTML that shows it word for word, its line breaks kept;
    other text is left alone, so it looks as it always has.
    """
    if not GuiQt.mightBeRichText(text):
        return text
    return '<p style="white-space: pre-wrap;">' + html.escape(text, quote=False) + "</p>"


def label_markdown(text: str) -> str:
    """Pack Markdown for a label at ``Qt.MarkdownText``, with nothing Qt could read as an image or as HTML.

    A label reads Markdown with raw HTML on, and loads the images it names:
    neither can be turned off. Every image and every piece of HTML (an autolink
    too) begins with "[" or "<", so each of those is escaped and shows as typed;
    bold and italics still work. Text with neither comes back unchanged.
    """
    return _OPENS_MARKUP.sub(lambda found: found[0] if len(found[0]) == 2 else "\\" + found[0], text)


class InertDocument(QTextDocument):
    """A document that fetches nothing: every image it asks for is a blank pixel, anything else is empty.

    Qt's own document reads any file or network path named in it; and where it is
    given no image, Qt's image handler reads the file itself. The last line of
    defence: :func:`markdown_document` leaves no image to ask for.
    """

    def loadResource(self, type: int, name: QUrl | str) -> object:
        if type == QTextDocument.ResourceType.ImageResource.value:
            blank = QImage(1, 1, QImage.Format.Format_ARGB32)
            blank.fill(Qt.GlobalColor.transparent)
            return blank
        return None


def markdown_document(text: str, parent: QObject | None = None) -> InertDocument:
    """Pack Markdown as a document to read: raw HTML as text, each image as its alt text, each link as its words."""
    document = InertDocument(parent)
    document.setMarkdown(text, MARKDOWN)
    # Changed before anything lays the document out: laying out an image looks for its file.
    found = []
    block = document.begin()
    while block.isValid():
        pieces = block.begin()
        while not pieces.atEnd():
            piece = pieces.fragment()
            style = piece.charFormat()
            if style.isImageFormat() or style.isAnchor() or style.anchorHref():
                found.append((piece.position(), piece.length(), style))
            pieces += 1
        block = block.next()
    cursor = QTextCursor(document)
    for position, length, style in reversed(found):  # from the end: the positions before stay right
        words = QTextCharFormat(style)
        for name in _IMAGE_AND_LINK:
            words.clearProperty(name)
        cursor.setPosition(position)
        cursor.setPosition(position + length, QTextCursor.MoveMode.KeepAnchor)
        if style.isImageFormat():
            cursor.insertText(str(style.property(QTextFormat.Property.ImageAltText) or "") * length, words)
        else:
            cursor.setCharFormat(words)
    return document


class Reader(QTextBrowser):
    """A text browser that loads nothing and opens no link; pack Markdown shows as :func:`markdown_document`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setDocument(InertDocument(self))  # setHtml() fills this one

    def show_markdown(self, text: str) -> None:
        document = markdown_document(text, self)
        document.setDefaultFont(self.font())
        old = self.document()
        self.setDocument(document)
        if old is not document and old.parent() is self:
            old.deleteLater()
