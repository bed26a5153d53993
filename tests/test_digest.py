"""A person list merged from a share digests each person's attempts (issue #18): the same rows, memory by people.

The digest (``socialsafe.domain.digest``) keeps of a learner's attempts only
what the status rules read; ``merged_people(..., refreshers)`` folds attempts
into it as each device file is read, and keeps a record seen in two places
once, as the share format says, without a set of every id.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from socialsafe.content.loader import Content, load_all
from socialsafe.reports import build_person_rows, refreshers
from socialsafe.resources import bundled
from socialsafe.storage.store import Store
from socialsafe.sync import records as rec
from socialsafe.sync.engine import merged_people

BENCHMARKS = Path(__file__).parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))
import sharegen  # noqa: E402

TODAY = sharegen.TODAY


@pytest.fixture(scope="module")
def content() -> Content:
    return load_all([bundled("quizzes")])


def rows(
    share: Path, store: Store, content: Content, digest: bool, today: dt.date
) -> tuple[list[object], list[str], bool]:
    """The person rows, the problems reported, and whether the attempts were digested."""
    people, problems = merged_people(store, share, refreshers(content) if digest else None)
    digested = any(p.digested for p in people)
    return build_person_rows(people, content, today, content.primary_policy_id), sorted(map(str, problems)), digested


@pytest.mark.parametrize("finished_only", [False, True])
def test_the_digest_gives_every_person_the_status_every_attempt_gives(
    tmp_path: Path, content: Content, finished_only: bool
) -> None:
    share = tmp_path / "share"
    sharegen.generate(share, content, 12, 30_000, 400, 4, 7, True, finished_only)
    (tmp_path / "data").mkdir()
    store = Store(tmp_path / "data" / "socialsafe.db")
    # Days around renewals and expiries, so that every status is met.
    for today in (TODAY, TODAY - dt.timedelta(days=200), TODAY + dt.timedelta(days=330)):
        full, full_problems, _ = rows(share, store, content, False, today)
        digested, problems, was_digested = rows(share, store, content, True, today)
        assert was_digested
        assert digested == full
        assert problems == full_problems
    statuses = {r.status for r in full}  # type: ignore[attr-defined]
    assert {"complete", "in_progress", "update_needed"} <= statuses


def _file(share: Path, device: str, records: list[rec.Record]) -> None:
    head = rec.header(device, "PC", "0", dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    body = "".join(rec.to_line(r) for r in records)
    (share / "devices" / f"{device}.jsonl").write_text(rec.to_line(head) + body, encoding="utf-8")


def _share_with_copies(tmp_path: Path, content: Content, copy_first: bool, changed: bool) -> Path:
    """Two PCs; PC B's file also holds a copy of one of PC A's passes (changed, or exactly as A wrote it).

    ``copy_first``: B's file is read first (the smaller file is read first)."""
    share = tmp_path / "share"
    (share / "devices").mkdir(parents=True)
    (share / "socialsafe-share.json").write_text(
        json.dumps({"format": "socialsafe-share", "version": 1, "created_at": "2026-01-01T00:00:00Z"})
    )
    pack = content.current[0]
    a, b = "0" * 8 + "-0000-4000-8000-" + "a" * 12, "0" * 8 + "-0000-4000-8000-" + "b" * 12
    when = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    learner = rec.LearnerRec(sharegen.uuid.uuid4().__str__(), a, "Ann Oak", None, "teacher", "Oak", when)
    module = next(m for m in pack.modules if m.questions and m.id != pack.header.pack.refresher)

    def attempt(score: int, minutes: int) -> rec.AttemptRec:
        return rec.AttemptRec(
            str(sharegen.uuid.uuid4()),
            a,
            learner.id,
            pack.id,
            pack.version,
            pack.policy.version,
            module.id,
            when + dt.timedelta(minutes=minutes),
            when + dt.timedelta(minutes=minutes + 5),
            score,
            10,
            module.pass_mark,
            score / 10 >= module.pass_mark,
            "quiz",
            None,
        )

    passes = [attempt(10, 10), attempt(10, 60)]
    # Padding makes a file the bigger one: the smaller is read first.
    pad_a = [attempt(2, 100 + n) for n in range(40)]
    pad_b = [rec.LearnerRec(str(sharegen.uuid.uuid4()), b, f"P {n}", None, "teacher", "Elm", when) for n in range(40)]
    copy = passes[0]
    if changed:  # the same id, an earlier time: believed, it would move the first pass
        copy = dataclasses.replace(copy, finished_at=when)
    _file(share, a, [learner, *passes, *(pad_a if copy_first else [])])
    _file(share, b, [copy, *([] if copy_first else pad_b)])
    return share


@pytest.mark.parametrize("changed", [False, True])
@pytest.mark.parametrize("copy_first", [False, True])
def test_a_record_in_two_files_counts_once(tmp_path: Path, content: Content, copy_first: bool, changed: bool) -> None:
    share = _share_with_copies(tmp_path, content, copy_first, changed)
    (tmp_path / "data").mkdir()
    store = Store(tmp_path / "data" / "socialsafe.db")
    full, full_problems, _ = rows(share, store, content, False, TODAY)
    # Read after its PC's file, the copy makes the merge keep every record (the file's ids were let go).
    digested, problems, was_digested = rows(share, store, content, True, TODAY)
    assert was_digested == copy_first
    assert digested == full
    assert problems == full_problems
    assert any("same id" in p for p in problems) == changed


# The child's own peak: ru_maxrss would carry over the peak of the test process it was forked from.
PEAK = (
    "import sys; from socialsafe.cli import main; code = main(sys.argv[1:]); "
    "print(open('/proc/self/status').read().split('VmHWM:')[1].split()[0]); sys.exit(code)"
)


def _peak_rss_mb(share: Path, home: Path) -> float:
    command = [sys.executable, "-c", PEAK, "--share", str(share), "export", "--out", str(home / "out.csv")]
    env = {**os.environ, "SOCIALSAFE_HOME": str(home / "data"), "SOCIALSAFE_ADMIN_PASSPHRASE": "x"}
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert done.returncode in (0, 1), done.stderr  # 1: the generated share's broken lines are reported
    return int(done.stdout.split()[-1]) / 1024


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="VmHWM: Linux only")
def test_memory_of_an_export_follows_people_not_records(tmp_path: Path, content: Content) -> None:
    """The same 1,000 people with 40,000 and with 160,000 records: the process's peak grows by far less than
    the records kept whole would take (about 450 bytes each before the digest: 54 MB more here)."""
    peaks = []
    for records in (40_000, 160_000):
        share = tmp_path / f"share-{records}"
        sharegen.generate(share, content, 40, records, 1_000, 10, 11, False)
        peaks.append(_peak_rss_mb(share, tmp_path / f"home-{records}"))
    assert peaks[1] - peaks[0] < 120_000 * 150 / 2**20, peaks
