"""The office's section tabs: with large text they take two lines rather than run off the window.

At 200 % text the five sections' names are wider than a 1024-pixel window, and a
tab bar cut off at the edge hides a section from the mouse (Qt's own answer,
scroll arrows, hides it too, behind two small buttons the keyboard never
reaches). Here the widest names break onto a second line, one by one, until
every tab fits. The tabs' names stay whole for assistive technology; only their
drawing breaks them.
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QStyle, QStyleOptionTab, QStylePainter, QTabBar, QWidget


def two_lines(text: str, advance) -> str:
    """``text`` broken at the space that leaves its two lines most even (``advance`` measures a line)."""
    words = text.split(" ")
    if len(words) < 2:
        return text
    best = min(
        range(1, len(words)),
        key=lambda k: max(advance(" ".join(words[:k])), advance(" ".join(words[k:]))),
    )
    return " ".join(words[:best]) + "\n" + " ".join(words[best:])


class SectionTabs(QTabBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.room = 0  # the width there is for the tabs (0: as much as they ask)
        self._broken: set[int] = set()  # the tabs drawn on two lines

    def set_room(self, width: int) -> None:
        """Break the widest names onto two lines, one at a time, until the tabs fit ``width``."""
        if width == self.room:
            return
        self.room = width
        self._fit()

    def _fit(self) -> None:
        broken: set[int] = set()
        self._broken = broken
        advance = self.fontMetrics().horizontalAdvance
        while self.room and sum(self.tabSizeHint(i).width() for i in range(self.count())) > self.room:
            could = [i for i in range(self.count()) if i not in broken and " " in self.tabText(i)]
            if not could:
                break
            broken.add(max(could, key=lambda i: advance(self.tabText(i))))
        self.setElideMode(self.elideMode())  # lays the tabs out again at their new sizes
        self.updateGeometry()

    def shown_text(self, index: int) -> str:
        text = self.tabText(index)
        return two_lines(text, self.fontMetrics().horizontalAdvance) if index in self._broken else text

    def tabSizeHint(self, index: int) -> QSize:
        size = super().tabSizeHint(index)
        if index not in self._broken:
            return size
        metrics = self.fontMetrics()
        text = self.tabText(index).replace("&", "")
        lines = self.shown_text(index).replace("&", "").split("\n")
        narrower = metrics.horizontalAdvance(text) - max(metrics.horizontalAdvance(line) for line in lines)
        return QSize(size.width() - narrower, size.height() + metrics.lineSpacing())

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self._broken:
            super().paintEvent(event)
            return
        painter = QStylePainter(self)
        current = self.currentIndex()
        for index in [i for i in range(self.count()) if i != current] + ([current] if current >= 0 else []):
            option = QStyleOptionTab()
            self.initStyleOption(option, index)
            option.text = self.shown_text(index)
            painter.drawControl(QStyle.ControlElement.CE_TabBarTab, option)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if self.room and event.type() in (event.Type.FontChange, event.Type.StyleChange):
            self._fit()  # a new text size: the names may fit on one line again, or need two
