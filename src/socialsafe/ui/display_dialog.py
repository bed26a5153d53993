"""'Display & language': the language, text size and colours one person sees.

Every change shows at once (``changed`` carries the preferences to try);
Save keeps them, Cancel asks for the ones from before. The dialog itself only
offers the choices: the main window applies and saves them.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from socialsafe.i18n import _, format_percent
from socialsafe.preferences import DARK, HIGH_CONTRAST, LIGHT, SYSTEM, TEXT_SCALES, Preferences, nearest_scale
from socialsafe.ui.style import notifier
from socialsafe.ui.widgets import label

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


class DisplayDialog(QDialog):
    """Opened with ``open()``. ``whose``: the person's name, or None for this PC's 'Who are you?' screen."""

    changed = Signal(object)  # Preferences: show these now

    def __init__(self, prefs: Preferences, whose: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.whose = whose
        self._prefs = replace(prefs, text_scale=nearest_scale(prefs.text_scale))
        layout = QVBoxLayout(self)
        layout.setSpacing(12)
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
        layout.addWidget(self.buttons)
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
        """Wide enough for its sentences at any text size, and tall enough for them once wrapped."""
        screen = self.screen().availableGeometry() if self.screen() is not None else None
        widest = screen.width() - 40 if screen is not None else 1000
        width = min(widest, max(480, self.fontMetrics().averageCharWidth() * 52))
        self.setMinimumWidth(width)
        layout = self.layout()
        if layout is None:
            return
        layout.activate()
        height = layout.totalHeightForWidth(width) if layout.hasHeightForWidth() else self.sizeHint().height()
        self.resize(width, height)

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
