"""Schema versions: a database of every earlier version moves forward with nothing lost (issue #8).

The fixtures in tests/fixtures (one per earlier schema version, made by
make_schemas.py and never rebuilt after a release) are real files with known
rows; each is copied into a data folder and opened as the app opens it.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect
from sqlmodel import SQLModel

from conftest import query
from fixtures import make_schemas
from socialsafe.domain.pin import check_pin
from socialsafe.storage import db
from socialsafe.storage.backup import backups, header_version, integrity_ok
from socialsafe.storage.db import SCHEMA_VERSION, DatabaseError, schema_version
from socialsafe.storage.store import Store

EARLIER = list(range(1, SCHEMA_VERSION))


def _rows(path: Path, version: int) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the version's tables in ``path``, by that version's columns only (later ones may add some)."""
    fixture = make_schemas.path_of(version)
    rows = {}
    for table in make_schemas.ROWS[version]:
        columns = [r[1] for r in query(fixture, f"PRAGMA table_info({table})")]
        rows[table] = sorted(query(path, f"SELECT {', '.join(columns)} FROM {table}"), key=repr)
    return rows


def _time(text: object) -> dt.datetime | None:
    return None if text is None else dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))


def _migrated(data_dir: Path, version: int, opened: list[Store]) -> tuple[Path, Store]:
    path = data_dir / "socialsafe.db"
    shutil.copyfile(make_schemas.path_of(version), path)
    store = Store(path)
    opened.append(store)
    return path, store


# Every earlier version has its fixture -------------------------------------------


def test_every_earlier_schema_version_has_a_fixture() -> None:
    """Fails when a migration is added without a fixture of the version it moves on from."""
    missing = [
        v for v in range(1, SCHEMA_VERSION) if not make_schemas.path_of(v).exists() or v not in make_schemas.ROWS
    ]
    assert not missing, (
        f"SCHEMA_VERSION is {SCHEMA_VERSION}, but there is no fixture of version(s) {missing}: add their rows to "
        "ROWS in tests/fixtures/make_schemas.py and run it, before the migration changes anything."
    )
    for version in range(1, SCHEMA_VERSION):
        assert header_version(make_schemas.path_of(version)) == version


@pytest.mark.parametrize("version", EARLIER)
def test_each_fixture_is_what_its_script_says(tmp_path: Path, version: int) -> None:
    rebuilt = tmp_path / "rebuilt.db"
    make_schemas.build(version, rebuilt)
    fixture = make_schemas.path_of(version)
    schema = "SELECT type, name, sql FROM sqlite_master ORDER BY name"

    assert query(fixture, "PRAGMA user_version") == [(version,)]
    assert query(rebuilt, schema) == query(fixture, schema)
    assert _rows(rebuilt, version) == _rows(fixture, version)
    assert all(rows for rows in _rows(fixture, version).values()), "every table of the fixture has rows"


# Every earlier version migrates ---------------------------------------------------


@pytest.mark.parametrize("version", EARLIER)
def test_a_database_of_an_earlier_version_migrates_with_every_row_kept(
    data_dir: Path, opened: list[Store], version: int
) -> None:
    before = _rows(make_schemas.path_of(version), version)

    path, store = _migrated(data_dir, version, opened)

    assert store.recovery is None
    assert schema_version(path) == SCHEMA_VERSION
    assert query(path, "PRAGMA integrity_check") == [("ok",)]
    assert _rows(path, version) == before
    assert {t: len(r) for t, r in _rows(path, version).items()} == {
        t: len(r) for t, r in make_schemas.ROWS[version].items()
    }
    # The copy kept before migrating: the old version, whole, checked.
    (backup,) = backups(data_dir / "backups")
    assert backup.label == f"before-migration-v{version}"
    assert header_version(backup.path) == version
    assert integrity_ok(backup.path)
    assert _rows(backup.path, version) == before


@pytest.mark.parametrize("version", EARLIER)
def test_migrated_rows_read_back_through_the_store(data_dir: Path, opened: list[Store], version: int) -> None:
    rows = make_schemas.ROWS[version]

    _path, store = _migrated(data_dir, version, opened)

    assert store.device_id == dict(rows["setting"])["device_id"]
    for key, value in rows["setting"]:
        assert store.setting(str(key)) == value
    learners = {x.id: x for x in store.learners()}
    assert {i: (x.name, x.email, x.role, x.school, x.device_id, x.pin_hash) for i, x in learners.items()} == {
        r[0]: (r[1], r[2], r[3], r[4], r[6], r[7]) for r in rows["learner"]
    }
    for row in rows["attempt"]:
        (attempt,) = [a for a in store.attempts(str(row[1])) if a.id == row[0]]
        assert (attempt.module_id, attempt.score, attempt.max_score, attempt.source, attempt.note, attempt.plan) == (
            row[5],
            row[8],
            row[9],
            row[12],
            row[13],
            row[15],
        )
        assert attempt.passed == (None if row[11] is None else bool(row[11]))
        assert (attempt.started_at, attempt.finished_at) == (_time(row[6]), _time(row[7]))
        if row[7] is None:  # unfinished: it still resumes
            resumable = store.open_attempt(str(row[1]), str(row[5]))
            assert resumable is not None
            assert resumable.id == row[0]
        answers = [(a.id, a.question_id, a.step_id, json.loads(a.choice), a.correct) for a in store.answers(attempt.id)]
        assert answers == [
            (r[0], r[2], r[3], json.loads(str(r[4])), bool(r[5])) for r in rows["answer"] if r[1] == row[0]
        ]
    for row in rows.get("acknowledgement", []):
        (signoff,) = [s for s in store.acknowledgements(str(row[1])) if s.id == row[0]]
        assert (signoff.policy_id, signoff.policy_version, signoff.signed_name, signoff.source, signoff.note) == (
            row[2],
            row[3],
            row[7],
            row[8],
            row[9],
        )
        assert signoff.acknowledged_at == _time(row[6])
    pinned = [x for x in learners.values() if x.pin_hash]
    assert pinned, "each fixture has a person with a PIN"
    if version == 1:
        assert check_pin(make_schemas.PIN, pinned[0].pin_hash or "")


@pytest.mark.parametrize("version", EARLIER)
def test_a_migrated_database_takes_new_records(data_dir: Path, opened: list[Store], version: int) -> None:
    path, store = _migrated(data_dir, version, opened)

    learner = store.add_learner("Nia Evans", "teacher", "Oak Hill Primary")
    store.record_erasure(learner.id)

    assert learner.id in {x.id for x in store.learners()}
    assert (learner.id,) in query(path, "SELECT learner_id FROM erasure")


def test_times_from_another_pc_that_cannot_be_read_back_are_gone_after_migrating(
    data_dir: Path, opened: list[Store]
) -> None:
    """Before version 5 a record from the share dated year 1 was stored as "1-01-01T…" and broke every
    later read (issue #14); one dated 9999 broke every date sum. This PC's own records stay whatever they say."""
    path = data_dir / "socialsafe.db"
    shutil.copyfile(make_schemas.path_of(4), path)
    other, mine = make_schemas.OTHER_PC, make_schemas.V4_DEVICE
    learner = "0e7c1d7a-3099-4c9a-8f00-000000000099"
    with sqlite3.connect(path) as connection:
        connection.execute(
            "INSERT INTO learner VALUES (?, 'Eve', NULL, 'teacher', 'Oak', '1-01-01T00:00:00.000000Z', ?,"
            " NULL, NULL, 1)",
            (learner, other),
        )
        for n, (when, device) in enumerate(
            [("1-01-01T00:00:00.000000Z", other), ("9999-12-31T23:59:59.000000Z", other)]
        ):
            connection.execute(
                "INSERT INTO attempt VALUES (?, ?, 'example', '1.0.0', '1.0', 'photos', ?, ?, 2, 2, 0.5, 1,"
                " 'quiz', NULL, ?, '[]', NULL, 1)",
                (f"a77e0000-3099-4000-8000-00000000009{n}", learner, when, when, device),
            )
        connection.execute(
            "INSERT INTO acknowledgement VALUES ('ac000000-3099-4000-8000-000000000099', ?, 'example-policy', '1.0',"
            " 'example', '1.0.0', '1-01-01T00:00:00.000000Z', 'Eve', 'app', NULL, ?, NULL, 1)",
            (learner, other),
        )
    before = _rows(make_schemas.path_of(4), 4)

    store = Store(path)
    opened.append(store)

    assert query(path, "SELECT count(*) FROM attempt WHERE learner_id = ?", learner) == [(0,)]
    assert query(path, "SELECT count(*) FROM acknowledgement WHERE learner_id = ?", learner) == [(0,)]
    [eve] = [x for x in store.learners() if x.id == learner]  # read back, with the earliest time a record may carry
    assert eve.created_at == dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    assert {t: [r for r in rows if r[0] != learner] for t, rows in _rows(path, 4).items()} == before
    assert store.device_id == mine


# The migration machinery -------------------------------------------------------------


def test_a_fresh_database_is_at_the_current_schema_version(store: Store, data_dir: Path) -> None:
    assert schema_version(data_dir / "socialsafe.db") == SCHEMA_VERSION == len(db.MIGRATIONS)
    assert backups(data_dir / "backups") == []  # nothing to keep a copy of


def test_the_migrated_schema_matches_the_models(store: Store) -> None:
    found = inspect(store._engine)

    assert set(SQLModel.metadata.tables) <= set(found.get_table_names())
    for table in SQLModel.metadata.sorted_tables:
        columns = {c["name"]: c for c in found.get_columns(table.name)}
        for column in table.columns:
            assert column.name in columns, f"{table.name}.{column.name} is not in the database"
            actual = columns[column.name]
            assert actual["nullable"] == column.nullable, f"{table.name}.{column.name} nullability"
            assert str(actual["type"]) == str(column.type.compile(store._engine.dialect)), f"{table.name}.{column.name}"
        primary = found.get_pk_constraint(table.name)["constrained_columns"]
        assert primary == [c.name for c in table.primary_key.columns], table.name
        foreign = {(tuple(f["constrained_columns"]), f["referred_table"]) for f in found.get_foreign_keys(table.name)}
        assert foreign == {((k.parent.name,), k.column.table.name) for k in table.foreign_keys}, table.name
        indexed = {tuple(i["column_names"]) for i in found.get_indexes(table.name)}
        assert {tuple(c.name for c in i.columns) for i in table.indexes} <= indexed, table.name
        unique = {tuple(u["column_names"]) for u in found.get_unique_constraints(table.name)}
        wanted = {tuple(c.name for c in u.columns) for u in table.constraints if type(u).__name__ == "UniqueConstraint"}
        assert wanted <= unique, table.name


def test_a_database_from_a_newer_version_is_refused(data_dir: Path) -> None:
    path = data_dir / "socialsafe.db"
    connection = sqlite3.connect(path)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.close()

    with pytest.raises(DatabaseError, match="newer version"):
        Store(path)

    assert schema_version(path) == SCHEMA_VERSION + 1  # left as it was
    assert not (data_dir / "backups").exists()  # and not mistaken for a damaged one


def test_a_migration_keeps_a_backup_and_the_rows(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = data_dir / "socialsafe.db"
    shutil.copyfile(make_schemas.path_of(1), path)
    before = _rows(path, 1)
    monkeypatch.setattr(db, "MIGRATIONS", [*db.MIGRATIONS, "ALTER TABLE learner ADD COLUMN nickname VARCHAR"])
    monkeypatch.setattr(db, "SCHEMA_VERSION", SCHEMA_VERSION + 1)

    store = Store(path)
    store.close()

    assert schema_version(path) == SCHEMA_VERSION + 1
    assert _rows(path, 1) == before
    (backup,) = (data_dir / "backups").glob("*.db")
    assert "before-migration-v1" in backup.name
    assert query(backup, "PRAGMA user_version") == [(1,)]
    assert _rows(backup, 1) == before
    assert not list((data_dir / "backups").glob("*-wal")), "a backup is one self-contained file"


def test_a_failed_migration_leaves_the_old_version_intact(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = data_dir / "socialsafe.db"
    shutil.copyfile(make_schemas.path_of(1), path)
    Store(path).close()  # up to the current version
    before = _rows(path, 1)
    broken = "CREATE TABLE half_done (x INTEGER); INSERT INTO half_done VALUES (1); CREATE TABLE learner (y INTEGER)"
    monkeypatch.setattr(db, "MIGRATIONS", [*db.MIGRATIONS, broken])
    monkeypatch.setattr(db, "SCHEMA_VERSION", SCHEMA_VERSION + 1)

    with pytest.raises(DatabaseError):
        Store(path)

    assert schema_version(path) == SCHEMA_VERSION
    assert _rows(path, 1) == before
    assert query(path, "SELECT name FROM sqlite_master WHERE name = 'half_done'") == []


def test_no_migration_without_a_sound_copy_first(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """When the copy before migrating cannot be kept (a full disk, say), the database stays as it was."""
    path = data_dir / "socialsafe.db"
    shutil.copyfile(make_schemas.path_of(1), path)
    before = _rows(path, 1)

    def no_room(*_args: object, **_kwargs: object) -> Path:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(db, "copy_database", no_room)

    with pytest.raises(DatabaseError, match="could not keep a copy") as raised:
        Store(path)

    assert "No space left on device" in str(raised.value)
    assert schema_version(path) == 1
    assert _rows(path, 1) == before
