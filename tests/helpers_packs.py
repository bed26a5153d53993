"""Building broken quiz packs for tests: copy a good pack, then edit its text."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

MINI = Path(__file__).parent / "packs" / "mini"
PACK_TOML = "pack.toml"
FRIENDS = "modules/01-friend-requests.toml"
PHOTOS = "modules/02-photos.toml"


def copy_pack(dest: Path, source: Path = MINI) -> Path:
    """A fresh copy of ``source`` at ``dest`` (which must not exist yet)."""
    shutil.copytree(source, dest)
    return dest


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    """Replace ``old`` by ``new`` in the file; fails if ``old`` is not there ``count`` times or more."""
    text = path.read_text("utf-8")
    assert text.count(old) >= count, f"{old!r} is not in {path} {count} time(s)"
    path.write_text(text.replace(old, new, count), "utf-8")


def line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    """The 1-based number of the line holding the ``occurrence``-th ``needle``."""
    seen = 0
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} not found {occurrence} time(s) in {path}")


def header_above(path: Path, needle: str) -> int:
    """The line of the ``[table]`` or ``[[array]]`` header that holds the line with ``needle``."""
    lines = path.read_text("utf-8").splitlines()
    for number in range(line_of(path, needle), 0, -1):
        if lines[number - 1].lstrip().startswith("["):
            return number
    raise AssertionError(f"no table header above {needle!r} in {path}")


MIXED = "modules/03-final-check.toml"


def add_mixed_module(pack: Path, draw: int, roles: list[str] | None = None, extra: str = "") -> Path:
    """Add a mixed module (a final check drawing across the pack's modules) to a pack; returns its file."""
    path = pack / MIXED
    lines = [
        'id = "final-check"',
        'title = "Final check"',
        'kind = "mixed"',
        'intro = "Questions from every module you have taken."',
        *([f"roles = {roles!r}".replace("'", '"')] if roles is not None else []),
        f"draw = {draw}",
    ]
    path.write_text("\n".join(lines) + "\n" + extra, "utf-8")
    return path


def validate_process(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``socialsafe --data-dir DATA_DIR validate ARGS`` as its own process, to the end."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SOCIALSAFE_")}
    return subprocess.run(
        [sys.executable, "-m", "socialsafe", "--data-dir", str(data_dir), "validate", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )
