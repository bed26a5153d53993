"""Settings resolved from flags and the environment, and what follows from them."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from socialsafe import paths
from socialsafe.content.loader import Content, load_all
from socialsafe.resources import bundled

ENV_SHARE = "SOCIALSAFE_SHARE"


SHARE_SETTING = "share_folder"  # the shared folder chosen in the app's Settings


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
        """The shared folder in force and where it came from: flag, environment, then this PC's saved choice.

        ``saved`` is the value stored under SHARE_SETTING in the local database.
        """
        if self.share is not None:
            return self.share, self.share_source
        if saved:
            return Path(saved), Source.SAVED
        return None, Source.DEFAULT

    @property
    def database(self) -> Path:
        return self.data_dir / paths.DATABASE_NAME

    def pack_roots(self) -> list[Path]:
        """Every folder the app loads packs from: bundled, extra, then the share's content."""
        roots = [bundled("quizzes"), *self.extra_packs]
        if self.share is not None and (self.share / "content").is_dir():
            roots.append(self.share / "content")
        return roots

    def load_content(self) -> Content:
        return load_all(self.pack_roots())
