"""Files that ship with SocialSafe: quiz packs, artwork, the style sheet.

In a wheel and in a PyInstaller bundle they live inside the package (see
``force-include`` in pyproject.toml). In a source checkout or an editable
install they are the top-level folders of the repository.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from socialsafe.i18n import _


def bundled(name: str) -> Path:
    """The folder ``quizzes`` or ``assets``, wherever this copy of SocialSafe keeps it."""
    inside = Path(str(files("socialsafe"))) / name
    if inside.is_dir():
        return inside
    checkout = Path(__file__).resolve().parents[2] / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(
        _("SocialSafe's bundled folder {name} is missing: please reinstall the app.").format(name=name)
    )


def asset(name: str) -> Path:
    return bundled("assets") / name
