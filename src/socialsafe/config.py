"""Settings resolved from flags and the environment, and what follows from them.

Every setting has one order of precedence (``shared/contracts/cli.md``,
extended by the site config): a command-line flag, then the environment, then
this PC's saved setting (the local database), then the site config
(:mod:`socialsafe.site_config`), then the built-in default. Not every setting
can come from every place; :data:`TIERS` says which can. :func:`effective`
gives each setting's value in force and where it came from, for the app and
the command line alike.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Literal, Protocol, TypeVar, overload

from socialsafe import paths
from socialsafe.content.roles import Role
from socialsafe.domain.states import DEFAULT_VALIDITY_MONTHS
from socialsafe.resources import bundled

if TYPE_CHECKING:
    from socialsafe.content.loader import Content

# The site config and the pack loader are imported where they are used: the first screen needs neither,
# and they bring pydantic, which would slow every start-up (issue #8).

ENV_SHARE = "SOCIALSAFE_SHARE"

# A setting saved on this PC is kept in the local database under the same name as its site config key.
SHARE_SETTING = "share_folder"  # the shared folder chosen in the app's Settings
SCHOOL_SETTING = "school_name"
ADMIN_HASH_SETTING = "admin_passphrase_hash"
IDLE_SETTING = "idle_minutes"

DEFAULT_IDLE_MINUTES = 5
ALL_ROLES: tuple[Role, ...] = tuple(Role)


class Source(StrEnum):
    """Where a setting's value came from, as the app shows it."""

    FLAG = "command line"
    ENVIRONMENT = "environment"
    SAVED = "this PC's settings"
    SITE = "site config"
    DEFAULT = "default"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    share: Path | None = None
    extra_packs: list[Path] = field(default_factory=list)
    share_source: Source = Source.DEFAULT

    @classmethod
    def resolve(cls, data_dir: str | None, share: str | None, packs: list[str] | None) -> Settings:
        """A flag beats the environment, which beats the defaults."""
        share_text = share or os.environ.get(ENV_SHARE)
        source = Source.FLAG if share else Source.ENVIRONMENT if share_text else Source.DEFAULT
        return cls(
            data_dir=paths.data_dir(data_dir),
            share=Path(share_text).expanduser() if share_text else None,
            extra_packs=paths.extra_pack_dirs(packs),
            share_source=source,
        )

    def share_folder(self, saved: str | None) -> tuple[Path | None, Source]:
        """The shared folder in force and where it came from: flag, environment, this PC's saved choice,
        then the site config.

        ``saved`` is the value stored under SHARE_SETTING in the local database.
        """
        if self.share is not None:
            return self.share, self.share_source
        if saved:
            return Path(saved).expanduser(), Source.SAVED
        from socialsafe.site_config import site_config

        site: str | None = site_config().values.share_folder
        if site:
            return Path(site).expanduser(), Source.SITE
        return None, Source.DEFAULT

    @property
    def database(self) -> Path:
        return self.data_dir / paths.DATABASE_NAME

    def pack_roots(self, saved_share: str | None = None) -> list[Path]:
        """Every folder the app loads packs from: bundled, extra, then the share's content.

        Once this PC has met the office's admin authority, the share's packs are the ones the office
        signed, as the last sync took them into this PC's own folder: never the share's files as they are.
        """
        roots = [bundled("quizzes"), *self.extra_packs]
        signed = self.data_dir / paths.SHARE_PACKS_DIR_NAME
        from socialsafe.site_config import site_config

        # This PC pinned an authority (the folder is made then), or IT pinned one: only signed packs, ever,
        # whatever the share looks like today (someone may have hidden its authority).
        if signed.is_dir() or site_config().values.admin_authority:
            return [*roots, signed] if signed.is_dir() else roots
        share = self.share_folder(saved_share)[0]
        if share is not None and _answers_in_time(lambda: _unsigned_content(share)):
            roots.append(share / "content")
        return roots

    def load_content(self, saved_share: str | None = None) -> Content:
        from socialsafe.content.loader import load_all

        return load_all(self.pack_roots(saved_share))


def _unsigned_content(share: Path) -> bool:
    """Whether the share has packs and no sign of the office's authority (contract v1: its packs are used)."""
    if not (share / "content").is_dir() or (share / "authority").exists():
        return False
    from socialsafe.sync.share import marker_names_authority

    return not marker_names_authority(share)


PROBE_SECONDS = 3.0


def _answers_in_time(probe: Callable[[], bool]) -> bool:
    """Ask a possibly hung network drive a question, giving up after a few seconds.

    The probe runs on a daemon thread: if the drive never answers, the thread is
    left behind (it cannot be cancelled) and start-up carries on without it.
    """
    answer: list[bool] = []

    def run() -> None:
        try:
            answer.append(probe())
        except OSError:
            answer.append(False)

    thread = threading.Thread(target=run, daemon=True, name="share-probe")
    thread.start()
    thread.join(PROBE_SECONDS)
    return bool(answer and answer[0])


# Every setting's value in force, and where it came from -----------------------

T = TypeVar("T")


@dataclass(frozen=True)
class Resolved(Generic[T]):
    """A setting's value in force and where it came from (the app shows ``source``)."""

    value: T
    source: Source


class SavedSettings(Protocol):
    """This PC's saved settings: the local database (:class:`socialsafe.storage.store.Store`)."""

    def setting(self, key: str, default: str | None = None) -> str | None: ...


# Where each setting can come from, in order of precedence (the default always last).
TIERS: dict[str, tuple[Source, ...]] = {
    "share_folder": (Source.FLAG, Source.ENVIRONMENT, Source.SAVED, Source.SITE, Source.DEFAULT),
    "school_name": (Source.SAVED, Source.SITE, Source.DEFAULT),
    # The same on every PC of a site, so that every PC gives a person the same status: no per-PC value.
    "roles": (Source.SITE, Source.DEFAULT),
    "pass_mark": (Source.SITE, Source.DEFAULT),
    "valid_for_months": (Source.SITE, Source.DEFAULT),
    "admin_passphrase_hash": (Source.SAVED, Source.SITE, Source.DEFAULT),
    "idle_minutes": (Source.SAVED, Source.SITE, Source.DEFAULT),
    # Only IT may pin the office's authority for a site: a PC pins the one it first meets by itself.
    "admin_authority": (Source.SITE, Source.DEFAULT),
}

DEFAULTS: dict[str, object] = {
    "share_folder": None,  # no shared folder: results stay on this PC
    "school_name": None,  # the School field is not pre-filled
    "roles": ALL_ROLES,
    "pass_mark": None,  # each module's own pass mark
    "valid_for_months": DEFAULT_VALIDITY_MONTHS,  # used only when the pack sets no period
    "admin_passphrase_hash": None,  # no admin passphrase set
    "idle_minutes": DEFAULT_IDLE_MINUTES,
    "admin_authority": None,  # the one each PC pins the first time it meets it
}


@overload
def effective(
    key: Literal["share_folder"], settings: Settings, store: SavedSettings | None = None
) -> Resolved[Path | None]: ...
@overload
def effective(
    key: Literal["school_name", "admin_passphrase_hash"], settings: Settings, store: SavedSettings | None = None
) -> Resolved[str | None]: ...
@overload
def effective(
    key: Literal["roles"], settings: Settings, store: SavedSettings | None = None
) -> Resolved[tuple[Role, ...]]: ...
@overload
def effective(
    key: Literal["pass_mark"], settings: Settings, store: SavedSettings | None = None
) -> Resolved[float | None]: ...
@overload
def effective(
    key: Literal["valid_for_months", "idle_minutes"], settings: Settings, store: SavedSettings | None = None
) -> Resolved[int]: ...
@overload
def effective(key: str, settings: Settings, store: SavedSettings | None = None) -> Resolved[Any]: ...
def effective(key: str, settings: Settings, store: SavedSettings | None = None) -> Resolved[Any]:
    """The value of setting ``key`` in force and where it came from.

    Precedence: command-line flag, environment, this PC's saved setting
    (``store``; None when no database is open), site config, built-in default,
    over the places :data:`TIERS` allows for ``key``. A saved value that is not
    valid (edited by hand, or from an older version) is passed over, as a bad
    site config key is.
    """
    if key not in TIERS:
        raise KeyError(key)
    saved = _saved(store, key) if Source.SAVED in TIERS[key] else None
    if key == "share_folder":
        share, source = settings.share_folder(saved)
        return Resolved(share, source)
    from socialsafe.site_config import site_config

    site = site_config().get(key)
    if key == "admin_passphrase_hash" and site is not None:
        # Once IT sets the admin passphrase for the site, no PC's own older one may bypass it.
        return Resolved(site, Source.SITE)
    if saved is not None:
        return Resolved(saved, Source.SAVED)
    if site is not None:
        return Resolved(site, Source.SITE)
    return Resolved(DEFAULTS[key], Source.DEFAULT)


def effective_all(settings: Settings, store: SavedSettings | None = None) -> dict[str, Resolved[Any]]:
    """Every setting :func:`effective` knows, by key: what a Settings window lists."""
    return {key: effective(key, settings, store) for key in TIERS}


def _saved(store: SavedSettings | None, key: str) -> Any:
    """This PC's saved value of ``key``, checked like a site config value; None when absent or not valid."""
    if store is None:
        return None
    text = store.setting(key)
    if text is None or not text.strip():
        return None
    if key == "share_folder":
        return text  # any folder chosen in Settings; it is checked when it is used
    try:
        from socialsafe.site_config import check_value

        return check_value(key, int(text) if key == IDLE_SETTING else text)
    except ValueError:
        return None
