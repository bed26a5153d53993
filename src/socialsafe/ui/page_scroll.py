"""How pages scroll: the mouse wheel scrolls the page, and a page opens at its top, its focus in view.

A person scrolling a long page with the wheel passes over drop-downs, spin boxes
and dates. Qt would let the wheel change whichever one is under the pointer
(the office's Role filter flipped twice on the way down). Here the wheel
changes such a control only while the keyboard is in it (it was clicked or
tabbed to); otherwise it scrolls the page the control is on, as over anything
else.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QScrollArea,
    QWidget,
)

from socialsafe.ui.reading import show_focus

# Controls whose value the wheel changes: drop-downs, and spin boxes (dates and times are spin boxes too).
GUARDED = (QComboBox, QAbstractSpinBox)


def has_keyboard(widget: QWidget) -> bool:
    """Whether the keyboard is in ``widget`` (or in its own text field, as in an editable drop-down)."""
    focus = QApplication.focusWidget()
    return focus is not None and (focus is widget or widget.isAncestorOf(focus))


def scroll_page(widget: QWidget, event: QWheelEvent) -> bool:
    """Scroll what ``widget`` is on by ``event``, as the wheel would over the page itself; whether anything moved.

    The nearest scroll area that can still move that way takes it: a table's rows, else the page around it.
    """
    sideways = abs(event.angleDelta().x()) > abs(event.angleDelta().y())
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea):
            bar = parent.horizontalScrollBar() if sideways else parent.verticalScrollBar()
            before = bar.value()
            if bar.maximum() > bar.minimum():
                QApplication.sendEvent(bar, event)
                if bar.value() != before:
                    return True
        if parent.isWindow():
            break
        parent = parent.parentWidget()
    return False


class WheelGuard(QObject):
    """Installed on the application: the wheel over a drop-down or spin box the keyboard is not in scrolls the page."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Wheel:
            if isinstance(watched, GUARDED) and not has_keyboard(watched):
                assert isinstance(event, QWheelEvent)
                scroll_page(watched, event)
                event.accept()
                return True  # the control's value stays as it is
        elif (
            kind == QEvent.Type.Polish
            and isinstance(watched, GUARDED)
            and watched.focusPolicy() == Qt.FocusPolicy.WheelFocus
        ):
            # Qt gives such controls the keyboard on a wheel turn over them (WheelFocus), before any filter
            # sees the turn: then the guard would let it change them. A click or Tab still gives it.
            watched.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        return False


def install_wheel_guard(app: QApplication) -> WheelGuard:
    """The application's one :class:`WheelGuard` (made on first call)."""
    guard = app.findChild(WheelGuard)
    if guard is None:
        guard = WheelGuard(app)
        app.installEventFilter(guard)
    return guard


def to_top(page: QWidget) -> None:
    """``page`` and the scrolling pages within it back at their top left, showing their headings, as far as the
    control with the keyboard lets: that control is in view (WCAG 2.4.11), its heading too where both fit.

    Done now and again once the page is laid out (a page filled before it is shown has its widgets' places
    only then), unless something has scrolled it in between. Only pages that follow the focus
    (:func:`socialsafe.ui.reading.follow_focus`) scroll to it; the office's pages place their lists themselves.
    """
    placed = _open(page)

    def again() -> None:
        if page.isVisible() and _places(page) == placed:
            _open(page)

    QTimer.singleShot(0, page, again)


def _areas(page: QWidget) -> list[QScrollArea]:
    areas = page.findChildren(QScrollArea)
    if isinstance(page, QScrollArea):
        areas.insert(0, page)
    return areas


def _places(page: QWidget) -> list[int]:
    return [bar.value() for area in _areas(page) for bar in (area.verticalScrollBar(), area.horizontalScrollBar())]


def _open(page: QWidget) -> list[int]:
    """At the top, then down as far as the focus needs; where the scroll bars are then."""
    for area in _areas(page):
        for bar in (area.verticalScrollBar(), area.horizontalScrollBar()):
            bar.setValue(bar.minimum())
    show_focus(page)
    return _places(page)
