"""A form field a form refused: marked, described, and clear again once the person changes it (WCAG 3.3.1).

When a form cannot take what was typed, the field at fault is tagged
``invalid`` (the style sheet draws it with a dashed border in the theme's
'wrong' colour and a tinted background: a shape as well as a colour), the
message is the field's accessible description (a screen reader says it with
the field's name as the focus lands there), and the keyboard goes to the
field. The message itself is shown and said by the form, beside the field, in
words that name the field ("Please enter your name."). The mark goes as soon
as the person changes the field: what they see then is what they typed, not a
complaint about what was there before. With large text the message is put
where it is seen: in the row below the field (:func:`put_under`), the field
and it scrolled into view (:func:`in_view`).
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QLineEdit,
    QListWidget,
    QScrollArea,
    QSpinBox,
    QWidget,
)

from socialsafe.ui.reading import reveal

_INVALID = "invalid"  # the dynamic property the style sheet draws
_OWN_DESCRIPTION = "plainDescription"  # the field's description from before it was marked, to put back
_WATCHED = "invalidWatched"  # set once the field's change signal clears the mark
_SYMBOLS = "✖⚠ "


def is_invalid(field: QWidget) -> bool:
    return bool(field.property(_INVALID))


def mark_invalid(field: QWidget, message: str, focus: bool = True) -> None:
    """Tag ``field`` as refused with ``message`` (its accessible description), and put the keyboard on it.

    The form shows and announces ``message`` itself (:func:`socialsafe.ui.widgets.announce`), after this
    has moved the focus, so the move does not cut the announcement short.
    """
    if not is_invalid(field):
        field.setProperty(_OWN_DESCRIPTION, field.accessibleDescription())
    own = str(field.property(_OWN_DESCRIPTION) or "")
    words = message.lstrip(_SYMBOLS).strip()  # a symbol before a message is for the eye; said, it is noise
    # The problem first: a screen reader says the description after the name and may be cut off.
    field.setAccessibleDescription(f"{words} {own}" if own else words)
    _set(field, True)
    _watch(field)
    if focus and field.isEnabled():
        field.setFocus()
        if isinstance(field, QLineEdit):
            field.selectAll()  # typing replaces what was refused


def clear_invalid(field: QWidget) -> None:
    """Take the mark off ``field`` and give it back its own description."""
    if not is_invalid(field):
        return
    field.setAccessibleDescription(str(field.property(_OWN_DESCRIPTION) or ""))
    _set(field, False)


def _set(field: QWidget, invalid: bool) -> None:
    field.setProperty(_INVALID, invalid)
    # A dynamic property is read when a widget is polished: polish again for the style sheet to see it.
    field.style().unpolish(field)
    field.style().polish(field)
    if isinstance(field, QAbstractSpinBox):
        edit = field.lineEdit()  # what a screen reader lands on inside a number or date box
        edit.setAccessibleDescription(field.accessibleDescription())
    field.update()


def _watch(field: QWidget) -> None:
    """Clear the mark at the person's first change to ``field`` (connected once per field)."""
    if field.property(_WATCHED):
        return
    field.setProperty(_WATCHED, True)

    def changed(*_args: object) -> None:
        clear_invalid(field)

    if isinstance(field, QLineEdit):
        field.textChanged.connect(changed)
    elif isinstance(field, QComboBox):
        field.currentIndexChanged.connect(changed)
    elif isinstance(field, QSpinBox):
        field.valueChanged.connect(changed)
    elif isinstance(field, QDateTimeEdit):
        field.dateTimeChanged.connect(changed)
    elif isinstance(field, QListWidget):
        field.itemChanged.connect(changed)  # a row ticked or unticked
    elif isinstance(field, QAbstractButton):
        field.toggled.connect(changed)


def put_under(form: QFormLayout, field: QWidget, message: QWidget) -> None:
    """``message`` in the row just below ``field``'s in ``form``, across the form: read with what it is about,
    not at the form's foot (with large text, a screen below the field)."""
    if form.indexOf(message) >= 0:
        form.takeRow(_row(form, message))
    else:
        holder = message.parentWidget()
        layout = holder.layout() if holder is not None else None
        if layout is not None:
            layout.removeWidget(message)
    row = _row(form, field)
    if row >= 0:
        form.insertRow(row + 1, message)


def _row(form: QFormLayout, widget: QWidget) -> int:
    """The row of ``form`` that ``widget`` is in (-1: none)."""
    position = form.getWidgetPosition(widget)  # (row, role), typed only as an object
    return int(position[0]) if isinstance(position, tuple) else -1


def in_view(field: QWidget, message: QWidget) -> None:
    """Scroll the page ``field`` is on to show ``message`` about it and the field, now and once laid out
    (a message just shown has its place only then). The field, with the keyboard, wins where both do not fit."""

    def show() -> None:
        area = _page_of(field)
        if area is not None and field.isVisible():
            if message.isVisible():
                reveal(area, message)
            reveal(area, field)

    show()
    QTimer.singleShot(0, field, show)


def _page_of(widget: QWidget) -> QScrollArea | None:
    while not widget.isWindow():  # never a window's parentWidget(): see ReadingText.page
        parent = widget.parentWidget()
        if parent is None:
            return None
        if isinstance(parent, QScrollArea):
            return parent
        widget = parent
    return None
