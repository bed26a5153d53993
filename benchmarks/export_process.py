"""Benchmark: ``socialsafe export`` as a whole process, against a process that only ``json.loads`` every line.

Run from the repository root::

    .venv/bin/python benchmarks/export_process.py [--shape issue|default] [--rounds 5] [--keep DIR] [--out DIR]

It writes a synthetic share (``sharegen.py``; ``--keep DIR`` keeps it in
``DIR/share`` and reuses it while the parameters and the generator are
unchanged), then alternates, round by round, two fresh processes:

baseline
    ``python -c`` that reads every ``devices/*.jsonl`` file and ``json.loads``
    every line: the floor any reader of the format pays, start-up included.
export
    ``python -m socialsafe export --out completions.csv`` with ``SOCIALSAFE_HOME``
    a fresh, empty data folder and ``--share`` the generated share: everything
    the office's command pays, from the interpreter's start to its exit.

Each process's wall time and peak RSS (``os.wait4``'s ``ru_maxrss``) are
printed per round, then the medians and the ratio. ``--shape issue`` is the
share issue #18 measured: 10,000 people (50 a PC), every attempt finished;
``--shape default`` is ``merge_export.py``'s (5,000 people, some attempts left
open). It is a measurement, not a test: it exits 0.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# A UK school's PC: report dates are local dates (Europe/London), as the app computes them.
os.environ.setdefault("TZ", "Europe/London")
time.tzset()

import sharegen  # noqa: E402  (beside this file: sys.path[0] when run as a script)

PARAMS = "params.json"
SHAPES = {
    # (devices, records, people, schools, all attempts finished)
    "issue": (200, 500_000, 10_000, 20, True),
    "default": (200, 500_000, 5_000, 20, False),
}
BASELINE = """
import json, pathlib, sys
n = 0
for path in sorted(pathlib.Path(sys.argv[1], "devices").glob("*.jsonl")):
    for line in path.read_bytes().split(b"\\n"):
        if line.strip():
            try:
                json.loads(line)
            except ValueError:
                pass
            n += 1
"""


def prepare(root: Path, shape: str, seed: int) -> Path:
    """The share for ``shape`` under ``root``: generated, or reused when its parameters match."""
    from socialsafe.content.loader import load_all
    from socialsafe.resources import bundled

    devices, records, people, schools, finished = SHAPES[shape]
    share = root / "share"
    generator = hashlib.sha256(Path(sharegen.__file__).read_bytes()).hexdigest()
    params = {"shape": shape, "seed": seed, "generator": generator}
    if (root / PARAMS).is_file() and json.loads((root / PARAMS).read_text()) == params:
        print(f"Share: reusing {share} (same parameters)")
        return share
    shutil.rmtree(share, ignore_errors=True)
    (root / PARAMS).unlink(missing_ok=True)
    start = time.perf_counter()
    stats = sharegen.generate(
        share, load_all([bundled("quizzes")]), devices, records, people, schools, seed, False, finished
    )
    (root / PARAMS).write_text(json.dumps(params))
    print(
        f"Generated in {time.perf_counter() - start:.1f} s (not measured): {stats.devices} device files, "
        f"{stats.bytes / 2**20:.0f} MiB, {stats.records:,} record lines: "
        + ", ".join(f"{n:,} {k}" for k, n in stats.kinds.most_common())
        + f"; {stats.people:,} people",
        flush=True,
    )
    return share


def run(command: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """Wall seconds, peak RSS (MB) and exit status of one process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert process.stderr is not None
    errors = process.stderr.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):  # 1: done, with the share's broken lines reported
        raise SystemExit(f"{command} failed with status {code}: {errors.decode(errors='replace')[-800:]}")
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB elsewhere
    return seconds, usage.ru_maxrss * scale / 2**20, code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shape", choices=sorted(SHAPES), default="issue", help="the share (default: issue #18's)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of baseline then export (default 5)")
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--keep", type=Path, help="generate into DIR and keep it; reused when its parameters match")
    parser.add_argument("--out", type=Path, help="keep the last round's completions.csv here")
    parser.add_argument(
        "--compare-src",
        type=Path,
        metavar="DIR",
        help="also run, each round, the export of another copy of src/ (PYTHONPATH=DIR), e.g. the code before a change",
    )
    args = parser.parse_args(argv)
    root = args.keep.resolve() if args.keep else Path(tempfile.mkdtemp(prefix="socialsafe-export-"))
    try:
        share = prepare(root, args.shape, args.seed)
        env = {**os.environ, "SOCIALSAFE_ADMIN_PASSPHRASE": "benchmark passphrase", "QT_QPA_PLATFORM": "offscreen"}
        env.pop("SOCIALSAFE_SHARE", None)
        env.pop("SOCIALSAFE_PACKS", None)
        # As an installed copy runs: from compiled bytecode (this machine may set PYTHONDONTWRITEBYTECODE).
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        subprocess.run([sys.executable, "-m", "compileall", "-q", "src/socialsafe"], check=False, env=env)
        base: list[tuple[float, float]] = []
        export: list[tuple[float, float]] = []
        other: list[tuple[float, float]] = []
        out = root / "out"
        print(f"Rounds ({args.rounds}), each a fresh baseline process then a fresh export process:", flush=True)
        for n in range(args.rounds):
            seconds, rss, _code = run([sys.executable, "-c", BASELINE, str(share)], env)
            base.append((seconds, rss))
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir(parents=True)
            home = Path(tempfile.mkdtemp(prefix="data-", dir=root))
            command = [sys.executable, "-m", "socialsafe", "--share", str(share)]
            command += ["export", "--out", str(out / "completions.csv")]
            if args.compare_src:
                other_command = [*command[:-1], str(out / "compared.csv")]
                env_other = {**env, "SOCIALSAFE_HOME": str(home), "PYTHONPATH": str(args.compare_src.resolve())}
                other.append(run(other_command, env_other)[:2])
                shutil.rmtree(home, ignore_errors=True)
                home.mkdir()
            seconds, rss, code = run(command, {**env, "SOCIALSAFE_HOME": str(home)})
            shutil.rmtree(home, ignore_errors=True)
            export.append((seconds, rss))
            if other:
                same = (out / "compared.csv").read_bytes() == (out / "completions.csv").read_bytes()
                print(
                    f"  round {n + 1}: compared export {other[-1][0]:5.2f} s {other[-1][1]:5.0f} MB"
                    f"   {other[-1][0] / base[-1][0]:.2f}x  (the same CSV: {'yes' if same else 'NO'})",
                    flush=True,
                )
            print(
                f"  round {n + 1}: baseline {base[-1][0]:5.2f} s {base[-1][1]:5.0f} MB   "
                f"export {seconds:5.2f} s {rss:5.0f} MB (exit {code})   {seconds / base[-1][0]:.2f}x",
                flush=True,
            )
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            shutil.copy(out / "completions.csv", args.out / "completions.csv")
        ratios = [e[0] / b[0] for b, e in zip(base, export, strict=True)]
        b_med, e_med = statistics.median(s for s, _ in base), statistics.median(s for s, _ in export)
        print(
            f"\nbaseline median {b_med:.2f} s (best {min(s for s, _ in base):.2f}), "
            f"peak RSS median {statistics.median(r for _, r in base):.0f} MB"
        )
        print(
            f"export   median {e_med:.2f} s (best {min(s for s, _ in export):.2f}), "
            f"peak RSS median {statistics.median(r for _, r in export):.0f} MB"
        )
        if other:
            o_med = statistics.median(s for s, _ in other)
            print(
                f"compared median {o_med:.2f} s (best {min(s for s, _ in other):.2f}), "
                f"peak RSS median {statistics.median(r for _, r in other):.0f} MB; "
                "median of the rounds' ratios "
                f"{statistics.median(o[0] / b[0] for b, o in zip(base, other, strict=True)):.2f}x"
            )
        ratio = statistics.median(ratios)
        print(
            f"Target export <= 2x baseline as whole processes: {'met' if ratio <= 2 else 'NOT met'} "
            f"(median of the rounds' ratios {ratio:.2f}x; ratio of medians {e_med / b_med:.2f}x; "
            f"rounds {', '.join(f'{r:.2f}x' for r in ratios)})"
        )
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
        else:
            shutil.rmtree(root / "out", ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
