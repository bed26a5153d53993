"""A problem found in a pack file, with the file and, where known, the line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a pack file."""

    path: Path
    message: str
    line: int | None = None
    where: str | None = None  # "question ID: field" when no line is known
    note: bool = False  # said, but not a problem: nothing is wrong (a file Windows itself puts in every folder)

    def __str__(self) -> str:
        if self.line is not None:
            prefix = f"{self.path}:{self.line}: "
            return prefix + (f"{self.where}: " if self.where else "") + self.message
        return f"{self.path}: " + (f"{self.where}: " if self.where else "") + self.message


class PackError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems
