"""One sync: publish this PC's records, merge every PC's, rebuild the share's reports.

The order matters for safety. Nothing on the share is written until the
share has been checked; the local database changes only by adding records
from other PCs (never twice: ids are unique), by taking back this PC's own
published records after its database was restored from an older copy, and by
honouring erasures; this
PC's device file is written whole and atomically, and only when its content
changed, so cloud-synced folders are not churned.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from socialsafe import __version__
from socialsafe.bulk import collector_paused
from socialsafe.content.loader import Content, Problem
from socialsafe.domain.people import person_identity
from socialsafe.export import to_csv
from socialsafe.files import write_atomic
from socialsafe.i18n import _, ngettext
from socialsafe.log import log
from socialsafe.reports import (
    LearnerFacts,
    ModuleRow,
    PersonRecords,
    PersonRow,
    build_rows,
    columns,
    group_people,
)
from socialsafe.roster import with_roster
from socialsafe.storage.models import utcnow
from socialsafe.storage.store import Store
from socialsafe.sync import records as rec
from socialsafe.sync.share import (
    DEVICES,
    REPORTS,
    RosterPerson,
    check_share,
    clean_own_temp_files,
    device_files,
    explain,
    open_share,
    read_roster,
    read_whole,
)

R = TypeVar("R", rec.AttemptRec, rec.AckRec)  # records kept by learner
PUBLISHED_SETTING = "sync_published_records"
LAST_SYNC_SETTING = "sync_last_success"


@dataclass
class Merged:
    """Every record known, after erasures, without duplicates.

    Attempts and sign-offs are kept by learner id, then record id: reports take
    them a learner at a time, and an erasure drops a learner's all at once. (A
    record's id is unique, and every copy of a record names the same learner.)
    """

    learners: dict[str, rec.LearnerRec] = field(default_factory=dict)
    attempts: dict[str, dict[str, rec.AttemptRec]] = field(default_factory=dict)
    acks: dict[str, dict[str, rec.AckRec]] = field(default_factory=dict)
    erasures: dict[str, rec.ErasureRec] = field(default_factory=dict)
    # The ids of this PC's own records in its database. This PC's device file on the share may hold
    # more: its database was restored from an older backup (those are taken back, not lost), or
    # another PC has a copy of this data folder (those are left alone).
    here: set[str] = field(default_factory=set)
    # This PC's own device file is on the share but could not be read whole.
    own_unread: bool = False

    def add(self, records: Iterable[rec.Record]) -> None:
        """Records not seen before; the first copy of an id is kept (records never change)."""
        attempts, of_learner, attempt_kind = self.attempts, self.attempts.get, rec.AttemptRec
        for record in records:
            if type(record) is attempt_kind:  # nearly every record: inline, not a call each
                mine = of_learner(record.learner_id)
                if mine is None:
                    mine = attempts[record.learner_id] = {}
                mine.setdefault(record.id, record)
            elif type(record) is rec.AckRec:
                _keep(self.acks, record.learner_id, record)
            elif type(record) is rec.LearnerRec:
                self.learners.setdefault(record.id, record)
            elif type(record) is rec.ErasureRec:
                self.erasures.setdefault(record.id, record)

    def attempts_of(self, learner_ids: Iterable[str]) -> list[rec.AttemptRec]:
        return [a for lid in learner_ids for a in self.attempts.get(lid, {}).values()]

    def acks_of(self, learner_ids: Iterable[str]) -> list[rec.AckRec]:
        return [s for lid in learner_ids for s in self.acks.get(lid, {}).values()]

    def records(self) -> list[rec.Record]:
        """Everything, learners first (the local database ties records to their learner)."""
        everything: list[rec.Record] = [*self.learners.values()]
        everything += [a for mine in self.attempts.values() for a in mine.values()]
        everything += [s for mine in self.acks.values() for s in mine.values()]
        return [*everything, *self.erasures.values()]

    def apply_erasures(self, also_known: Iterable[LearnerFacts] = ()) -> set[str]:
        """Drop erased people and everything of theirs; returns the learner ids dropped.

        ``also_known``: learner records this PC holds (its own and copies from earlier
        syncs), so an erased person is recognised even after their original record
        has left the share.
        """
        erased_ids = {e.learner_id for e in self.erasures.values()}
        known = [*self.learners.values(), *also_known]
        identities = {person_identity(x.name, x.school, x.email) for x in known if x.id in erased_ids}
        dropped = {
            x.id for x in known if x.id in erased_ids or person_identity(x.name, x.school, x.email) in identities
        }
        dropped |= erased_ids
        for learner_id in dropped:
            self.learners.pop(learner_id, None)
            self.attempts.pop(learner_id, None)
            self.acks.pop(learner_id, None)
        return dropped


def _keep(table: dict[str, dict[str, R]], learner_id: str, record: R) -> None:
    mine = table.get(learner_id)
    if mine is None:
        mine = table[learner_id] = {}
    mine.setdefault(record.id, record)


@dataclass
class SyncReport:
    published: int = 0  # records in this PC's device file
    devices_read: int = 0
    imported: int = 0  # records from other PCs new to this PC
    erased: int = 0  # learner records removed here because of an erasure
    problems: list[Problem] = field(default_factory=list)

    def summary(self) -> str:
        parts = [
            ngettext("Published {n} record.", "Published {n} records.", self.published).format(n=self.published),
            ngettext("Read {n} other PC.", "Read {n} other PCs.", self.devices_read).format(n=self.devices_read),
            ngettext("{n} new record here.", "{n} new records here.", self.imported).format(n=self.imported),
        ]
        if self.erased:
            parts.append(
                ngettext(
                    "Erased {n} learner record on request.", "Erased {n} learner records on request.", self.erased
                ).format(n=self.erased)
            )
        if self.problems:
            bad = len(self.problems)
            parts.append(
                ngettext("{n} problem found (listed above).", "{n} problems found (listed above).", bad).format(n=bad)
            )
        return " ".join(parts)


def device_name() -> str:
    return os.environ.get("COMPUTERNAME") or platform.node() or "PC"


# Local records as share records ----------------------------------------------


def own_records(store: Store) -> list[rec.Record]:
    learners, attempts, acks, erasures = store.own_records()
    out: list[rec.Record] = [
        rec.LearnerRec(x.id, x.device_id, x.name, x.email, x.role, x.school, x.created_at) for x in learners
    ]
    out += [
        rec.AttemptRec(
            a.id,
            a.device_id,
            a.learner_id,
            a.pack_id,
            a.pack_version,
            a.policy_version,
            a.module_id,
            a.started_at,
            a.finished_at,
            a.score,
            a.max_score,
            a.pass_mark,
            a.passed,
            a.source,
            a.note,
        )
        for a in attempts
    ]
    out += [rec.AckRec(s.id, s.device_id, s.learner_id, s.policy_id, s.policy_version, s.acknowledged_at) for s in acks]
    out += [rec.ErasureRec(e.id, e.device_id, e.learner_id, e.erased_at) for e in erasures]
    return out


def _rows(records: Iterable[rec.Record]) -> dict[str, list[dict[str, object]]]:
    """Records from other PCs as rows for the local tables."""
    tables: dict[str, list[dict[str, object]]] = {"learner": [], "attempt": [], "acknowledgement": [], "erasure": []}
    for r in records:
        match r:
            case rec.LearnerRec():
                tables["learner"].append(
                    {
                        "id": r.id,
                        "name": r.name,
                        "email": r.email,
                        "role": r.role,
                        "school": r.school,
                        "created_at": rec.utc_text(r.created_at),
                        "device_id": r.device_id,
                        "pin_hash": None,
                    }
                )
            case rec.AttemptRec():
                row = rec.to_json(r)
                del row["kind"]
                row["plan"] = "[]"
                tables["attempt"].append(row)
            case rec.AckRec():
                tables["acknowledgement"].append(
                    {
                        "id": r.id,
                        "learner_id": r.learner_id,
                        "policy_id": r.policy_id,
                        "policy_version": r.policy_version,
                        "pack_id": "",
                        "pack_version": "",
                        "acknowledged_at": rec.utc_text(r.acknowledged_at),
                        "signed_name": "",
                        "source": "app",
                        "note": None,
                        "device_id": r.device_id,
                    }
                )
            case rec.ErasureRec():
                tables["erasure"].append(
                    {
                        "id": r.id,
                        "learner_id": r.learner_id,
                        "erased_at": rec.utc_text(r.erased_at),
                        "device_id": r.device_id,
                    }
                )
    return tables


# Reading the share -------------------------------------------------------------


def read_devices(share: Path, own_device: str, merged: Merged, report: SyncReport) -> None:
    files, others = device_files(share)
    for other in others:
        report.problems.append(Problem(other, _("not a SocialSafe device file: left alone")))
    for path in files:
        # This PC's own file too: after a restore from a backup it holds records the database no longer has.
        own = path.stem == own_device
        try:
            text = read_whole(path).decode("utf-8")
        except UnicodeDecodeError:
            report.problems.append(Problem(path, _("not UTF-8 text: left out")))
            merged.own_unread |= own
            continue
        except OSError as error:
            report.problems.append(Problem(path, _("cannot be read now ({reason})").format(reason=error.strerror)))
            merged.own_unread |= own
            continue
        device = rec.read_device_text(path, text)
        if device.skipped:
            report.problems.append(Problem(path, device.skipped))
            merged.own_unread |= own
            continue
        report.devices_read += not own
        report.problems += [Problem(path, message, line=line) for line, message in device.problems]
        merged.add(device.records)


def merge(store: Store, share: Path | None, report: SyncReport) -> Merged:
    """This PC's records plus every readable device file's, with erasures applied."""
    merged = Merged()
    mine = own_records(store)
    merged.add(mine)
    merged.here = {r.id for r in mine}
    if share is not None:
        with collector_paused():
            read_devices(share, store.device_id, merged, report)
    return merged


def people(merged: Merged, roster: list[RosterPerson]) -> list[PersonRecords]:
    """People for the reports: learner records grouped, with their attempts, sign-offs and roster entry."""
    grouped = []
    for group in group_people(merged.learners.values()):
        ids = [learner.id for learner in group]
        person = PersonRecords(learners=list(group))
        person.attempts.extend(merged.attempts_of(ids))
        person.signoffs.extend(merged.acks_of(ids))
        grouped.append(person)
    return with_roster(grouped, roster)


def merged_people(store: Store, share: Path) -> tuple[list[PersonRecords], list[Problem]]:
    """Everyone on every PC, read from the share without writing to it (for export and report)."""
    check_share(share)
    report = SyncReport()
    merged = merge(store, share, report)
    merged.apply_erasures(store.learners())
    roster, problems = read_roster(share)
    return people(merged, roster), report.problems + problems


def report_files(merged: Merged, roster: list[RosterPerson], content: Content, today: dt.date) -> dict[str, bytes]:
    person_rows, module_rows = build_rows(people(merged, roster), content, today, content.primary_policy_id)
    return {
        "completions.csv": to_csv(columns(PersonRow), person_rows),
        "modules.csv": to_csv(columns(ModuleRow), module_rows),
    }


# The sync ------------------------------------------------------------------------


def sync(store: Store, content: Content, share: Path, today: dt.date | None = None) -> SyncReport:
    """Publish, merge and rebuild reports. Raises ShareError when the share cannot be used."""
    now = utcnow()
    open_share(share, now, owner=store.device_id)
    report = SyncReport()
    clean_own_temp_files(share, store.device_id)
    merged = merge(store, share, report)
    local = store.learners()
    dropped = merged.apply_erasures(local)
    # Honour erasures here before publishing, so erased data is never sent out again.
    report.erased = store.erase({x.id for x in local if x.id in dropped})
    mine = store.device_id
    # Records under this PC's device id that its database lacks (or has unfinished) are taken back only
    # after a repair restored an older copy or started afresh. Otherwise they are another PC's that
    # shares this device id (a copied data folder), and not this PC's people: left alone.
    restoring = store.restored_at() is not None
    unknown_own = [r for r in merged.records() if r.device_id == mine and r.id not in merged.here]
    if unknown_own and not restoring:
        log.warning(
            "the shared folder %s holds %d records under this PC's device id %s that its database does not have:"
            " is this data folder a copy of another PC's? They are left alone, and not published from here",
            share,
            len(unknown_own),
            mine,
        )
    # Only what refers to a learner the database has or takes in: it keeps every attempt tied to its learner.
    coming = {x.id for x in merged.learners.values() if x.device_id != mine or restoring}
    known = coming | {x.id for x in store.learners()}
    linked = [r for r in merged.records() if not isinstance(r, rec.AttemptRec | rec.AckRec) or r.learner_id in known]
    theirs = [r for r in linked if r.device_id != mine]
    taken_back = [r for r in linked if r.device_id == mine and r.id not in merged.here] if restoring else []
    others, own = _rows(theirs), _rows(taken_back)
    for table in others:  # learners first: the database ties every record to its learner, whoever made it
        report.imported += store.import_rows(table, others[table])
        report.imported += store.take_back_own(table, own[table])
    if restoring and merged.own_unread:
        # Rewritten from this database now, the file would lose what could not be taken back from it.
        log.warning("after a repair, this PC's device file on %s could not be read: not published until it can", share)
        report.problems.append(
            Problem(
                share / DEVICES / f"{mine}.jsonl",
                _(
                    "this PC's own file could not be read after its records were repaired, so this PC's results "
                    "are not shared until it can be"
                ),
            )
        )
    else:
        report.published = publish(store, share, now)
        if restoring:
            store.clear_restored()
    roster, roster_problems = read_roster(share)
    report.problems += roster_problems
    try:
        for name, data in report_files(merged, roster, content, today or dt.date.today()).items():
            write_if_changed(share / REPORTS / name, data, store.device_id)
    except OSError as error:
        raise explain(error, share) from error
    store.set_setting(LAST_SYNC_SETTING, rec.utc_text(now))
    return report


def publish(store: Store, share: Path, now: dt.datetime) -> int:
    """Write this PC's device file if its records changed; returns how many records it holds."""
    mine = own_records(store)
    body = "".join(sorted(rec.to_line(r) for r in mine))
    path = share / DEVICES / f"{store.device_id}.jsonl"
    try:
        existing = read_whole(path).decode("utf-8").split("\n", 1)
        unchanged = len(existing) == 2 and existing[1] == body
    except (OSError, UnicodeDecodeError):
        unchanged = False
    if not unchanged:
        head = rec.to_line(rec.header(store.device_id, device_name(), __version__, now))
        try:
            write_atomic(path, (head + body).encode("utf-8"), owner=store.device_id)
        except OSError as error:
            raise explain(error, share) from error
    store.set_setting(PUBLISHED_SETTING, str(len(mine)))
    return len(mine)


def write_if_changed(path: Path, data: bytes, owner: str) -> None:
    try:
        if read_whole(path) == data:
            return
    except OSError:
        pass
    write_atomic(path, data, owner=owner)


def waiting_to_publish(store: Store) -> int:
    """Records made here since the last successful publish."""
    published = int(store.setting(PUBLISHED_SETTING) or 0)
    return max(0, len(own_records(store)) - published)
