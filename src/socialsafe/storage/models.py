"""The local database tables.

Rows that become evidence (learners, attempts, answers) are written once and
never rewritten, with UUIDs so that records from many PCs merge without
clashes; an attempt is only completed (finished_at, score) once. All times are
UTC. The schema itself is created and changed only by the migrations in
:mod:`socialsafe.storage.db`; a test checks these models agree with it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Column, Dialect, String, TypeDecorator, UniqueConstraint
from sqlmodel import Field, SQLModel


def new_id() -> str:
    return str(uuid.uuid4())


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Stores an aware datetime as ISO 8601 UTC text ending in ``Z``, as the share format does."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("times must be timezone-aware")
        # isoformat, not strftime: strftime writes year 1 as "1", which fromisoformat cannot read back.
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))


class Setting(SQLModel, table=True):
    key: str = Field(primary_key=True)
    value: str


class Learner(SQLModel, table=True):
    id: str = Field(default_factory=new_id, primary_key=True)
    name: str
    email: str | None = None
    role: str
    school: str
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    # The PC that created the record; records from other PCs arrive through the share.
    device_id: str = Field(index=True)
    # Local only, never published: a salted scrypt hash of the optional PIN.
    pin_hash: str | None = None
    # The office's signature (socialsafe.trust), when an admin action made the record.
    proof: str | None = None
    # From another PC, taken in from a source the office's authority vouched for (else None).
    checked: bool | None = None


class Attempt(SQLModel, table=True):
    id: str = Field(default_factory=new_id, primary_key=True)
    learner_id: str = Field(foreign_key="learner.id", index=True)
    pack_id: str
    pack_version: str
    policy_version: str
    module_id: str
    started_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    finished_at: dt.datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    score: int | None = None
    max_score: int
    pass_mark: float
    passed: bool | None = None
    source: str = "quiz"
    note: str | None = None
    device_id: str = Field(index=True)
    # The questions drawn and the order their options were shown in (JSON), so
    # that an attempt resumes exactly as it was.
    plan: str = "[]"
    # The office's signature: every face-to-face (manual) result made once the share has an authority.
    proof: str | None = None
    checked: bool | None = None  # as Learner.checked


class Answer(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("attempt_id", "question_id", "step_id"),)

    id: str = Field(default_factory=new_id, primary_key=True)
    attempt_id: str = Field(foreign_key="attempt.id", index=True)
    question_id: str
    # The scenario step answered; empty for one-step questions.
    step_id: str = ""
    # The option ids chosen, as a JSON list.
    choice: str
    correct: bool
    answered_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class Acknowledgement(SQLModel, table=True):
    """A person's sign-off of one version of a policy."""

    id: str = Field(default_factory=new_id, primary_key=True)
    learner_id: str = Field(foreign_key="learner.id", index=True)
    policy_id: str
    policy_version: str
    pack_id: str
    pack_version: str
    acknowledged_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    # The name as the person typed it to sign, or as on the paper copy.
    signed_name: str
    source: str = "app"  # "app", or "manual" for a signed paper copy recorded by an admin
    note: str | None = None
    device_id: str
    proof: str | None = None  # the office's signature, on a paper sign-off
    checked: bool | None = None  # as Learner.checked


class Erasure(SQLModel, table=True):
    """A person's data was erased at their request; kept (with no personal data) so it spreads."""

    id: str = Field(default_factory=new_id, primary_key=True)
    learner_id: str
    erased_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    device_id: str
    proof: str | None = None  # the office's signature


class Merge(SQLModel, table=True):
    """The office found two learner records to be one person; kept (with no personal data) so it spreads."""

    id: str = Field(default_factory=new_id, primary_key=True)
    learner_id: str  # this record, and every one that groups with it, is shown as into_id's person
    into_id: str
    merged_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    device_id: str
    proof: str | None = None  # the office's signature


class Enrolment(SQLModel, table=True):
    """The office trusts a PC's key: records that PC signs count on every PC (always with the office's proof)."""

    id: str = Field(default_factory=new_id, primary_key=True)
    device_id: str  # the PC this record was made on
    subject_id: str = Field(index=True)  # the PC trusted
    public_key: str  # its key, base64
    device_name: str
    enrolled_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    proof: str


class Certificate(SQLModel, table=True):
    """A certificate this PC (or another, through the share) issued; its code finds it again."""

    id: str = Field(default_factory=new_id, primary_key=True)
    learner_id: str = Field(foreign_key="learner.id", index=True)
    policy_id: str
    policy_version: str
    completed_on: str  # ISO date
    expires_on: str  # ISO date
    issued_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    code: str = Field(index=True)
    device_id: str
    checked: bool | None = None  # as Learner.checked
