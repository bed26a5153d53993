"""Benchmark: merging a large shared folder and exporting the reports, against plain JSON reading.

Run from the repository root::

    .venv/bin/python benchmarks/merge_export.py [--devices 200] [--records 500000] [--keep DIR]

It writes a synthetic share (see ``sharegen.py``) in a temporary folder, then
times, on the same files, round by round (``--repeat`` rounds; best and median):

baseline
    read every device file and ``json.loads`` every line, nothing else: the
    floor any reader of the format pays.
merge+export
    what ``socialsafe export completions.csv`` does: ``engine.merged_people``
    with a fresh, empty local store, one row a person from the real course
    pack, an atomic write of the CSV file.
merge+reports
    what a sync does for the share's reports: the same merge, then both
    ``completions.csv`` and ``modules.csv`` (one status computation a person).
full sync
    ``engine.sync`` for a new PC: the merge, importing every record into the
    local SQLite database, publishing and writing the share's reports.

Peak memory is measured in a fresh child process per step (so the steps do not
see each other's garbage): the child's peak RSS (``VmHWM``) and, in a second run of the
step in the same child, ``tracemalloc``'s peak. It is not a test: it exits 0.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import gc
import hashlib
import io
import json
import os
import platform
import pstats
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

# A UK school's PC: report dates are local dates (Europe/London), as the app computes them.
os.environ.setdefault("TZ", "Europe/London")
time.tzset()

import sharegen  # noqa: E402  (beside this file: sys.path[0] when run as a script)

from socialsafe.bulk import collector_paused  # noqa: E402
from socialsafe.content.loader import Content, load_all  # noqa: E402
from socialsafe.domain import limits  # noqa: E402
from socialsafe.export import ExportFormat, to_csv, write_rows  # noqa: E402
from socialsafe.files import read_whole, write_atomic  # noqa: E402
from socialsafe.reports import ModuleRow, PersonRow, build_rows, columns, rows_by  # noqa: E402
from socialsafe.resources import bundled  # noqa: E402
from socialsafe.storage.store import Store  # noqa: E402
from socialsafe.sync import engine  # noqa: E402
from socialsafe.sync import records as rec  # noqa: E402
from socialsafe.sync.share import DEVICES, REPORTS, device_files, read_roster  # noqa: E402

TODAY = sharegen.TODAY
PARAMS = "params.json"


# The three measured steps ------------------------------------------------------------


def baseline(share: Path) -> int:
    """Read every device file and decode every line as JSON; nothing else."""
    lines = 0
    files, _others = device_files(share)
    for path in files:
        for line in read_whole(path, limits.MAX_DEVICE_FILE).decode("utf-8").split("\n"):
            if line.strip():
                with contextlib.suppress(json.JSONDecodeError):
                    json.loads(line)
                lines += 1
    return lines


def fresh_store(work: Path) -> Store:
    folder = Path(tempfile.mkdtemp(prefix="data-", dir=work))
    return Store(folder / "socialsafe.db")


def drop_store(store: Store) -> None:
    store.close()
    shutil.rmtree(store.path.parent, ignore_errors=True)


def merge_export(share: Path, store: Store, content: Content, out: Path) -> dict[str, Any]:
    """As ``socialsafe export completions.csv`` does: everyone merged from the share, one row a person, CSV."""
    people, problems = engine.merged_people(store, share)
    header, rows = rows_by("person", store, content, TODAY, content.primary_policy_id, people=people)
    write_rows(out / "completions.csv", header, rows, ExportFormat.CSV)
    return {
        "people": len(people),
        "problems": len(problems),
        "person_rows": len(rows),
        "module_rows": 0,
        "statuses": Counter(getattr(r, "status", "") for r in rows),
    }


def merge_reports(share: Path, store: Store, content: Content, out: Path) -> dict[str, Any]:
    """As a sync rebuilds the share's reports: everyone merged, both reports built and written as CSV."""
    people, problems = engine.merged_people(store, share)
    # As engine.report_files does: the reports are about one policy when several are loaded.
    person_rows, module_rows = build_rows(people, content, TODAY, content.primary_policy_id)
    write_atomic(out / "completions.csv", to_csv(columns(PersonRow), person_rows))
    write_atomic(out / "modules.csv", to_csv(columns(ModuleRow), module_rows))
    return {
        "people": len(people),
        "problems": len(problems),
        "person_rows": len(person_rows),
        "module_rows": len(module_rows),
        "statuses": Counter(r.status for r in person_rows),
    }


def full_sync(share: Path, store: Store, content: Content) -> engine.SyncReport:
    return engine.sync(store, content, share, today=TODAY)


def undo_sync(share: Path, store: Store) -> None:
    """Leave the share as generated: no device file of the benchmark's PC, no reports."""
    (share / DEVICES / f"{store.device_id}.jsonl").unlink(missing_ok=True)
    for name in ("completions.csv", "modules.csv"):
        (share / REPORTS / name).unlink(missing_ok=True)


# Timing ----------------------------------------------------------------------------------


def timed(run: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, result


MERGES = {"merge+export": merge_export, "merge+reports": merge_reports}


def time_steps(share: Path, work: Path, content: Content, repeat: int, with_sync: bool, out: Path) -> dict[str, Any]:
    results: dict[str, Any] = {"baseline": [], "merge+export": [], "merge+reports": [], "full sync": []}
    out.mkdir(parents=True, exist_ok=True)
    # Round by round, so that the steps of a round see the same load on a shared machine.
    for n in range(repeat):
        seconds, lines = timed(lambda: baseline(share))
        results["baseline"].append(seconds)
        print(f"  baseline       run {n + 1}: {seconds:7.2f} s  ({lines} lines)", flush=True)
        for step, merge in MERGES.items():
            store = fresh_store(work)
            try:
                seconds, info = timed(lambda store=store, merge=merge: merge(share, store, content, out))
            finally:
                drop_store(store)
            results[step].append(seconds)
            results["merge_info"] = info
            print(
                f"  {step:<14} run {n + 1}: {seconds:7.2f} s  ({info['people']} people, "
                f"{info['person_rows']} + {info['module_rows']} rows, {info['problems']} problems reported; "
                f"{seconds / results['baseline'][-1]:.2f}x this round's baseline)",
                flush=True,
            )
    for n in range(repeat if with_sync else 0):
        store = fresh_store(work)
        try:
            seconds, report = timed(lambda store=store: full_sync(share, store, content))
            undo_sync(share, store)
        finally:
            drop_store(store)
        results["full sync"].append(seconds)
        print(
            f"  full sync     run {n + 1}: {seconds:7.2f} s  ({report.imported} records imported, "
            f"{report.erased} erased, {len(report.problems)} problems)",
            flush=True,
        )
    return results


def breakdown(share: Path, work: Path, content: Content) -> list[tuple[str, float]]:
    """merge+reports again, phase by phase, with the engine's own functions (one run)."""
    phases: list[tuple[str, float]] = []
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        phases.append((name, now - clock))
        clock = now

    store = fresh_store(work)
    out = work / "export"
    out.mkdir(exist_ok=True)
    try:
        gc.collect()
        clock = time.perf_counter()
        files, _others = device_files(share)
        texts = [(path, read_whole(path, limits.MAX_DEVICE_FILE)) for path in files]
        lap("read files")
        with collector_paused():  # as engine.merge does
            devices = [rec.read_device(path, raw) for path, raw in texts]
        del texts
        lap("read_device (check and decode each line)")
        merged = engine.Merged()
        merged.add(engine.own_records(store))
        for device in devices:
            merged.add(device.records)
        del devices
        lap("Merged.add (dedupe by id)")
        merged.apply_erasures()  # merged_people also passes the store's learners: none in a fresh store
        lap("Merged.apply_erasures")
        roster, _problems = read_roster(share)
        everyone = engine.people(merged, roster)
        lap("engine.people (group + roster)")
        policy = getattr(content, "primary_policy_id", None)
        person_rows, module_rows = build_rows(everyone, content, TODAY, policy)
        lap("build_rows (both reports)")
        data = [to_csv(columns(PersonRow), person_rows), to_csv(columns(ModuleRow), module_rows)]
        lap("export.to_csv (both)")
        write_atomic(out / "completions.csv", data[0])
        write_atomic(out / "modules.csv", data[1])
        lap("write_atomic (both)")
    finally:
        drop_store(store)
    return phases


def profile(share: Path, work: Path, content: Content, top: int) -> str:
    store = fresh_store(work)
    out = work / "export"
    out.mkdir(exist_ok=True)
    profiler = cProfile.Profile()
    try:
        profiler.runcall(merge_reports, share, store, content, out)
    finally:
        drop_store(store)
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text).strip_dirs()
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return text.getvalue()


# Memory, in a child process per step -------------------------------------------------------


def peak_rss_mb() -> float:
    """The process's peak resident set: VmHWM on Linux (ru_maxrss survives exec, so a child would
    report its parent's peak), else ru_maxrss."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB elsewhere
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20


def child(step: str, share: Path, work: Path) -> None:
    content = load_all([bundled("quizzes")])
    out = work / "export"
    out.mkdir(exist_ok=True)

    def run() -> None:
        if step == "baseline":
            baseline(share)
            return
        store = fresh_store(work)
        try:
            if step in MERGES:
                MERGES[step](share, store, content, out)
            else:
                full_sync(share, store, content)
                undo_sync(share, store)
        finally:
            drop_store(store)

    before = peak_rss_mb()
    run()
    after = peak_rss_mb()
    gc.collect()
    tracemalloc.start()
    run()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(json.dumps({"rss_start": before, "rss_peak": after, "traced_peak": peak / 2**20}))


def memory(step: str, share: Path, work: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", step, "--share-dir", str(share), "--work-dir", str(work)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        print(f"  memory of {step} not measured: {done.stderr.strip()[-500:]}")
        return {}
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# Report --------------------------------------------------------------------------------------


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    system = f"Python {platform.python_version()} on {platform.system()} {platform.release()}"
    return f"{os.cpu_count()} CPUs ({model}), {system}, TZ={os.environ['TZ']}"


def table(times: dict[str, Any], mem: dict[str, dict[str, float]], records: int) -> str:
    base = times["baseline"]
    rows = [
        "| step | best s | median s | best / baseline | median / baseline | records/s (best) "
        "| peak RSS MB (at start) | tracemalloc peak MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for step in ("baseline", *MERGES, "full sync"):
        runs = times[step]
        if not runs:
            continue
        best, median = min(runs), statistics.median(runs)
        m = mem.get(step, {})
        rss = f"{m['rss_peak']:.0f} ({m['rss_start']:.0f})" if m else "n/a"
        traced = f"{m['traced_peak']:.0f}" if m else "n/a"
        rows.append(
            f"| {step} | {best:.2f} | {median:.2f} | {best / min(base):.2f}x | {median / statistics.median(base):.2f}x "
            f"| {records / best:,.0f} | {rss} | {traced} |"
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devices", type=int, default=200, help="device files in the share (default 200)")
    parser.add_argument("--records", type=int, default=500_000, help="record lines in all (default 500000)")
    parser.add_argument("--people", type=int, help="people in the trust (default: records / 100)")
    parser.add_argument("--schools", type=int, default=20, help="schools in the trust (default 20)")
    parser.add_argument("--seed", type=int, default=20261125, help="random seed (default 20261125)")
    parser.add_argument("--roster", action="store_true", help="also write roster/roster.csv (off by default)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each timed step (default 3)")
    parser.add_argument("--keep", type=Path, help="generate into DIR and keep it; reused when its parameters match")
    parser.add_argument("--no-sync", action="store_true", help="skip the full-sync figure")
    parser.add_argument("--no-memory", action="store_true", help="skip the memory measurements")
    parser.add_argument("--out", type=Path, help="keep the exported completions.csv and modules.csv here")
    parser.add_argument("--profile", type=int, metavar="N", help="also cProfile one merge+reports; print the top N")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--share-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--work-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.share_dir, args.work_dir)
        return 0

    people = args.people or max(1, args.records // 100)
    root = args.keep.resolve() if args.keep else Path(tempfile.mkdtemp(prefix="socialsafe-bench-"))
    share, work = root / "share", root / "work"
    print(f"Machine: {machine()}")
    print(f"Folder: {root}{' (kept)' if args.keep else ' (removed at the end)'}")
    try:
        content = load_all([bundled("quizzes")])
        params = {k: getattr(args, k) for k in ("devices", "records", "schools", "seed", "roster")}
        params["people"] = people
        params["generator"] = hashlib.sha256(Path(sharegen.__file__).read_bytes()).hexdigest()
        reuse = (root / PARAMS).is_file() and json.loads((root / PARAMS).read_text()) == params
        if reuse:
            print(f"Share: reusing {share} (same parameters)")
            stats = None
        else:
            shutil.rmtree(share, ignore_errors=True)
            (root / PARAMS).unlink(missing_ok=True)
            start = time.perf_counter()
            stats = sharegen.generate(
                share, content, args.devices, args.records, people, args.schools, args.seed, args.roster
            )
            seconds = time.perf_counter() - start
            (root / PARAMS).write_text(json.dumps(params))
            print(
                f"Generated in {seconds:.1f} s (not measured): {stats.devices} device files, "
                f"{stats.bytes / 2**20:.0f} MiB, {stats.records:,} record lines: "
                + ", ".join(f"{n:,} {k}" for k, n in stats.kinds.most_common())
                + f", {stats.bad_lines} broken lines, {stats.extra_fields:,} with an unknown field; "
                f"{stats.people:,} people ({', '.join(f'{k} {n}' for k, n in stats.scenarios.most_common())}); "
                f"{stats.litter} stray files under devices/",
                flush=True,
            )
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)

        print(f"\nTimed runs ({args.repeat} of each; the files are in the page cache after generation):")
        out = args.out.resolve() if args.out else work / "export"
        times = time_steps(share, work, content, args.repeat, not args.no_sync, out)
        info = times["merge_info"]
        print("Statuses in completions.csv: " + ", ".join(f"{k} {n}" for k, n in info["statuses"].most_common()))

        print("\nmerge+reports phase by phase (one more run, the engine's functions called one by one):")
        phases = breakdown(share, work, content)
        total = sum(s for _n, s in phases)
        for name, seconds in phases:
            print(f"  {name:<48} {seconds:7.2f} s  {100 * seconds / total:5.1f} %")
        print(f"  {'total':<48} {total:7.2f} s")

        mem: dict[str, dict[str, float]] = {}
        if not args.no_memory:
            print("\nMemory (a fresh child process per step)...", flush=True)
            steps = ["baseline", *MERGES] + ([] if args.no_sync else ["full sync"])
            for step in steps:
                mem[step] = memory(step, share, work)

        records = args.records
        print(f"\nResults, {records:,} records in {args.devices} device files, today = {TODAY}:\n")
        print(table(times, mem, records))
        for step in MERGES:
            rounds = [t / b for t, b in zip(times[step], times["baseline"], strict=True)]
            ratio = statistics.median(rounds)
            verdict = "met" if ratio <= 2 else "NOT met"
            print(
                f"Target {step} <= 2x baseline: {verdict} (median of the rounds' ratios {ratio:.2f}x; "
                f"rounds {', '.join(f'{r:.2f}x' for r in rounds)})."
            )
        print(
            "Peak RSS: VmHWM of the child process (MB; in brackets: after imports, before the step). "
            "tracemalloc peak: Python allocations during a second run of the step in the same child "
            "(SQLite's own memory is not traced)."
        )
        if args.profile:
            print("\ncProfile of one merge+reports:\n")
            print(profile(share, work, content, args.profile))
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
