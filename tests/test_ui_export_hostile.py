"""The office's export in the app, over a shared folder with lines it cannot read: it says the list is
incomplete, and it removes what a killed export left where it writes, as ``socialsafe export`` does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from conftest import MINI
from socialsafe import admin
from socialsafe.config import SHARE_SETTING
from socialsafe.files import host_name
from socialsafe.storage.store import Store
from sync_helpers import learner, new_id, write_device
from test_ui_admin import export, unlock
from ui_helpers import labels_text, open_window


def test_the_office_export_says_the_list_is_incomplete_and_clears_a_killed_exports_file(
    qtbot: QtBot, store: Store, share: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = new_id()
    write_device(share, other, [learner(other, "Ann Lee", "Oak Primary"), "{not json\n"])
    store.set_setting(SHARE_SETTING, str(share))
    window = open_window(qtbot, store, [MINI])
    area = unlock(qtbot, window, admin)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    out = tmp_path / "exports"
    out.mkdir()
    left = out / f".tmp-export-{host_name()}-{int(gone.stdout)}-0123456789abcdef"  # a killed export's
    left.write_text("everyone's data", encoding="utf-8")

    written = export(qtbot, area, monkeypatch, out / "list", "CSV, safe to open in Excel (.csv)", "One row per person")

    dialog = area.dialog
    assert dialog.incomplete is not None
    assert "The list is incomplete: 1 line or file in the shared folder could not be read" in labels_text(dialog)
    assert "Ann Lee" in written.read_text(encoding="utf-8-sig")
    assert not left.exists()
