"""The PyInstaller bundle (packaging/socialsafe.spec) runs on its own, and the
Windows installer (packaging/windows/socialsafe.iss) installs what the spec builds.

Building the bundle needs PyInstaller (in the ``dev`` and ``bundle`` extras);
without it those tests are skipped. The checks that only read the spec and the
installer script always run.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from socialsafe.paths import APP_AUTHOR, APP_NAME
from socialsafe.site_config import SITE_CONFIG_NAME

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "packaging" / "socialsafe.spec"
SMOKE = ROOT / "packaging" / "smoke_bundle.py"
ISS = ROOT / "packaging" / "windows" / "socialsafe.iss"
EXE = ".exe" if os.name == "nt" else ""


def spec_constant(name: str) -> object:
    """The value of a top-level ``NAME = <literal>`` in the spec."""
    for node in ast.parse(SPEC.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == [name]:
            return ast.literal_eval(node.value)
    raise AssertionError(f"{SPEC.name} has no constant {name}")


def iss_defines() -> dict[str, str]:
    return dict(re.findall(r'^#define (\w+) "([^"]*)"$', ISS.read_text(encoding="utf-8"), re.MULTILINE))


def iss_code() -> str:
    """The installer's [Code] section (Pascal), which is the script's last."""
    text = ISS.read_text(encoding="utf-8")
    return text[text.index("\n[Code]\n") :]


def pascal_routine(code: str, name: str) -> str:
    """The text of one function or procedure of [Code], from its heading to the next routine's."""
    found = re.search(rf"^(?:function|procedure) {name}\b.*?(?=^(?:function|procedure) |\Z)", code, re.M | re.S)
    assert found, f"[Code] has no routine {name}"
    return found.group(0)


def spec_exe_keyword(name: str, console: bool) -> object:
    """The value the spec's ``program()`` passes to EXE as ``name``, for a console or windowed program."""
    tree = ast.parse(SPEC.read_text(encoding="utf-8"))
    helper = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "program")
    exe = next(n for n in ast.walk(helper) if isinstance(n, ast.Call) and getattr(n.func, "id", None) == "EXE")
    keyword = next((k for k in exe.keywords if k.arg == name), None)
    assert keyword is not None, f"the spec's EXE is given no {name}"
    return eval(compile(ast.Expression(keyword.value), str(SPEC), "eval"), {}, {"console": console})


def spec_programs() -> dict[str, bool]:
    """Each program the spec builds (its name constant) and whether it is a console program."""
    programs = {}
    for node in ast.walk(ast.parse(SPEC.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "program":
            console = next(k.value for k in node.keywords if k.arg == "console")
            programs[node.args[0].id] = ast.literal_eval(console)
    return programs


def test_the_spec_keeps_every_qt_module_the_app_imports() -> None:
    imported = set()
    for source in (ROOT / "src" / "socialsafe").rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            module = (node.module or "") if isinstance(node, ast.ImportFrom) else ""
            if module.startswith("PySide6."):
                imported.add(module.split(".")[1])
            elif isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[1] for alias in node.names if alias.name.startswith("PySide6.")}
    kept = spec_constant("QT_MODULES")
    assert isinstance(kept, tuple)
    assert imported, "no PySide6 import found: has the source moved?"
    assert imported <= set(kept), f"the bundle would leave out {sorted(imported - set(kept))}"


def test_the_installer_installs_what_the_spec_builds() -> None:
    defines = iss_defines()
    app, cli = spec_constant("APP_NAME"), spec_constant("CLI_NAME")
    assert defines["AppName"] == app
    assert defines["AppExe"] == f"{app}.exe"
    assert defines["CliExe"] == f"{cli}.exe"
    # Windows file names ignore case: the console program must not be socialsafe.exe.
    assert defines["AppExe"].casefold() != defines["CliExe"].casefold()
    text = ISS.read_text(encoding="utf-8")
    # The default source is the folder the spec's COLLECT makes, with the icon the spec puts in it.
    assert f'"..\\..\\dist\\{app}"' in text
    assert f"SetupIconFile={{#DistDir}}\\_internal\\{app}.ico" in text
    # The site config goes where socialsafe.site_config looks for it on Windows, and the
    # folder above it, which the installer locks too, is its parent.
    assert defines["SiteConfigDir"] == f"{{commonappdata}}\\{APP_AUTHOR}\\{APP_NAME}"
    assert defines["VendorDir"] == f"{{commonappdata}}\\{APP_AUTHOR}"
    assert defines["SiteConfigName"] == SITE_CONFIG_NAME
    # The Start-menu shortcut opens the windowed program: an error before logging starts must
    # not show a learner PyInstaller's traceback. The console program keeps its traceback.
    assert spec_programs() == {"APP_NAME": False, "CLI_NAME": True}
    assert spec_exe_keyword("disable_windowed_traceback", console=False) is True
    assert spec_exe_keyword("disable_windowed_traceback", console=True) is False


def test_the_installer_keeps_data_and_site_config_on_uninstall() -> None:
    text = ISS.read_text(encoding="utf-8")
    assert "PrivilegesRequired=admin" in text
    assert re.search(r"^AppId=\{\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}$", text, re.MULTILINE)
    # Only [Code] makes the site config's folders and file, so the uninstaller, which undoes what
    # [Dirs] and [Files] made, never removes them; a site config built in is never copied by [Files].
    entries = [line for line in text.splitlines() if line.startswith(("Source:", "Name:", "Type:"))]
    assert not [line for line in entries if "{#SiteConfigDir}" in line or "{#VendorDir}" in line]
    assert 'Source: "{#SiteConfig}"; Flags: dontcopy' in text
    assert not re.search(r"^\[Dirs\]", text, re.MULTILINE)
    # Nothing deletes anything outside the program folder, and no data folder is named.
    assert "[UninstallDelete]" not in text
    assert "[UninstallRun]" not in text
    assert "CurUninstallStepChanged" not in text
    assert re.findall(r'^Type: filesandordirs; Name: "([^"]*)"', text, re.MULTILINE) == ["{app}\\_internal"]
    assert "{localappdata}" not in text
    assert "{userappdata}" not in text


def test_the_installer_locks_the_site_config_folders_and_replaces_a_planted_site_config() -> None:
    code = iss_code()
    # Well-known SIDs, so icacls works in every language of Windows; no group is named in words.
    assert "SidAdmins = '*S-1-5-32-544'" in code
    assert "SidSystem = '*S-1-5-18'" in code
    assert "SidUsers = '*S-1-5-32-545'" in code
    assert not re.search(r"(Administrators|Users|SYSTEM):\(", code)
    # Both C:\ProgramData\LeafTrust and its SocialSafe folder are locked: Administrators own them,
    # and only Administrators and SYSTEM (full) and Users (read) are left in their permissions.
    assert "ExpandConstant('{#VendorDir}')" in pascal_routine(code, "VendorFolder")
    assert "ExpandConstant('{#SiteConfigDir}')" in pascal_routine(code, "SiteConfigFolder")
    lock = pascal_routine(code, "LockFolder")
    assert "' /setowner ' + SidAdmins + ' /L /C /Q'" in lock
    assert "' /reset /L /C /Q'" in lock
    assert (
        "' /inheritance:r /grant:r ' + SidSystem + ':(OI)(CI)F ' + SidAdmins + ':(OI)(CI)F ' +\n"
        "    SidUsers + ':(OI)(CI)RX /L /C /Q'"
    ) in lock
    assert "if IsLink(Dir) then" in lock  # never through a junction to somewhere else
    secure = pascal_routine(code, "SecureSiteConfigFolders")
    # Who owned the folders is noted before the lock makes Administrators their owner.
    assert (
        secure.index("OwnerCheck(")
        < secure.index("LockFolder(VendorFolder)")
        < secure.index("LockFolder(SiteConfigFolder)")
    )
    steps = pascal_routine(code, "CurStepChanged")
    assert steps.index("ssInstall") < steps.index("SecureSiteConfigFolders") < steps.index("ssPostInstall")
    assert steps.index("ssPostInstall") < steps.index("PlaceSiteConfig")
    # The replacement rule: a site config is kept only when Administrators or SYSTEM own it and
    # both folders (SDDL BA or SY), and it is no link; otherwise it is moved aside and replaced.
    assert "''^O:(BA|SY)(G:|D:|S:|$)''" in pascal_routine(code, "OwnerCheck")
    assert ".LinkType" in pascal_routine(code, "OwnerCheck")
    trust = pascal_routine(code, "TrustOf")
    assert "FolderOwners = OwnedBySomeoneElse" in trust
    assert "OwnerCheck(PsString(Target))" in trust
    place = pascal_routine(code, "PlaceSiteConfig")
    assert "Trust := TrustOf(Target)" in place
    assert "(Trust = OwnedByAdmins) and ((Source = '') or not ReplaceSiteConfig)" in place
    assert "RenameFile(Target, Aside)" in place
    assert "replaced a site config not owned by administrators" in place
    # /REPLACESITECONFIG still replaces an administrator's file; the copy never writes into an
    # existing file (which could be a link), and both the switch and the built-in file still count.
    assert "SwitchGiven('/REPLACESITECONFIG')" in pascal_routine(code, "ReplaceSiteConfig")
    assert "DeleteFile(Target)" in place
    assert re.findall(r"FileCopy\(([^()]*)\)", code) == ["Source, Target, True"]
    assert "ExtractTemporaryFile('{#SiteConfigFile}')" in pascal_routine(code, "SiteConfigSource")
    # What needs IT's attention gives the exit code the IT guide lists.
    assert "ExitNeedsAttention = 10;" in code
    assert "Result := ExitNeedsAttention" in pascal_routine(code, "GetCustomSetupExitCode")
    guide = (ROOT / "docs" / "it-guide.md").read_text(encoding="utf-8")
    assert re.search(r"^\| 10 \| installed, but the site config", guide, re.MULTILINE)


# --- the bundle itself -------------------------------------------------------


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The one-folder bundle, built with this environment's Python and PyInstaller."""
    if importlib.util.find_spec("PyInstaller") is None:
        pytest.skip('PyInstaller is not installed (pip install -e ".[bundle]"): the bundle is not built here')
    work = tmp_path_factory.mktemp("bundle")
    result = subprocess.run(
        [
            *(sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN"),
            *("--distpath", str(work / "dist"), "--workpath", str(work / "build"), str(SPEC)),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=1200,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-5000:]
    return work / "dist" / str(spec_constant("APP_NAME"))


def test_the_bundle_runs_on_its_own(bundle: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(SMOKE), str(bundle)], capture_output=True, text=True, timeout=900, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All steps passed." in result.stdout


def test_the_bundle_holds_what_the_installer_takes(bundle: Path) -> None:
    app, cli = spec_constant("APP_NAME"), spec_constant("CLI_NAME")
    assert (bundle / f"{app}{EXE}").is_file()
    assert (bundle / f"{cli}{EXE}").is_file()
    assert (bundle / "_internal" / f"{app}.ico").is_file()
    ico = (bundle / "_internal" / f"{app}.ico").read_bytes()
    assert ico[:4] == b"\0\0\1\0"  # an icon...
    assert int.from_bytes(ico[4:6], "little") >= 5  # ...with several sizes
    for folder in ("quizzes", "assets"):
        assert any((bundle / "_internal" / "socialsafe" / folder).iterdir())
    assert list((bundle / "_internal" / "socialsafe" / "locale").glob("*/LC_MESSAGES/socialsafe.mo"))


def test_only_the_windowed_program_hides_tracebacks(bundle: Path) -> None:
    """The spec's option reaches the built programs (the bootloader reads it from each one's archive)."""
    from PyInstaller.archive.readers import CArchiveReader

    app, cli = spec_constant("APP_NAME"), spec_constant("CLI_NAME")
    option = "pyi-disable-windowed-traceback"
    assert option in CArchiveReader(str(bundle / f"{app}{EXE}")).options
    assert option not in CArchiveReader(str(bundle / f"{cli}{EXE}")).options


def test_the_bundle_leaves_out_what_the_app_does_not_use(bundle: Path) -> None:
    unused = re.compile(r"Qt6?(Qml|Quick|VirtualKeyboard|Pdf|WebEngine)|qpdf|mypy|pytest", re.IGNORECASE)
    found = sorted(str(p.relative_to(bundle)) for p in bundle.rglob("*") if unused.search(p.name))
    assert not found
