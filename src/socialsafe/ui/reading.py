"""Text to read, not to edit: a screen reader reads it line by line as the keyboard moves a caret through it.

A label hands a screen reader its words only as a name, all at once: it is no
Tab stop, has no caret, and a screen reader's review of the screen (Orca's flat
review) cannot go through it line by line. Qt hands a text edit to assistive
technology with its text and its caret (AT-SPI's Text interface, UI
Automation's text pattern) and tells of every move of the caret, so a screen
reader says the line, word or letter the keyboard comes to. A
:class:`ReadingText` is such a text, read-only: a Tab stop named for what it
holds, in which the arrow keys move a caret; like :class:`Reader` it loads
nothing and opens no link.

Inside a scrolling page it is as tall as its text, with no scroll bar of its
own: the page scrolls as a whole (no scroll area inside another, which at large
text leaves a slit of a few lines), and it follows the caret.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt
from PySide6.QtGui import QFocusEvent, QKeyEvent, QResizeEvent, QTextCursor, QTextDocument, QWheelEvent
from PySide6.QtWidgets import QApplication, QScrollArea, QSizePolicy, QWidget

from socialsafe.ui.safe_text import Reader
from socialsafe.ui.style import colour, current_theme, notifier

# Room kept around a control scrolled into view, as Qt's ensureWidgetVisible keeps: something of what is next to it.
MARGIN = 50

READ_BY_KEYBOARD = Qt.TextInteractionFlag.TextSelectableByKeyboard | Qt.TextInteractionFlag.TextSelectableByMouse


class ReadingText(Reader):
    """Read-only text with a caret, a Tab stop named ``name``.

    ``boxed``: drawn as the app draws a text to read (a box of its own, its focus ring that box's edge);
    otherwise it takes the look of what it sits in (a card, the feedback), with a ring of its own only
    while it has the keyboard. ``fit``: as tall as its text, for a page that scrolls; otherwise it scrolls.
    """

    def __init__(
        self, name: str, description: str = "", boxed: bool = False, fit: bool = True, parent: QWidget | None = None
    ) -> None:
        self._fits = fit
        super().__init__(parent)
        self.setAccessibleName(name)
        if description:
            self.setAccessibleDescription(description)
        # A caret the keyboard moves, and text a mouse can select; never a link (Reader opens none anyway).
        self.setTextInteractionFlags(READ_BY_KEYBOARD)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setTabChangesFocus(True)
        self.setUndoRedoEnabled(False)
        if fit:
            self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.cursorPositionChanged.connect(self._follow_caret)
        if not boxed:
            self._restyle()
            notifier().changed.connect(self._restyle)  # a new theme: its focus colour and ring width

    # What it shows ----------------------------------------------------------------------------------

    def text(self) -> str:
        """The words shown, as a screen reader gets them."""
        return self.toPlainText()

    def show_text(self, text: str) -> None:
        """Plain text, shown as it is (a name or a pack's words in it never become markup)."""
        self.setPlainText(text)
        self.moveCursor(QTextCursor.MoveOperation.Start)

    def show_html(self, html: str) -> None:
        """Our own markup, every piece of data in it escaped (:func:`socialsafe.ui.widgets.esc`)."""
        self.setHtml(html)
        self.moveCursor(QTextCursor.MoveOperation.Start)

    def setDocument(self, document: QTextDocument) -> None:
        super().setDocument(document)
        document.documentLayout().documentSizeChanged.connect(self._size_changed)
        self._fit()

    def _restyle(self) -> None:
        # Transparent on what it sits in; the ring, in the theme's focus colour, only while it has the keyboard.
        width = current_theme().focus_width
        self.setStyleSheet(
            f"QTextBrowser {{ background: transparent; border: {width}px solid transparent; padding: 2px; }}"
            f"QTextBrowser:focus {{ border: {width}px solid {colour('focus')}; }}"
        )

    # As tall as its text ----------------------------------------------------------------------------

    def _size_changed(self, _size: object) -> None:
        self._fit()

    def _fit(self) -> None:
        if not getattr(self, "_fits", False) or self.viewport().height() <= 0:
            return
        around = self.height() - self.viewport().height()  # frame, padding: what is not text
        if around < 0:
            return  # not laid out yet: fitted when it is (resizeEvent)
        height = math.ceil(self.document().size().height()) + around
        if height != self.minimumHeight() or height != self.maximumHeight():
            self.setFixedHeight(height)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()  # a new width wraps the text anew

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.StyleChange, QEvent.Type.FontChange):
            self._fit()

    # The keyboard -----------------------------------------------------------------------------------

    def page(self) -> QScrollArea | None:
        """The scrolling page it is in, if it fits its text (else it scrolls itself)."""
        if not self._fits:
            return None
        widget: QWidget = self
        # Up to the window and no further: parentWidget() of a window gives None, which PySide6 6.12 on
        # Python 3.11 miscounts (see docs/accessibility.md, "For developers").
        while not widget.isWindow():
            parent = widget.parentWidget()
            if parent is None or isinstance(parent, QScrollArea):
                return parent
            widget = parent
        return None

    def show_caret(self) -> None:
        """Scroll the page it is in so that the line with the caret is seen, with a line above and below."""
        area = self.page()
        body = area.widget() if area is not None else None
        if area is None or body is None or not body.isAncestorOf(self):
            return
        caret = self.cursorRect()
        middle = self.viewport().mapTo(body, caret.center())
        margin = caret.height() * 3 // 2
        if self.textCursor().atStart() and middle.y() + margin <= area.viewport().height():
            area.verticalScrollBar().setValue(0)  # back at the start: the top of the page too, its title, if it fits
        area.ensureVisible(middle.x(), middle.y(), 0, margin)

    def _follow_caret(self) -> None:
        if self.hasFocus():
            self.show_caret()

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.show_caret()

    def wheelEvent(self, event: QWheelEvent) -> None:
        if self.page() is not None:
            event.ignore()  # as tall as its text, it has nothing to scroll: the page scrolls
            return
        super().wheelEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.ignore()  # for the page: Enter checks an answer or goes on, wherever the keyboard is reading
            return
        area = self.page()
        if area is not None and key in (Qt.Key.Key_PageUp, Qt.Key.Key_PageDown):
            # As tall as its text, the text's own page is all of it: a page is what the window shows.
            select = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            self._turn_page(area, key == Qt.Key.Key_PageDown, select)
            return
        super().keyPressEvent(event)

    def _turn_page(self, area: QScrollArea, down: bool, select: bool) -> None:
        line = self.fontMetrics().lineSpacing()
        step = max(area.viewport().height() - 2 * line, line)
        step = step if down else -step
        caret = self.cursorRect().center() + QPoint(0, step)
        caret.setY(max(0, min(caret.y(), self.viewport().height() - 1)))
        cursor = self.textCursor()
        mode = QTextCursor.MoveMode.KeepAnchor if select else QTextCursor.MoveMode.MoveAnchor
        cursor.setPosition(self.cursorForPosition(caret).position(), mode)
        bar = area.verticalScrollBar()
        bar.setValue(bar.value() + step)
        self.setTextCursor(cursor)


class _FocusFollower(QObject):
    """One for the app: on each move of the keyboard, the page it moved into scrolls to show where it is."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self._areas: dict[int, QScrollArea] = {}
        app.focusChanged.connect(self._moved)

    def add(self, area: QScrollArea) -> None:
        key = id(area)
        self._areas[key] = area
        area.destroyed.connect(lambda _gone=None: self._areas.pop(key, None))

    def _moved(self, _old: QWidget | None, new: QWidget | None) -> None:
        if new is None:
            return
        # A page that is not shown is not laid out: it shows the control when it opens (show_focus).
        for area in self._areas.values():
            body = area.widget()
            if body is not None and area.isVisible() and body.isAncestorOf(new):
                _bring(area, new)
                return

    def show(self, page: QWidget) -> None:
        focus = page.window().focusWidget()
        if focus is None or not page.isAncestorOf(focus) or not focus.isVisible():
            return
        if isinstance(focus, ReadingText) and focus.page() is not None:
            focus.show_caret()  # its caret's line, and the page's top with it while the caret is at the start
            return
        areas = [
            area
            for area in self._areas.values()
            if (area is page or page.isAncestorOf(area)) and area.isVisible() and area.isAncestorOf(focus)
        ]
        # The innermost first: the page around it then scrolls to where the inner one shows the control.
        for area in sorted(areas, key=_depth, reverse=True):
            _bring(area, focus)


def _depth(widget: QWidget) -> int:
    depth = 0
    while not widget.isWindow():  # never a window's parentWidget(): see ReadingText.page
        parent = widget.parentWidget()
        if parent is None:
            break
        widget, depth = parent, depth + 1
    return depth


def _bring(area: QScrollArea, widget: QWidget) -> None:
    if isinstance(widget, ReadingText):
        area.ensureWidgetVisible(widget)  # the line with its caret
    else:
        reveal(area, widget)


def reveal(area: QScrollArea, widget: QWidget, margin: int = MARGIN) -> None:
    """Scroll ``area`` as little as shows all of ``widget`` in it, with ``margin`` around it where there is room;
    its top left if it is bigger than the view.

    Qt's ``ensureWidgetVisible`` shows no more of a text field than its caret (its "micro focus"): the
    field's lower half and frame could stay cut off at the foot of the view.
    """
    body = area.widget()
    if body is None or not body.isAncestorOf(widget):
        return
    place = QRect(widget.mapTo(body, QPoint(0, 0)), widget.size())
    view = area.viewport().size()
    for bar, start, size, room in (
        (area.verticalScrollBar(), place.top(), place.height(), view.height()),
        (area.horizontalScrollBar(), place.left(), place.width(), view.width()),
    ):
        space = min(margin, max(0, (room - size) // 2))
        value = bar.value()
        if start + size + space > value + room:
            value = start + size + space - room
        if start - space < value:
            value = start - space
        bar.setValue(value)


def follow_focus(area: QScrollArea) -> None:
    """Scroll ``area`` to whatever in it takes the keyboard, however it got there (WCAG 2.4.11).

    Qt scrolls a scroll area only for Tab from inside it: not for the focus coming in from the header,
    round from the foot of the window, or given to a control as a screen opens.
    """
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    follower = app.findChild(_FocusFollower)
    if follower is None:
        follower = _FocusFollower(app)
    follower.add(area)


def show_focus(page: QWidget) -> None:
    """Scroll the pages in ``page`` that follow the focus as little as shows the control with the keyboard.

    For a page filled, its focus given, before it is shown: the keyboard's move came while the page was
    hidden and not laid out, too early to scroll to it.
    """
    app = QApplication.instance()
    follower = app.findChild(_FocusFollower) if isinstance(app, QApplication) else None
    if follower is not None:
        follower.show(page)
