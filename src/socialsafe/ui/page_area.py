"""A page with a list: it scrolls as a whole only when it must, and never around a list that scrolls itself.

The office's sections and a learner's "My record" are such pages. At normal text sizes an office section fits a
1024 × 600 window: the page does
not scroll, and its list (everyone, a person's records, the staff list…) takes
the height left over and scrolls its own rows under its headings. With large
text a section cannot fit; then the page scrolls as a whole (the tabs, the
filters, the list and the buttons below it) and the list shows all its rows, its
headings held at the top of the page while the rows go by under them. Either
way one thing scrolls, never a list inside a scrolling page, where the list had
room for two rows and the wheel moved one or the other (WCAG 1.4.4, 1.4.10).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QApplication,
    QBoxLayout,
    QFrame,
    QHeaderView,
    QLayout,
    QLayoutItem,
    QScrollArea,
    QStackedWidget,
    QTableView,
    QTreeView,
    QWidget,
)
from shiboken6 import isValid

QWIDGETSIZE_MAX = 16_777_215  # Qt's "no limit" for a widget's size
FILL_ROWS = 4  # a list keeps the height left over only when that shows at least this many rows (or all of them)


def least_height(widget: QWidget, width: int, given: dict[QWidget, int] | None = None) -> int:
    """The height ``widget`` needs at ``width`` with every part at its least: a stack counts its page on show.

    ``given``: heights to count for some widgets instead of their own least (the lists, before they are sized).
    """
    given = given or {}
    if widget in given:
        return given[widget]
    width = min(width, widget.maximumWidth())
    if isinstance(widget, QStackedWidget):
        current = widget.currentWidget()
        return least_height(current, width, given) if current is not None else 0
    layout = widget.layout()
    if layout is None:
        if widget.hasHeightForWidth():
            return widget.heightForWidth(width)
        return widget.minimumHeight() or max(0, widget.minimumSizeHint().height())
    margins = widget.contentsMargins()
    inner = width - margins.left() - margins.right()
    return _layout_least(layout, inner, given) + margins.top() + margins.bottom()


def least_width(widget: QWidget) -> int:
    """The width ``widget`` cannot do with less of: a stack counts its page on show, not its widest page."""
    if isinstance(widget, QStackedWidget):
        current = widget.currentWidget()
        return least_width(current) if current is not None else 0
    layout = widget.layout()
    if layout is None:
        return widget.minimumWidth() or max(0, widget.minimumSizeHint().width())
    margins = widget.contentsMargins()
    return _layout_width(layout) + margins.left() + margins.right()


def _layout_width(layout: QLayout) -> int:
    if isinstance(layout, QBoxLayout) and layout.direction() in (
        QBoxLayout.Direction.TopToBottom,
        QBoxLayout.Direction.BottomToTop,
    ):
        margins = layout.contentsMargins()
        widths = [0]
        for i in range(layout.count()):
            item = layout.itemAt(i)
            if item is None or item.isEmpty():
                continue
            widget, inner = item.widget(), item.layout()
            widths.append(
                least_width(widget)
                if widget is not None
                else _layout_width(inner)
                if inner is not None
                else item.minimumSize().width()
            )
        return max(widths) + margins.left() + margins.right()
    return layout.minimumSize().width()


def _layout_least(layout: QLayout, width: int, given: dict[QWidget, int]) -> int:
    margins = layout.contentsMargins()
    inner = width - margins.left() - margins.right()
    if isinstance(layout, QBoxLayout) and layout.direction() in (
        QBoxLayout.Direction.TopToBottom,
        QBoxLayout.Direction.BottomToTop,
    ):
        parts = [_item_least(layout.itemAt(i), inner, given) for i in range(layout.count())]
        spaced = sum(1 for part in parts if part is not None and part[1])
        total = sum(part[0] for part in parts if part is not None)
        return total + max(0, layout.spacing()) * max(0, spaced - 1) + margins.top() + margins.bottom()
    if layout.hasHeightForWidth():
        return layout.minimumHeightForWidth(inner) + margins.top() + margins.bottom()
    return layout.minimumSize().height()


def _item_least(item: QLayoutItem | None, width: int, given: dict[QWidget, int]) -> tuple[int, bool] | None:
    """The least height of one item of a column, and whether spacing goes beside it (a spacer has none);
    None for a hidden one, which takes no room."""
    if item is None:
        return None
    if item.spacerItem() is not None:
        return item.minimumSize().height(), False
    if item.isEmpty():
        return None
    widget, inner = item.widget(), item.layout()
    if widget is not None:
        return least_height(widget, width, given), True
    if inner is not None:
        return _layout_least(inner, width, given), True
    return item.minimumSize().height(), True


class Room:
    """A list given the height left over on its page: its rows, or (page scrolling) all of them."""

    def __init__(self, view: QAbstractScrollArea, rows: int) -> None:
        self.view = view
        self.rows = rows
        self.policy = view.verticalScrollBarPolicy()
        self.header: QHeaderView | None = (
            view.horizontalHeader()
            if isinstance(view, QTableView)
            else view.header()
            if isinstance(view, QTreeView)
            else None
        )
        self.sticky = StickyHeader(self.header) if self.header is not None else None

    def row_height(self) -> int:
        return self.view.fontMetrics().height() + 12

    def heading_height(self) -> int:
        header = self.header
        if header is None or header.isHidden():
            return 0
        return header.height() or header.sizeHint().height()  # as laid out; before that, as it asks

    def least(self) -> int:
        """Its headings and ``rows`` rows: what the page keeps for it before letting it have the rest."""
        rows = self.rows * self.row_height()
        return 2 * self.view.frameWidth() + self.heading_height() + rows + self.sideways_bar()

    def whole(self) -> int:
        """Its headings and every row, with no scrolling of its own."""
        view = self.view
        height = 2 * view.frameWidth() + view.viewportSizeHint().height()  # a list's hint holds its headings
        return height + self.sideways_bar()

    def sideways_bar(self) -> int:
        """The height of its sideways scroll bar, below its rows, when it is wider than its room."""
        view = self.view
        if isinstance(view, QAbstractItemView) and self.header is not None:
            wide = self.header.length() > view.viewport().width()
            if wide and view.horizontalScrollBarPolicy() != Qt.ScrollBarPolicy.ScrollBarAlwaysOff:
                return view.horizontalScrollBar().sizeHint().height()
        return 0

    def size(self, whole: bool, height: int) -> None:
        """``whole``: as tall as all its rows, the page around it scrolling instead; else it scrolls its own
        rows in the height the page leaves it, ``height`` at least."""
        policy = Qt.ScrollBarPolicy.ScrollBarAlwaysOff if whole else self.policy
        if self.view.verticalScrollBarPolicy() != policy:
            self.view.setVerticalScrollBarPolicy(policy)
        if self.view.minimumHeight() != height:
            self.view.setMinimumHeight(height)


class StickyHeader(QObject):
    """Keeps a list's column headings at the top of the page while the page scrolls down through its rows.

    The list lays its headings out above its rows; this moves them down over the rows that have gone
    under the top of the page, each time the list lays them out again.
    """

    def __init__(self, header: QHeaderView) -> None:
        super().__init__(header)
        self.header = header
        self.offset = 0
        self._home = header.y()
        header.installEventFilter(self)

    def set_offset(self, offset: int) -> None:
        if offset != self.offset:
            self.offset = offset
            self._place()

    def _place(self) -> None:
        if not isValid(self.header):
            return
        wanted = self._home + self.offset
        if self.header.y() != wanted:
            self.header.move(self.header.x(), wanted)
        if self.offset:
            self.header.raise_()  # over the rows that have scrolled under it

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        moved = event.type() == QEvent.Type.Move and watched is self.header
        if moved and self.header.y() != self._home + self.offset:
            # The list put its headings back where it keeps them: that is where they are at no offset.
            self._home = self.header.y()
            self._place()
        return False


class PageArea(QScrollArea):
    """The scrolling page over ``body``; ``pages`` is the stack of sections shown in it, if it has one.

    :meth:`give_room` names the list of a page that takes the height left over.
    """

    # The width there is for the body, scroll bar or not, before it is laid out: what must wrap to fit
    # (the office's tabs) is told first.
    room = Signal(int)

    def __init__(
        self, body: QWidget, name: str, pages: QStackedWidget | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidgetResizable(False)  # sized here: to the window when it fits, else to what it needs
        self.setAccessibleName(name)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout = body.layout()
        if layout is not None:
            # The body is as tall as the page on show needs, not as the tallest page of the stack would.
            layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self.body = body
        self.pages = pages
        self.rooms: dict[QWidget, list[Room]] = {}
        self.kept: list[QWidget] = []  # kept as wide as the window when the page is wider (keep_in_sight)
        self.whole = False  # whether the page scrolls as a whole now (its lists showing all their rows)
        self._busy = False
        self._later = QTimer(self)
        self._later.setSingleShot(True)
        self._later.setInterval(0)
        self._later.timeout.connect(self.relayout)
        self.setWidget(body)
        body.installEventFilter(self)
        self.verticalScrollBar().valueChanged.connect(self._stick)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_moved)

    def give_room(self, page: QWidget, view: QAbstractScrollArea, rows: int = FILL_ROWS) -> None:
        """``view`` on ``page`` takes the height left over, at least ``rows`` rows of it."""
        room = Room(view, rows)
        self.rooms.setdefault(page, []).append(room)
        if isinstance(view, QAbstractItemView):
            model = view.model()
            for signal in (model.rowsInserted, model.rowsRemoved, model.modelReset, model.layoutChanged):
                signal.connect(self.request)
            if isinstance(view, QTableView):
                view.verticalHeader().sectionResized.connect(self.request)  # rows that grow to show their text
            selection = view.selectionModel()
            if selection is not None:
                selection.currentChanged.connect(lambda current, previous, r=room: self._moved(r, current, previous))
        self.request()

    def keep_in_sight(self, widget: QWidget) -> None:
        """``widget`` (on the body, across its width) stays as wide as the window shows, when a page too wide
        for it makes the body scroll sideways: what it holds wraps in sight rather than off to the right."""
        self.kept.append(widget)
        self.request()

    def page(self) -> QWidget | None:
        """The page on show: the deepest current page of the stacks (the body itself, with no stack)."""
        if self.pages is None:
            return self.body
        page = self.pages.currentWidget()
        while isinstance(page, QStackedWidget):
            page = page.currentWidget()
        return page

    def request(self) -> None:
        """Lay the page out again once what changed has settled (rows come and go in bursts)."""
        self._later.start()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.relayout()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.body and event.type() == QEvent.Type.LayoutRequest:
            self.request()
        return super().eventFilter(watched, event)  # the scroll area follows its body's size through it too

    def relayout(self) -> None:
        """The body as wide as the page; as tall as the page when it fits, else as tall as it needs."""
        if self._busy or not isValid(self.body):
            return
        self._busy = True
        try:
            page = self.page()
            rooms = self.rooms.get(page, []) if page is not None else []
            size = self.maximumViewportSize()  # with no scroll bar
            self.room.emit(size.width() - self.verticalScrollBar().sizeHint().width())
            # As wide as the page, or (what does not reflow) as wide as it cannot do without, scrolling sideways.
            narrowest = least_width(self.body)
            width = max(size.width(), narrowest)
            height = size.height()
            if width > size.width():
                height -= self.horizontalScrollBar().sizeHint().height()
            self._keep(width, size.width())
            # Worked out before anything is resized: resizing the lists while trying would only ask again.
            given: dict[QWidget, int] = {room.view: room.least() for room in rooms}
            needed = least_height(self.body, width, given)
            whole = needed > height
            if whole:
                shown = size.width() - self.verticalScrollBar().sizeHint().width()
                width = max(shown, narrowest)
                self._keep(width, shown)
                given = {room.view: room.whole() for room in rooms}
                needed = least_height(self.body, width, given)
            for room in rooms:
                room.size(whole, given[room.view])
            self.whole = whole
            if self.body.size().width() != width or self.body.height() != max(needed, height):
                self.body.resize(width, max(needed, height))
            self._stick()
        finally:
            self._busy = False

    def _keep(self, width: int, shown: int) -> None:
        """The kept widgets as wide as the ``shown`` part of a body ``width`` wide."""
        layout = self.body.layout()
        margins = layout.contentsMargins() if layout is not None else None
        inside = shown - (margins.left() + margins.right() if margins is not None else 0)
        widest = inside if width > shown else QWIDGETSIZE_MAX
        for widget in self.kept:
            if widget.maximumWidth() != widest:
                widget.setMaximumWidth(widest)

    def _rooms(self) -> list[Room]:
        page = self.page()
        return self.rooms.get(page, []) if page is not None else []

    def _stick(self) -> None:
        """Each list's headings at the top of the page while the page scrolls through its rows."""
        scrolled = self.verticalScrollBar().value()
        for room in self._rooms():
            if room.sticky is None or room.header is None:
                continue
            offset = 0
            if self.whole and room.view.isVisible():
                # From where the headings sit in the list to the top of the page, but never past its last row.
                top = room.header.mapTo(self.body, QPoint(0, 0)).y() - room.sticky.offset
                last = room.view.height() - 2 * room.view.frameWidth() - 2 * room.heading_height()
                offset = max(0, min(scrolled - top, last))
            room.sticky.set_offset(offset)

    def _moved(self, room: Room, current: QModelIndex, previous: QModelIndex) -> None:
        # From one row to another; not the first row a list marks as it gets the keyboard, which would
        # scroll a page that has just opened away from its top.
        if previous.isValid():
            self._follow(room, current)

    def _follow(self, room: Room, current: QModelIndex) -> None:
        """Keys moving through a list that shows all its rows: the page scrolls to keep the row in sight."""
        view = room.view
        if not self.whole or not current.isValid() or not isinstance(view, QAbstractItemView):
            return
        rect = view.visualRect(current)
        if rect.isEmpty():
            return
        middle = view.viewport().mapTo(self.body, rect.center())
        self.ensureVisible(0, middle.y(), 0, rect.height() // 2 + room.heading_height() + 4)

    def _focus_moved(self, _old: QWidget | None, new: QWidget | None) -> None:
        """The keyboard came onto the page from outside it (Tab from the window's header, a key's shortcut):
        what it is on comes into sight, as Tab within the page already brings it. Not on a click: the
        control clicked is in sight, and moving it under the pointer could lose the click."""
        if new is None or not isValid(self.body) or not self.body.isAncestorOf(new):
            return
        if QApplication.mouseButtons() != Qt.MouseButton.NoButton:
            return
        if any(room.view is new or room.view.isAncestorOf(new) for room in self._rooms()):
            return  # a list taller than the page: in sight already, and its rows scroll into sight as keys move
        self.ensureWidgetVisible(new)

    def to_top(self) -> None:
        self.verticalScrollBar().setValue(0)
