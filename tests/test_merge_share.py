"""The office merges two records of one person, or corrects a name or school, on a real share with the office's
authority: the merge spreads to every PC as an erasure does, no record is lost, and a merge the office did not
sign merges no one."""

from __future__ import annotations

import json
import random
import sqlite3
from pathlib import Path

import pytest

from socialsafe.config import Settings
from socialsafe.domain import quiz
from socialsafe.domain.door import at_the_door
from socialsafe.office.people import correct_everywhere, likely_duplicates, merge_everywhere
from socialsafe.reports import PersonRecords
from socialsafe.roster import load as load_roster
from socialsafe.storage.quick import QuickReads
from socialsafe.storage.store import Store
from socialsafe.sync.engine import merged_people
from socialsafe.trust.keys import b64, new_key
from sync_helpers import learner, mini_content, mini_pack, new_id
from test_authority import SECRET, Site, attacker_file, authority_of, cli, exported, ok, on_pc, site

__all__ = ["site"]  # the fixture, used by name


def passed_everything(store: Store, name: str, school: str, email: str | None = None) -> None:
    """Every module passed and the policy signed, in the app on this PC."""
    pack = mini_pack(mini_content())
    who = store.add_learner(name, "teacher", school, email)
    for module_id in ("friend-requests", "photos"):
        module = pack.module(module_id)
        plan = quiz.draw(module.questions, module.draw, random.Random(1))
        started = store.start_attempt(who.id, pack, module, plan)
        store.finish_attempt(started.id, len(plan), True)
    store.acknowledge(who.id, pack, name)


def staff_list(site: Site, tmp_path: Path, *rows: str) -> None:
    staff = tmp_path / f"staff-{new_id()}.csv"
    staff.write_text("name,email,role,school\n" + "".join(r + "\n" for r in rows), "utf-8")
    ok(cli(site.office, site.share, "roster", "import", str(staff), secret=SECRET))


def enrolled_pc(site: Site, name: str, *people: tuple[str, str]) -> Path:
    home = site.pc(name)
    pc = on_pc(home)
    for who, school in people:
        passed_everything(pc, who, school)
    pc.close()
    ok(cli(home, site.share, "admin", "enrol", secret=SECRET))
    ok(cli(home, site.share, "sync"))
    return home


def office_people(site: Site) -> tuple[Settings, Store, dict[str, PersonRecords]]:
    ok(cli(site.office, site.share, "sync"))
    settings = Settings(data_dir=site.office, share=site.share)
    store = on_pc(site.office)
    people, _problems = merged_people(store, site.share)
    return settings, store, {f"{p.name}, {p.school}": p for p in people}


def test_a_merge_made_in_the_office_is_one_person_on_every_pc(site: Site, tmp_path: Path) -> None:
    staff_list(site, tmp_path, "Priya Patel,,teacher,Oak Primary")
    pc_a = enrolled_pc(site, "pc-a", ("Priya Patel", "Oak Primary School"))
    before = exported(site.office, site.share, tmp_path)
    assert before["Priya Patel"]["status"] in {"not_started", "complete"}
    settings, store, people = office_people(site)
    assert {"Priya Patel, Oak Primary", "Priya Patel, Oak Primary School"} <= set(people)
    suggested = likely_duplicates(list(people.values()))
    assert any({s.first.school, s.second.school} == {"Oak Primary", "Oak Primary School"} for s in suggested)

    key = authority_of(site).unlock(SECRET)
    done = merge_everywhere(
        settings, store, people["Priya Patel, Oak Primary School"], people["Priya Patel, Oak Primary"], key
    )
    store.close()

    assert done.shared
    assert done.roster_problem is None
    rows = [r for r in json.loads(_export(site, tmp_path)) if r["name"] == "Priya Patel"]
    assert len(rows) == 1  # one person, on the staff list's spelling, with everything done at PC A
    assert (rows[0]["school"], rows[0]["status"]) == ("Oak Primary", "complete")
    # PC A takes the merge at its next sync: she is the staff list's Priya there too, and nothing was lost.
    ok(cli(pc_a, site.share, "sync"))
    pc = on_pc(pc_a)
    try:
        assert [(x.name, x.school) for x in pc.learners(this_pc_only=True)] == [("Priya Patel", "Oak Primary")]
        assert len(pc.attempts(pc.learners(this_pc_only=True)[0].id)) == 2
    finally:
        pc.close()
    # 'Who are you?' there offers her once, as the staff list has her.
    here = QuickReads(pc_a / "socialsafe.db").people_on_this_pc()
    assert [(p.name, p.school) for p in here] == [("Priya Patel", "Oak Primary")]
    offered = at_the_door(here, load_roster(site.share, site.office, None))
    assert [(e.name, e.school) for e in offered] == [("Priya Patel", "Oak Primary")]
    with sqlite3.connect(pc_a / "socialsafe.db") as db:  # her record itself is as she made it, beside the office's
        rows = db.execute("SELECT school FROM learner WHERE name = 'Priya Patel' ORDER BY school").fetchall()
        assert rows == [("Oak Primary",), ("Oak Primary School",)]


def _export(site: Site, tmp_path: Path) -> str:
    out = tmp_path / f"export-{new_id()}.json"
    ok(cli(site.office, site.share, "export", "--out", str(out), "--format", "json", secret=SECRET))
    return out.read_text("utf-8")


@pytest.mark.parametrize(
    ("typed", "right"),
    [
        (("Lukasz Wojcik", "Oak Primary"), ("Łukasz Wójcik", "Oak Primary")),
        (("Jana Novakova", "Elm"), ("Jana Nováková", "Elm Primary")),
        (("Sean OBrien", "Ash Primary"), ("Seán O'Brien", "Ash Primary")),
        (("Ciara Mac Namara", "Ash Primary"), ("Ciara MacNamara", "Ash Primary")),
        (("محمد علي", "Oak"), ("محمد علي", "Oak Primary")),
        (("Sian Pryce", "Ysgol y Graig"), ("Siân Pryce", "Ysgol y Graig")),
    ],
)
def test_a_corrected_name_or_school_shows_everywhere_and_the_staff_list_follows(
    site: Site, tmp_path: Path, typed: tuple[str, str], right: tuple[str, str]
) -> None:
    staff_list(site, tmp_path, f"{typed[0]},,teacher,{typed[1]}")
    enrolled_pc(site, "pc-a", typed)
    settings, store, people = office_people(site)
    person = people[", ".join(typed)]

    done = correct_everywhere(settings, store, person, *right, None, authority_of(site).unlock(SECRET))
    store.close()

    assert done is not None
    assert done.shared
    assert done.roster_problem is None
    rows = json.loads(_export(site, tmp_path))
    ours = [r for r in rows if r["name"] in {typed[0], right[0]}]
    assert [(r["name"], r["school"], r["status"]) for r in ours] == [(*right, "complete")]
    store = on_pc(site.office)
    try:
        listed = load_roster(site.share, site.office, _signing(settings, store))
    finally:
        store.close()
    assert [(p.name, p.school) for p in listed] == [right]


def _signing(settings: Settings, store: Store):  # type: ignore[no-untyped-def]
    from socialsafe.office.authority import roster_signing_for

    return roster_signing_for(settings, store, None)


def test_erasing_a_merged_person_erases_both_records_everywhere(site: Site, tmp_path: Path) -> None:
    pc_a = enrolled_pc(site, "pc-a", ("Dafydd ap Gruffudd", "Ysgol Gymraeg"))
    pc_b = enrolled_pc(site, "pc-b", ("Dafydd Gruffudd", "Ysgol Gymraeg"))
    settings, store, people = office_people(site)
    merge_everywhere(
        settings,
        store,
        people["Dafydd Gruffudd, Ysgol Gymraeg"],
        people["Dafydd ap Gruffudd, Ysgol Gymraeg"],
        authority_of(site).unlock(SECRET),
    )
    store.close()

    ok(cli(site.office, site.share, "erase", "--name", "Dafydd ap Gruffudd", "--school", "Ysgol Gymraeg", "--yes",
           secret=SECRET))  # fmt: skip
    for home in (pc_a, pc_b):
        ok(cli(home, site.share, "sync"))
        with sqlite3.connect(home / "socialsafe.db") as db:
            assert db.execute("SELECT name FROM learner WHERE name LIKE 'Dafydd%'").fetchall() == []
    assert "Dafydd" not in _export(site, tmp_path)


@pytest.mark.parametrize("signed", [False, True], ids=["unsigned", "signed by the attacker's own key"])
def test_a_merge_the_office_did_not_make_merges_no_one(site: Site, tmp_path: Path, signed: bool) -> None:
    enrolled_pc(site, "pc-a", ("Cara Cole", "Oak Primary"))
    device = new_id()
    victim = learner(device, "Cara Cole", school="Elm Primary")
    ann_id = next(x.id for x in on_pc(site.office).learners() if x.name == "Ann Jones")
    forged = {
        "kind": "merge", "id": new_id(), "device_id": device, "learner_id": ann_id, "into_id": victim["id"],
        "merged_at": victim["created_at"], **({"proof": b64(bytes(64))} if signed else {}),
    }  # fmt: skip
    path = attacker_file(site.share, [victim, forged], new_key() if signed else None, device)

    result = cli(site.office, site.share, "sync")
    assert result.returncode == 1
    assert f"{path}:3:" in result.stdout  # named, not believed
    rows = exported(site.office, site.share, tmp_path)
    assert rows["Ann Jones"]["school"] == "Oak Primary"


def test_without_the_office_s_authority_a_merge_stays_on_this_pc(tmp_path: Path) -> None:
    share, office = tmp_path / "share", tmp_path / "office"
    share.mkdir()
    store = on_pc(office)
    passed_everything(store, "Tom Reyes", "Oak")
    passed_everything(store, "Tom Reyes", "Oak Primary", email="tom@oak.sch.uk")
    ok(cli(office, share, "sync"))
    settings = Settings(data_dir=office, share=share)
    people = {f"{p.name}, {p.school}": p for p in merged_people(store, share)[0]}
    merge_everywhere(settings, store, people["Tom Reyes, Oak"], people["Tom Reyes, Oak Primary"], None)
    mine = store.device_id
    assert len({(x.name, x.school) for x in store.learners()}) == 1
    store.close()
    lines = (share / "devices" / f"{mine}.jsonl").read_text("utf-8").splitlines()
    # A contract v1 file: no kind a v1 reader would not know.
    assert {json.loads(x)["kind"] for x in lines[1:]} == {"learner", "attempt", "acknowledgement"}
