"""The local store: the only code that reads and writes the database.

Every method runs in its own short transaction and commits before it
returns, so an answer is on disk the moment it is given.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple, TypeVar

from sqlalchemy import Engine, text
from sqlmodel import Session, col, select

from socialsafe.content.model import Module, Pack, Role
from socialsafe.domain import quiz
from socialsafe.domain.people import as_merged, merged_identities, normalise_name, person_identity, person_key
from socialsafe.domain.pin import hash_pin, is_valid_pin
from socialsafe.domain.quiz import PlannedQuestion, plan_to_json
from socialsafe.i18n import _
from socialsafe.paths import BACKUP_DIR_NAME
from socialsafe.storage.backup import KEEP_DAILY, daily_backup
from socialsafe.storage.db import open_database
from socialsafe.storage.models import (
    Acknowledgement,
    Answer,
    Attempt,
    Certificate,
    Enrolment,
    Erasure,
    Learner,
    Merge,
    Setting,
    utcnow,
)
from socialsafe.storage.recovery import DEVICE_ID_KEY, RESTORED_KEY

Row = TypeVar("Row", Learner, Attempt, Answer, Acknowledgement, Erasure, Merge, Enrolment, Certificate)
# Signs a record the office makes, as the share will carry it (socialsafe.admin.office_proof): called with the
# row, complete but for its proof, just before it is saved, so the row and its proof are written together.
Prove = Callable[[Learner | Attempt | Acknowledgement | Erasure | Merge | Enrolment], str]
DEVICE_KEY = "device_key"  # this PC's own signing key (base64): it signs the device file it publishes


class OwnRecords(NamedTuple):
    """What this PC publishes (:meth:`Store.own_records`)."""

    learners: list[Learner]
    attempts: list[Attempt]
    acks: list[Acknowledgement]
    erasures: list[Erasure]
    enrolments: list[Enrolment]
    certificates: list[Certificate]
    merges: list[Merge]


__all__ = ["InputError", "Store", "normalise_name", "person_key"]


def _shown_as(learner: Learner, facts: tuple[str, str, str | None]) -> Learner:
    """A copy of ``learner`` with a merge's name, school and email: for showing and grouping, never saved."""
    name, school, email = facts
    return Learner.model_validate({**learner.model_dump(), "name": name, "school": school, "email": email})


# Databases a Store in this process has open. Only the first opener checks the file (and would set
# it aside if damaged): a second Store on it (the sync's own, in a thread) must not move it from
# under the first.
_open_here: Counter[Path] = Counter()
_open_lock = threading.Lock()


class InputError(ValueError):
    """Something a person typed cannot be saved; the message says what to change."""


class Store:
    def __init__(self, path: Path, check: bool = True) -> None:
        """Open the database at ``path``, checked, restored from a backup if damaged, and migrated.

        Raises :class:`~socialsafe.storage.db.DatabaseError` (its message is for the person)
        when it cannot be used. When it was damaged, :attr:`recovery` says what was done;
        ``store.recovery.message()`` is what to tell the person. ``check=False`` skips the
        check (``PRAGMA quick_check``), for a caller that has just run
        :func:`~socialsafe.storage.db.prepare_database`; a second Store on a file already
        open in this process never checks it.
        """
        self.path = path
        self.backup_dir = path.parent / BACKUP_DIR_NAME
        self._key = path.absolute()
        with _open_lock:
            first = check and _open_here[self._key] == 0
            _open_here[self._key] += 1
        try:
            self._engine: Engine
            self._engine, self.recovery = open_database(path, self.backup_dir, check=first)
            self.device_id = self._ensure_device_id()
        except BaseException:
            self._release()
            raise
        self._closed = False

    def close(self) -> None:
        self._engine.dispose()
        if not self._closed:
            self._closed = True
            self._release()

    def _release(self) -> None:
        with _open_lock:
            _open_here[self._key] -= 1
            if _open_here[self._key] <= 0:
                del _open_here[self._key]

    def take_daily_backup(self, keep: int = KEEP_DAILY) -> Path | None:
        """Today's backup into the backups folder, unless there is one already; keeps the last ``keep`` days.

        For the app to call once it is up (the window shown), not at open: it copies the whole
        database. Returns the new backup, or None when today's was there or it could not be taken
        (logged: a missed day's backup is not the person's problem, and the next start tries again).
        """
        return daily_backup(self.path, keep, self.backup_dir)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self._engine, expire_on_commit=False) as session:
            yield session

    def _save(self, row: Row, prove: Prove | None = None) -> Row:
        """Insert one new row and commit it before returning: nothing waits in memory.

        ``prove``: the office's signature of the row, made first so that the two are saved together.
        """
        if prove is not None:
            row.proof = prove(row)  # type: ignore[arg-type]
        with self.session() as s:
            s.add(row)
            s.commit()
        return row

    # Settings ---------------------------------------------------------------

    def setting(self, key: str, default: str | None = None) -> str | None:
        with self.session() as s:
            row = s.get(Setting, key)
            return row.value if row else default

    def set_setting(self, key: str, value: str) -> None:
        with self.session() as s:
            s.merge(Setting(key=key, value=value))
            s.commit()

    def restored_at(self) -> str | None:
        """When a repair put this database in place (a backup restored, or an empty one started), until
        :meth:`clear_restored`; None otherwise. Meanwhile this PC's device file on the shared folder may hold
        records the database lacks, to take back (:meth:`take_back_own`)."""
        return self.setting(RESTORED_KEY)

    def clear_restored(self) -> None:
        """This PC's published records are back in the database (a sync has published since the repair)."""
        with self.session() as s:
            s.connection().execute(text("DELETE FROM setting WHERE key = :key"), {"key": RESTORED_KEY})
            s.commit()

    def _ensure_device_id(self) -> str:
        return self.setting_once(DEVICE_ID_KEY, lambda: str(uuid.uuid4()))

    def setting_once(self, key: str, make: Callable[[], str]) -> str:
        """The setting ``key``, made with ``make`` and saved the first time it is asked for.

        Two processes asking at once (two windows of one data folder) get the same value: the first one saved.
        """
        existing = self.setting(key)
        if existing:
            return existing
        with self.session() as s:
            s.connection().execute(
                text("INSERT OR IGNORE INTO setting (key, value) VALUES (:key, :value)"), {"key": key, "value": make()}
            )
            s.commit()
        value = self.setting(key)
        assert value is not None
        return value

    # Learners ---------------------------------------------------------------

    def learners(self, this_pc_only: bool = False, merged: bool = True) -> list[Learner]:
        """Learner records, by name, as the office's merges show them (``merged``) or as they were made;
        ``this_pc_only`` leaves out those that came from other PCs."""
        with self.session() as s:
            everyone = s.exec(select(Learner)).all()
            merges = merged_identities(everyone, s.exec(select(Merge)).all()) if merged else {}
        rows = [x for x in everyone if x.device_id == self.device_id] if this_pc_only else everyone
        shown = [as_merged(x, merges, _shown_as) for x in rows]
        return sorted(shown, key=lambda learner: (learner.name.casefold(), learner.school.casefold()))

    def same_person(self, learner: Learner) -> list[Learner]:
        """Every learner record, from any PC, that groups into the same person as ``learner``."""
        identity = person_identity(learner.name, learner.school, learner.email)
        return [x for x in self.learners() if person_identity(x.name, x.school, x.email) == identity]

    def learner(self, learner_id: str) -> Learner | None:
        """One learner record, as the office's merges show it."""
        with self.session() as s:
            found = s.get(Learner, learner_id)
            merges = s.exec(select(Merge)).all()
            if found is None or not merges:
                return found
            merged = merged_identities(s.exec(select(Learner)).all(), merges)
        return as_merged(found, merged, _shown_as)

    def merges(self) -> list[Merge]:
        with self.session() as s:
            return list(s.exec(select(Merge)).all())

    def record_merge(self, learner_id: str, into_id: str, prove: Prove | None = None) -> Merge:
        """The office found learner record ``learner_id`` (and all who group with it) to be ``into_id``'s person."""
        if learner_id == into_id:
            raise ValueError("a learner record is already itself")
        return self._save(Merge(learner_id=learner_id, into_id=into_id, device_id=self.device_id), prove)

    def add_learner(
        self,
        name: str,
        role: Role | str,
        school: str,
        email: str | None = None,
        pin: str | None = None,
        prove: Prove | None = None,
        same_allowed: bool = False,
    ) -> Learner:
        """A new learner record made on this PC. ``same_allowed``: even when a person of that name and school
        has one here already (the office correcting a name's accents makes a record of the same letters)."""
        name, school = normalise_name(name), normalise_name(school)
        email = (email or "").strip() or None
        if not name:
            raise InputError(_("Please enter your name."))
        if not school:
            raise InputError(_("Please enter your school."))
        if role not in set(Role):
            raise InputError(_("Please choose your role."))
        if email is not None and ("@" not in email or " " in email):
            raise InputError(_("That email address does not look right. Leave it empty if you have none."))
        if pin and not is_valid_pin(pin):
            raise InputError(_("A PIN has exactly 4 digits. Leave it empty if you do not want one."))
        key = person_key(name, school)
        if not same_allowed and any(person_key(x.name, x.school) == key for x in self.learners(this_pc_only=True)):
            raise InputError(
                _("{name} at {school} is already on this PC: pick the name from the list.").format(
                    name=name, school=school
                )
            )
        learner = Learner(
            name=name,
            role=str(role),
            school=school,
            email=email,
            device_id=self.device_id,
            pin_hash=hash_pin(pin) if pin else None,
        )
        return self._save(learner, prove)

    # Attempts and answers ---------------------------------------------------

    def attempts(self, learner_id: str) -> list[Attempt]:
        with self.session() as s:
            query = select(Attempt).where(Attempt.learner_id == learner_id).order_by(col(Attempt.started_at))
            return list(s.exec(query).all())

    def open_attempt(self, learner_id: str, module_id: str) -> Attempt | None:
        """The learner's unfinished attempt at the module, to resume; the newest if several."""
        with self.session() as s:
            query = (
                select(Attempt)
                .where(Attempt.learner_id == learner_id, Attempt.module_id == module_id)
                .where(col(Attempt.finished_at).is_(None))
                .order_by(col(Attempt.started_at).desc())
            )
            return s.exec(query).first()

    def start_attempt(
        self, learner_id: str, pack: Pack, module: Module, plan: list[PlannedQuestion], pass_mark: float | None = None
    ) -> Attempt:
        attempt = Attempt(
            learner_id=learner_id,
            pack_id=pack.id,
            pack_version=pack.version,
            policy_version=pack.policy.version,
            module_id=module.id,
            max_score=len(plan),
            pass_mark=module.pass_mark if pass_mark is None else pass_mark,
            device_id=self.device_id,
            plan=plan_to_json(plan),
        )
        return self._save(attempt)

    def answers(self, attempt_id: str) -> list[Answer]:
        with self.session() as s:
            query = select(Answer).where(Answer.attempt_id == attempt_id).order_by(col(Answer.answered_at))
            return list(s.exec(query).all())

    def record_answer(
        self, attempt_id: str, question_id: str, step_id: str, choice: list[str], correct: bool
    ) -> Answer:
        answer = Answer(
            attempt_id=attempt_id, question_id=question_id, step_id=step_id, choice=json.dumps(choice), correct=correct
        )
        return self._save(answer)

    def finish_attempt(self, attempt_id: str, score: int, passed: bool) -> Attempt:
        with self.session() as s:
            attempt = s.get_one(Attempt, attempt_id)
            if attempt.finished_at is None:  # finishing twice (a double click) changes nothing
                attempt.finished_at = utcnow()
                attempt.score = score
                attempt.passed = passed
                s.add(attempt)
                s.commit()
            return attempt

    def answers_of_learner(self, learner_id: str) -> list[Answer]:
        """Every answer the learner gave, oldest first: their history and spaced review."""
        with self.session() as s:
            query = (
                select(Answer)
                .join(Attempt, col(Attempt.id) == col(Answer.attempt_id))
                .where(Attempt.learner_id == learner_id)
                .order_by(col(Answer.answered_at))
            )
            return list(s.exec(query).all())

    def record_manual(
        self,
        learner_id: str,
        pack: Pack,
        module: Module,
        score: int,
        max_score: int,
        finished_at: dt.datetime,
        note: str | None = None,
        pass_mark: float | None = None,
        prove: Prove | None = None,
    ) -> Attempt:
        """A completion done outside the app (a face-to-face session), marked manual."""
        mark = module.pass_mark if pass_mark is None else pass_mark
        if max_score <= 0 or not 0 <= score <= max_score:
            raise InputError(_("The score must be between 0 and the maximum score, which must be above 0."))
        attempt = Attempt(
            learner_id=learner_id,
            pack_id=pack.id,
            pack_version=pack.version,
            policy_version=pack.policy.version,
            module_id=module.id,
            started_at=finished_at,
            finished_at=finished_at,
            score=score,
            max_score=max_score,
            pass_mark=mark,
            passed=quiz.passed(score, max_score, mark),
            source="manual",
            note=(note or "").strip() or None,
            device_id=self.device_id,
        )
        return self._save(attempt, prove)

    # Sign-offs ---------------------------------------------------------------

    def acknowledgements(self, learner_id: str) -> list[Acknowledgement]:
        with self.session() as s:
            query = (
                select(Acknowledgement)
                .where(Acknowledgement.learner_id == learner_id)
                .order_by(col(Acknowledgement.acknowledged_at))
            )
            return list(s.exec(query).all())

    def acknowledge(
        self,
        learner_id: str,
        pack: Pack,
        signed_name: str,
        at: dt.datetime | None = None,
        source: str = "app",
        note: str | None = None,
        prove: Prove | None = None,
    ) -> Acknowledgement:
        signoff = Acknowledgement(
            learner_id=learner_id,
            policy_id=pack.policy.id,
            policy_version=pack.policy.version,
            pack_id=pack.id,
            pack_version=pack.version,
            acknowledged_at=at or utcnow(),
            signed_name=normalise_name(signed_name),
            source=source,
            note=(note or "").strip() or None,
            device_id=self.device_id,
        )
        return self._save(signoff, prove)

    # Sync -------------------------------------------------------------------

    def own_records(self) -> OwnRecords:
        """What this PC publishes: the records it created; attempts only once finished (records never change).

        Every erasure, merge and enrolment it knows goes out too, wherever it was made: they hold no one's personal
        data, and each PC that carries them keeps them on the share should one file be lost.
        """
        mine = self.device_id
        with self.session() as s:
            learners = list(s.exec(select(Learner).where(Learner.device_id == mine)).all())
            attempts = list(
                s.exec(
                    select(Attempt).where(Attempt.device_id == mine).where(col(Attempt.finished_at).is_not(None))
                ).all()
            )
            acks = list(s.exec(select(Acknowledgement).where(Acknowledgement.device_id == mine)).all())
            erasures = list(s.exec(select(Erasure)).all())
            enrolments = list(s.exec(select(Enrolment)).all())
            certificates = list(s.exec(select(Certificate).where(Certificate.device_id == mine)).all())
            merges = list(s.exec(select(Merge)).all())
        return OwnRecords(learners, attempts, acks, erasures, enrolments, certificates, merges)

    def records_of_devices(self, device_ids: set[str]) -> OwnRecords:
        """The records these PCs made that this PC took in checked against the office's authority (attempts
        once finished), as :meth:`own_records`."""
        ids = list(device_ids)
        with self.session() as s:
            learners = list(
                s.exec(select(Learner).where(col(Learner.device_id).in_(ids), col(Learner.checked).is_(True))).all()
            )
            attempts = list(
                s.exec(
                    select(Attempt).where(
                        col(Attempt.device_id).in_(ids),
                        col(Attempt.checked).is_(True),
                        col(Attempt.finished_at).is_not(None),
                    )
                ).all()
            )
            acks = list(
                s.exec(
                    select(Acknowledgement).where(
                        col(Acknowledgement.device_id).in_(ids), col(Acknowledgement.checked).is_(True)
                    )
                ).all()
            )
            certificates = list(
                s.exec(
                    select(Certificate).where(col(Certificate.device_id).in_(ids), col(Certificate.checked).is_(True))
                ).all()
            )
        return OwnRecords(learners, attempts, acks, [], [], certificates, [])

    # The office's authority ---------------------------------------------------

    def device_key(self) -> str:
        """This PC's signing key (base64 of its 32 private bytes), made the first time it is asked for."""
        import base64
        import secrets

        return self.setting_once(DEVICE_KEY, lambda: base64.b64encode(secrets.token_bytes(32)).decode("ascii"))

    def enrolments(self) -> list[Enrolment]:
        """Every PC the office trusts, as far as this PC knows (checked before they were saved)."""
        with self.session() as s:
            return list(s.exec(select(Enrolment).order_by(col(Enrolment.enrolled_at))).all())

    def add_enrolment(self, subject_id: str, public_key: str, device_name: str, prove: Prove) -> Enrolment:
        """The office trusts the PC ``subject_id`` with ``public_key``: made here, with the office's proof."""
        return self._save(
            Enrolment(
                device_id=self.device_id,
                subject_id=subject_id,
                public_key=public_key,
                device_name=device_name,
                proof="",
            ),
            prove,
        )

    def certificate_of(
        self, learner_id: str, policy_id: str, policy_version: str, completed_on: str
    ) -> Certificate | None:
        """The certificate this PC issued for that completion, if it has issued one."""
        with self.session() as s:
            query = select(Certificate).where(
                Certificate.learner_id == learner_id,
                Certificate.policy_id == policy_id,
                Certificate.policy_version == policy_version,
                Certificate.completed_on == completed_on,
                Certificate.device_id == self.device_id,
            )
            return s.exec(query).first()

    def issue_certificate(
        self, learner_id: str, policy_id: str, policy_version: str, completed_on: str, expires_on: str, code: str
    ) -> Certificate:
        """A certificate for that completion: the one issued before, else a new one with ``code``."""
        existing = self.certificate_of(learner_id, policy_id, policy_version, completed_on)
        if existing is not None:
            return existing
        return self._save(
            Certificate(
                learner_id=learner_id,
                policy_id=policy_id,
                policy_version=policy_version,
                completed_on=completed_on,
                expires_on=expires_on,
                code=code,
                device_id=self.device_id,
            )
        )

    def certificates_with_code(self, code: str) -> list[Certificate]:
        with self.session() as s:
            return list(s.exec(select(Certificate).where(Certificate.code == code)).all())

    def import_rows(self, table: str, rows: list[dict[str, object]]) -> int:
        """Records from other PCs, added once each (a record id seen before is skipped); one transaction."""
        if not rows:
            return 0
        names = list(rows[0])
        sql = text(f"INSERT OR IGNORE INTO {table} ({', '.join(names)}) VALUES ({', '.join(':' + n for n in names)})")
        with self.session() as s:
            before = s.connection().execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            s.connection().execute(sql, rows)
            after = s.connection().execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            s.commit()
        return int(after - before)

    def take_back_own(self, table: str, rows: list[dict[str, object]]) -> int:
        """This PC's own records from its device file on the share, after its database was restored from an
        older copy; returns how many rows were added or completed. One transaction.

        A record the database lacks is added. An attempt it still has unfinished was finished (and published)
        after the copy was taken: it takes the published record's fields (finished_at, score, passed and the
        rest), so it is published again as it was and not offered to continue; its plan and answers stay.
        Only ever this PC's records: another PC's are never changed (records are immutable), and a row
        naming another device is refused.
        """
        if not rows:
            return 0
        strangers = {str(row["device_id"]) for row in rows} - {self.device_id}
        if strangers:
            raise ValueError(f"not this PC's records (device {sorted(strangers)}): only import_rows takes those")
        if table != "attempt":
            return self.import_rows(table, rows)
        names = list(rows[0])
        # Everything the published record carries, except what names it (and the plan, never published).
        published = [n for n in names if n not in ("id", "device_id", "learner_id", "plan")]
        sql = text(
            f"INSERT INTO attempt ({', '.join(names)}) VALUES ({', '.join(':' + n for n in names)})"
            f" ON CONFLICT (id) DO UPDATE SET {', '.join(f'{n} = excluded.{n}' for n in published)}"
            " WHERE attempt.finished_at IS NULL AND excluded.finished_at IS NOT NULL"
            " AND attempt.device_id = excluded.device_id"
        )
        with self.session() as s:
            c = s.connection()
            before = c.execute(text("SELECT total_changes()")).scalar_one()
            c.execute(sql, rows)
            after = c.execute(text("SELECT total_changes()")).scalar_one()
            s.commit()
        return int(after - before)

    def erase(self, learner_ids: set[str]) -> int:
        """Delete these learner records and everything that refers to them; returns how many learners went."""
        if not learner_ids:
            return 0
        ids = list(learner_ids)
        marks = ", ".join(f":i{n}" for n in range(len(ids)))
        params = {f"i{n}": i for n, i in enumerate(ids)}
        with self.session() as s:
            c = s.connection()
            c.execute(
                text(f"DELETE FROM answer WHERE attempt_id IN (SELECT id FROM attempt WHERE learner_id IN ({marks}))"),
                params,
            )
            c.execute(text(f"DELETE FROM attempt WHERE learner_id IN ({marks})"), params)
            c.execute(text(f"DELETE FROM acknowledgement WHERE learner_id IN ({marks})"), params)
            c.execute(text(f"DELETE FROM certificate WHERE learner_id IN ({marks})"), params)
            gone = c.execute(text(f"DELETE FROM learner WHERE id IN ({marks})"), params).rowcount
            # Their display preferences too (saved as preferences.key_of gives: "prefs.<learner id>").
            keys = {f"i{n}": f"prefs.{i}" for n, i in enumerate(ids)}
            c.execute(text(f"DELETE FROM setting WHERE key IN ({marks})"), keys)
            s.commit()
        return int(gone or 0)

    def record_erasure(self, learner_id: str, prove: Prove | None = None) -> Erasure:
        return self._save(Erasure(learner_id=learner_id, device_id=self.device_id), prove)
