"""'Display & language': the language, text size and colours one person sees.

Every change shows at once (``changed`` carries the preferences to try);
Save keeps them, Cancel asks for the ones from before. The dialog itself only
offers the choices: the main window applies and saves them.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QComboBox, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from socialsafe.i18n import _, format_percent
from socialsafe.preferences import DARK, HIGH_CONTRAST, LIGHT, SYSTEM, TEXT_SCALES, Preferences, nearest_scale
from socialsafe.ui.style import notifier
from socialsafe.ui.widgets import ScrollingDialog, label, scrolling

ENGLISH, WELSH = "en_GB", "cy"
LANGUAGES: tuple[str | None, ...] = (None, ENGLISH, WELSH)
THEME_CHOICES = (SYSTEM, LIGHT, DARK, HIGH_CONTRAST)


def language_name(code: str | None) -> str:
    if code is None:
        return _("Follow the system")
    # Translators: a language's name in that language, so its speakers can find it: keep it as it is.
    return {ENGLISH: _("English"), WELSH: _("Cymraeg")}.get(code, code)


def theme_name(theme: str) -> str:
    return {
        SYSTEM: _("Follow the system"),
        LIGHT: _("Light"),
        DARK: _("Dark"),
        HIGH_CONTRAST: _("High contrast"),
    }[theme]


def scale_name(scale: float) -> str:
    percent = format_percent(scale)
    if scale == TEXT_SCALES[0]:
        return _("{percent} (normal)").format(percent=percent)
    if scale == TEXT_SCALES[-1]:
        return _("{percent} (largest)").format(percent=percent)
    return percent


class DisplayDialog(ScrollingDialog):
    """Opened with ``open()``. ``whose``: the person's name, or None for this PC's 'Who are you?' screen.

    Its choices scroll, with Save and Cancel in sight below them, when the largest text does not fit the window.
    """

    changed = Signal(object)  # Preferences: show these now

    def __init__(self, prefs: Preferences, whose: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.whose = whose
        self._prefs = replace(prefs, text_scale=nearest_scale(prefs.text_scale))
        outer = QVBoxLayout(self)
        outer.setSpacing(12)
        self.body = QWidget()
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        self.scroller = scrolling(self.body, _("Display and language"))
        outer.addWidget(self.scroller, 1)
        self.intro = label("", "muted")
        layout.addWidget(self.intro)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setVerticalSpacing(12)
        self.language = self._combo([(code, code) for code in LANGUAGES], self._prefs.language)
        self.text_size = self._combo([(scale, scale) for scale in TEXT_SCALES], self._prefs.text_scale)
        self.theme = self._combo([(theme, theme) for theme in THEME_CHOICES], self._prefs.theme)
        self.language_label, self.size_label, self.theme_label = QLabel(), QLabel(), QLabel()
        for caption, combo in (
            (self.language_label, self.language),
            (self.size_label, self.text_size),
            (self.theme_label, self.theme),
        ):
            caption.setBuddy(combo)
            form.addRow(caption, combo)
        layout.addLayout(form)
        self.tip = label("", "muted")
        layout.addWidget(self.tip)
        layout.addStretch(1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        outer.addWidget(self.buttons)  # below the scrolling choices: always in sight
        self.language.currentIndexChanged.connect(self._language_chosen)
        self.text_size.currentIndexChanged.connect(self._chosen)
        self.theme.currentIndexChanged.connect(self._chosen)
        self.retranslate()
        notifier().changed.connect(self._fit)  # a new text size shown at once: the dialog grows or shrinks with it

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fit()
        self.language.setFocus()  # the first choice, not the Save button

    def _fit(self) -> None:
        """Wide enough for its sentences at any text size, and tall enough for them once wrapped, but never
        bigger than the window it belongs to (or the screen): beyond that its choices scroll, its buttons in
        sight. Called again as the text size changes, so it shrinks as well as grows."""
        screen = self.screen().availableGeometry() if self.screen() is not None else None
        owner = self.parentWidget()
        room = owner.window().geometry() if owner is not None else screen
        if room is not None and screen is not None:
            room = room & screen  # the part of the window on the screen
        widest = room.width() - 40 if room is not None else 1000
        width = min(widest, max(480, self.fontMetrics().averageCharWidth() * 52))
        self.setMinimumWidth(width)
        for caption in (self.language_label, self.size_label, self.theme_label):
            # A little wider than its words: a last letter's curve can reach past them, and a label clips it.
            caption.setMinimumWidth(0)
            caption.setMinimumWidth(caption.sizeHint().width() + caption.fontMetrics().averageCharWidth() // 2)
        outer, inner = self.layout(), self.body.layout()
        if outer is None or inner is None:
            return
        self.resize(width, self.height())
        outer.activate()
        inside = self.scroller.maximumViewportSize().width()  # the body's width with no scroll bar
        needed = inner.totalHeightForWidth(inside) if inner.hasHeightForWidth() else inner.sizeHint().height()
        rest = self.height() - self.scroller.viewport().height()  # the buttons, margins and spacing
        frame = self.frameGeometry().height() - self.height()  # a title bar and borders, where there are any
        tallest = room.height() - frame if room is not None else needed + rest
        self.resize(width, min(needed + rest, tallest))
        if owner is not None and self.isVisible():
            # Kept over the window: grown or shrunk where it stands, it could run off its foot.
            place = self.frameGeometry()
            place.moveCenter(owner.window().geometry().center())
            self.move(place.topLeft())

    def _combo(self, items: list[tuple[object, object]], current: object) -> QComboBox:
        combo = QComboBox()
        for _text, value in items:
            combo.addItem("", value)
        index = next((i for i, (_text, value) in enumerate(items) if value == current), 0)
        combo.setCurrentIndex(index)
        return combo

    def retranslate(self) -> None:
        """Every text of the dialog in the language in force (a new language shows here at once too)."""
        self.setWindowTitle(_("Display & language"))
        self.setAccessibleName(_("Display and language"))
        self.scroller.setAccessibleName(_("Display and language"))
        self.intro.setText(
            _("Saved for {name} on this PC: they come back when you sign in.").format(name=self.whose)
            if self.whose
            else _("Saved for this PC's 'Who are you?' screen.")
        )
        self.language_label.setText(_("&Language"))
        self.size_label.setText(_("&Text size"))
        self.theme_label.setText(_("&Colours"))
        self.language.setAccessibleName(_("Language"))
        self.text_size.setAccessibleName(_("Text size"))
        self.theme.setAccessibleName(_("Colours: light, dark or high contrast"))
        for i in range(self.language.count()):
            self.language.setItemText(i, language_name(self.language.itemData(i)))
        for i in range(self.text_size.count()):
            self.text_size.setItemText(i, scale_name(self.text_size.itemData(i)))
        for i in range(self.theme.count()):
            self.theme.setItemText(i, theme_name(self.theme.itemData(i)))
        self.tip.setText(_("Ctrl and + or − change the text size anywhere; Ctrl and 0 puts it back."))
        self.save_button.setText(_("Save"))
        self.save_button.setAccessibleName(_("Save these choices"))
        self.cancel_button.setText(_("Cancel"))
        self.cancel_button.setAccessibleName(_("Cancel: go back to how it was"))

    def preferences(self) -> Preferences:
        """The choices shown now."""
        return Preferences(
            language=self.language.currentData(),
            text_scale=float(self.text_size.currentData()),
            theme=str(self.theme.currentData()),
        )

    def _chosen(self) -> None:
        self.changed.emit(self.preferences())

    def _language_chosen(self) -> None:
        self._chosen()
        self.retranslate()
        self._fit()  # words of another length
