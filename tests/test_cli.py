"""The ``socialsafe`` command as IT staff run it: a real process, its exit status and its output."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from helpers_packs import FRIENDS, MINI, PACK_TOML, PHOTOS, copy_pack, edit, line_of
from socialsafe import __version__
from socialsafe.config import Settings

PROBLEM_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+): (?P<message>\S.*)$")


def socialsafe(*args: str, home: Path, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "SOCIALSAFE_HOME": str(home), **env}
    for name in ("SOCIALSAFE_SHARE", "SOCIALSAFE_PACKS"):
        if name not in env:
            environment.pop(name, None)
    result = subprocess.run(
        [sys.executable, "-m", "socialsafe", *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=cwd,
        timeout=120,
    )
    assert "Traceback" not in result.stderr
    assert "Traceback" not in result.stdout
    return result


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def test_version_prints_the_version(home: Path) -> None:
    result = socialsafe("--version", home=home)

    assert result.returncode == 0
    assert result.stdout.strip() == f"socialsafe {__version__}"


@pytest.mark.parametrize(
    "args",
    [
        ["--frobnicate"],
        ["frobnicate"],
        ["validate", "--frobnicate"],
        ["--data-dir"],
    ],
    ids=["unknown option", "unknown sub-command", "unknown option of a sub-command", "missing argument"],
)
def test_usage_errors_exit_2(home: Path, args: list[str]) -> None:
    result = socialsafe(*args, home=home)

    assert result.returncode == 2
    assert result.stderr.strip()
    assert result.stdout == ""


def test_validate_with_no_paths_checks_the_bundled_packs(home: Path) -> None:
    result = socialsafe("validate", home=home)

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""
    assert re.search(r"\b[1-9]\d* packs? (is|are) valid\.", result.stderr), result.stderr


def test_validate_a_good_pack_exits_0(home: Path) -> None:
    result = socialsafe("validate", str(MINI), home=home)

    assert result.returncode == 0
    assert result.stdout == ""
    assert "1 pack is valid." in result.stderr


def test_validate_a_file_inside_a_good_pack_exits_0(home: Path) -> None:
    result = socialsafe("validate", str(MINI / FRIENDS), home=home)

    assert result.returncode == 0
    assert "1 pack is valid." in result.stderr


def test_validate_a_broken_pack_prints_path_line_message_and_exits_1(tmp_path: Path, home: Path) -> None:
    pack = copy_pack(tmp_path / "broken")
    edit(pack / FRIENDS, 'type = "single"', 'type = "singel"')
    edit(pack / PACK_TOML, 'strength = "should"', 'strength = "shall"')

    result = socialsafe("validate", str(pack), home=home)

    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    found = {}
    for line in lines:
        match = PROBLEM_LINE.match(line)
        assert match, line
        found[Path(match["path"])] = int(match["line"])
    assert found == {
        pack / FRIENDS: line_of(pack / FRIENDS, 'type = "singel"'),
        pack / PACK_TOML: line_of(pack / PACK_TOML, 'strength = "shall"'),
    }
    assert "2 problems found." in result.stderr


def test_validate_reports_a_relative_path_as_given(tmp_path: Path, home: Path) -> None:
    pack = copy_pack(tmp_path / "broken")
    edit(pack / PHOTOS, 'title = "Photographs"', 'titel = "Photographs"')

    result = socialsafe("validate", "broken", home=home, cwd=tmp_path)

    assert result.returncode == 1
    expected = f"{Path('broken') / PHOTOS}:{line_of(pack / PHOTOS, 'titel =')}: "
    assert any(line.startswith(expected) for line in result.stdout.splitlines()), result.stdout


def test_validate_several_paths_reports_the_bad_and_counts_the_good(tmp_path: Path, home: Path) -> None:
    broken = copy_pack(tmp_path / "broken")
    edit(broken / FRIENDS, "draw = 2", "draw = 4")

    result = socialsafe("validate", str(MINI), str(broken), home=home)

    assert result.returncode == 1
    assert result.stdout.startswith(str(broken / FRIENDS))
    assert "1 pack is valid. 1 problem found." in result.stderr


def test_validate_a_missing_path_exits_1(tmp_path: Path, home: Path) -> None:
    missing = tmp_path / "no-such-pack"

    result = socialsafe("validate", str(missing), home=home)

    assert result.returncode == 1
    assert result.stdout.strip() == f"{missing}: no such file or folder"


def test_validate_a_folder_holding_no_pack_is_a_problem(tmp_path: Path, home: Path) -> None:
    # A pack whose pack.toml is missing (or misnamed) must not pass as "0 packs are valid".
    pack = copy_pack(tmp_path / "pack")
    (pack / PACK_TOML).rename(pack / "Pack.TOML")

    result = socialsafe("validate", str(pack), home=home)

    assert result.returncode == 1, result.stderr


def test_validate_with_no_paths_includes_the_packs_from_the_environment(tmp_path: Path, home: Path) -> None:
    extra = tmp_path / "extra"
    broken = copy_pack(extra / "broken")
    edit(broken / PACK_TOML, 'id = "example"', 'id = "example-extra"')
    edit(broken / FRIENDS, "feedback = ", "feeback = ")

    result = socialsafe("validate", home=home, SOCIALSAFE_PACKS=str(extra))

    assert result.returncode == 1
    assert str(broken / FRIENDS) in result.stdout


def test_validate_with_no_paths_includes_the_packs_from_the_flag(tmp_path: Path, home: Path) -> None:
    extra = tmp_path / "extra"
    broken = copy_pack(extra / "broken")
    edit(broken / PACK_TOML, 'id = "example"', 'id = "example-extra"')
    edit(broken / FRIENDS, "feedback = ", "feeback = ")

    result = socialsafe("--packs", str(extra), "validate", home=home)

    assert result.returncode == 1
    assert str(broken / FRIENDS) in result.stdout


def test_validate_writes_its_log_in_the_data_folder_not_elsewhere(tmp_path: Path, home: Path) -> None:
    other = tmp_path / "other"

    result = socialsafe("--data-dir", str(other), "validate", str(MINI), home=home)

    assert result.returncode == 0
    assert (other / "logs").is_dir()
    assert not home.exists()


# Settings ------------------------------------------------------------------


def test_data_dir_flag_beats_socialsafe_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOCIALSAFE_HOME", str(tmp_path / "from-env"))

    assert Settings.resolve(str(tmp_path / "from-flag"), None, None).data_dir == tmp_path / "from-flag"
    assert Settings.resolve(None, None, None).data_dir == tmp_path / "from-env"


def test_share_flag_beats_socialsafe_share(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOCIALSAFE_SHARE", str(tmp_path / "env-share"))

    assert Settings.resolve(None, str(tmp_path / "flag-share"), None).share == tmp_path / "flag-share"
    assert Settings.resolve(None, None, None).share == tmp_path / "env-share"
    monkeypatch.delenv("SOCIALSAFE_SHARE")
    assert Settings.resolve(None, None, None).share is None


def test_packs_flag_beats_socialsafe_packs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOCIALSAFE_PACKS", os.pathsep.join([str(tmp_path / "a"), str(tmp_path / "b")]))

    assert Settings.resolve(None, None, [str(tmp_path / "c")]).extra_packs == [tmp_path / "c"]
    assert Settings.resolve(None, None, None).extra_packs == [tmp_path / "a", tmp_path / "b"]


def test_pack_roots_are_bundled_then_extra_then_the_share_content(tmp_path: Path) -> None:
    (tmp_path / "share" / "content").mkdir(parents=True)

    roots = Settings.resolve(None, str(tmp_path / "share"), [str(tmp_path / "x")]).pack_roots()

    assert roots[0].name == "quizzes"
    assert roots[1:] == [tmp_path / "x", tmp_path / "share" / "content"]
