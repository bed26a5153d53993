"""Opening the local database: the one place that does it.

SQLite in WAL mode with ``synchronous=FULL``, so a committed answer survives a
crash or a power cut. At open the file is checked (``PRAGMA quick_check``) and,
when damaged, set aside and replaced by the newest good backup
(:mod:`socialsafe.storage.recovery`). The schema is versioned with
``PRAGMA user_version`` and moved forward by the migrations below, each in its
own transaction, after a checked copy of the old file is kept in the backups
folder (:mod:`socialsafe.storage.backup`).
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from socialsafe.i18n import _
from socialsafe.paths import BACKUP_DIR_NAME
from socialsafe.storage.backup import BackupError, copy_database
from socialsafe.storage.recovery import Recovery, recover_if_damaged

if TYPE_CHECKING:
    from sqlalchemy import Engine

# MIGRATIONS[i] moves a database from schema version i to i + 1. Never edit a
# released one: add a new one, and first keep a database of the version it moves
# on from in tests/fixtures (tests/fixtures/make_schemas.py; a test fails without it).
MIGRATIONS: list[str] = [
    """
    CREATE TABLE setting (
        key VARCHAR NOT NULL PRIMARY KEY,
        value VARCHAR NOT NULL
    );
    CREATE TABLE learner (
        id VARCHAR NOT NULL PRIMARY KEY,
        name VARCHAR NOT NULL,
        email VARCHAR,
        role VARCHAR NOT NULL,
        school VARCHAR NOT NULL,
        created_at VARCHAR NOT NULL,
        device_id VARCHAR NOT NULL,
        pin_hash VARCHAR
    );
    CREATE TABLE attempt (
        id VARCHAR NOT NULL PRIMARY KEY,
        learner_id VARCHAR NOT NULL REFERENCES learner (id),
        pack_id VARCHAR NOT NULL,
        pack_version VARCHAR NOT NULL,
        policy_version VARCHAR NOT NULL,
        module_id VARCHAR NOT NULL,
        started_at VARCHAR NOT NULL,
        finished_at VARCHAR,
        score INTEGER,
        max_score INTEGER NOT NULL,
        pass_mark FLOAT NOT NULL,
        passed BOOLEAN,
        source VARCHAR NOT NULL,
        note VARCHAR,
        device_id VARCHAR NOT NULL,
        plan VARCHAR NOT NULL
    );
    CREATE INDEX ix_attempt_learner_id ON attempt (learner_id);
    CREATE TABLE answer (
        id VARCHAR NOT NULL PRIMARY KEY,
        attempt_id VARCHAR NOT NULL REFERENCES attempt (id),
        question_id VARCHAR NOT NULL,
        step_id VARCHAR NOT NULL,
        choice VARCHAR NOT NULL,
        correct BOOLEAN NOT NULL,
        answered_at VARCHAR NOT NULL,
        UNIQUE (attempt_id, question_id, step_id)
    );
    CREATE INDEX ix_answer_attempt_id ON answer (attempt_id);
    """,
    # 2: sign-offs of the policy (in the app, or a signed paper copy recorded by an admin).
    """
    CREATE TABLE acknowledgement (
        id VARCHAR NOT NULL PRIMARY KEY,
        learner_id VARCHAR NOT NULL REFERENCES learner (id),
        policy_id VARCHAR NOT NULL,
        policy_version VARCHAR NOT NULL,
        pack_id VARCHAR NOT NULL,
        pack_version VARCHAR NOT NULL,
        acknowledged_at VARCHAR NOT NULL,
        signed_name VARCHAR NOT NULL,
        source VARCHAR NOT NULL,
        note VARCHAR,
        device_id VARCHAR NOT NULL
    );
    CREATE INDEX ix_acknowledgement_learner_id ON acknowledgement (learner_id);
    """,
    # 3: erasures: a person asked for their data to be erased, here and on every PC.
    """
    CREATE TABLE erasure (
        id VARCHAR NOT NULL PRIMARY KEY,
        learner_id VARCHAR NOT NULL,
        erased_at VARCHAR NOT NULL,
        device_id VARCHAR NOT NULL
    );
    CREATE INDEX ix_learner_device_id ON learner (device_id);
    CREATE INDEX ix_attempt_device_id ON attempt (device_id);
    """,
    # 4: the office's authority: proofs on the records only the office may make, whether a record from
    # another PC was taken in checked against it, the PCs it trusts, and the certificates issued (found
    # again by their verification code).
    """
    ALTER TABLE learner ADD COLUMN proof VARCHAR;
    ALTER TABLE attempt ADD COLUMN proof VARCHAR;
    ALTER TABLE acknowledgement ADD COLUMN proof VARCHAR;
    ALTER TABLE erasure ADD COLUMN proof VARCHAR;
    ALTER TABLE learner ADD COLUMN checked BOOLEAN;
    ALTER TABLE attempt ADD COLUMN checked BOOLEAN;
    ALTER TABLE acknowledgement ADD COLUMN checked BOOLEAN;
    CREATE TABLE enrolment (
        id VARCHAR NOT NULL PRIMARY KEY,
        device_id VARCHAR NOT NULL,
        subject_id VARCHAR NOT NULL,
        public_key VARCHAR NOT NULL,
        device_name VARCHAR NOT NULL,
        enrolled_at VARCHAR NOT NULL,
        proof VARCHAR NOT NULL
    );
    CREATE INDEX ix_enrolment_subject_id ON enrolment (subject_id);
    CREATE TABLE certificate (
        id VARCHAR NOT NULL PRIMARY KEY,
        learner_id VARCHAR NOT NULL REFERENCES learner (id),
        policy_id VARCHAR NOT NULL,
        policy_version VARCHAR NOT NULL,
        completed_on VARCHAR NOT NULL,
        expires_on VARCHAR NOT NULL,
        issued_at VARCHAR NOT NULL,
        code VARCHAR NOT NULL,
        device_id VARCHAR NOT NULL,
        checked BOOLEAN
    );
    CREATE INDEX ix_certificate_learner_id ON certificate (learner_id);
    CREATE INDEX ix_certificate_code ON certificate (code);
    """,
    # 5: nothing another PC sent stays unless it can be read back. SocialSafe before this version took in
    # times from the share in any year, and stored year 1 as "1-01-01T…", which no reader takes back, or
    # year 9999, which no date sum survives: such records from other PCs go (every PC that still has them
    # on the share now reports them instead); a learner record, which this PC's own records may name, keeps
    # its place with its time set to the earliest a record can carry (nothing reads a learner's time but
    # its order). This PC's own records are never touched: they were made with its own clock.
    """
    CREATE TEMP TABLE here AS SELECT value AS id FROM setting WHERE key = 'device_id';
    CREATE TEMP TABLE odd_attempt AS SELECT id FROM attempt
        WHERE device_id NOT IN (SELECT id FROM here)
        AND (started_at NOT GLOB '2[0-9][0-9][0-9]-*'
             OR (finished_at IS NOT NULL AND finished_at NOT GLOB '2[0-9][0-9][0-9]-*'));
    DELETE FROM answer WHERE attempt_id IN (SELECT id FROM odd_attempt);
    DELETE FROM attempt WHERE id IN (SELECT id FROM odd_attempt);
    DROP TABLE odd_attempt;
    DELETE FROM acknowledgement
        WHERE device_id NOT IN (SELECT id FROM here) AND acknowledged_at NOT GLOB '2[0-9][0-9][0-9]-*';
    DELETE FROM erasure WHERE device_id NOT IN (SELECT id FROM here) AND erased_at NOT GLOB '2[0-9][0-9][0-9]-*';
    DELETE FROM enrolment
        WHERE device_id NOT IN (SELECT id FROM here) AND enrolled_at NOT GLOB '2[0-9][0-9][0-9]-*';
    DELETE FROM certificate WHERE device_id NOT IN (SELECT id FROM here)
        AND (completed_on NOT GLOB '2[0-9][0-9][0-9]-*' OR expires_on NOT GLOB '2[0-9][0-9][0-9]-*'
             OR issued_at NOT GLOB '2[0-9][0-9][0-9]-*');
    UPDATE learner SET created_at = '2000-01-01T00:00:00.000000Z'
        WHERE device_id NOT IN (SELECT id FROM here) AND created_at NOT GLOB '2[0-9][0-9][0-9]-*';
    DROP TABLE here;
    """,
    # 6: merges: the office found two learner records to be one person (or corrected a name or school).
    """
    CREATE TABLE merge (
        id VARCHAR NOT NULL PRIMARY KEY,
        learner_id VARCHAR NOT NULL,
        into_id VARCHAR NOT NULL,
        merged_at VARCHAR NOT NULL,
        device_id VARCHAR NOT NULL,
        proof VARCHAR
    );
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)


class DatabaseError(Exception):
    """The local database cannot be used; the message is for the person."""


BUSY_TIMEOUT_S = 10.0


def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
    # Switching a fresh file to WAL does not wait on the busy timeout while another
    # process is writing it (two PCs' worth of processes starting at once), so retry.
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            break
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def open_engine(path: Path, backup_dir: Path | None = None) -> Engine:
    """Open (checking, restoring, creating or migrating) the database at ``path``."""
    return open_database(path, backup_dir)[0]


def open_database(path: Path, backup_dir: Path | None = None, check: bool = True) -> tuple[Engine, Recovery | None]:
    """:func:`prepare_database`, then an engine on it whose every connection is durable."""
    recovery = prepare_database(path, backup_dir, check)
    from sqlalchemy import create_engine, event  # here: prepare_database alone does not load SQLAlchemy

    # SQLAlchemy's own transaction handling on top of sqlite3's "legacy" mode.
    engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False})
    event.listen(engine, "connect", _on_connect)
    return engine, recovery


def prepare_database(path: Path, backup_dir: Path | None = None, check: bool = True) -> Recovery | None:
    """Make the database at ``path`` ready to use, with the standard library's sqlite3 alone.

    Checks it (``PRAGMA quick_check``, unless ``check`` is False) and, when it is
    damaged, sets it aside and restores the newest good backup; then creates or
    migrates it to :data:`SCHEMA_VERSION`. Returns what was done about damage, or
    None when there was none. Raises :class:`DatabaseError`, whose message is for
    the person, when it cannot be used. ``backup_dir`` defaults to the
    ``backups`` folder beside the database.
    """
    folder = backup_dir or path.parent / BACKUP_DIR_NAME
    recovery = None
    try:
        if check:
            recovery = recover_if_damaged(path, folder, SCHEMA_VERSION, lambda new: _migrate(new, folder))
        _migrate(path, folder)
    except sqlite3.DatabaseError as error:
        raise DatabaseError(
            _("The training records at {path} cannot be opened ({reason}).").format(path=path, reason=error)
        ) from error
    except OSError as error:
        raise DatabaseError(
            _(
                "The training records at {path} are damaged, and SocialSafe could not set them aside to restore "
                "a copy ({reason}). Close SocialSafe everywhere on this PC and start it again."
            ).format(path=path, reason=error.strerror or error)
        ) from error
    return recovery


def schema_version(path: Path) -> int:
    with sqlite3.connect(path) as connection:
        return int(connection.execute("PRAGMA user_version").fetchone()[0])


def _migrate(path: Path, backup_dir: Path) -> None:
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        _on_connect(connection, None)
        version = int(connection.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise DatabaseError(
                _(
                    "The training records at {path} were written by a newer version of SocialSafe. "
                    "Please install the newer version on this PC."
                ).format(path=path)
            )
        if version == SCHEMA_VERSION:
            return
        if version > 0:
            _backup(connection, backup_dir, f"before-migration-v{version}", path)
        for target in range(version + 1, SCHEMA_VERSION + 1):
            # One transaction per step: a crash leaves the old version, intact.
            connection.execute("BEGIN IMMEDIATE")
            try:
                # Another process may have migrated while we waited for the lock.
                if int(connection.execute("PRAGMA user_version").fetchone()[0]) >= target:
                    connection.execute("COMMIT")
                    continue
                for statement in _statements(MIGRATIONS[target - 1]):
                    connection.execute(statement)
                connection.execute(f"PRAGMA user_version = {target}")
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
    finally:
        connection.close()


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


def _backup(connection: sqlite3.Connection, folder: Path, label: str, path: Path) -> Path:
    """A checked copy before migrating; without one the database is left as it is."""
    try:
        return copy_database(connection, folder, label)
    except (BackupError, OSError) as error:
        raise DatabaseError(
            _(
                "SocialSafe could not keep a copy of the training records at {path} before updating them "
                "({reason}), so it has left them as they were."
            ).format(path=path, reason=getattr(error, "strerror", None) or error)
        ) from error
