"""Every theme's colours against WCAG 2.2 AA: 4.5:1 for text, 3:1 for focus rings, borders and indicators.

The pairs come from the themes themselves (:data:`socialsafe.ui.style.TEXT_ON`
and :data:`~socialsafe.ui.style.NON_TEXT_ON`: each colour names the
backgrounds it is drawn on). A field's placeholder is also measured as drawn, on a real field offscreen,
since the style sheet, not the palette, decides its colour.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from socialsafe.resources import asset
from socialsafe.ui.app import make_app
from socialsafe.ui.style import (
    CHART_ROLES,
    DECORATIVE,
    HIGH_CONTRAST_THEME,
    NON_TEXT_ON,
    PAPER,
    PAPER_TEXT_ON,
    TEXT_ON,
    THEMES,
    TONES,
    Theme,
    apply_style,
    contrast_ratio,
    current_choice,
    current_scale,
    palette_fields,
    relative_luminance,
    resolve_theme,
)

TEXT_MINIMUM = 4.5  # WCAG 1.4.3
NON_TEXT_MINIMUM = 3.0  # WCAG 1.4.11
UI = Path(__file__).resolve().parents[1] / "src" / "socialsafe" / "ui"
HEX = re.compile(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b")


# The ratio itself --------------------------------------------------------------------------------


def test_the_ratio_matches_known_values() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#000000") == pytest.approx(21.0)  # either way round
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # just short of AA
    assert contrast_ratio("#777", "#fff") == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the lightest grey that passes
    assert contrast_ratio("#1f6f50", "#1f6f50") == pytest.approx(1.0)
    assert relative_luminance("#ffffff") == pytest.approx(1.0)
    assert relative_luminance("#000000") == pytest.approx(0.0)
    assert relative_luminance("#ff0000") == pytest.approx(0.2126)


def test_the_ratio_refuses_what_is_not_a_colour() -> None:
    with pytest.raises(ValueError, match="not a #rrggbb colour"):
        relative_luminance("#12345")


def too_low(theme: Theme, pairs: dict[str, tuple[str, ...]], minimum: float) -> list[str]:
    colours = theme.colours
    problems = []
    for front, backs in pairs.items():
        for back in backs:
            ratio = contrast_ratio(getattr(colours, front), getattr(colours, back))
            if ratio < minimum:
                problems.append(f"{front} on {back}: {ratio:.2f}")
    return problems


def test_the_check_can_fail() -> None:
    """The check below finds a pair that is too faint: it does not pass everything."""
    grey = Theme("grey", THEMES["light"].colours.__class__(**{name: "#777777" for name in palette_fields()}))
    assert too_low(grey, {"text": ("window",)}, TEXT_MINIMUM) == ["text on window: 1.00"]
    light = THEMES["light"]
    assert too_low(light, {"border": ("window",)}, NON_TEXT_MINIMUM), "a light card border is decoration only"


# Every theme ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(THEMES))
def test_text_is_4_5_to_1_on_every_background_it_is_drawn_on(name: str) -> None:
    assert too_low(THEMES[name], TEXT_ON, TEXT_MINIMUM) == []


@pytest.mark.parametrize("name", sorted(THEMES))
def test_focus_rings_borders_and_indicators_are_3_to_1(name: str) -> None:
    assert too_low(THEMES[name], NON_TEXT_ON, NON_TEXT_MINIMUM) == []


@pytest.mark.parametrize("name", sorted(THEMES))
def test_chart_bars_stand_out_from_the_chart_by_their_outline_or_by_themselves(name: str) -> None:
    colours = THEMES[name].colours
    outline = contrast_ratio(colours.chart_border, colours.chart_bg)
    for role in CHART_ROLES.values():
        fill = contrast_ratio(getattr(colours, role), colours.chart_bg)
        assert max(outline, fill) >= NON_TEXT_MINIMUM, f"{name}: {role}"


def test_every_colour_of_a_palette_is_checked_or_said_to_be_decoration() -> None:
    backgrounds = {back for backs in (*TEXT_ON.values(), *NON_TEXT_ON.values()) for back in backs}
    checked = set(TEXT_ON) | set(NON_TEXT_ON) | backgrounds | DECORATIVE
    assert set(palette_fields()) - checked == set()
    assert checked - set(palette_fields()) == set(), "a pair names a colour no palette has"
    assert set(TONES) <= set(TEXT_ON)


def test_the_printed_documents_are_dark_ink_on_paper() -> None:
    for front, backs in PAPER_TEXT_ON.items():
        for back in backs:
            assert contrast_ratio(PAPER[front], PAPER[back]) >= TEXT_MINIMUM, f"{front} on {back}"


def test_high_contrast_is_black_with_light_text_and_a_thick_ring() -> None:
    colours = HIGH_CONTRAST_THEME.colours
    assert colours.window == "#000000"
    on_window = [role for role, backs in TEXT_ON.items() if "window" in backs]
    assert min(contrast_ratio(getattr(colours, role), colours.window) for role in on_window) >= 7
    assert HIGH_CONTRAST_THEME.focus_width >= 4


def test_following_the_system() -> None:
    assert resolve_theme("system", system_dark=True).name == "dark"
    assert resolve_theme("system", system_dark=False).name == "light"
    assert resolve_theme("system", system_dark=False, system_high_contrast=True).name == "high-contrast"
    assert resolve_theme("light", system_dark=True).name == "light"  # a choice beats the system
    assert resolve_theme("nonsense", system_dark=False).name == "light"


# Colours live in one place ------------------------------------------------------------------------


def test_the_style_sheet_names_colours_by_role_only() -> None:
    sheet = asset("style.qss").read_text(encoding="utf-8")
    assert HEX.findall(sheet) == []
    placeholders = set(re.findall(r"\$\{(\w+)\}", sheet))
    for match in re.finditer(r"(?:(?<![-\w])|(?<=placeholder-text-))color:\s*\$\{(\w+)\}", sheet):
        assert match.group(1) in TEXT_ON, f"text in {match.group(1)} is not checked for contrast"
    assert {"focus", "header_focus", "input_border"} <= placeholders


def test_no_widget_names_a_colour_of_its_own() -> None:
    found = []
    for path in sorted(UI.rglob("*.py")):
        if path.name == "style.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            code = line.split("  # ")[0]
            if HEX.search(code):
                found.append(f"{path.relative_to(UI)}:{number}: {line.strip()}")
    assert found == []


# What is drawn: the style sheet's colours, not only the palette's ------------------------------------------
#
# The pairs above hold the palette to the minimums; what a person sees is what Qt draws with the style sheet
# in force, which can override the palette (a style sheet that sets a widget's ``color`` makes Qt draw its
# placeholder in that colour at half strength, whatever the palette's PlaceholderText says). So the placeholder
# is measured on the field itself, drawn offscreen, in every theme.


@pytest.fixture
def styled() -> Iterator[QApplication]:
    """The app, its theme and text size put back as they were after the test."""
    app = make_app()
    choice, scale = current_choice(), current_scale()
    yield app
    apply_style(app, scale, choice)


def placeholder_as_drawn(qtbot: QtBot) -> tuple[str, str]:
    """(the colour a field's placeholder is drawn in, the field's background), read from the field's pixels.

    The background is the commonest colour inside the border; the placeholder's colour is the pixel that
    stands out most from it (the middle of a letter's stroke, where no smoothing blends the two).
    """
    holder = QWidget()
    qtbot.addWidget(holder)
    field = QLineEdit(holder)
    field.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # no text cursor, drawn in the text colour, to be measured
    field.setPlaceholderText("Optional, 4 digits")
    field.resize(320, field.sizeHint().height())
    holder.show()
    image = field.grab().toImage()
    inside = [image.pixelColor(x, y).name() for x in range(8, image.width() - 8) for y in range(6, image.height() - 6)]
    background = Counter(inside).most_common(1)[0][0]
    drawn = max(inside, key=lambda pixel: contrast_ratio(pixel, background))
    return drawn, background


@pytest.mark.parametrize("name", sorted(THEMES))
def test_a_fields_placeholder_is_drawn_4_5_to_1_on_the_field(qtbot: QtBot, styled: QApplication, name: str) -> None:
    apply_style(styled, 1.0, name)
    drawn, background = placeholder_as_drawn(qtbot)
    colours = THEMES[name].colours
    assert background == colours.surface
    assert contrast_ratio(drawn, background) >= TEXT_MINIMUM, f"{name}: placeholder {drawn} on {background}"
    assert drawn == colours.placeholder  # the role checked with the pairs above, not the text colour: a hint
    assert drawn != colours.text  # in the colour of typed text, it would read as something typed


def test_the_placeholder_check_sees_what_the_style_sheet_draws(qtbot: QtBot, styled: QApplication) -> None:
    """Without the style sheet's placeholder colour Qt draws it faint, though the palette's role passes: caught."""
    apply_style(styled, 1.0, "light")
    colours = THEMES["light"].colours
    assert contrast_ratio(colours.muted, colours.surface) >= TEXT_MINIMUM  # the palette alone would pass
    styled.setStyleSheet(re.sub(r"placeholder-text-color:[^;]*;", "", styled.styleSheet()))
    drawn, background = placeholder_as_drawn(qtbot)
    assert contrast_ratio(drawn, background) < TEXT_MINIMUM
