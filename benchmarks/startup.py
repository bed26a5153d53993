"""Benchmark: how long `socialsafe gui --startup-check` and `--ready-check` take, against a bare PySide6 window.

Run from the repository root::

    .venv/bin/python benchmarks/startup.py [--rounds 7] [--people 200] [--attempts 5000]

Both run as fresh processes, offscreen, one after the other in each round (so
they see the same load): the bare one imports PySide6, shows a QMainWindow and
quits when the event loop is idle; SocialSafe does what a volunteer's double
click does, on a data folder with ``--people`` learners and ``--attempts``
finished attempts, and quits the same way (``--startup-check``: the first
screen shown; target at most 3x). Then ``--ready-check``: the same start, until
the records, the packs and every screen are loaded, so a learner could start a
quiz at once (target at most 4x). It prints each round, the medians, their
ratios and each process's peak resident memory. It is a measurement, not a
test: it exits 0.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from socialsafe.content.loader import load_all
from socialsafe.resources import bundled
from socialsafe.storage.store import Store
from socialsafe.sync import engine
from socialsafe.sync import records as rec

BARE = """
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
window = QMainWindow()
window.setWindowTitle("bare")
window.show()
QTimer.singleShot(0, app.quit)
app.exec()
"""


def populate(data_dir: Path, people: int, attempts: int, seed: int = 1) -> None:
    """A data folder as a busy shared PC has it: ``people`` learners, ``attempts`` finished attempts."""
    data_dir.mkdir(parents=True, exist_ok=True)
    store = Store(data_dir / "socialsafe.db")
    pack = load_all([bundled("quizzes")]).current[0]
    modules = [m for m in pack.modules if m.questions]
    rng = random.Random(seed)
    now = dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC)
    learners = [
        rec.LearnerRec(rec_id(rng), store.device_id, f"Person {n}", None, "volunteer", "Oak", now)
        for n in range(people)
    ]
    made: list[rec.Record] = [*learners]
    for _ in range(attempts):
        module = rng.choice(modules)
        started = now - dt.timedelta(days=rng.randrange(400), minutes=rng.randrange(600))
        score = rng.randrange(6)
        made.append(
            rec.AttemptRec(
                rec_id(rng),
                store.device_id,
                rng.choice(learners).id,
                pack.id,
                pack.version,
                pack.policy.version,
                module.id,
                started,
                started + dt.timedelta(minutes=5),
                score,
                5,
                0.8,
                score >= 4,
                "quiz",
                None,
            )
        )
    for table, rows in engine._rows(made).items():
        store.import_rows(table, rows)
    store.close()


def rec_id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{command} failed with status {status}")
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB elsewhere
    return seconds, usage.ru_maxrss * scale / 2**20


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--attempts", type=int, default=5000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="socialsafe-startup-") as tmp:
        data = Path(tmp) / "data"
        populate(data, args.people, args.attempts)
        env = {
            **os.environ,
            "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
            "SOCIALSAFE_HOME": str(data),
            "SOCIALSAFE_SITE_CONFIG": str(Path(tmp) / "no-site.toml"),
        }
        env.pop("SOCIALSAFE_SHARE", None)
        # An installed copy runs from compiled bytecode (pip and PyInstaller write it); so do these runs,
        # with the cache kept in the temporary folder rather than the checkout.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        app = [sys.executable, "-m", "socialsafe", "gui", "--startup-check"]
        bare = [sys.executable, "-c", BARE]
        ready = [sys.executable, "-m", "socialsafe", "gui", "--ready-check"]
        # Once each first: the database's first open, the bytecode cache and the OS file cache are not measured.
        timed(app, env)
        timed(ready, env)
        timed(bare, env)
        runs: dict[str, list[tuple[float, float]]] = {"bare window": [], "first screen": [], "ready": []}
        print(f"Data folder: {args.people} people, {args.attempts} attempts.")
        print("Rounds (bare, first screen, then ready for a quiz):")
        for n in range(args.rounds):
            runs["bare window"].append(timed(bare, env))
            runs["first screen"].append(timed(app, env))
            runs["ready"].append(timed(ready, env))
            (b, _), (s, _), (r, _) = (runs[name][-1] for name in runs)
            print(
                f"  round {n + 1}: bare {b:.2f} s, first screen {s:.2f} s ({s / b:.2f}x), "
                f"ready {r:.2f} s ({r / b:.2f}x)",
                flush=True,
            )
        print("\n| process | median s | best s | peak RSS MB (median) |\n|---|---:|---:|---:|")
        median: dict[str, float] = {}
        for name, values in runs.items():
            seconds, memory = [v[0] for v in values], [v[1] for v in values]
            median[name] = statistics.median(seconds)
            print(f"| {name} | {median[name]:.2f} | {min(seconds):.2f} | {statistics.median(memory):.0f} |")
        print()
        for name, target in (("first screen", 3), ("ready", 4)):
            ratio = median[name] / median["bare window"]
            verdict = "met" if ratio <= target else "NOT met"
            print(f"Target {name} <= {target}x the bare window: {verdict} ({ratio:.2f}x, medians).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
