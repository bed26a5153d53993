"""``socialsafe sync`` as real processes: several PCs at the same moment, a sync killed at any moment, exit codes.

Each PC is a data folder of its own; the share is one real folder. Results are
recorded in process (a Store, closed before any sync starts) or with
``socialsafe record``; the checks read the databases with ``sqlite3`` and the
share's files with ``json`` and ``csv``.
"""

from __future__ import annotations

import collections
import csv
import io
import json
import random
import sqlite3
import subprocess
import time
from pathlib import Path

from socialsafe.content.model import Pack
from sync_helpers import (
    MARKER,
    add_result,
    attempt,
    check_share_files,
    db_ids,
    db_rows,
    device_ids,
    integrity_ok,
    learner,
    mini_content,
    mini_pack,
    new_id,
    new_pc,
    read_report,
    run,
    snapshot,
    start,
    write_device,
)

MINI_MODULES = {"friend-requests", "photos"}


def device_id_of(home: Path) -> str:
    with sqlite3.connect(home / "socialsafe.db") as connection:
        return str(connection.execute("SELECT value FROM setting WHERE key = 'device_id'").fetchone()[0])


def own_published(home: Path) -> list[str]:
    """What this PC must publish: its learners, finished attempts, sign-offs, and every erasure."""
    mine = device_id_of(home)
    with sqlite3.connect(home / "socialsafe.db") as c:
        ids = [r[0] for r in c.execute("SELECT id FROM learner WHERE device_id = ?", (mine,))]
        ids += [
            r[0] for r in c.execute("SELECT id FROM attempt WHERE device_id = ? AND finished_at IS NOT NULL", (mine,))
        ]
        ids += [r[0] for r in c.execute("SELECT id FROM acknowledgement WHERE device_id = ?", (mine,))]
        ids += [r[0] for r in c.execute("SELECT id FROM erasure")]
    return sorted(ids)


def finish(process: subprocess.Popen[str], timeout: float = 60) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=timeout)
    assert "Traceback" not in out + err, err
    return process.returncode, out, err


def mini_rows(share: Path, name: str) -> list[dict[str, str]]:
    """The report's rows about the mini pack's policy (the bundled pack's policy is loaded too)."""
    rows = read_report(share / "reports" / name)
    if name == "modules.csv":
        return [r for r in rows if r["module_id"] in MINI_MODULES]
    return [r for r in rows if r["modules_total"] == "2"]  # 2 mini modules for a teacher, 8 bundled ones


# Four PCs, one share --------------------------------------------------------------


def test_four_pcs_syncing_at_the_same_moment_lose_nothing_and_duplicate_nothing(tmp_path: Path) -> None:
    share = tmp_path / "share"
    share.mkdir()
    pack = mini_pack(mini_content())
    homes = [tmp_path / f"pc{n}" for n in range(4)]
    made: dict[Path, set[str]] = {home: set() for home in homes}  # attempt ids, by the PC that made them
    attempts: collections.Counter[tuple[str, str]] = collections.Counter()  # (email, module) -> how many

    def recorded(home: Path, email: str, module: str, attempt_id: str) -> None:
        made[home].add(attempt_id)
        attempts[email.casefold(), module] += 1

    for round_ in range(3):
        for n, home in enumerate(homes):
            store = new_pc(tmp_path, home.name)
            try:
                email = f"p{n}.{round_}@oak.example"
                for module in sorted(MINI_MODULES):
                    recorded(
                        home,
                        email,
                        module,
                        add_result(store, pack, f"Person {n}-{round_}", "Oak", module, email=email).id,
                    )
                # One person who trains on every PC, spelt a little differently on each.
                sam = [" SAM@oak.example", "sam@OAK.example", "Sam@oak.example ", "sam@oak.example"][n]
                module = ["photos", "friend-requests"][(n + round_) % 2]
                result = add_result(store, pack, ["Sam Shared", "sam shared"][n % 2], "Oak", module, 1, email=sam)
                recorded(home, "sam@oak.example", module, result.id)
            finally:
                store.close()
        # In the first two rounds an admin records a session on one PC while that PC's sync runs
        # (published in the next round at the latest).
        person = ["--name", "Rec Orded", "--school", "Oak", "--email", "rec@oak.example", "--role", "teacher"]
        session = ["--module", "photos", "--score", "2", "--max-score", "2", "--note", f"round {round_}"]
        recorder = start(homes[round_], None, "record", *person, *session) if round_ < 2 else None
        syncs = [start(home, share, "sync") for home in homes]

        for process in syncs:
            code, out, err = finish(process)
            assert (code, err) == (0, ""), out + err
        if recorder is not None:
            code, out, err = finish(recorder)
            assert code == 0, err
            with sqlite3.connect(homes[round_] / "socialsafe.db") as connection:
                [(made_now,)] = connection.execute("SELECT id FROM attempt WHERE note = ?", (f"round {round_}",))
            recorded(homes[round_], "rec@oak.example", "photos", made_now)
        check_share_files(share)

    # Everything is published by now; one more sync each, one PC after another.
    for home in homes:
        result = run(home, share, "sync")
        assert (result.returncode, result.stderr) == (0, ""), result.stdout + result.stderr

    everything = sorted(set().union(*made.values()))
    learners = db_ids(homes[0] / "socialsafe.db", "learner")
    for home in homes:
        assert db_ids(home / "socialsafe.db", "attempt") == everything, home
        assert db_ids(home / "socialsafe.db", "learner") == learners, home
        assert integrity_ok(home / "socialsafe.db")
        published = share / "devices" / f"{device_id_of(home)}.jsonl"
        assert device_ids(published, "attempt") == sorted(made[home]), home
        assert device_ids(published) == own_published(home), home
    assert len(list((share / "devices").iterdir())) == 4
    assert sorted(p.name for p in share.rglob(".tmp-*")) == []
    people = collections.Counter(r["email"].casefold() for r in mini_rows(share, "completions.csv"))
    assert people == collections.Counter({email: 1 for email, _module in attempts})  # one row per person
    per_module = {(r["email"].casefold(), r["module_id"]): int(r["attempts"]) for r in mini_rows(share, "modules.csv")}
    assert len(per_module) == len(mini_rows(share, "modules.csv"))  # one row per person and module
    assert per_module == {key: attempts.get(key, 0) for key in per_module}
    assert {key for key, count in per_module.items() if count} == set(attempts)


# A sync killed at any moment ----------------------------------------------------------


def add_people(home: Path, pack: Pack, names: list[str]) -> list[str]:
    store = new_pc(home.parent, home.name)
    try:
        return [add_result(store, pack, name, "Oak").id for name in names]
    finally:
        store.close()


def test_a_sync_killed_at_any_moment_leaves_only_whole_files_and_publishes_later(tmp_path: Path) -> None:
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    share, home = tmp_path / "share", tmp_path / "pc"
    share.mkdir()
    pack = mini_pack(mini_content())
    # Enough records that writing the device file and the reports takes a good part of a sync.
    mine = add_people(home, pack, [f"Here {n}" for n in range(150)])
    other, theirs = new_id(), []
    for n in range(150):
        person = learner(other, f"There {n}", school="Oak")
        theirs += [person, attempt(other, person["id"])]
    write_device(share, other, theirs)
    began = time.monotonic()
    first = run(home, share, "sync")
    duration = time.monotonic() - began  # chooses when to kill; never checked
    assert first.returncode == 0, first.stdout + first.stderr
    victim = device_id_of(home)
    interrupted = 0

    for round_ in range(20):
        mine += add_people(home, pack, [f"Round {round_} {n}" for n in range(3)])
        if round_ % 5 == 4:  # the other PC publishes meanwhile
            person = learner(other, f"There later {round_}", school="Oak")
            theirs += [person, attempt(other, person["id"])]
            write_device(share, other, theirs)
        process = start(home, share, "sync")
        time.sleep(rng.uniform(0, duration))
        interrupted += process.poll() is None
        process.kill()
        process.communicate(timeout=30)

        where = f"round {round_}, seed {seed}"
        check_share_files(share)
        assert integrity_ok(home / "socialsafe.db"), where
        assert set(mine) <= set(db_ids(home / "socialsafe.db", "attempt")), where
        for leftover in share.rglob(".tmp-*"):  # only this PC's, so that it can clear them later
            assert leftover.name.startswith(f".tmp-{victim}-"), (where, leftover)
    assert interrupted >= 10, (interrupted, seed)  # most kills hit a sync under way

    final = run(home, share, "sync")

    assert (final.returncode, final.stderr) == (0, ""), final.stdout + final.stderr
    check_share_files(share)
    assert device_ids(share / "devices" / f"{victim}.jsonl") == own_published(home)
    assert set(mine) <= set(device_ids(share / "devices" / f"{victim}.jsonl", "attempt"))
    names = sorted(r["name"] for r in mini_rows(share, "completions.csv"))
    wanted = {x["name"] for x in theirs if x["kind"] == "learner"} | {f"Here {n}" for n in range(150)}
    wanted |= {f"Round {r} {n}" for r in range(20) for n in range(3)}
    assert names == sorted(wanted)
    assert sorted(json.loads((share / MARKER).read_text("utf-8"))) == ["created_at", "format", "version"]


# Exit codes and messages of the commands ------------------------------------------------------


def test_sync_with_an_unreachable_share_exits_3_and_keeps_everything(tmp_path: Path) -> None:
    home, share = tmp_path / "pc", tmp_path / "S-drive" / "Training"
    add_people(home, mini_pack(mini_content()), ["Ann Lee"])
    local = db_rows(home / "socialsafe.db", with_settings=True)

    result = run(home, share, "sync")

    assert result.returncode == 3, result.stdout + result.stderr
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert str(share) in result.stderr
    assert not (tmp_path / "S-drive").exists()
    assert db_rows(home / "socialsafe.db", with_settings=True) == local


def test_sync_without_a_share_exits_1_with_one_sentence(tmp_path: Path) -> None:
    result = run(tmp_path / "pc", None, "sync")

    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "--share" in result.stderr


def test_sync_prints_each_bad_line_with_its_place_and_exits_1(tmp_path: Path) -> None:
    home, share = tmp_path / "pc", tmp_path / "share"
    other = new_id()
    ann = learner(other, "Ann Lee", school="Oak")
    broken = write_device(share, other, [ann, "{not json\n", attempt(other, ann["id"])])

    result = run(home, share, "sync")

    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{broken}:3: " in result.stdout
    assert db_ids(home / "socialsafe.db", "learner") == [ann["id"]]
    assert [r["name"] for r in mini_rows(share, "completions.csv")] == ["Ann Lee"]


def test_export_merges_the_share_and_exits_3_when_it_cannot_be_reached(tmp_path: Path) -> None:
    home, share = tmp_path / "pc", tmp_path / "share"
    add_people(home, mini_pack(mini_content()), ["Pat Here"])
    other = new_id()
    ann = learner(other, "Ann Lee", school="Oak")
    write_device(share, other, [ann, attempt(other, ann["id"])])
    merged, alone = tmp_path / "merged.json", tmp_path / "alone.csv"

    result = run(home, share, "export", "--out", str(merged), "--by", "module")
    offline = run(home, tmp_path / "offline", "export", "--out", str(alone))

    assert (result.returncode, result.stderr) == (0, ""), result.stderr
    rows = [r for r in json.loads(merged.read_text("utf-8")) if r["module_id"] == "photos"]
    assert sorted((r["name"], r["attempts"]) for r in rows) == [("Ann Lee", 1), ("Pat Here", 1)]
    assert offline.returncode == 3, offline.stdout + offline.stderr
    assert str(tmp_path / "offline") in offline.stderr
    assert not (tmp_path / "offline").exists()
    rows = list(csv.DictReader(io.StringIO(alone.read_bytes().decode("utf-8-sig"), newline="")))
    assert sorted(r["name"] for r in rows) == ["Pat Here"]  # this PC's records, one row per person (primary policy)


def test_export_from_a_share_of_another_format_exits_3_and_changes_nothing(tmp_path: Path) -> None:
    home, share = tmp_path / "pc", tmp_path / "share"
    add_people(home, mini_pack(mini_content()), ["Pat Here"])
    share.mkdir()
    (share / MARKER).write_text(json.dumps({"format": "photo-backup", "version": 1}), "utf-8")
    (share / "devices").mkdir()
    (share / "devices" / "desktop.ini").write_text("[.ShellClassInfo]\n", "utf-8")
    before = snapshot(share)

    exported = run(home, share, "export", "--out", str(tmp_path / "list.json"))
    synced = run(home, share, "sync")

    assert exported.returncode == 3, exported.stdout + exported.stderr
    assert synced.returncode == 3, synced.stdout + synced.stderr
    assert synced.stdout == ""
    assert snapshot(share) == before
