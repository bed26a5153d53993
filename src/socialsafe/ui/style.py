"""The app's style sheet, sized to the person's text size."""

from __future__ import annotations

from string import Template

from PySide6.QtGui import QFont, QIcon
from PySide6.QtWidgets import QApplication, QWidget

from socialsafe.resources import asset

BASE_POINTS = 12.0


def apply_style(app: QApplication, scale: float = 1.0) -> None:
    """Set the font and style sheet; ``scale`` 1.5 is 150% text."""
    base = BASE_POINTS * scale
    font = QFont(app.font())
    font.setPointSizeF(base)
    app.setFont(font)
    template = Template(asset("style.qss").read_text(encoding="utf-8"))
    app.setStyleSheet(
        template.substitute(
            base=f"{base:.1f}",
            small=f"{base * 0.9:.1f}",
            h1=f"{base * 1.6:.1f}",
            h2=f"{base * 1.25:.1f}",
            # Click targets grow with the text: never under 44 px (WCAG 2.5.5's size).
            target=str(round(max(44, 40 * scale))),
            bar=str(round(18 * scale)),
            indicator=str(round(22 * scale)),
            indicator_radius=str(round(22 * scale) // 2 + 1),
            assets=asset("").as_posix().rstrip("/"),
        )
    )


def app_icon() -> QIcon:
    return QIcon(str(asset("icon.svg")))


def set_role(widget: QWidget, role: str) -> None:
    """Tag a widget for the style sheet (headings, cards, banners, primary buttons)."""
    widget.setProperty("role", role)
    widget.style().unpolish(widget)
    widget.style().polish(widget)
