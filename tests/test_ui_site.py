"""The site config as a person meets it: the add-yourself form and the idle time."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from conftest import MINI
from socialsafe.storage.store import Store
from socialsafe.ui.settings_dialog import SettingsDialog
from ui_helpers import open_window

SITE = """
school_name = 'Oak Hill Primary'
roles = ["volunteer", "parent_helper"]
idle_minutes = 2
"""


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "socialsafe.toml"
    path.write_text(SITE, encoding="utf-8")
    monkeypatch.setenv("SOCIALSAFE_SITE_CONFIG", str(path))
    return path


def test_the_form_offers_the_sites_roles_and_school(qtbot: QtBot, store: Store, site: Path) -> None:
    window = open_window(qtbot, store, [MINI])
    qtbot.mouseClick(window.who.add_button, Qt.MouseButton.LeftButton)
    offered = [window.who.role.itemText(i) for i in range(1, window.who.role.count())]
    assert offered == ["Volunteer", "Parent helper"]
    assert window.who.school.text() == "Oak Hill Primary"


def test_idle_minutes_come_from_the_site_unless_this_pc_chose(qtbot: QtBot, store: Store, site: Path) -> None:
    window = open_window(qtbot, store, [MINI])
    assert window.idle_minutes() == 2
    store.set_setting("idle_minutes", "7")
    assert window.idle_minutes() == 7


def test_settings_show_each_setting_in_force_and_where_it_comes_from(qtbot: QtBot, store: Store, site: Path) -> None:
    window = open_window(qtbot, store, [MINI])
    dialog = SettingsDialog(store, window.settings, window.idle_minutes(), window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    said = {label.accessibleName() for label in dialog.findChildren(QLabel) if label.isVisible()}
    assert "School name: Oak Hill Primary — from the site config" in said
    assert "Roles offered: Volunteer, Parent helper — from the site config" in said
    assert "Lowest pass mark: each module's own — the built-in default" in said
    assert "Training valid for: 12 months, unless the pack says — the built-in default" in said
    assert "Admin passphrase: not set — the built-in default" in said
