"""A row of buttons that wraps onto a new line when it runs out of room (large text, a narrow window).

WCAG 1.4.4 and 1.4.10: at 200% text on a 1024-pixel-wide screen, a row of
three buttons does not fit; squeezed, their words would be cut off. A
:class:`FlowRow` lays them out left to right and starts a new line when the
next one would not fit, so every button keeps the width its words need.
Buttons added with ``right=True`` sit at the right-hand end of their line.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QWidget, QWidgetItem


class _Lines(QLayout):
    """What both layouts share: items in lines, as tall as the width given makes them."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 8) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self.setContentsMargins(0, 0, 0, 0)

    # What a layout must answer -----------------------------------------------------------------

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def spacing(self) -> int:
        return self._spacing

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:
        """All on one line, if there is room for that."""
        shown = self._shown()
        width = sum(i.sizeHint().width() for i in shown) + self._spacing * max(0, len(shown) - 1)
        height = max((i.sizeHint().height() for i in shown), default=0)
        return QSize(width, height).grownBy(self.contentsMargins())

    def _shown(self) -> list[QLayoutItem]:
        return [item for item in self._items if not item.isEmpty()]

    def _arrange(self, rect: QRect, move: bool) -> int:
        """Place the items within ``rect`` (when ``move``); returns the height they take."""
        raise NotImplementedError


class FlowRow(_Lines):
    def __init__(self, parent: QWidget | None = None, spacing: int = 8) -> None:
        super().__init__(parent, spacing)
        self._right: set[int] = set()  # ids of the items kept at the right-hand end of their line

    def add(self, widget: QWidget, right: bool = False) -> None:
        """Add ``widget``; with ``right``, at the right-hand end of its line (after the others)."""
        self.addChildWidget(widget)
        item = QWidgetItem(widget)
        self._items.append(item)
        if right:
            self._right.add(id(item))
        self.invalidate()

    def takeAt(self, index: int) -> QLayoutItem | None:
        if not 0 <= index < len(self._items):
            return None
        item = self._items.pop(index)
        self._right.discard(id(item))
        return item

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def minimumSize(self) -> QSize:
        """As narrow as the widest button: the others go onto lines of their own."""
        size = QSize()
        for item in self._shown():
            size = size.expandedTo(item.minimumSize()).expandedTo(item.sizeHint())
        return size.grownBy(self.contentsMargins())

    # Laying out ---------------------------------------------------------------------------------

    def _arrange(self, rect: QRect, move: bool) -> int:
        """Place the items in lines within ``rect``; returns the height they take."""
        area = rect.marginsRemoved(self.contentsMargins())
        lines: list[list[QLayoutItem]] = [[]]
        x = 0
        for item in self._shown():
            width = item.sizeHint().width()
            if lines[-1] and x + width > area.width():
                lines.append([])
                x = 0
            lines[-1].append(item)
            x += width + self._spacing
        y = area.y()
        for line in lines:
            if not line:
                continue
            height = max(item.sizeHint().height() for item in line)
            if move:
                self._place(line, area, y, height)
            y += height + self._spacing
        used = y - self._spacing - area.y() if any(lines) else 0
        margins = self.contentsMargins()
        return used + margins.top() + margins.bottom()

    def _place(self, line: list[QLayoutItem], area: QRect, y: int, height: int) -> None:
        widths = [min(item.sizeHint().width(), area.width()) for item in line]
        used = sum(widths) + self._spacing * (len(line) - 1)
        slack = max(0, area.width() - used)
        x = area.x()
        pushed = False
        for item, width in zip(line, widths, strict=True):
            if id(item) in self._right and not pushed:
                x += slack  # the right-hand items: to the end of the line
                pushed = True
            tall = min(height, item.maximumSize().height())  # a shorter one (a tab bar) sits on the line's foot
            item.setGeometry(QRect(QPoint(x, y + height - tall), QSize(width, tall)))
            x += width + self._spacing


class EvenFlow(_Lines):
    """Items side by side in columns of one width, as many to a line as fit; the others on the lines below.

    For things read as a set (the office's counts by status, its filters): at normal text they share one
    line; with large text they go two or three to a line, still lined up, rather than run off the side of
    the window. A line holds as many as fit at the widest one's least width (its longest word, for wrapping
    text); the lines are filled evenly (seven in two lines of four and three, not six and one).
    """

    def __init__(self, parent: QWidget | None = None, spacing: int = 6) -> None:
        super().__init__(parent, spacing)

    def add(self, widget: QWidget) -> None:
        self.addChildWidget(widget)
        self._items.append(QWidgetItem(widget))
        self.invalidate()

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation.Horizontal

    def minimumSize(self) -> QSize:
        """One to a line."""
        size = QSize()
        for item in self._shown():
            size = size.expandedTo(item.minimumSize())
        return size.grownBy(self.contentsMargins())

    @staticmethod
    def _widest(items: list[QLayoutItem]) -> int:
        return max((item.minimumSize().width() for item in items), default=0)

    def columns(self, width: int) -> int:
        """How many to a line at ``width``: as many as fit at the widest least width, the lines filled evenly."""
        shown = self._shown()
        if not shown:
            return 1
        fit = max(1, min(len(shown), (width + self._spacing) // (self._widest(shown) + self._spacing)))
        lines = -(-len(shown) // fit)
        return -(-len(shown) // lines)

    def _arrange(self, rect: QRect, move: bool) -> int:
        """Place the items within ``rect``; returns the height they take."""
        area = rect.marginsRemoved(self.contentsMargins())
        shown = self._shown()
        columns = self.columns(area.width())
        width = max(1, (area.width() - self._spacing * (columns - 1)) // columns)
        y = area.y()
        for start in range(0, len(shown), columns):
            line = shown[start : start + columns]
            height = max(
                item.heightForWidth(width) if item.hasHeightForWidth() else item.sizeHint().height() for item in line
            )
            if move:
                for column, item in enumerate(line):
                    item.setGeometry(QRect(area.x() + column * (width + self._spacing), y, width, height))
            y += height + self._spacing
        used = y - self._spacing - area.y() if shown else 0
        margins = self.contentsMargins()
        return used + margins.top() + margins.bottom()
