"""Records that can be trusted (issue #13): the office's authority on the share, enrolled PCs, and no way round
the passphrase. Every attack a hostile colleague with write access to the share tried, as real processes on
real folders, and the office's own path through set-up, enrolment, records, erasure and sync."""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from socialsafe.config import Settings
from socialsafe.content.model import Pack
from socialsafe.domain import quiz
from socialsafe.storage.models import Attempt
from socialsafe.storage.store import Store
from socialsafe.trust import authority as auth
from socialsafe.trust import keys
from socialsafe.trust.files import signed_header
from socialsafe.trust.keys import Purpose
from sync_helpers import (
    MINI,
    acknowledgement,
    attempt,
    command,
    environment,
    erasure,
    header,
    learner,
    learner_of,
    mini_content,
    mini_pack,
    new_id,
    snapshot,
    write_device,
)

SECRET = "correct horse battery"
ANN = "ann@oak.sch.uk"


def cli(
    home: Path, share: Path | None, *args: str, secret: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    """``socialsafe --data-dir HOME --share SHARE ARGS`` as a process with no terminal; the passphrase if given."""
    environ = {**environment(), **env}
    if secret is not None:
        environ["SOCIALSAFE_ADMIN_PASSPHRASE"] = secret
    result = subprocess.run(
        command(home, share, *args),
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=environ,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return result


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def exported(home: Path, share: Path, tmp_path: Path) -> dict[str, dict[str, Any]]:
    """Everyone's row, by name, as the office exports it."""
    out = tmp_path / f"export-{new_id()}.json"
    result = cli(home, share, "export", "--out", str(out), "--format", "json", secret=SECRET)
    # What is left out (a forged record, an unsigned file) is said as sync says it, with exit 1 (cli.md).
    left_out = "found (listed above). The list leaves out whatever those lines hold." in result.stderr
    assert result.returncode == (1 if left_out else 0), result.stdout + result.stderr
    return {row["name"]: row for row in json.loads(out.read_text("utf-8"))}


def quiz_pass(store: Store, pack: Pack, name: str, module_id: str, email: str | None = None) -> Attempt:
    """A quiz taken and passed in the app on this PC."""
    who = learner_of(store, name, "Oak Primary", "teacher", email)
    module = pack.module(module_id)
    plan = quiz.draw(module.questions, module.draw, random.Random(1))
    started = store.start_attempt(who.id, pack, module, plan)
    return store.finish_attempt(started.id, len(plan), True)


def complete(store: Store, pack: Pack, name: str, email: str | None = None) -> None:
    """Every module passed and the policy signed, in the app: complete."""
    for module in ("friend-requests", "photos"):
        quiz_pass(store, pack, name, module, email)
    store.acknowledge(learner_of(store, name, "Oak Primary").id, pack, name)


def on_pc(home: Path) -> Store:
    home.mkdir(parents=True, exist_ok=True)
    return Store(home / "socialsafe.db")


@dataclass
class Site:
    share: Path
    office: Path  # the office PC's data folder, with the authority set up there
    root: Path

    def pc(self, name: str) -> Path:
        return self.root / name


@pytest.fixture
def site(tmp_path: Path) -> Site:
    """A share with the office's authority, made on the office PC, which has recorded Ann's face-to-face session."""
    share, office = tmp_path / "share", tmp_path / "office"
    share.mkdir()
    ok(cli(office, share, "admin", "setup", secret=SECRET))
    ok(
        cli(
            office, share, "record", "--name", "Ann Jones", "--school", "Oak Primary", "--email", ANN,
            "--role", "teacher", "--module", "friend-requests", "--score", "2", "--max-score", "2", secret=SECRET,
        )
    )  # fmt: skip
    ok(cli(office, share, "sync"))
    return Site(share, office, tmp_path)


def authority_of(site: Site) -> auth.Authority:
    return auth.loads((site.share / "authority" / "authority.json").read_bytes())


# No way round the passphrase ---------------------------------------------------------------------------------

ADMIN = {
    "erase": ["erase", "--email", ANN, "--yes"],
    "record": ["record", "--name", "Bob Roe", "--school", "Oak Primary", "--role", "teacher", "--module", "photos",
               "--score", "2", "--max-score", "2"],
    "acknowledge": ["acknowledge", "--name", "Bob Roe", "--school", "Oak Primary", "--policy", "example-policy"],
    "roster import": ["roster", "import", "STAFF"],
    "export": ["export", "--out", "OUT"],
    "report": ["report"],
    "admin enrol": ["admin", "enrol"],
    "admin pcs": ["admin", "pcs"],
    "admin passphrase": ["admin", "passphrase"],
    "admin publish-pack": ["admin", "publish-pack", "PACK"],
}  # fmt: skip


@pytest.mark.parametrize(
    ("name", "secret"),
    [(name, None) for name in ADMIN] + [(name, "a wrong passphrase") for name in ("erase", "export", "admin enrol")],
)
def test_a_new_data_folder_gains_nothing_against_the_office_s_share(
    site: Site, tmp_path: Path, name: str, secret: str | None
) -> None:
    staff = tmp_path / "staff.csv"
    staff.write_text("name,email,role,school\nEve Hacker,,teacher,Oak Primary\n", "utf-8")
    args = [{"STAFF": str(staff), "OUT": str(tmp_path / "out.csv"), "PACK": str(MINI)}.get(a, a) for a in ADMIN[name]]
    before = snapshot(site.share)

    result = cli(site.pc("new-empty-folder"), site.share, *args, secret=secret)

    assert result.returncode == 4, result.stdout + result.stderr
    assert result.stdout == ""
    assert snapshot(site.share) == before
    assert not (tmp_path / "out.csv").exists()
    assert "Ann Jones" in exported(site.office, site.share, tmp_path)


def test_a_second_set_up_against_a_share_with_an_authority_is_refused(site: Site) -> None:
    before = snapshot(site.share)

    result = cli(site.pc("intruder"), site.share, "admin", "setup", secret="the intruder's own passphrase")

    assert result.returncode == 1
    assert "enrol" in result.stderr
    assert snapshot(site.share) == before


def test_wrong_tries_are_slowed_whatever_data_folder_they_come_from(site: Site) -> None:
    for n in range(3):
        cli(site.pc(f"fresh-{n}"), site.share, "report", secret=f"guess number {n}")

    result = cli(site.pc("fresh-again"), site.share, "report", secret=SECRET)

    assert result.returncode == 4
    assert "try again in" in result.stderr


def test_a_swapped_authority_file_changes_nothing_and_is_put_back(site: Site, tmp_path: Path) -> None:
    genuine = (site.share / "authority" / "authority.json").read_bytes()
    swapped = auth.create("the attacker's passphrase", "ATTACKER-PC")
    (site.share / "authority" / "authority.json").write_text(swapped.authority.text(), "utf-8")

    assert cli(site.office, site.share, "report", secret="the attacker's passphrase").returncode == 4
    ok(cli(site.office, site.share, "sync"))

    assert (site.share / "authority" / "authority.json").read_bytes() == genuine
    assert "Ann Jones" in exported(site.office, site.share, tmp_path)


def test_a_pc_pinned_by_the_site_config_refuses_any_other_authority(site: Site, tmp_path: Path) -> None:
    config = tmp_path / "site.toml"
    config.write_text(f'admin_authority = "{authority_of(site).fingerprint}"\n', "utf-8")
    swapped = auth.create("the attacker's passphrase", "ATTACKER-PC")
    (site.share / "authority" / "authority.json").write_text(swapped.authority.text(), "utf-8")

    fresh = cli(
        site.pc("new-pc"), site.share, "report", secret="the attacker's passphrase", SOCIALSAFE_SITE_CONFIG=str(config)
    )

    assert fresh.returncode == 4
    assert "authority" in fresh.stderr


# Forged records count for nothing -----------------------------------------------------------------------------


def attacker_file(share: Path, records: list[dict[str, Any]], key: Any = None, device: str | None = None) -> Path:
    """A device file a colleague with write access wrote: as v1 (unsigned), or signed with their own key."""
    device = device or new_id()
    if key is None:
        return write_device(share, device, records)
    body = "".join(json.dumps(r) + "\n" for r in records).encode("utf-8")
    head = signed_header(header(device, version=2), body, key, Purpose.DEVICE_FILE)
    return write_device(share, device, [json.dumps(r) + "\n" for r in records], head=head)


@pytest.mark.parametrize("signed", [False, True], ids=["unsigned", "signed by the attacker's own key"])
def test_a_forged_erasure_erases_nobody_anywhere(site: Site, tmp_path: Path, signed: bool) -> None:
    pc = on_pc(site.pc("pc-b"))
    complete(pc, mini_pack(mini_content()), "Cara Cole")
    pc.close()
    ok(cli(site.pc("pc-b"), site.share, "admin", "enrol", secret=SECRET))
    device = new_id()
    ann, cara = learner(device, "Ann Jones", email=ANN), learner(device, "Cara Cole")
    proof = {"proof": keys.b64(bytes(64))}
    forged = [ann, cara, erasure(device, ann["id"]), erasure(device, cara["id"], **proof)]
    path = attacker_file(site.share, forged, keys.new_key() if signed else None, device)

    for home in (site.office, site.pc("pc-b")):
        result = cli(home, site.share, "sync")
        assert result.returncode == 1  # problems found, and named
        assert f"{path}:4:" in result.stdout  # the erasure of Ann: no signature
        assert f"{path}:5:" in result.stdout  # Cara's: a signature that is not the office's

    rows = exported(site.office, site.share, tmp_path)
    assert {"Ann Jones", "Cara Cole"} <= set(rows)
    with sqlite3.connect(site.pc("pc-b") / "socialsafe.db") as db:
        assert db.execute("SELECT count(*) FROM learner WHERE name = 'Cara Cole'").fetchone() == (1,)


def _record_ids(path: Path) -> set[str]:
    return {json.loads(line)["id"] for line in path.read_text("utf-8").splitlines()[1:]}


@pytest.mark.parametrize("signed", [False, True], ids=["unsigned", "signed by the attacker's own key"])
def test_absurd_lines_on_a_share_with_an_authority_are_named_and_the_rest_still_counts(
    site: Site, tmp_path: Path, signed: bool
) -> None:
    """The reader's bounds hold on a share with an authority too, whichever way a line is read (issue #14)."""
    device = new_id()
    eve = learner(device, "Eve Forged")
    proof = {"proof": keys.b64(bytes(64))}
    absurd = [
        eve,
        erasure(device, eve["id"], erased_at="9999-12-31T23:59:59Z", **proof),  # a proven line is read the slow way
        learner(device, "Old", created_at="0001-01-01T00:00:00Z"),
        "[" * 5000 + "]" * 5000 + "\n",
        attempt(device, eve["id"], "friend-requests", score=10**30, max_score=10**30),
    ]
    records = [r for r in absurd if isinstance(r, dict)]
    path = attacker_file(site.share, records, keys.new_key() if signed else None, device)
    if not signed:  # the nested line, where it was meant to be
        path = write_device(site.share, device, absurd)
    office = on_pc(site.office)
    own = site.share / "devices" / f"{office.device_id}.jsonl"
    office.close()
    before = _record_ids(own)
    ok(
        cli(
            site.office, site.share, "record", "--name", "Bob Roe", "--school", "Oak Primary", "--role", "teacher",
            "--module", "friend-requests", "--score", "2", "--max-score", "2", secret=SECRET,
        )
    )  # fmt: skip

    result = cli(site.office, site.share, "sync")

    assert result.returncode == 1
    for line in (3, 4, 5 if not signed else None, 6 if not signed else 5):
        if line is not None:
            assert f"{path}:{line}:" in result.stdout, result.stdout
    assert _record_ids(own) > before  # the office still published Bob's session
    assert {"Ann Jones", "Bob Roe"} <= set(exported(site.office, site.share, tmp_path))


def test_forged_completions_renames_and_exemptions_count_for_nothing(site: Site, tmp_path: Path) -> None:
    device = new_id()
    renamed = learner(device, "Ann Hacked", email=ANN)
    bob = learner(device, "Bob Roe")
    forged = [
        renamed,
        bob,
        attempt(device, bob["id"], "friend-requests"),  # face-to-face results: only the office makes them
        attempt(device, bob["id"], "photos", source="quiz"),
        acknowledgement(device, bob["id"], source="manual"),
        acknowledgement(device, bob["id"]),
    ]
    path = attacker_file(site.share, forged)
    roster = site.share / "roster" / "roster.csv"
    roster.parent.mkdir(exist_ok=True)
    roster.write_text(
        "name,email,role,school,exempt_until,exempt_reason\nAnn Jones,ann@oak.sch.uk,teacher,Oak Primary,2099-01-01,"
        "long leave\n",
        "utf-8",
    )

    sync = cli(site.office, site.share, "sync")
    rows = exported(site.office, site.share, tmp_path)

    assert "Bob Roe" not in rows
    assert "Ann Hacked" not in rows
    assert rows["Ann Jones"]["status"] == "in_progress"  # not exempt, and her name unchanged
    assert "roster.csv" in sync.stdout
    pcs = ok(cli(site.office, site.share, "admin", "pcs", secret=SECRET))
    assert str(path) in pcs
    assert "not signed" in pcs


def test_a_file_that_claims_to_be_an_approved_pc_counts_for_nothing_and_hides_nothing(
    site: Site, tmp_path: Path
) -> None:
    pc_b = site.pc("pc-b")
    pc = on_pc(pc_b)
    complete(pc, mini_pack(mini_content()), "Cara Cole")
    device = pc.device_id
    pc.close()
    ok(cli(pc_b, site.share, "admin", "enrol", secret=SECRET))
    ok(cli(site.office, site.share, "sync"))  # the office takes PC B's records in, as every sync does
    assert rows_status(exported(site.office, site.share, tmp_path), "Cara Cole") == "complete"
    # Someone overwrites PC B's file with their own, signed with their own key, erasing Cara and adding Bob.
    bob = learner(device, "Bob Roe")
    attacker_file(site.share, [bob, attempt(device, bob["id"], source="quiz")], keys.new_key(), device)

    ok(cli(site.office, site.share, "sync"))
    rows = exported(site.office, site.share, tmp_path)

    assert "Bob Roe" not in rows
    assert rows_status(rows, "Cara Cole") == "complete"  # what the office took in from PC B still counts
    pcs = ok(cli(site.office, site.share, "admin", "pcs", secret=SECRET))
    assert "new key" in pcs


def rows_status(rows: dict[str, dict[str, Any]], name: str) -> str:
    return str(rows[name]["status"])


def test_a_changed_line_in_an_approved_pc_s_file_is_noticed(site: Site, tmp_path: Path) -> None:
    pc_b = site.pc("pc-b")
    pc = on_pc(pc_b)
    quiz_pass(pc, mini_pack(mini_content()), "Cara Cole", "photos")
    device = pc.device_id
    pc.close()
    ok(cli(pc_b, site.share, "admin", "enrol", secret=SECRET))
    path = site.share / "devices" / f"{device}.jsonl"
    path.write_text(path.read_text("utf-8").replace('"score":2', '"score":9'), "utf-8")

    pcs = ok(cli(site.office, site.share, "admin", "pcs", secret=SECRET))

    assert "changed after its PC wrote it" in pcs


def test_duplicate_record_ids_with_different_contents_are_reported(site: Site) -> None:
    pc_b = site.pc("pc-b")
    pc = on_pc(pc_b)
    passed = quiz_pass(pc, mini_pack(mini_content()), "Cara Cole", "photos")
    pc.close()
    ok(cli(pc_b, site.share, "admin", "enrol", secret=SECRET))
    # A second approved PC publishes a record under the same id.
    pc_c = site.pc("pc-c")
    other = on_pc(pc_c)
    twin = quiz_pass(other, mini_pack(mini_content()), "Cara Cole", "photos")
    other.close()
    with sqlite3.connect(pc_c / "socialsafe.db") as db:
        db.execute("UPDATE attempt SET id = ?, score = 1 WHERE id = ?", (passed.id, twin.id))
    ok(cli(pc_c, site.share, "admin", "enrol", secret=SECRET))

    result = cli(site.office, site.share, "sync")

    assert passed.id in result.stdout
    assert "same id" in result.stdout


# The office's own path ----------------------------------------------------------------------------------------


def test_the_office_s_path_set_up_enrol_record_erase_sync(site: Site, tmp_path: Path) -> None:
    pack = mini_pack(mini_content())
    # PC B: a learner completes in the app; until the office approves the PC, that counts only on PC B.
    pc_b = site.pc("pc-b")
    pc = on_pc(pc_b)
    complete(pc, pack, "Cara Cole")
    pc.close()
    waiting = ok(cli(pc_b, site.share, "sync"))
    key = waiting.split("its key is ")[1].split(")")[0]
    assert "Cara Cole" not in exported(site.office, site.share, tmp_path)
    pcs = ok(cli(site.office, site.share, "admin", "pcs", secret=SECRET))
    assert key in pcs
    # The office approves PC B from its own PC, checking the key PC B showed.
    device = Store(pc_b / "socialsafe.db").device_id
    ok(cli(site.office, site.share, "admin", "enrol", "--device", device, "--key", key, secret=SECRET))
    ok(cli(site.office, site.share, "sync"))
    rows = exported(site.office, site.share, tmp_path)
    assert rows_status(rows, "Cara Cole") == "complete"
    # PC C trusts itself with the passphrase typed there.
    pc_c = site.pc("pc-c")
    ok(cli(pc_c, site.share, "admin", "enrol", secret=SECRET))
    assert "trusts this PC already" in ok(cli(pc_c, site.share, "admin", "enrol", secret=SECRET))
    # A paper sign-off and an erasure, from PC C.
    ok(cli(pc_c, site.share, "acknowledge", "--name", "Ann Jones", "--school", "Oak Primary", "--email", ANN,
           "--policy", "example-policy", secret=SECRET))  # fmt: skip
    ok(cli(pc_c, site.share, "sync"))
    assert exported(site.office, site.share, tmp_path)["Ann Jones"]["acknowledged_at"]
    ok(cli(pc_c, site.share, "erase", "--name", "Cara Cole", "--school", "Oak Primary", "--yes", secret=SECRET))
    for home in (site.office, pc_b, pc_c):
        cli(home, site.share, "sync")
    assert "Cara Cole" not in exported(site.office, site.share, tmp_path)
    assert "Cara Cole" not in exported(pc_b, site.share, tmp_path)
    with sqlite3.connect(pc_b / "socialsafe.db") as db:
        assert db.execute("SELECT count(*) FROM learner WHERE name = 'Cara Cole'").fetchone() == (0,)


def test_a_passphrase_change_reaches_every_pc_and_the_old_one_opens_nothing(site: Site, tmp_path: Path) -> None:
    pc_b = site.pc("pc-b")
    ok(cli(pc_b, site.share, "admin", "enrol", secret=SECRET))
    new = "a brand new office passphrase"
    ok(cli(site.office, site.share, "admin", "passphrase", secret=SECRET, SOCIALSAFE_NEW_ADMIN_PASSPHRASE=new))
    old_file = site.share / "authority" / "authority.json"
    assert auth.loads(old_file.read_bytes()).revision == 2

    assert cli(pc_b, site.share, "report", secret=SECRET).returncode == 4
    ok(cli(pc_b, site.share, "report", secret=new))


# An upgraded v1 share keeps every record ------------------------------------------------------------------------


def test_an_upgraded_v1_share_keeps_every_record(tmp_path: Path) -> None:
    share, office, pc_b = tmp_path / "share", tmp_path / "office", tmp_path / "pc-b"
    share.mkdir()
    pack = mini_pack(mini_content())
    pc = on_pc(pc_b)
    complete(pc, pack, "Cara Cole")
    pc.close()
    ok(cli(pc_b, share, "sync"))
    ok(cli(office, share, "record", "--name", "Ann Jones", "--school", "Oak Primary", "--email", ANN, "--role",
           "teacher", "--module", "photos", "--score", "2", "--max-score", "2"))  # fmt: skip
    staff = tmp_path / "staff.csv"
    staff.write_text("name,email,role,school\nDan Dee,,teacher,Oak Primary\n", "utf-8")
    ok(cli(office, share, "roster", "import", str(staff)))
    ok(cli(office, share, "sync"))
    before = exported(office, share, tmp_path)

    setup = ok(cli(office, share, "admin", "setup", secret=SECRET))

    assert "Cara Cole" in setup  # shown before it happened: whose records, from which PC
    assert "Adopted" in setup
    after = exported(office, share, tmp_path)
    assert after == before
    # PC B syncs with the new SocialSafe: its old records still count, from the adopted copy, before approval.
    ok(cli(pc_b, share, "sync"))
    assert exported(office, share, tmp_path) == before


def test_two_set_ups_at_the_same_moment_make_one_authority(tmp_path: Path) -> None:
    share = tmp_path / "share"
    share.mkdir()
    homes = [tmp_path / "office-1", tmp_path / "office-2"]
    secrets = ["the first office's passphrase", "the second office's passphrase"]
    started = [
        subprocess.Popen(
            command(home, share, "admin", "setup"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            env={**environment(), "SOCIALSAFE_ADMIN_PASSPHRASE": secret},
        )
        for home, secret in zip(homes, secrets, strict=True)
    ]
    finished = [(p.wait(timeout=120), p.communicate()) for p in started]

    codes = sorted(code for code, _out in finished)
    assert codes == [0, 1], finished
    winner = next(i for i, (code, _out) in enumerate(finished) if code == 0)
    made = auth.loads((share / "authority" / "authority.json").read_bytes())
    assert made.unlock(secrets[winner]).public == made.public
    assert "enrol" in finished[1 - winner][1][1]  # the other is told to enrol instead
    assert cli(homes[1 - winner], share, "report", secret=secrets[1 - winner]).returncode == 4
    ok(cli(homes[1 - winner], share, "report", secret=secrets[winner]))


# What a hostile review found, each stopped -----------------------------------------------------------------


def learner_ids(share: Path) -> dict[str, str]:
    """Every learner record's id on the share, by name: what anyone can read."""
    found = {}
    for path in (share / "devices").glob("*.jsonl"):
        for text in path.read_text("utf-8").splitlines()[1:]:
            data = json.loads(text)
            if data["kind"] == "learner":
                found[data["name"]] = data["id"]
    return found


def test_an_erasure_never_signs_adopted_records_it_did_not_check(site: Site, tmp_path: Path) -> None:
    device = new_id()
    eve = learner(device, "Eve Hacker")
    forged = [
        eve,
        attempt(device, eve["id"], "friend-requests", source="quiz"),
        attempt(device, eve["id"], "photos", source="quiz"),
        acknowledgement(device, eve["id"]),
        acknowledgement(device, learner_ids(site.share)["Ann Jones"]),  # bait: whoever is erased next
    ]
    adopted = site.share / "authority" / "adopted.jsonl"
    head = {"kind": "header", "format": "socialsafe-adopted-records", "version": 1, "written_at": "2099-01-01T00Z"}
    adopted.write_text(json.dumps(head) + "\n" + "".join(json.dumps(r) + "\n" for r in forged), "utf-8")

    ok(cli(site.office, site.share, "erase", "--email", ANN, "--yes", secret=SECRET))

    assert json.loads(adopted.read_text("utf-8").splitlines()[0]) == head  # left as it was: never signed
    assert "Eve Hacker" not in exported(site.office, site.share, tmp_path)


def test_an_old_copy_of_a_trusted_pc_s_file_erases_no_one_who_came_back(site: Site, tmp_path: Path) -> None:
    pack = mini_pack(mini_content())
    pc_b, pc_c = site.pc("pc-b"), site.pc("pc-c")
    pc = on_pc(pc_b)
    quiz_pass(pc, pack, "Gia Green", "photos", email="gia@oak.sch.uk")
    device = pc.device_id
    pc.close()
    ok(cli(pc_b, site.share, "admin", "enrol", secret=SECRET))
    old = (site.share / "devices" / f"{device}.jsonl").read_bytes()  # someone keeps a copy
    ok(cli(site.office, site.share, "sync"))
    ok(cli(site.office, site.share, "erase", "--email", "gia@oak.sch.uk", "--yes", secret=SECRET))
    ok(cli(pc_b, site.share, "sync"))
    # Later Gia works at the school again, and trains on PC C.
    pc = on_pc(pc_c)
    complete(pc, pack, "Gia Green", email="gia@oak.sch.uk")
    pc.close()
    ok(cli(pc_c, site.share, "admin", "enrol", secret=SECRET))
    ok(cli(site.office, site.share, "sync"))

    (site.share / "devices" / f"{device}.jsonl").write_bytes(old)  # the old copy, put back
    for home in (pc_c, site.office):
        cli(home, site.share, "sync")

    assert rows_status(exported(site.office, site.share, tmp_path), "Gia Green") == "complete"
    with sqlite3.connect(pc_c / "socialsafe.db") as db:
        assert db.execute("SELECT count(*) FROM learner WHERE name = 'Gia Green'").fetchone() == (1,)
    assert "older copy" in ok(cli(site.office, site.share, "admin", "pcs", secret=SECRET))


def test_packs_on_a_share_whose_authority_is_hidden_are_not_loaded(site: Site) -> None:
    pc_c = site.pc("pc-c")
    ok(cli(pc_c, site.share, "sync"))  # it meets the office's authority (the share has no packs yet)
    evil = site.share / "content" / "evil"
    shutil.copytree(MINI, evil)
    text = (evil / "pack.toml").read_text("utf-8").replace('version = "1.0.0"', 'version = "9.9.9"')
    (evil / "pack.toml").write_text(text, "utf-8")
    (site.share / "authority").rename(site.share / "hidden")

    content = Settings(data_dir=pc_c, share=site.share).load_content()

    assert "9.9.9" not in {p.version for p in content.packs}


def test_records_taken_in_before_the_authority_do_not_come_back_unchecked(tmp_path: Path) -> None:
    share, office, pc_b = tmp_path / "share", tmp_path / "office", tmp_path / "pc-b"
    share.mkdir()
    pc = on_pc(pc_b)
    device = pc.device_id
    pc.close()
    ok(cli(pc_b, share, "sync"))
    mal = learner(device, "Mal Icious")  # forged under PC B's id, before the authority, then taken away
    forged = write_device(
        share, new_id(), [mal, attempt(device, mal["id"], "photos"), acknowledgement(device, mal["id"])]
    )
    ok(cli(office, share, "sync"))
    forged.unlink()
    ok(cli(office, share, "admin", "setup", "--no-adopt", secret=SECRET))
    ok(cli(pc_b, share, "admin", "enrol", secret=SECRET))
    (share / "devices" / f"{device}.jsonl").write_text("spoilt\n", "utf-8")

    cli(office, share, "sync")

    assert "Mal Icious" not in exported(office, share, tmp_path)


def test_approving_a_pc_from_another_needs_the_key_it_shows(site: Site) -> None:
    result = cli(site.office, site.share, "admin", "enrol", "--device", new_id(), secret=SECRET)
    assert result.returncode == 2
    assert "--key" in result.stderr


def test_a_pc_writes_its_file_again_when_someone_changed_its_header(site: Site, tmp_path: Path) -> None:
    pc_b = site.pc("pc-b")
    pc = on_pc(pc_b)
    complete(pc, mini_pack(mini_content()), "Finn Fox")
    device = pc.device_id
    pc.close()
    ok(cli(pc_b, site.share, "admin", "enrol", secret=SECRET))
    path = site.share / "devices" / f"{device}.jsonl"
    head, body = path.read_text("utf-8").split("\n", 1)
    changed = {**json.loads(head), "device_name": "SOMEONE ELSE"}
    path.write_text(json.dumps(changed) + "\n" + body, "utf-8")

    ok(cli(pc_b, site.share, "sync"))

    assert json.loads(path.read_text("utf-8").split("\n", 1)[0])["device_name"] != "SOMEONE ELSE"
    ok(cli(site.office, site.share, "sync"))
    assert rows_status(exported(site.office, site.share, tmp_path), "Finn Fox") == "complete"


def test_signed_files_on_a_share_that_hides_its_authority_are_believed_by_no_one(tmp_path: Path) -> None:
    share, office, pc_d = tmp_path / "share", tmp_path / "office", tmp_path / "pc-d"
    share.mkdir()
    pc = on_pc(pc_d)
    complete(pc, mini_pack(mini_content()), "Dan Doe")
    pc.close()
    ok(cli(pc_d, share, "sync"))
    ok(cli(office, share, "admin", "setup", secret=SECRET))  # adopts Dan; PC D has not met the authority yet
    (share / "authority").rename(share / "hidden")
    (share / "socialsafe-share.json").write_text('{"format": "socialsafe-share", "version": 1}', "utf-8")
    x = new_id()
    write_device(share, x, [erasure(x, learner_ids(share)["Dan Doe"])])

    cli(pc_d, share, "sync")

    with sqlite3.connect(pc_d / "socialsafe.db") as db:
        assert db.execute("SELECT count(*) FROM learner WHERE name = 'Dan Doe'").fetchone() == (1,)


@pytest.mark.parametrize("spoil", ["utf-16 roster", "a number of 5000 digits", "year 1", "adopted not utf-8"])
def test_crafted_files_give_a_problem_not_a_crash(site: Site, tmp_path: Path, spoil: str) -> None:
    staff = tmp_path / "staff.csv"
    staff.write_text("name,email,role,school\nDan Dee,,teacher,Oak Primary\n", "utf-8")
    ok(cli(site.office, site.share, "roster", "import", str(staff), secret=SECRET))
    device = new_id()
    if spoil == "utf-16 roster":
        signed = site.share / "roster" / "roster.signed.json"
        signed.write_bytes(signed.read_text("utf-8").encode("utf-16"))
    elif spoil == "a number of 5000 digits":
        write_device(site.share, device, ['{"kind": "learner", "n": ' + "9" * 5000 + "}\n"])
    elif spoil == "year 1":
        write_device(site.share, device, [learner(device, "Old Timer", created_at="0001-01-01T00:00:00+01:00")])
    else:
        (site.share / "authority" / "adopted.jsonl").write_bytes(b"\xff\xfe not text\n")

    for home in (site.office, site.pc("pc-new")):
        result = cli(home, site.share, "sync")
        assert result.returncode in (0, 1), result.stderr
        assert "went wrong" not in result.stderr
    ok(cli(site.office, site.share, "erase", "--email", ANN, "--yes", secret=SECRET))


def test_the_share_s_reports_leave_out_a_pc_the_office_does_not_trust(site: Site) -> None:
    pc_x = site.pc("unapproved")
    pc = on_pc(pc_x)
    complete(pc, mini_pack(mini_content()), "Mal Icious")
    pc.close()

    ok(cli(pc_x, site.share, "sync"))

    report = (site.share / "reports" / "completions.csv").read_text("utf-8-sig")
    assert "Mal Icious" not in report
    assert "Ann Jones" in report
