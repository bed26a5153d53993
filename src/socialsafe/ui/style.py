"""The app's look: themes (their colours, all in this one place), the style sheet, and the text size.

Every colour the app draws comes from a :class:`Palette`. The style sheet
(``assets/style.qss``) names colours by role (``${text}``, ``${surface}``…)
and :func:`apply_style` fills them in for the theme in force, with sizes that
follow the person's text size. Widgets never name a colour: they tag
themselves (:func:`set_role`, :func:`set_tone`) and the style sheet colours
them, so a change of theme reaches every screen at once.

:data:`TEXT_ON` and :data:`NON_TEXT_ON` say which colour is drawn on which
background; ``tests/test_contrast.py`` holds every pair of every theme to
WCAG 2.2's contrast minimums (4.5:1 for text, 3:1 for focus rings, input
borders and other indicators).
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from string import Template
from typing import Final

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QFont, QGuiApplication, QIcon, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from socialsafe.domain.states import ModuleStatus, Status
from socialsafe.preferences import DARK, HIGH_CONTRAST, LIGHT, SYSTEM, TEXT_SCALES
from socialsafe.resources import asset

BASE_POINTS = 12.0


@dataclass(frozen=True)
class Palette:
    """One theme's colours, by role. Backgrounds first, then what is drawn on them."""

    # Backgrounds
    window: str  # the page behind everything
    surface: str  # cards, fields, lists, buttons
    alt_surface: str  # every other row of a table
    tint: str  # a highlighted surface: a chosen answer, a hovered button, the sync line, table headings
    header: str  # the bar across the top
    header_hover: str  # a header button under the mouse
    banner: str  # 'needs your attention' panels
    right_bg: str  # feedback: right, passed
    wrong_bg: str  # feedback: not right, not passed
    primary: str  # the main button of a screen
    primary_hover: str
    disabled_bg: str  # a button that cannot be used now
    control_bg: str  # the up/down buttons of a number box
    selection: str  # the chosen row of a list or table
    chart_bg: str
    # Text
    text: str
    heading: str
    muted: str
    placeholder: str  # the hint in an empty field: readable, yet not mistaken for something typed
    accent: str  # the text and border of ordinary buttons, option numbers
    link: str
    header_text: str
    on_primary: str
    banner_text: str
    disabled_text: str
    selection_text: str
    # Status in colour: always beside words and a symbol, never alone
    good: str  # complete, passed
    warning: str  # due soon, in progress on a module, update needed
    bad: str  # expired, not passed, a problem
    notice: str  # update needed (office)
    info: str  # in progress (office)
    neutral: str  # not started, exempt
    # Lines and indicators
    border: str  # around cards and lists: decoration, the content inside says what it is
    input_border: str  # around fields, progress bars and number-box buttons
    indicator_border: str  # the ring of a radio button, the box of a tick box
    indicator_on: str  # a chosen radio button or ticked box
    indicator_mark: str  # the tick drawn on a ticked box
    focus: str  # where the keyboard is
    header_focus: str
    header_rule: str  # the line under the header
    banner_border: str
    right_border: str
    wrong_border: str
    progress: str  # the filled part of a progress bar
    disabled_border: str
    chart_border: str  # the outline of each bar of a chart
    # A chart's bars, one colour per training status (told apart with colour blindness too)
    chart_complete: str
    chart_due_soon: str
    chart_expired: str
    chart_update_needed: str
    chart_in_progress: str
    chart_not_started: str
    chart_exempt: str


@dataclass(frozen=True)
class Theme:
    name: str
    colours: Palette
    focus_width: int = 3  # px of the keyboard focus ring
    line_width: int = 1  # px of card and list borders
    disabled_line: str = "solid"  # a disabled button's border: 'dashed' says 'not now' without colour


# The Okabe and Ito colours: told apart with the common kinds of colour blindness.
_OKABE_ITO = {
    "chart_complete": "#009E73",
    "chart_due_soon": "#F0E442",
    "chart_expired": "#D55E00",
    "chart_update_needed": "#CC79A7",
    "chart_in_progress": "#56B4E9",
    "chart_not_started": "#BBBBBB",
    "chart_exempt": "#0072B2",
}

LIGHT_THEME: Final = Theme(
    LIGHT,
    Palette(
        window="#f4f7f5",
        surface="#ffffff",
        alt_surface="#f4f7f5",
        tint="#e6f0eb",
        header="#1f6f50",
        header_hover="#185a41",
        banner="#fff4d6",
        right_bg="#e6f4ea",
        wrong_bg="#fdecea",
        primary="#1f6f50",
        primary_hover="#185a41",
        disabled_bg="#eef1ef",
        control_bg="#eef1ef",
        selection="#1f6f50",
        chart_bg="#ffffff",
        text="#1b1f1d",
        heading="#143d2c",
        muted="#4a524e",
        placeholder="#5f6b65",
        accent="#1f6f50",
        link="#1f5a8a",
        header_text="#ffffff",
        on_primary="#ffffff",
        banner_text="#3d2a00",
        disabled_text="#5f6b65",
        selection_text="#ffffff",
        good="#1e6b34",
        warning="#7a4d00",
        bad="#b3261e",
        notice="#6b3fa0",
        info="#1f5a8a",
        neutral="#4a524e",
        border="#c9d3ce",
        input_border="#7d8a84",
        indicator_border="#4a524e",
        indicator_on="#1f6f50",
        indicator_mark="#ffffff",
        focus="#b86e00",
        header_focus="#ffd166",
        header_rule="#1f6f50",
        banner_border="#b7791f",
        right_border="#1e7b3a",
        wrong_border="#b3261e",
        progress="#2e8b63",
        disabled_border="#9aa7a0",
        chart_border="#1b1f1d",
        **_OKABE_ITO,
    ),
)

DARK_THEME: Final = Theme(
    DARK,
    Palette(
        window="#121614",
        surface="#1c2320",
        alt_surface="#171d1a",
        tint="#243029",
        header="#174d38",
        header_hover="#1f6148",
        banner="#3b2f12",
        right_bg="#173322",
        wrong_bg="#3d1b19",
        primary="#8fd9b3",
        primary_hover="#b0e8cb",
        disabled_bg="#1f2522",
        control_bg="#2a332e",
        selection="#8fd9b3",
        chart_bg="#1c2320",
        text="#e6ece9",
        heading="#a8e6c6",
        muted="#b4c0ba",
        placeholder="#a3aea8",
        accent="#8fd9b3",
        link="#8cc8ff",
        header_text="#ffffff",
        on_primary="#0b1f16",
        banner_text="#ffe6a6",
        disabled_text="#9aa59f",
        selection_text="#0b1f16",
        good="#7fdb9e",
        warning="#f2c35b",
        bad="#ff9189",
        notice="#d1a8ff",
        info="#8cc8ff",
        neutral="#b4c0ba",
        border="#3a4540",
        input_border="#849089",
        indicator_border="#b4c0ba",
        indicator_on="#8fd9b3",
        indicator_mark="#0b1f16",
        focus="#ffb938",
        header_focus="#ffd166",
        header_rule="#2e6b53",
        banner_border="#d9a441",
        right_border="#5cc98a",
        wrong_border="#ff8f85",
        progress="#5cc98a",
        disabled_border="#6b7670",
        chart_border="#1c2320",  # a gap between bars: on a dark chart the bars stand out by themselves
        **_OKABE_ITO,
    ),
)

HIGH_CONTRAST_THEME: Final = Theme(
    HIGH_CONTRAST,
    Palette(
        window="#000000",
        surface="#000000",
        alt_surface="#141414",
        tint="#1f1f1f",
        header="#000000",
        header_hover="#1f1f1f",
        banner="#000000",
        right_bg="#000000",
        wrong_bg="#000000",
        primary="#ffff00",
        primary_hover="#ffff80",
        disabled_bg="#000000",
        control_bg="#000000",
        selection="#ffffff",
        chart_bg="#000000",
        text="#ffffff",
        heading="#ffff00",
        muted="#ffffff",
        placeholder="#b3b3b3",  # grey: in white it would read as typed text
        accent="#ffff00",
        link="#ffff00",
        header_text="#ffffff",
        on_primary="#000000",
        banner_text="#ffffff",
        disabled_text="#b3b3b3",
        selection_text="#000000",
        good="#66ff99",
        warning="#ffd966",
        bad="#ff9e9e",
        notice="#e0b3ff",
        info="#99ddff",
        neutral="#ffffff",
        border="#ffffff",
        input_border="#ffffff",
        indicator_border="#ffffff",
        indicator_on="#ffff00",
        indicator_mark="#000000",
        focus="#00ffff",
        header_focus="#00ffff",
        header_rule="#ffffff",
        banner_border="#ffff00",
        right_border="#66ff99",
        wrong_border="#ff9e9e",
        progress="#ffff00",
        disabled_border="#b3b3b3",
        chart_border="#000000",
        **_OKABE_ITO,
    ),
    focus_width=4,
    line_width=2,
    disabled_line="dashed",
)

THEMES: Final = {theme.name: theme for theme in (LIGHT_THEME, DARK_THEME, HIGH_CONTRAST_THEME)}

_TEXT_BACKGROUNDS = ("window", "surface", "alt_surface", "tint")
_STATUS_BACKGROUNDS = (*_TEXT_BACKGROUNDS, "banner")

# Each colour text is drawn in, and every background it is drawn on: 4.5:1 or better.
TEXT_ON: Final[dict[str, tuple[str, ...]]] = {
    "text": (*_TEXT_BACKGROUNDS, "right_bg", "wrong_bg", "control_bg", "chart_bg"),
    "heading": (*_TEXT_BACKGROUNDS,),
    "muted": (*_TEXT_BACKGROUNDS, "right_bg", "wrong_bg"),
    # The style sheet's placeholder-text-color: in a field, and in a refused one (socialsafe.ui.fields).
    "placeholder": ("surface", "wrong_bg"),
    "accent": ("window", "surface", "tint"),  # ordinary buttons (also when hovered), option numbers
    "link": ("window", "surface"),
    "header_text": ("header", "header_hover"),
    "on_primary": ("primary", "primary_hover"),
    "banner_text": ("banner",),
    "disabled_text": ("disabled_bg",),
    "selection_text": ("selection",),
    "good": _STATUS_BACKGROUNDS,
    "warning": _STATUS_BACKGROUNDS,
    "bad": _STATUS_BACKGROUNDS,
    "notice": _STATUS_BACKGROUNDS,
    "info": _STATUS_BACKGROUNDS,
    "neutral": _STATUS_BACKGROUNDS,
}

# Lines and marks a person needs to see to use a control or read its state (WCAG 1.4.11): 3:1 or better.
NON_TEXT_ON: Final[dict[str, tuple[str, ...]]] = {
    "focus": ("window", "surface", "tint", "wrong_bg"),  # wrong_bg: a refused field (socialsafe.ui.fields)
    "header_focus": ("header",),
    "input_border": ("window", "surface"),
    "indicator_border": ("surface", "tint"),
    "indicator_on": ("surface", "tint"),
    "indicator_mark": ("indicator_on",),
    "accent": ("window", "surface"),  # an ordinary button's border
    "progress": ("surface",),
    "banner_border": ("window",),
    "right_border": ("window",),
    "wrong_border": ("window", "surface", "wrong_bg"),  # wrong feedback; a refused field, on a card too
    "chart_complete": ("chart_border",),
    "chart_due_soon": ("chart_border",),
    "chart_expired": ("chart_border",),
    "chart_update_needed": ("chart_border",),
    "chart_in_progress": ("chart_border",),
    "chart_not_started": ("chart_border",),
    "chart_exempt": ("chart_border",),
}

# Colours that carry no information of their own: the text or control they surround says it all.
DECORATIVE: Final = frozenset({"border", "header_rule", "disabled_border"})

CHART_ROLES: Final = {
    Status.COMPLETE: "chart_complete",
    Status.DUE_SOON: "chart_due_soon",
    Status.EXPIRED: "chart_expired",
    Status.UPDATE_NEEDED: "chart_update_needed",
    Status.IN_PROGRESS: "chart_in_progress",
    Status.NOT_STARTED: "chart_not_started",
    Status.EXEMPT: "chart_exempt",
}

# The tone (a colour role) a status is shown in, beside its words and symbol.
TRAINING_TONES: Final = {
    Status.COMPLETE: "good",
    Status.DUE_SOON: "warning",
    Status.EXPIRED: "bad",
    Status.UPDATE_NEEDED: "notice",
    Status.IN_PROGRESS: "info",
    Status.NOT_STARTED: "neutral",
    Status.EXEMPT: "neutral",
}
MODULE_TONES: Final = {
    ModuleStatus.NOT_STARTED: "neutral",
    ModuleStatus.IN_PROGRESS: "warning",
    ModuleStatus.PASSED: "good",
    ModuleStatus.NOT_PASSED: "bad",
}
TONES: Final = ("good", "warning", "bad", "notice", "info", "neutral")

# Certificates and the governors' summary are printed: always dark ink on white paper, whatever the theme.
PAPER: Final = {
    "paper": "#ffffff",
    "ink": "#1b1f1d",
    "muted": "#4a524e",
    "accent": "#1f6f50",
    "heading": "#143d2c",
    "rule": "#c9d3ce",
    "tint": "#e6f0eb",
}
PAPER_TEXT_ON: Final[dict[str, tuple[str, ...]]] = {
    "ink": ("paper", "tint"),
    "muted": ("paper", "tint"),
    "accent": ("paper", "tint"),
    "heading": ("paper", "tint"),
}


# Contrast (WCAG 2.x) ----------------------------------------------------------------------------


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """WCAG's relative luminance of a ``#rgb`` or ``#rrggbb`` colour: 0 for black, 1 for white."""
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    if len(digits) != 6:
        raise ValueError(f"not a #rrggbb colour: {colour!r}")
    r, g, b = (int(digits[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(a: str, b: str) -> float:
    """WCAG's contrast ratio of two colours, from 1 (the same) to 21 (black on white)."""
    la, lb = relative_luminance(a), relative_luminance(b)
    light, dark = max(la, lb), min(la, lb)
    return (light + 0.05) / (dark + 0.05)


# The theme in force -----------------------------------------------------------------------------


class _Notifier(QObject):
    changed = Signal()  # the theme or the text size changed: redraw what the style sheet does not reach


class _State:
    scale = 1.0
    choice = SYSTEM  # what the person chose: a theme, or 'system'
    theme: Theme = LIGHT_THEME  # what that means now
    sheet = ""  # the style sheet last set
    native_style = ""  # the platform's own widget style, for the light theme
    watching = False
    notifier: _Notifier | None = None


def notifier() -> _Notifier:
    """Its ``changed`` signal follows every change of theme or text size."""
    if _State.notifier is None:
        _State.notifier = _Notifier()
    return _State.notifier


def resolve_theme(choice: str, system_dark: bool, system_high_contrast: bool = False) -> Theme:
    """The theme a choice means: 'system' follows the system's high contrast, then its dark or light scheme."""
    if choice in THEMES:
        return THEMES[choice]
    if system_high_contrast:
        return HIGH_CONTRAST_THEME
    return DARK_THEME if system_dark else LIGHT_THEME


def _system_dark(app: QGuiApplication) -> bool:
    return app.styleHints().colorScheme() == Qt.ColorScheme.Dark


def _system_high_contrast(app: QGuiApplication) -> bool:
    hints = app.styleHints()
    accessibility = hints.accessibility() if hasattr(hints, "accessibility") else None
    if accessibility is None or not hasattr(accessibility, "contrastPreference"):
        return False
    return bool(accessibility.contrastPreference() == Qt.ContrastPreference.HighContrast)


def current_theme() -> Theme:
    return _State.theme


def current_palette() -> Palette:
    return _State.theme.colours


def current_scale() -> float:
    return _State.scale


def current_choice() -> str:
    return _State.choice


def colour(role: str) -> str:
    """A colour of the theme in force, by role (``"good"``, ``"chart_expired"``…)."""
    value = getattr(_State.theme.colours, role)
    assert isinstance(value, str)
    return value


def qt_palette(theme: Theme) -> QPalette:
    """A QPalette in the theme's colours, for what the style sheet does not reach (menus, scroll bars)."""
    p = theme.colours
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: p.window,
        QPalette.ColorRole.WindowText: p.text,
        QPalette.ColorRole.Base: p.surface,
        QPalette.ColorRole.AlternateBase: p.alt_surface,
        QPalette.ColorRole.Text: p.text,
        QPalette.ColorRole.PlaceholderText: p.placeholder,
        QPalette.ColorRole.Button: p.surface,
        QPalette.ColorRole.ButtonText: p.accent,
        QPalette.ColorRole.BrightText: p.bad,
        QPalette.ColorRole.Highlight: p.selection,
        QPalette.ColorRole.HighlightedText: p.selection_text,
        QPalette.ColorRole.ToolTipBase: p.surface,
        QPalette.ColorRole.ToolTipText: p.text,
        QPalette.ColorRole.Link: p.link,
        QPalette.ColorRole.LinkVisited: p.link,
        QPalette.ColorRole.Light: p.tint,
        QPalette.ColorRole.Midlight: p.tint,
        QPalette.ColorRole.Mid: p.border,
        QPalette.ColorRole.Dark: p.input_border,
        QPalette.ColorRole.Shadow: p.window,
        QPalette.ColorRole.Accent: p.accent,
    }
    for role, value in roles.items():
        palette.setColor(role, QColor(value))
    disabled = QPalette.ColorGroup.Disabled
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        palette.setColor(disabled, role, QColor(p.disabled_text))
    palette.setColor(disabled, QPalette.ColorRole.Button, QColor(p.disabled_bg))
    return palette


def _sheet(theme: Theme, scale: float) -> str:
    base = BASE_POINTS * scale
    template = Template(asset("style.qss").read_text(encoding="utf-8"))
    return template.substitute(
        asdict(theme.colours),
        base=f"{base:.1f}",
        small=f"{base * 0.9:.1f}",
        h1=f"{base * 1.6:.1f}",
        h2=f"{base * 1.25:.1f}",
        # Click targets grow with the text: never under 44 px (WCAG 2.5.5's size).
        target=str(round(max(44, 40 * scale))),
        button_inner=str(round(max(44, 40 * scale)) - 2 * 4 - 2 * 2),  # a button's padding and border are inside it
        field_inner=str(round(max(44, 40 * scale)) - 2 * 2 - 2 * 2),  # and a field's
        header_target=str(round(max(44, 32 * scale))),  # the header's buttons: its words, and room to click
        bar=str(round(18 * scale)),
        indicator=str(round(22 * scale)),
        indicator_radius=str(round(22 * scale) // 2 + 1),
        checked_ring=str(max(5, round(7 * scale))),
        spin_button=str(round(22 * scale)),
        arrow=str(round(10 * scale)),
        focus_width=str(theme.focus_width),
        line_width=str(theme.line_width),
        disabled_line=theme.disabled_line,
        marks=_marks(theme),
    )


# The small pictures the style sheet draws (number-box arrows, the tick), and the colour each is drawn in.
_MARKS = {"arrow-up.svg": "text", "arrow-down.svg": "text", "check.svg": "indicator_mark"}
_MARK_COLOUR = re.compile(r'stroke="#[0-9a-fA-F]{6}"')


def _marks(theme: Theme) -> str:
    """A folder with the style sheet's pictures in the theme's colours (the bundled ones if it cannot be written)."""
    bundled_folder = asset("").as_posix().rstrip("/")
    folder = Path(tempfile.gettempdir()) / "socialsafe-style" / theme.name
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, role in _MARKS.items():
            svg = _MARK_COLOUR.sub(f'stroke="{getattr(theme.colours, role)}"', asset(name).read_text(encoding="utf-8"))
            target = folder / name
            if not target.is_file() or target.read_text(encoding="utf-8") != svg:
                target.write_text(svg, encoding="utf-8")
    except OSError:
        return bundled_folder
    return folder.as_posix()


def _watch_system(app: QApplication) -> None:
    """Follow the system's colour scheme (and high contrast) while the app runs, for people who chose 'system'."""
    if _State.watching:
        return
    _State.watching = True
    hints = app.styleHints()
    hints.colorSchemeChanged.connect(lambda _scheme: _system_changed())
    accessibility = hints.accessibility() if hasattr(hints, "accessibility") else None
    if accessibility is not None and hasattr(accessibility, "contrastPreferenceChanged"):
        accessibility.contrastPreferenceChanged.connect(lambda _preference: _system_changed())


def _system_changed() -> None:
    app = QApplication.instance()
    if isinstance(app, QApplication) and _State.choice == SYSTEM:
        apply_style(app)


def apply_style(app: QApplication, scale: float | None = None, theme: str | None = None) -> None:
    """Set the font, palette and style sheet; ``scale`` 1.5 is 150% text, ``theme`` one of
    :data:`socialsafe.preferences.THEMES`. Either left out stays as it is."""
    if scale is not None:
        _State.scale = min(max(scale, TEXT_SCALES[0]), TEXT_SCALES[-1])
    if theme is not None:
        _State.choice = theme if theme in (SYSTEM, *THEMES) else SYSTEM
    _watch_system(app)
    resolved = resolve_theme(_State.choice, _system_dark(app), _system_high_contrast(app))
    sheet = _sheet(resolved, _State.scale)
    if sheet == _State.sheet and app.styleSheet() == sheet:
        return  # nothing changed: restyling every widget is not free
    _State.theme = resolved
    if not _State.native_style:
        _State.native_style = app.style().name()
    # Dark and high-contrast colours need a style that draws everything from the palette.
    wanted = _State.native_style if resolved is LIGHT_THEME else "fusion"
    if app.style().name().lower() != wanted.lower():
        app.setStyle(wanted)
    app.setPalette(qt_palette(resolved))
    font = QFont(app.font())
    font.setPointSizeF(BASE_POINTS * _State.scale)
    app.setFont(font)
    app.setStyleSheet(sheet)
    _State.sheet = sheet
    notifier().changed.emit()


def app_icon() -> QIcon:
    return QIcon(str(asset("icon.svg")))


def _repolish(widget: QWidget) -> None:
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def set_role(widget: QWidget, role: str) -> None:
    """Tag a widget for the style sheet (headings, cards, banners, primary buttons)."""
    widget.setProperty("role", role)
    _repolish(widget)


def set_tone(widget: QWidget, tone: str | None) -> None:
    """Colour a widget's text in one of :data:`TONES` (a status, a problem), or back to plain text with None."""
    widget.setProperty("tone", tone or "")
    _repolish(widget)


def palette_fields() -> list[str]:
    return [f.name for f in fields(Palette)]
