"""Settings resolved from flags and the environment, and what follows from them."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from socialsafe import paths
from socialsafe.content.loader import Content, load_all
from socialsafe.resources import bundled

ENV_SHARE = "SOCIALSAFE_SHARE"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    share: Path | None = None
    extra_packs: list[Path] = field(default_factory=list)

    @classmethod
    def resolve(cls, data_dir: str | None, share: str | None, packs: list[str] | None) -> Settings:
        """A flag beats the environment, which beats the defaults."""
        share_text = share or os.environ.get(ENV_SHARE)
        return cls(
            data_dir=paths.data_dir(data_dir),
            share=Path(share_text).expanduser() if share_text else None,
            extra_packs=paths.extra_pack_dirs(packs),
        )

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
