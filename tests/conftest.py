"""Shared fixtures: every test gets its own data folder and English text."""

from __future__ import annotations

import gc
import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

# Real widgets, no display: set before Qt is first imported.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from socialsafe.content.loader import Content, load_pack
from socialsafe.content.model import Pack
from socialsafe.i18n import set_locale
from socialsafe.storage.store import Store
from socialsafe.ui.collector import collect_due
from socialsafe.ui.language import reset_qt_language
from sync_helpers import mini_content

PACKS = Path(__file__).parent / "packs"
MINI = PACKS / "mini"

# As in the app (socialsafe.ui.collector): cycles are collected on the main thread only, between tests,
# so that a background sync never frees a widget an earlier test left behind.
gc.disable()


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may touch the real user data folder or inherit a share from the shell."""
    monkeypatch.setenv("SOCIALSAFE_HOME", str(tmp_path / "home"))
    # Nor read a machine-wide site config this machine may have.
    monkeypatch.setenv("SOCIALSAFE_SITE_CONFIG", str(tmp_path / "no-site-config.toml"))
    # Nor count wrong admin passphrases in the user's own state folder (every process of the test shares this one).
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    for name in ("SOCIALSAFE_SHARE", "SOCIALSAFE_PACKS", "SOCIALSAFE_ADMIN_PASSPHRASE"):
        monkeypatch.delenv(name, raising=False)
    set_locale("en_GB")
    reset_qt_language()  # and Qt's own words and date formats, should a test before have switched language


@pytest.fixture(autouse=True)
def _collect_on_main_thread() -> Iterator[None]:
    yield
    collect_due()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "home"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture
def store(data_dir: Path) -> Iterator[Store]:
    s = Store(data_dir / "socialsafe.db")
    yield s
    s.close()


@pytest.fixture
def db_path(data_dir: Path) -> Path:
    return data_dir / "socialsafe.db"


@pytest.fixture
def opened() -> Iterator[list[Store]]:
    """Stores a test opens with :func:`open_store`, closed after it."""
    stores: list[Store] = []
    yield stores
    for s in stores:
        s.close()


def query(path: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    """Rows straight from a database file with sqlite3, bypassing the Store: what is really on disk."""
    with closing(sqlite3.connect(path)) as connection:
        return connection.execute(sql, params).fetchall()


def open_store(path: Path, opened: list[Store]) -> Store:
    s = Store(path)
    opened.append(s)
    return s


@pytest.fixture
def share(tmp_path: Path) -> Path:
    """An empty folder to use as the shared folder."""
    folder = tmp_path / "share"
    folder.mkdir()
    return folder


@pytest.fixture
def content() -> Content:
    """Only the mini pack, loaded as the app loads packs: one policy, so one report row per person."""
    return mini_content()


@pytest.fixture
def pack(content: Content) -> Pack:
    """The mini pack from ``content``."""
    [current] = content.current
    return current


@pytest.fixture
def mini_pack() -> Pack:
    return load_pack(MINI)
