"""The local store on a real SQLite file: durability settings, identity, input checks, records.

Schema versions and migrations: test_migrations.py; damaged files and backups: test_recovery.py.
"""

from __future__ import annotations

import json
import random
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from conftest import open_store, query
from socialsafe.content.model import Pack, Role
from socialsafe.domain.pin import check_pin
from socialsafe.domain.quiz import draw
from socialsafe.storage import db
from socialsafe.storage.db import SCHEMA_VERSION, schema_version
from socialsafe.storage.models import Attempt, Learner
from socialsafe.storage.store import InputError, Store

# Durability ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("pragma", "value"),
    [("journal_mode", "wal"), ("synchronous", 2), ("foreign_keys", 1)],
    ids=["WAL", "synchronous=FULL", "foreign keys"],
)
def test_the_store_s_connections_are_durable(store: Store, pragma: str, value: object) -> None:
    with store.session() as s:
        assert s.connection().execute(text(f"PRAGMA {pragma}")).scalar() == value


def test_every_pooled_connection_gets_the_pragmas(store: Store) -> None:
    # Two sessions at once need two connections: the second must be set up like the first.
    with store.session() as first, store.session() as second:
        first.connection()
        assert second.connection().execute(text("PRAGMA synchronous")).scalar() == 2
        assert second.connection().execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_the_database_file_is_in_wal_mode_on_disk(store: Store, db_path: Path) -> None:
    store.add_learner("Amina Okafor", Role.TEACHER, "Oak Hill Primary")

    assert query(db_path, "PRAGMA journal_mode") == [("wal",)]


# Device id -----------------------------------------------------------------


def test_the_device_id_is_created_once_and_kept_across_reopening(db_path: Path, opened: list[Store]) -> None:
    first = open_store(db_path, opened)
    device = first.device_id
    first.close()

    again = open_store(db_path, opened)

    assert device
    assert again.device_id == device
    assert query(db_path, "SELECT value FROM setting WHERE key = 'device_id'") == [(device,)]


def test_two_stores_on_one_file_share_the_device_id(db_path: Path, opened: list[Store]) -> None:
    first, second = open_store(db_path, opened), open_store(db_path, opened)

    assert first.device_id == second.device_id


def test_different_folders_get_different_device_ids(tmp_path: Path, opened: list[Store]) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()

    assert (
        open_store(tmp_path / "a" / "s.db", opened).device_id != open_store(tmp_path / "b" / "s.db", opened).device_id
    )


OPEN_STORE = """
import sys, time
from pathlib import Path
from socialsafe.storage.store import Store
print("ready", flush=True)
go = Path(sys.argv[2])
while not go.exists():
    time.sleep(0.0005)
store = Store(Path(sys.argv[1]))
print(store.device_id, flush=True)
store.close()
"""


@pytest.mark.parametrize("round_", range(2))
def test_processes_opening_a_fresh_folder_at_once_agree_on_one_device_id(tmp_path: Path, round_: int) -> None:
    path = tmp_path / "fresh" / "socialsafe.db"
    path.parent.mkdir()
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", OPEN_STORE, str(path), str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    try:
        for proc in procs:
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == "ready"
        go.touch()
        results = [proc.communicate(timeout=60) for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()

    errors = [err for _, err in results if err.strip()]
    assert errors == []
    assert [proc.returncode for proc in procs] == [0, 0, 0, 0]
    ids = {out.strip() for out, _ in results}
    assert len(ids) == 1
    assert query(path, "SELECT value FROM setting WHERE key = 'device_id'") == [(ids.pop(),)]


def test_opening_while_another_pc_process_is_creating_the_schema_waits_for_it(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, opened: list[Store]
) -> None:
    """The same race as above, made certain: the schema is being created, uncommitted, as the store opens."""
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("PRAGMA journal_mode=WAL")
    other.execute("BEGIN IMMEDIATE")
    for version, script in enumerate(db.MIGRATIONS, start=1):
        for statement in db._statements(script):
            other.execute(statement)
        other.execute(f"PRAGMA user_version = {version}")

    wants_write_lock = threading.Event()
    real_connect = sqlite3.connect

    class Watched(sqlite3.Connection):
        def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
            if sql.startswith("BEGIN"):
                wants_write_lock.set()  # by now the store has read the schema version
            return super().execute(sql, *args)

    def watched_connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        return real_connect(*args, factory=Watched, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", watched_connect)
    outcome: dict[str, Any] = {}

    def open_it() -> None:
        try:
            outcome["store"] = open_store(db_path, opened)
        except Exception as error:
            outcome["error"] = error

    opener = threading.Thread(target=open_it)
    try:
        opener.start()
        assert wants_write_lock.wait(30)
        other.execute("COMMIT")
        opener.join(30)
    finally:
        other.close()

    assert not opener.is_alive()
    assert "error" not in outcome, outcome.get("error")
    assert outcome["store"].device_id
    assert schema_version(db_path) == SCHEMA_VERSION


# Learners ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "role", "school", "email", "says"),
    [
        ("", Role.TEACHER, "Oak Hill Primary", None, "name"),
        ("   ", Role.TEACHER, "Oak Hill Primary", None, "name"),
        ("Amina Okafor", Role.TEACHER, "", None, "school"),
        ("Amina Okafor", Role.TEACHER, " \t ", None, "school"),
        ("Amina Okafor", "headteacher", "Oak Hill Primary", None, "role"),
        ("Amina Okafor", "", "Oak Hill Primary", None, "role"),
        ("Amina Okafor", Role.TEACHER, "Oak Hill Primary", "amina.oakhill.sch.uk", "email"),
        ("Amina Okafor", Role.TEACHER, "Oak Hill Primary", "amina okafor@oakhill.sch.uk", "email"),
    ],
    ids=["empty name", "blank name", "empty school", "blank school", "unknown role", "no role", "no @", "space"],
)
def test_add_learner_refuses_bad_input(
    store: Store, name: str, role: str, school: str, email: str | None, says: str
) -> None:
    with pytest.raises(InputError, match=says):
        store.add_learner(name, role, school, email=email)

    assert store.learners() == []


@pytest.mark.parametrize(
    ("name", "school"),
    [
        ("Amina Okafor", "Oak Hill Primary"),
        ("amina okafor", "OAK HILL PRIMARY"),
        ("  Amina   Okafor ", "Oak  Hill\tPrimary "),
    ],
    ids=["same", "other case", "other spacing"],
)
def test_add_learner_refuses_the_same_person_at_the_same_school_twice(store: Store, name: str, school: str) -> None:
    store.add_learner("Amina Okafor", Role.TEACHER, "Oak Hill Primary")

    with pytest.raises(InputError, match="already on this PC"):
        store.add_learner(name, Role.SUPPORT_STAFF, school)

    assert len(store.learners()) == 1


def test_the_same_name_at_another_school_is_another_person(store: Store) -> None:
    store.add_learner("Amina Okafor", Role.TEACHER, "Oak Hill Primary")
    store.add_learner("Amina Okafor", Role.TEACHER, "Riverside Academy")

    assert [x.school for x in store.learners()] == ["Oak Hill Primary", "Riverside Academy"]


def test_add_learner_keeps_tidied_text_and_reads_back(store: Store, db_path: Path, opened: list[Store]) -> None:
    added = store.add_learner("  Amina   Okafor ", "teacher", " Oak Hill Primary", email="  a.okafor@oakhill.sch.uk ")

    again = open_store(db_path, opened)
    (learner,) = again.learners()
    assert learner.id == added.id
    assert (learner.name, learner.school, learner.email, learner.role) == (
        "Amina Okafor",
        "Oak Hill Primary",
        "a.okafor@oakhill.sch.uk",
        "teacher",
    )
    assert learner.device_id == store.device_id
    assert learner.pin_hash is None
    assert learner.created_at.utcoffset() is not None
    assert again.learner(added.id) == learner
    assert again.learner("no-such-id") is None


def test_an_empty_email_is_kept_as_none(store: Store) -> None:
    learner = store.add_learner("Amina Okafor", Role.TEACHER, "Oak Hill Primary", email="   ")

    assert learner.email is None


def test_a_pin_is_stored_hashed_not_plain(store: Store, db_path: Path) -> None:
    learner = store.add_learner("Amina Okafor", Role.TEACHER, "Oak Hill Primary", pin="4821")

    ((stored,),) = query(db_path, "SELECT pin_hash FROM learner WHERE id = ?", learner.id)
    assert stored != "4821"
    assert stored.startswith("scrypt$")
    assert check_pin("4821", stored)
    assert not check_pin("4822", stored)


def test_a_bad_pin_is_an_input_error_and_saves_nobody(store: Store) -> None:
    with pytest.raises(InputError):
        store.add_learner("Amina Okafor", Role.TEACHER, "Oak Hill Primary", pin="12")

    assert store.learners() == []


# Attempts and answers ------------------------------------------------------


@pytest.fixture
def learner(store: Store) -> Learner:
    return store.add_learner("Amina Okafor", Role.TEACHER, "Oak Hill Primary")


@pytest.fixture
def attempt(store: Store, learner: Learner, mini_pack: Pack) -> Attempt:
    module = mini_pack.module("friend-requests")
    return store.start_attempt(learner.id, mini_pack, module, draw(module.questions, module.draw, random.Random(3)))


def test_an_attempt_round_trips(
    store: Store, learner: Learner, attempt: Attempt, mini_pack: Pack, db_path: Path, opened: list[Store]
) -> None:
    again = open_store(db_path, opened)

    (read,) = again.attempts(learner.id)
    assert read.id == attempt.id
    assert (read.pack_id, read.pack_version, read.policy_version, read.module_id) == (
        "example",
        "1.0.0",
        "1.0",
        "friend-requests",
    )
    assert (read.max_score, read.pass_mark, read.source, read.device_id) == (2, 0.8, "quiz", store.device_id)
    assert read.finished_at is None
    assert read.score is None
    assert read.passed is None
    assert read.plan == attempt.plan
    assert [q["question"] for q in json.loads(read.plan)] == [q["question"] for q in json.loads(attempt.plan)]
    assert read.started_at == attempt.started_at
    assert read.started_at.utcoffset() is not None
    assert again.open_attempt(learner.id, "friend-requests") == read
    assert again.open_attempt(learner.id, "photos") is None


def test_answers_round_trip_in_the_order_given(
    store: Store, attempt: Attempt, db_path: Path, opened: list[Store]
) -> None:
    store.record_answer(attempt.id, "fr-3", "s1", ["decline"], True)
    store.record_answer(attempt.id, "fr-3", "s2", ["nobody"], False)
    store.record_answer(attempt.id, "fr-1", "", ["a"], True)

    answers = open_store(db_path, opened).answers(attempt.id)

    assert [(a.question_id, a.step_id, json.loads(a.choice), a.correct) for a in answers] == [
        ("fr-3", "s1", ["decline"], True),
        ("fr-3", "s2", ["nobody"], False),
        ("fr-1", "", ["a"], True),
    ]
    assert all(a.attempt_id == attempt.id for a in answers)


def test_an_answer_for_a_step_is_recorded_once(store: Store, attempt: Attempt) -> None:
    store.record_answer(attempt.id, "fr-1", "", ["a"], True)

    with pytest.raises(IntegrityError):
        store.record_answer(attempt.id, "fr-1", "", ["b"], False)

    assert [json.loads(a.choice) for a in store.answers(attempt.id)] == [["a"]]


def test_an_answer_needs_a_real_attempt(store: Store) -> None:
    with pytest.raises(IntegrityError):
        store.record_answer("no-such-attempt", "fr-1", "", ["a"], True)


def test_finishing_twice_keeps_the_first_result(store: Store, learner: Learner, attempt: Attempt) -> None:
    first = store.finish_attempt(attempt.id, 2, True)
    second = store.finish_attempt(attempt.id, 0, False)

    (stored,) = store.attempts(learner.id)
    assert (stored.score, stored.passed) == (2, True)
    assert stored.finished_at == first.finished_at
    assert (second.score, second.passed, second.finished_at) == (2, True, first.finished_at)
    assert store.open_attempt(learner.id, "friend-requests") is None


def test_settings_round_trip(store: Store) -> None:
    assert store.setting("share") is None
    assert store.setting("share", "none") == "none"

    store.set_setting("share", "/mnt/a")
    store.set_setting("share", "/mnt/b")

    assert store.setting("share") == "/mnt/b"


# Taking back this PC's own records after a restore ---------------------------------------------------------


def _as_published(attempt: Attempt, **changes: Any) -> dict[str, object]:
    """The attempt as its device file record comes back from the share: no plan (never published)."""
    row: dict[str, object] = {
        "id": attempt.id,
        "device_id": attempt.device_id,
        "learner_id": attempt.learner_id,
        "pack_id": attempt.pack_id,
        "pack_version": attempt.pack_version,
        "policy_version": attempt.policy_version,
        "module_id": attempt.module_id,
        "started_at": attempt.started_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "finished_at": "2025-03-04T10:00:00.000000Z",
        "score": 2,
        "max_score": attempt.max_score,
        "pass_mark": attempt.pass_mark,
        "passed": True,
        "source": attempt.source,
        "note": None,
        "plan": "[]",
    }
    return {**row, **changes}


def test_taking_back_finishes_this_pc_s_unfinished_attempt_and_keeps_its_plan(
    store: Store, learner: Learner, attempt: Attempt
) -> None:
    store.record_answer(attempt.id, "fr-1", "", ["a"], True)

    assert store.take_back_own("attempt", [_as_published(attempt)]) == 1

    (here,) = store.attempts(learner.id)
    assert (here.score, here.passed, here.finished_at is not None) == (2, True, True)
    assert here.plan == attempt.plan
    assert [a.question_id for a in store.answers(attempt.id)] == ["fr-1"]
    assert store.open_attempt(learner.id, "friend-requests") is None


def test_taking_back_adds_what_is_missing_and_never_changes_a_finished_attempt(
    store: Store, learner: Learner, attempt: Attempt, db_path: Path
) -> None:
    store.finish_attempt(attempt.id, 1, False)
    before = query(db_path, "SELECT * FROM attempt")
    missing = _as_published(attempt, id="6f1f7d0e-2b0a-4a52-9c3e-0d6f8f0b6a01")

    assert store.take_back_own("attempt", [_as_published(attempt), missing]) == 1

    assert query(db_path, "SELECT * FROM attempt WHERE id = ?", attempt.id) == before
    assert {a.id for a in store.attempts(learner.id)} == {attempt.id, str(missing["id"])}


def test_taking_back_never_changes_another_pc_s_record(store: Store, learner: Learner, db_path: Path) -> None:
    """Records from other PCs are immutable: only import_rows brings them, and taking back refuses them."""
    other_pc = "0b9a4f2e-5d3c-4e1b-8a7f-6c5d4e3f2a10"
    theirs = _as_published(
        Attempt(
            learner_id=learner.id,
            pack_id="example",
            pack_version="1.0.0",
            policy_version="1.0",
            module_id="photos",
            max_score=2,
            pass_mark=0.5,
            device_id=other_pc,
        ),
        finished_at=None,
        score=None,
        passed=None,
    )
    store.import_rows("attempt", [theirs])
    before = query(db_path, "SELECT * FROM attempt")

    with pytest.raises(ValueError, match="not this PC's records"):
        store.take_back_own("attempt", [{**theirs, "finished_at": "2025-03-04T10:00:00.000000Z"}])
    # Even a row that claims to be this PC's leaves another PC's attempt of that id alone.
    claimed = {**theirs, "device_id": store.device_id, "finished_at": "2025-03-04T10:00:00.000000Z", "score": 2}
    assert store.take_back_own("attempt", [claimed]) == 0

    assert query(db_path, "SELECT * FROM attempt") == before
