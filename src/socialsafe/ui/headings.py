"""Headings a screen reader can find: a label shown as a heading is told to assistive technology as one (WCAG 1.3.1).

Qt Widgets gives every label the role of static text, so a screen reader cannot
list a screen's headings nor jump from one to the next (Orca's H, NVDA's H).
Qt's accessibility has the Heading role, and a level, but no way to give them
to a label: so a factory (``QAccessible.installFactory``) hands Qt, for each
label marked with :func:`mark_heading`, an accessible interface of our own
with the Heading role, the level as its Level attribute (AT-SPI's "level"),
and the words shown as its name. Every other object gets Qt's own.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QByteArray, QObject, Qt
from PySide6.QtGui import QAccessible, QAccessibleAttributesInterface, QAccessibleInterface
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtWidgets import QAccessibleWidget, QLabel

from socialsafe.ui.safe_text import MARKDOWN, InertDocument

LEVEL = "headingLevel"  # the label's dynamic property: 1 for a page's title, 2 for a section's
_LEVEL_NAME = QByteArray(LEVEL.encode())


def level_of(widget: QObject) -> int:
    """The heading level marked on ``widget``, 0 for none.

    Asked of the names of its dynamic properties first: with PySide6 6.12 on Python 3.11, ``property()``
    of a property a widget does not have returns None one reference short, and enough of those crash.
    """
    if _LEVEL_NAME not in widget.dynamicPropertyNames():
        return 0
    value = widget.property(LEVEL)
    return value if isinstance(value, int) else 0


def shown_text(widget: QLabel) -> str:
    """A label's words as they are shown, without the markup of a rich text or Markdown label."""
    text = widget.text()
    form = widget.textFormat()
    if form == Qt.TextFormat.RichText or (form == Qt.TextFormat.AutoText and GuiQt.mightBeRichText(text)):
        document = InertDocument()
        document.setHtml(text)
        return document.toPlainText()
    if form == Qt.TextFormat.MarkdownText:
        document = InertDocument()
        document.setMarkdown(text, MARKDOWN)
        return document.toPlainText().strip()
    return text


class _Attributes(QAccessibleAttributesInterface):
    """A heading's level, and the language it is in (as Qt tells it for every other widget, WCAG 3.1.1)."""

    def __init__(self, widget: QLabel, level: int) -> None:
        super().__init__()
        self._widget = widget
        self._level = level

    def attributeKeys(self) -> list[QAccessible.Attribute]:
        return [QAccessible.Attribute.Level, QAccessible.Attribute.Locale]

    def attributeValue(self, key: QAccessible.Attribute) -> object:
        if key == QAccessible.Attribute.Level:
            return self._level
        if key == QAccessible.Attribute.Locale:
            return self._widget.locale()
        return None


class _Heading(QAccessibleWidget):
    def __init__(self, widget: QLabel, level: int) -> None:
        super().__init__(widget, QAccessible.Role.Heading)
        # Kept with the interface: Qt holds only its address (interface_cast).
        self._attributes = _Attributes(widget, level)

    def text(self, kind: QAccessible.Text) -> str:
        widget = self.widget()
        if kind == QAccessible.Text.Name and isinstance(widget, QLabel):
            return widget.accessibleName() or shown_text(widget)
        return str(super().text(kind))

    # No return type: PySide6's stubs say int, but Qt takes only an address (a VoidPtr) back from Python here;
    # an int, or None (what the base class gives from Python), crashes.
    def interface_cast(self, kind: QAccessible.InterfaceType):
        if kind == QAccessible.InterfaceType.AttributesInterface:
            return shiboken6.VoidPtr(shiboken6.getCppPointer(self._attributes)[0])
        return shiboken6.VoidPtr(0)  # Qt asks for each other interface too: a heading has only its attributes


def _factory(key: str, target: QObject) -> QAccessibleInterface | None:
    if isinstance(target, QLabel):
        level = level_of(target)
        if level:
            return _Heading(target, level)
    return None  # Qt's own


class _State:
    installed = False


def mark_heading(widget: QLabel, level: int) -> None:
    """Tell assistive technology that ``widget`` is a heading of ``level`` (1 a page's title, 2 a section's)."""
    if not _State.installed:
        QAccessible.installFactory(_factory)
        _State.installed = True
    widget.setProperty(LEVEL, level)
    # Qt makes a widget's accessible interface once and keeps it. With a screen reader running it makes a
    # label's as the label is made (its text is news to tell), before it is marked: that one, Qt's own,
    # goes, and the next one asked for is made by the factory.
    made = QAccessible.queryAccessibleInterface(widget)
    if made is not None and made.role() != QAccessible.Role.Heading:
        QAccessible.deleteAccessibleInterface(QAccessible.uniqueId(made))
