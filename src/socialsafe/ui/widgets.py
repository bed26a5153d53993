"""Small building blocks shared by the screens."""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent, QAccessibleEvent, QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from socialsafe.domain.states import ModuleStatus
from socialsafe.i18n import _
from socialsafe.ui.headings import mark_heading
from socialsafe.ui.style import set_role


def label(text: str = "", role: str | None = None, rich: bool = False) -> QLabel:
    """A wrapping label: plain text, or with ``rich`` our own markup, every piece of data in it through :func:`esc`.

    Never Qt's guess (AutoText): a name or a pack's text that looks like HTML would be read as HTML.
    """
    widget = QLabel()
    if role in HEADINGS:
        # Before its text: a screen reader running is told of the label as it gets its words, and from
        # then on it is a heading to it, not only to the eye.
        mark_heading(widget, HEADINGS[role])
    widget.setWordWrap(True)
    widget.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    widget.setText(text)
    if rich:
        widget.setOpenExternalLinks(False)
    if role:
        set_role(widget, role)
    return widget


HEADINGS = {"h1": 1, "h2": 2}  # the label roles that are headings, and their levels


def said_words(text: str) -> str:
    """``text`` as a person says it: '&' as 'and', no punctuation, one space between words, lower case."""
    kept = "".join(c if c.isalnum() or c in "'’" else " " for c in text.replace("&", " and "))
    return " ".join(kept.split()).casefold()


def name_button(widget: QAbstractButton, name: str, description: str = "") -> None:
    """Name ``widget`` for assistive technology with the words shown on it in the name (WCAG 2.5.3).

    A person using speech input says what they see ("click Not now"), so the
    name must hold the words shown. ``name`` is used when it does; otherwise the
    words shown are the name and ``name`` is said after them, as the description.
    """
    shown = widget.text().replace("&&", "\0").replace("&", "").replace("\0", "&")  # without the shortcut mark
    if said_words(shown) not in said_words(name):
        name, description = shown, f"{name}. {description}" if description else name
    widget.setAccessibleName(name)
    if description:
        widget.setAccessibleDescription(description)


def in_our_words(box: QDialogButtonBox) -> QDialogButtonBox:
    """``box``'s Save and Cancel in the app's words and language, named as they are shown.

    Qt's own words stay English where PySide6 ships no translation (Welsh), and
    a button's accessible name must hold the words on it (WCAG 2.5.3).
    """
    for which, text in (
        (QDialogButtonBox.StandardButton.Save, _("Save")),
        (QDialogButtonBox.StandardButton.Cancel, _("Cancel")),
    ):
        if box.standardButtons() & which:
            widget = box.button(which)
            widget.setText(text)
            widget.setAccessibleName(text)
    enter_presses_buttons()
    return box


class _EnterPressesButtons(QObject):
    """Enter and the keypad's Enter press the push button the keyboard is on, as Space does (WCAG 2.1.1).

    Qt presses a focused button on Enter only when it is an 'auto default' button in a dialog; elsewhere
    Enter did nothing on a button, and in a dialog it pressed the dialog's default button instead of the
    one the keyboard was on (Enter on Cancel in the office's gate tried the passphrase). :func:`button`
    keeps auto default off, so that Enter typed in a dialog's field still presses the dialog's default
    button, and this filter, installed once on the application, presses a focused button on Enter
    everywhere, before Qt's own handling (a dialog's own auto-default buttons are not pressed twice).
    Holding Enter down presses once.
    """

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(watched, QPushButton):
            return False
        assert isinstance(event, QKeyEvent)
        if event.key() not in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            return False
        if event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            return False  # Ctrl+Enter and the like are shortcuts, not a press
        if not (watched.hasFocus() and watched.isEnabled() and watched.isVisible()):
            return False
        if not event.isAutoRepeat():
            watched.click()
        return True


def enter_presses_buttons() -> None:
    """Make Enter press the focused push button in the whole app (:class:`_EnterPressesButtons`), once."""
    app = QApplication.instance()
    if app is None or app.findChild(_EnterPressesButtons) is not None:
        return
    app.installEventFilter(_EnterPressesButtons(app))


def button(text: str, name: str, primary: bool = False, description: str = "") -> QPushButton:
    widget = QPushButton(text)
    name_button(widget, name, description)
    if description:
        widget.setToolTip(description)
    # Enter typed in a dialog's field presses the dialog's default button, not the first button made;
    # Enter on this button presses it all the same (enter_presses_buttons).
    widget.setAutoDefault(False)
    enter_presses_buttons()
    if primary:
        set_role(widget, "primary")
    return widget


def card(role: str = "card") -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame()
    set_role(frame, role)
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(16, 14, 16, 14)
    layout.setSpacing(8)
    return frame, layout


def scrolling(inner: QWidget, name: str) -> QScrollArea:
    """Wrap a page body so it scrolls rather than clips on small screens or large text."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(inner)
    area.setAccessibleName(name)
    area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return area


def fit_to_text(dialog: QWidget, scroller: QScrollArea, body: QWidget) -> None:
    """Grow ``dialog`` to show all of ``body`` (in ``scroller``) where the screen has room; beyond that it scrolls.

    A wrapped label does not resize its window, so with large text a dialog's sentences need more height
    than Qt first gives them. No taller than the window the dialog belongs to, or the screen.
    """
    outer, inner = dialog.layout(), body.layout()
    if outer is None or inner is None:
        return
    outer.activate()
    width = scroller.viewport().width()
    needed = inner.totalHeightForWidth(width) if inner.hasHeightForWidth() else inner.sizeHint().height()
    extra = dialog.height() - scroller.viewport().height()  # the buttons, margins and spacing
    owner = dialog.parentWidget()
    room = owner.window().height() if owner is not None else dialog.screen().availableGeometry().height() - 40
    wanted = min(needed + extra, room)
    if wanted > dialog.height():
        dialog.resize(dialog.width(), wanted)


class ScrollingDialog(QDialog):
    """A dialog whose ``body`` scrolls in ``scroller`` at large text, its buttons in sight below: it grows to
    show its text where there is room (:func:`fit_to_text`), and Tab scrolls to the control it reaches."""

    scroller: QScrollArea
    body: QWidget

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        fit_to_text(self, self.scroller, self.body)

    def focusNextPrevChild(self, next: bool) -> bool:
        moved = super().focusNextPrevChild(next)
        widget = self.focusWidget()
        if moved and widget is not None and self.body.isAncestorOf(widget):
            self.scroller.ensureWidgetVisible(widget)
        return moved


def page_layout(widget: QWidget) -> QVBoxLayout:
    layout = QVBoxLayout(widget)
    layout.setContentsMargins(32, 24, 32, 24)
    layout.setSpacing(14)
    return layout


def clear_button(field: QLineEdit) -> None:
    """Give ``field`` the small button that empties it, with a name a screen reader can say.

    Qt's own has an icon and no name. It is a mouse shortcut: from the
    keyboard, Ctrl+A then Delete does the same.
    """
    field.setClearButtonEnabled(True)
    for part in field.findChildren(QAbstractButton):
        part.setAccessibleName(_("Clear the text"))
        part.setToolTip(_("Clear the text"))


def announce(widget: QWidget, text: str) -> None:
    """Tell assistive technology about new text (feedback, an error), not only show it (WCAG 4.1.3).

    Two events for ``widget``, which holds the text: an Alert, and an Announcement
    of the text itself, said at once (Qt passes it on as a UI Automation
    notification on Windows, to VoiceOver on macOS and to Orca through AT-SPI).
    The text is the widget's accessible description too, for a screen reader
    that comes to the widget later.
    """
    widget.setAccessibleDescription(text)
    QAccessible.updateAccessibility(QAccessibleEvent(widget, QAccessible.Event.Alert))
    said = QAccessibleAnnouncementEvent(widget, text)
    said.setPoliteness(QAccessible.AnnouncementPoliteness.Assertive)
    QAccessible.updateAccessibility(said)


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def clear(layout: QLayout) -> None:
    """Empty ``layout``: its widgets, and those of every layout in it (a row of buttons too), go."""
    while layout.count():
        item = layout.takeAt(0)
        if item is None:
            break
        widget, inner = item.widget(), item.layout()
        if widget is not None:
            widget.deleteLater()
        elif inner is not None:
            clear(inner)


def status_text(status: ModuleStatus) -> str:
    """Status in words with a symbol, so it never relies on colour alone."""
    return {
        ModuleStatus.NOT_STARTED: _("○ Not started"),
        ModuleStatus.IN_PROGRESS: _("◐ In progress"),
        ModuleStatus.PASSED: _("✔ Passed"),
        ModuleStatus.NOT_PASSED: _("✖ Not passed yet"),
    }[status]


class ChoiceRow(QFrame):
    """One answer option: a radio button or tick box with its text wrapped beside it.

    Qt's own buttons do not wrap long text, and options are often a sentence
    or two. The button carries the accessible name; clicking the text clicks it.
    """

    toggled = Signal(bool)

    def __init__(self, number: int, text: str, multiple: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        set_role(self, "choice")
        self.setProperty("checked", False)
        self.button: QAbstractButton = QCheckBox() if multiple else QRadioButton()
        self.button.setAccessibleName(_("Option {number}: {text}").format(number=number, text=text))
        key = label(str(number), "key")
        key.setAccessibleName(_("Key {number}").format(number=number))
        self.text = label(text)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 10, 12, 10)
        row.setSpacing(10)
        row.addWidget(self.button, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(key, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.text, 1)
        self._row = row
        self.button.toggled.connect(self._on_toggled)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.outcome: QLabel | None = None  # the mark in words, once checked

    def mark(self, outcome: str) -> None:
        """After checking, as a quiz review marks each option: "right" (chosen, and right), "wrong" (chosen,
        and wrong) or "missed" (the right answer, not chosen); "" for an option that is neither. A mark in
        words beside the option and in what a screen reader says with it, not colour alone."""
        words = {
            "right": _("✔ Your answer: right"),
            "wrong": _("✖ Your answer: wrong"),
            "missed": _("✔ The right answer"),
        }.get(outcome, "")
        self.setProperty("checked", outcome in ("right", "wrong"))
        self.setProperty("marked", outcome)
        if words:
            if self.outcome is None:
                self.outcome = label("", "outcome")
                self._row.addWidget(self.outcome)
            self.outcome.setText(words)
            self.button.setAccessibleDescription(words + " " + self.button.accessibleDescription())
        self.style().unpolish(self)
        self.style().polish(self)

    def _on_toggled(self, checked: bool) -> None:
        self.setProperty("checked", checked)
        self.style().unpolish(self)
        self.style().polish(self)
        self.toggled.emit(checked)

    def mouseReleaseEvent(self, event) -> None:
        if self.isEnabled() and event.button() == Qt.MouseButton.LeftButton:
            self.button.click()
        super().mouseReleaseEvent(event)
