"""Commands that need neither Qt nor the database's ORM start without importing them (issue #18).

Each runs in a fresh process, as a person's command does; the test lists what was imported.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from socialsafe.resources import bundled

HEAVY = ("PySide6", "sqlalchemy", "sqlmodel")


def imported_by(args: list[str], home: Path) -> tuple[int, list[str]]:
    script = textwrap.dedent(
        f"""
        import sys
        from socialsafe import cli
        try:
            code = cli.main({args!r})
        except SystemExit as stop:  # --help
            code = stop.code
        print("HEAVY", [name for name in {HEAVY!r} if name in sys.modules])
        sys.exit(code)
        """
    )
    env = {**os.environ, "SOCIALSAFE_HOME": str(home), "SOCIALSAFE_SITE_CONFIG": str(home / "none.toml")}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    line = next(line for line in result.stdout.splitlines() if line.startswith("HEAVY "))
    return result.returncode, ast.literal_eval(line.removeprefix("HEAVY "))


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["validate"],
        ["validate", "--coverage"],
        ["validate", str(bundled("quizzes") / "leaf-social-media")],
        ["no-such-command"],
    ],
    ids=["help", "validate", "coverage", "validate-a-pack", "usage-error"],
)
def test_a_command_that_needs_neither_qt_nor_the_orm_imports_neither(args: list[str], tmp_path: Path) -> None:
    code, heavy = imported_by(args, tmp_path / "home")
    assert code in (0, 2), code  # 2: the usage error
    assert heavy == []


def test_a_command_that_reads_the_records_does_import_the_orm(tmp_path: Path) -> None:
    """The check above can fail: a command that opens the records is seen to load the ORM."""
    _code, heavy = imported_by(["admin", "pcs"], tmp_path / "home")
    assert "sqlalchemy" in heavy
    assert "PySide6" not in heavy
