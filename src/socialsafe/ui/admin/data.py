"""What the office console reads and writes, without Qt: everyone's records, and the admin's own records.

:func:`load` runs off the GUI thread (a shared folder may be slow); the rest
are quick calls on this PC's database, through the same :class:`Store`
methods the command line uses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from socialsafe import roster
from socialsafe.config import SHARE_SETTING, Settings
from socialsafe.content.loader import Content
from socialsafe.content.model import Module, Pack
from socialsafe.domain.people import person_identity
from socialsafe.domain.status import counted_modules, is_pass
from socialsafe.insight import (
    InsightRow,
    PersonSummary,
    count_answers,
    insight_rows,
    right_options_of,
    summarise,
)
from socialsafe.log import log
from socialsafe.office.people import Suggestion, likely_duplicates
from socialsafe.reports import PersonRecords, people_of_store
from socialsafe.site_config import pass_mark_for
from socialsafe.storage.models import Acknowledgement, Answer, Attempt, Learner
from socialsafe.storage.store import Prove, Store
from socialsafe.sync.engine import merged_people
from socialsafe.sync.share import ShareError


@dataclass(frozen=True)
class Snapshot:
    """Everyone's training as loaded at one moment."""

    summaries: list[PersonSummary]
    insight: list[InsightRow]
    today: dt.date
    from_share: bool  # everyone on every PC, read from the shared folder
    share_error: str = ""  # why the shared folder could not be read ("" when it could, or none is set)
    problems: list[str] = field(default_factory=list)  # lines of device files or roster left out
    duplicates: list[Suggestion] = field(default_factory=list)  # people who may be one person


def people_of(settings: Settings, store: Store) -> tuple[list[PersonRecords], bool, str, list[str]]:
    """Everyone: from the shared folder when one is set (as ``socialsafe export`` reads it), else this PC's.

    Returns the people, whether they came from the share, the share's error
    (when it could not be read, and this PC's records are shown instead) and
    the problems met reading it.
    """
    share = settings.share_folder(store.setting(SHARE_SETTING))[0]
    error = ""
    if share is not None:
        try:
            people, problems = merged_people(store, share)
        except ShareError as failure:
            error = str(failure)
        else:
            for problem in problems:
                log.warning("office: %s", problem)
            return people, True, "", [str(p) for p in problems]
    # No share, or it cannot be read: this PC's records, with the roster kept here if there is one.
    listed, roster_problems = roster.read_for_reports(None, settings.data_dir)
    local = people_of_store(store)
    return (roster.with_roster(local, listed) if listed else local), False, error, [str(p) for p in roster_problems]


def local_answers(store: Store) -> Iterator[tuple[tuple[str, ...], Answer]]:
    """Every answer given on this PC, with the identity of the person who gave it."""
    for learner in store.learners():
        identity = person_identity(learner.name, learner.school, learner.email)
        for answer in store.answers_of_learner(learner.id):
            yield identity, answer


def load(settings: Settings, store: Store, content: Content, today: dt.date) -> Snapshot:
    """Everyone's status and the question insight: the slow part, for a background thread."""
    people, from_share, error, problems = people_of(settings, store)
    summaries = summarise(people, content, today)
    counts = count_answers(local_answers(store), right_options_of(content.packs))
    return Snapshot(
        summaries=summaries,
        insight=insight_rows(counts, content.current),
        today=today,
        from_share=from_share,
        share_error=error,
        problems=problems,
        duplicates=likely_duplicates(people),
    )


# The person in detail -----------------------------------------------------------------


@dataclass(frozen=True)
class AttemptLine:
    """One attempt as the person's page lists it; answers only for attempts made on this PC."""

    module_id: str
    source: str  # "quiz", or "manual" for a face-to-face session
    note: str | None
    started_at: dt.datetime
    finished_at: dt.datetime | None
    score: int | None
    max_score: int
    passed: bool  # a pass under the status rules
    device_id: str
    answers: list[Answer]


def attempt_lines(store: Store, person: PersonRecords) -> list[AttemptLine]:
    """The person's attempts, newest first; answers from this PC's database where it has them."""
    ordered = sorted(person.attempts, key=lambda a: a.finished_at or a.started_at, reverse=True)
    return [
        AttemptLine(
            module_id=a.module_id,
            source=a.source,
            note=getattr(a, "note", None),
            started_at=a.started_at,
            finished_at=a.finished_at,
            score=a.score,
            max_score=a.max_score,
            passed=is_pass(a),
            device_id=str(getattr(a, "device_id", "")),
            answers=store.answers(str(getattr(a, "id", ""))),
        )
        for a in ordered
    ]


def signoffs_of(store: Store, person: PersonRecords) -> list[tuple[object, Acknowledgement | None]]:
    """The person's sign-offs, newest first, each with this PC's full record of it where there is one."""
    ordered = sorted(person.signoffs, key=lambda s: s.acknowledged_at, reverse=True)
    lines: list[tuple[object, Acknowledgement | None]] = []
    for signoff in ordered:
        learner_id = str(getattr(signoff, "learner_id", ""))
        local = {a.id: a for a in store.acknowledgements(learner_id)} if learner_id else {}
        lines.append((signoff, local.get(str(getattr(signoff, "id", "")))))
    return lines


def local_learner(store: Store, person: PersonRecords) -> Learner | None:
    """The person's newest learner record in this PC's database (their own, or one copied here by a sync)."""
    found = [x for x in (store.learner(r.id) for r in person.learners if r.id != "roster") if x is not None]
    if not found:
        identity = person_identity(person.name, person.school, person.email)
        found = [x for x in store.learners() if person_identity(x.name, x.school, x.email) == identity]
    return max(found, key=lambda x: x.created_at) if found else None


def own_learner(store: Store, person: PersonRecords) -> Learner | None:
    """The person's learner record made on this PC, if they used SocialSafe here."""
    mine = [x for x in (store.learner(r.id) for r in person.learners) if x is not None]
    mine = [x for x in mine if x.device_id == store.device_id]
    return max(mine, key=lambda x: x.created_at) if mine else None


def learner_for_records(store: Store, person: PersonRecords, prove: Prove | None = None) -> Learner:
    """The learner record an admin's record is filed under: the person's on this PC, else a new one.

    A person known only from the roster or from another PC's device file gets
    a learner record here, as ``socialsafe record`` gives them one. Raises
    InputError when a new record cannot be made (the message says why).
    """
    existing = local_learner(store, person)
    if existing is not None:
        return existing
    return store.add_learner(person.name, person.role, person.school, person.email or None, prove=prove)


def modules_for(pack: Pack, role: str) -> list[Module]:
    """The modules a face-to-face session can complete for someone in ``role``."""
    return counted_modules(pack, role) or [m for m in pack.modules if m.questions]


def noon(day: dt.date) -> dt.datetime:
    """Midday on that day, this PC's time, in UTC: when an admin's record of a past day is dated."""
    if day >= dt.date.today():
        return dt.datetime.now(dt.UTC)
    return dt.datetime.combine(day, dt.time(12)).astimezone().astimezone(dt.UTC)


def record_face_to_face(
    store: Store,
    person: PersonRecords,
    pack: Pack,
    module: Module,
    score: int,
    max_score: int,
    day: dt.date,
    note: str | None,
    prove: Prove | None = None,
) -> Attempt:
    """Record a completion done in a face-to-face session, as ``socialsafe record`` does.

    ``prove``: the office's signature (:func:`socialsafe.office.authority.prover`), once the share has an authority.
    """
    learner = learner_for_records(store, person, prove)
    attempt = store.record_manual(
        learner.id,
        pack,
        module,
        score,
        max_score,
        noon(day),
        note,
        pass_mark=pass_mark_for(module.pass_mark),
        prove=prove,
    )
    log.info("office: manual record %s for learner %s, module %s", attempt.id, learner.id, module.id)
    return attempt


def record_paper_signoff(
    store: Store,
    person: PersonRecords,
    pack: Pack,
    signed_name: str,
    day: dt.date,
    note: str | None,
    prove: Prove | None = None,
) -> Acknowledgement:
    """Record a signed paper copy of the policy, as ``socialsafe acknowledge`` does."""
    learner = learner_for_records(store, person, prove)
    signoff = store.acknowledge(learner.id, pack, signed_name, at=noon(day), source="manual", note=note, prove=prove)
    log.info("office: manual sign-off %s for learner %s", signoff.id, learner.id)
    return signoff


def policy_pack(content: Content) -> Pack | None:
    """The current pack of the policy the office console reports on (the primary one, as the share's reports)."""
    policy = content.primary_policy_id
    return next((p for p in content.current if p.policy.id == policy), None)
