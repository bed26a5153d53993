"""A wheel built from the repository, installed into a clean virtual environment,
finds its quiz packs and artwork and starts."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding only the built wheel; dependencies come from this environment."""
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(work / "dist"), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = (work / "dist").glob("socialsafe-*.whl")
    env_dir = work / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
    )
    # PySide6 and friends from this environment, without its editable copy of socialsafe:
    # a plain path line does not run the other site folder's .pth files.
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(purelib) / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


def run(python: Path, *args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SOCIALSAFE_HOME": str(tmp_path / "home"), "QT_QPA_PLATFORM": "offscreen"}
    env.pop("PYTHONPATH", None)
    return subprocess.run([str(python), *args], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)


def test_the_installed_copy_is_the_wheel(installed: Path, tmp_path: Path) -> None:
    result = run(installed, "-c", "import socialsafe; print(socialsafe.__file__)", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()).is_relative_to(installed.parent.parent)


def test_the_wheel_carries_its_packs_and_assets(installed: Path, tmp_path: Path) -> None:
    code = (
        "from socialsafe.resources import bundled; import socialsafe, pathlib;"
        "root = pathlib.Path(socialsafe.__file__).parent;"
        "print(bundled('quizzes') == root / 'quizzes', (root / 'assets' / 'icon.svg').is_file(),"
        " (root / 'assets' / 'style.qss').is_file())"
    )
    result = run(installed, "-c", code, tmp_path=tmp_path)
    assert result.stdout.split() == ["True", "True", "True"], result.stderr


def test_the_installed_app_validates_its_packs_and_starts(installed: Path, tmp_path: Path) -> None:
    script = installed.parent / ("socialsafe.exe" if os.name == "nt" else "socialsafe")
    validate = run(script, "validate", tmp_path=tmp_path)
    assert validate.returncode == 0, validate.stdout + validate.stderr
    assert "1 pack is valid." in validate.stderr
    # The console script, as a person or a shortcut starts it, offscreen (see run()).
    start = run(script, "gui", "--startup-check", tmp_path=tmp_path)
    assert start.returncode == 0, start.stderr
    assert (tmp_path / "home" / "socialsafe.db").is_file()


def test_the_wheel_carries_compiled_translations(installed: Path, tmp_path: Path) -> None:
    code = (
        "import pathlib, socialsafe; from socialsafe.i18n import _, set_locale;"
        "root = pathlib.Path(socialsafe.__file__).parent;"
        "print((root / 'locale' / 'cy' / 'LC_MESSAGES' / 'socialsafe.mo').is_file());"
        "set_locale('cy'); print(_('Who are you?'))"
    )
    result = run(installed, "-c", code, tmp_path=tmp_path)
    assert result.stdout.splitlines() == ["True", "Pwy ydych chi?"], result.stderr
