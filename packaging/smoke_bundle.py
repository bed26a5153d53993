"""Smoke test of a built PyInstaller bundle: does the folder work on its own?

    python packaging/smoke_bundle.py [BUNDLE]

BUNDLE is the folder PyInstaller made (default: dist/SocialSafe), or on macOS
the SocialSafe.app. Everything runs in a new temporary folder, with Qt's
offscreen platform, so no display is needed and nothing of this PC's own
SocialSafe data is touched. The steps:

1. ``socialsafe-cli --version`` prints the version;
2. ``socialsafe-cli validate`` finds the bundled quiz pack valid (exit 0);
3. ``SocialSafe gui --startup-check`` opens the app's window and exits 0;
4. ``socialsafe-cli record`` records a completion (admin, first use: no passphrase);
5. ``socialsafe-cli sync``, with the shared folder given by a site config file
   (``SOCIALSAFE_SITE_CONFIG``), publishes it: the share then holds its marker,
   ``devices/<uuid>.jsonl`` with the record, and both reports naming the person;
6. ``socialsafe-cli export`` writes an Excel file.

Each step is printed with its result; the exit status is 1 if any failed.
Only the standard library is used, so any Python 3.11 or newer can run it.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
import uuid
import zipfile
from collections.abc import Callable
from pathlib import Path

GUI_NAME = "SocialSafe"
CLI_NAME = "socialsafe-cli"
EXE_SUFFIX = ".exe" if os.name == "nt" else ""
TIMEOUT = 180  # seconds for one command; a first start on a cold disk can be slow

PERSON = ("Smoke Test", "Bundle Primary School")


class StepError(Exception):
    pass


def programs(bundle: Path) -> tuple[Path, Path]:
    """The windowed and the console program of ``bundle`` (a folder, or a macOS .app)."""
    folder = bundle / "Contents" / "MacOS" if bundle.suffix == ".app" else bundle
    gui, cli = folder / (GUI_NAME + EXE_SUFFIX), folder / (CLI_NAME + EXE_SUFFIX)
    for program in (gui, cli):
        if not program.is_file():
            raise SystemExit(f"{program} is missing: is {bundle} a SocialSafe bundle?")
    return gui, cli


def bundled_module_id(bundle: Path) -> str:
    """The id of a module of the bundled quiz pack, read from the bundle's own copy."""
    for module in sorted(bundle.glob("**/socialsafe/quizzes/*/modules/*.toml")):
        return str(tomllib.loads(module.read_text(encoding="utf-8"))["id"])
    raise StepError("the bundle holds no quiz pack under socialsafe/quizzes")


class Smoke:
    def __init__(self, bundle: Path, work: Path) -> None:
        self.bundle = bundle
        self.gui, self.cli = programs(bundle)
        self.home = work / "home"
        self.share = work / "share"
        self.share.mkdir()
        self.out = work / "out"
        self.out.mkdir()
        site = work / "site" / "socialsafe.toml"
        site.parent.mkdir()
        site.write_text(f"share_folder = '{self.share}'\nschool_name = \"{PERSON[1]}\"\n", encoding="utf-8")
        # Only what the bundle is given here: no other Python, data folder, share or packs.
        self.env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("SOCIALSAFE_", "PYTHON", "QT_")) and key not in ("LANGUAGE", "LC_ALL")
        }
        self.env.update(
            QT_QPA_PLATFORM="offscreen",
            SOCIALSAFE_HOME=str(self.home),
            SOCIALSAFE_SITE_CONFIG=str(site),
            SOCIALSAFE_LANG="en_GB",
        )
        self.work = work
        self.failures = 0

    def run(self, program: Path, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(program), *args],
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            env=self.env,
            cwd=self.work,
            timeout=TIMEOUT,
            check=False,
        )

    @property
    def log(self) -> Path:
        return self.home / "logs" / "socialsafe.log"

    def expect_ok(self, program: Path, *args: str) -> subprocess.CompletedProcess[str]:
        logged = self.log.stat().st_size if self.log.is_file() else 0
        result = self.run(program, *args)
        if result.returncode != 0:
            raise StepError(
                f"{program.name} {' '.join(args)} exited {result.returncode}\n"
                f"--- stdout\n{result.stdout}--- stderr\n{result.stderr}" + self.logged_since(logged)
            )
        return result

    def logged_since(self, offset: int) -> str:
        """What the app wrote to its log (where tracebacks go) during the failed command."""
        if not self.log.is_file():
            return ""
        with self.log.open("rb") as file:
            file.seek(offset)
            return "--- the log\n" + file.read().decode("utf-8", errors="replace")

    def step(self, title: str, check: Callable[[], str]) -> None:
        print(f"{title} ... ", end="", flush=True)
        start = time.perf_counter()
        try:
            detail = check()
        except (StepError, subprocess.TimeoutExpired, OSError, ValueError, KeyError) as error:
            self.failures += 1
            print(f"FAILED\n{error}", flush=True)
            return
        print(f"ok ({time.perf_counter() - start:.1f} s){': ' + detail if detail else ''}", flush=True)

    # --- the steps --------------------------------------------------------------

    def version(self) -> str:
        result = self.expect_ok(self.cli, "--version")
        if not result.stdout.startswith("socialsafe "):
            raise StepError(f"unexpected version text: {result.stdout!r}")
        return result.stdout.strip()

    def validate(self) -> str:
        result = self.expect_ok(self.cli, "validate")
        return result.stderr.strip().splitlines()[-1] if result.stderr.strip() else ""

    def startup(self) -> str:
        self.expect_ok(self.gui, "gui", "--startup-check")
        if not (self.home / "socialsafe.db").is_file():
            raise StepError(f"no database in the data folder {self.home}")
        return "window shown, database made"

    def record(self) -> str:
        module = bundled_module_id(self.bundle)
        name, school = PERSON
        self.expect_ok(
            self.cli, "record", "--name", name, "--school", school, "--role", "teacher",
            "--module", module, "--score", "5", "--max-score", "5", "--note", "bundle smoke test",
        )  # fmt: skip
        return f"module {module}"

    def sync(self) -> str:
        self.expect_ok(self.cli, "sync")
        marker = json.loads((self.share / "socialsafe-share.json").read_text(encoding="utf-8"))
        if marker.get("format") != "socialsafe-share":
            raise StepError(f"the share's marker is not SocialSafe's: {marker}")
        devices = sorted((self.share / "devices").glob("*.jsonl"))
        if len(devices) != 1:
            raise StepError(f"expected one device file in {self.share / 'devices'}, found {len(devices)}")
        device = devices[0]
        uuid.UUID(device.stem)  # the name is the device id
        lines = [json.loads(line) for line in device.read_text(encoding="utf-8").splitlines()]
        header, records = lines[0], lines[1:]
        if header.get("format") != "socialsafe-device-log" or header.get("device_id") != device.stem:
            raise StepError(f"the device file's header is wrong: {header}")
        kinds = sorted({record["kind"] for record in records})
        if "attempt" not in kinds or "learner" not in kinds:
            raise StepError(f"the device file lacks the recorded completion (kinds: {kinds})")
        for report in ("completions.csv", "modules.csv"):
            with (self.share / "reports" / report).open(encoding="utf-8-sig", newline="") as file:
                names = [row["name"] for row in csv.DictReader(file)]
            if PERSON[0] not in names:
                raise StepError(f"reports/{report} does not list {PERSON[0]}: {names}")
        return f"devices/{device.name} ({len(records)} records), reports/completions.csv, reports/modules.csv"

    def export(self) -> str:
        out = self.out / "completions.xlsx"
        self.expect_ok(self.cli, "export", "--out", str(out))
        with zipfile.ZipFile(out) as book:
            if "xl/workbook.xml" not in book.namelist():
                raise StepError(f"{out} is not an Excel workbook")
        return f"{out.stat().st_size} bytes"

    def all(self) -> int:
        print(f"Smoke test of {self.bundle} (data folder and share in {self.work})", flush=True)
        self.step(f"{CLI_NAME} --version", self.version)
        self.step(f"{CLI_NAME} validate", self.validate)
        self.step(f"{GUI_NAME} gui --startup-check", self.startup)
        self.step(f"{CLI_NAME} record (a completion to publish)", self.record)
        self.step(f"{CLI_NAME} sync (share from the site config)", self.sync)
        self.step(f"{CLI_NAME} export --out completions.xlsx", self.export)
        if self.failures:
            print(f"{self.failures} step(s) failed.", flush=True)
            return 1
        print("All steps passed.", flush=True)
        return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Smoke-test a SocialSafe PyInstaller bundle.")
    parser.add_argument(
        "bundle",
        nargs="?",
        type=Path,
        default=Path(__file__).resolve().parents[1] / "dist" / GUI_NAME,
        help="the bundle folder (default: dist/SocialSafe), or SocialSafe.app on macOS",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder, and say where it is")
    args = parser.parse_args(argv)
    bundle = args.bundle.resolve()
    if not bundle.is_dir():
        parser.error(f"{bundle} is not a folder: build the bundle first (packaging/build_bundle.sh)")
    work = Path(tempfile.mkdtemp(prefix="socialsafe-smoke-"))
    try:
        return Smoke(bundle, work).all()
    finally:
        if args.keep:
            print(f"Kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
