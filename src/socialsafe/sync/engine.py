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

import dataclasses
import datetime as dt
import json
import os
import platform
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from socialsafe import __version__
from socialsafe.bulk import collector_paused
from socialsafe.content.loader import Content, Problem
from socialsafe.domain import limits
from socialsafe.domain.digest import AttemptDigest
from socialsafe.domain.people import as_merged, merged_identities, person_identity
from socialsafe.export import to_csv
from socialsafe.files import RefusedFileError, read_whole, write_atomic
from socialsafe.i18n import _, ngettext
from socialsafe.log import log
from socialsafe.paths import SHARE_PACKS_DIR_NAME
from socialsafe.reports import (
    LearnerFacts,
    ModuleRow,
    PersonRecords,
    PersonRow,
    ReportAttempt,
    build_rows,
    columns,
    group_people,
)
from socialsafe.roster import with_roster
from socialsafe.storage.models import (
    Acknowledgement,
    Attempt,
    Certificate,
    Enrolment,
    Erasure,
    Learner,
    Merge,
    utcnow,
)
from socialsafe.storage.store import Store
from socialsafe.sync import records as rec
from socialsafe.sync.authority import FileTrust, ShareTrust, Unverified, resolve, site_pin
from socialsafe.sync.share import (
    DEVICES,
    REPORTS,
    RosterPerson,
    check_share,
    clean_own_temp_files,
    device_files,
    explain,
    is_clutter,
    marker_names_authority,
    open_share,
    write_in_share,
)
from socialsafe.sync.signed import RosterSigning, refresh_packs
from socialsafe.trust.authority import PIN_SETTING, AdminKey
from socialsafe.trust.files import signed_header, signer_of
from socialsafe.trust.keys import KEY_BYTES, Purpose, fingerprint, private_key, public_raw, unb64

Row = Learner | Attempt | Acknowledgement | Erasure | Merge | Enrolment | Certificate
ADOPTED = "authority/adopted.jsonl"  # the records the office adopted when it set up its authority
ADOPTED_COPY = "adopted.jsonl"  # this PC's copy of them, in its data folder

PUBLISHED_SETTING = "sync_published_records"
SEQUENCE_SETTING = "device_file_sequence"  # the sequence number of the last signed device file this PC wrote
SEEN_SETTING = "device_files_seen"  # per PC the office trusts, the highest sequence of its file read here
LAST_SYNC_SETTING = "sync_last_success"


class SignedFilesSeenError(Exception):
    """A signed (version 2) device file on a share that shows no admin authority."""


class EveryRecordNeededError(Exception):
    """A record in another PC's device file names a PC whose file was read and digested already."""


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
    merges: dict[str, rec.MergeRec] = field(default_factory=dict)
    enrolments: dict[str, rec.EnrolmentRec] = field(default_factory=dict)
    certificates: dict[str, rec.CertificateRec] = field(default_factory=dict)
    # The ids of this PC's own records in its database. This PC's device file on the share may hold
    # more: its database was restored from an older backup (those are taken back, not lost), or
    # another PC has a copy of this data folder (those are left alone).
    here: set[str] = field(default_factory=set)
    # This PC's own device file is on the share but could not be read whole.
    own_unread: bool = False
    # On a share with an admin authority: device files whose own records do not count, and why.
    unverified: list[Unverified] = field(default_factory=list)
    # Records left out for want of the office's proof, or naming another PC: reported unless known otherwise.
    refused: list[tuple[Path, int, rec.Record, str]] = field(default_factory=list)
    # Two different records with one id: (file, the one kept, the one left out).
    conflicts: list[tuple[Path | None, rec.Record, rec.Record]] = field(default_factory=list)
    trust: ShareTrust | None = None  # None: a share without an admin authority, where every file counts
    adopted: set[str] = field(default_factory=set)  # the ids of the records the office adopted
    # Every attempt and sign-off id kept, whoever's: the same id under two learners is two different records.
    # (Kept on a share with an admin authority, where a forged copy is worth finding; None otherwise.)
    _attempt_ids: set[str] | None = field(default=None, repr=False)
    _ack_ids: set[str] | None = field(default=None, repr=False)
    # Digested (for a person report): the refreshers' module ids, and attempts folded by learner id into
    # :attr:`digests` instead of kept in :attr:`attempts` (see :meth:`_fold`). None: every attempt kept.
    refreshers: frozenset[str] | None = None
    digests: dict[str, AttemptDigest] = field(default_factory=dict, repr=False)
    # Digested: the attempts that may meet a copy in another file (this PC's own, and any naming another PC
    # than its file's), kept whole by learner and id; and the PCs whose files have been digested.
    _exposed: dict[tuple[str, str], rec.AttemptRec] = field(default_factory=dict, repr=False)
    _digested: set[str] = field(default_factory=set, repr=False)
    _keys: dict[tuple[str, str, str], tuple[str, str, str]] = field(default_factory=dict, repr=False)

    def add(self, records: Iterable[rec.Record], source: Path | None = None) -> None:
        """Records not seen before; the first copy of an id is kept (records never change), and a different
        record under an id already seen is noted in :attr:`conflicts`."""
        if self.refreshers is not None:
            records = self._fold(records, source)
        attempts, of_learner, attempt_kind = self.attempts, self.attempts.get, rec.AttemptRec
        seen = self._attempt_ids
        for record in records:
            if type(record) is attempt_kind:  # nearly every record: inline, not a call each
                mine = of_learner(record.learner_id)
                if mine is None:
                    mine = attempts[record.learner_id] = {}
                old = mine.get(record.id)
                if old is None:
                    if seen is not None:
                        if record.id in seen:  # kept under another learner: a different record, the same id
                            self.conflicts.append((source, record, record))
                            continue
                        seen.add(record.id)
                    mine[record.id] = record
                elif old != record:
                    self.conflicts.append((source, old, record))
            elif type(record) is rec.AckRec:
                mine_acks = self.acks.setdefault(record.learner_id, {})
                if self._ack_ids is not None:
                    if record.id not in mine_acks and record.id in self._ack_ids:
                        self.conflicts.append((source, record, record))
                        continue
                    self._ack_ids.add(record.id)
                self._keep_once(mine_acks, record, source)
            elif type(record) is rec.LearnerRec:
                self._keep_once(self.learners, record, source)
            elif type(record) is rec.ErasureRec:
                self._keep_once(self.erasures, record, source)
            elif type(record) is rec.MergeRec:
                self._keep_once(self.merges, record, source)
            elif type(record) is rec.EnrolmentRec:
                self._keep_once(self.enrolments, record, source)
            elif type(record) is rec.CertificateRec:
                self._keep_once(self.certificates, record, source)

    def _fold(self, records: Iterable[rec.Record], source: Path | None) -> list[rec.Record]:
        """Digest the attempts of one source (a device file, or this PC's own records); return the rest.

        A record is kept once (the first copy, as :meth:`add` does: by learner and id), yet without a set of
        every id read. A record carries the id of the PC that made it, and that PC writes it to its own file
        only (``shared/contracts/share-format.md``): a copy can be in that file, in this PC's database, or in
        another PC's file (a record naming another PC). So each file's own records are checked against the
        file's others and against the records that can come from elsewhere (this PC's, and those naming
        another PC, which are few and kept whole); then the file's ids are let go. A record naming a PC whose
        file was digested already could be a copy of one let go: :class:`EveryRecordNeededError`, and the
        merge is made again with every record kept.
        """
        assert self.refreshers is not None
        rest: list[rec.Record] = []
        stem = source.stem if source is not None else None
        here: dict[tuple[str, str], rec.AttemptRec] = {}  # this file's own attempts: let go after it
        exposed, digests, refreshers, digested = self._exposed, self.digests, self.refreshers, self._digested
        attempt_kind = rec.AttemptRec
        for record in records:
            if type(record) is not attempt_kind:
                rest.append(record)
                continue
            key = (record.learner_id, record.id)
            old = exposed.get(key)
            if old is None:
                if record.device_id == stem:
                    old = here.get(key)
                    if old is None:
                        here[key] = record
                elif record.device_id in digested:
                    raise EveryRecordNeededError(record.device_id)
                else:
                    exposed[key] = record
            if old is not None:
                if old != record:
                    self.conflicts.append((source, old, record))
                continue
            digest = digests.get(record.learner_id)
            if digest is None:
                digest = digests[record.learner_id] = AttemptDigest(refreshers, self._keys)
            digest.add(record)
        if stem is not None:
            digested.add(stem)
        return rest

    def without(self, ids: set[str]) -> Merged:
        """The records but those with ``ids``: what the share's reports may show from a PC not yet trusted."""
        if not ids:
            return self
        kept = Merged(trust=self.trust)
        kept.add(r for r in self.records() if r.id not in ids)
        return kept

    def watch_ids(self) -> None:
        """From now on, note a record whose id another learner's record already has (a forged copy)."""
        self._attempt_ids, self._ack_ids = set(), set()

    def _keep_once(self, table: dict[str, Any], record: rec.Record, source: Path | None) -> None:
        old = table.get(record.id)
        if old is None:
            table[record.id] = record
        elif old != record:
            self.conflicts.append((source, old, record))

    def find(self, record: rec.Record) -> rec.Record | None:
        """The record kept here with ``record``'s id (from a source that counts), if any."""
        match record:
            case rec.AttemptRec():
                return self.attempts.get(record.learner_id, {}).get(record.id)
            case rec.AckRec():
                return self.acks.get(record.learner_id, {}).get(record.id)
            case rec.LearnerRec():
                return self.learners.get(record.id)
            case rec.ErasureRec():
                return self.erasures.get(record.id)
            case rec.MergeRec():
                return self.merges.get(record.id)
            case rec.EnrolmentRec():
                return self.enrolments.get(record.id)
            case rec.CertificateRec():
                return self.certificates.get(record.id)
        return None

    def knows(self, record: rec.Record) -> bool:
        """Whether a record with ``record``'s id is here (from a source that counts)."""
        return self.find(record) is not None

    def attempts_of(self, learner_ids: Iterable[str]) -> list[rec.AttemptRec]:
        assert self.refreshers is None, "a digest keeps only some attempts: see digest_of"
        return [a for lid in learner_ids for a in self.attempts.get(lid, {}).values()]

    def digest_of(self, learner_ids: Iterable[str]) -> list[ReportAttempt]:
        """The learners' attempts as the status rules read them: all of them, or what the digest kept."""
        if self.refreshers is None:
            return list(self.attempts_of(learner_ids))
        return [a for lid in learner_ids if (d := self.digests.get(lid)) is not None for a in d.kept()]

    def acks_of(self, learner_ids: Iterable[str]) -> list[rec.AckRec]:
        return [s for lid in learner_ids for s in self.acks.get(lid, {}).values()]

    def records(self) -> list[rec.Record]:
        """Everything, learners first (the local database ties records to their learner)."""
        assert self.refreshers is None, "a digest keeps only some attempts"
        everything: list[rec.Record] = [*self.learners.values()]
        everything += [a for mine in self.attempts.values() for a in mine.values()]
        everything += [s for mine in self.acks.values() for s in mine.values()]
        everything += self.certificates.values()
        return [*everything, *self.erasures.values(), *self.merges.values(), *self.enrolments.values()]

    def shown_learners(self, also_known: Iterable[LearnerFacts] = ()) -> list[LearnerFacts]:
        """The learner records (and ``also_known``) with the names, schools and emails the office's merges give."""
        known = [*self.learners.values(), *also_known]
        merged = merged_identities(known, self.merges.values())
        return [as_merged(x, merged, _renamed) for x in known]

    def apply_erasures(self, also_known: Iterable[LearnerFacts] = ()) -> set[str]:
        """Drop erased people and everything of theirs; returns the learner ids dropped.

        ``also_known``: learner records this PC holds (its own and copies from earlier
        syncs), so an erased person is recognised even after their original record
        has left the share.

        The person's other learner records go with it when they were made by the time of the
        erasure (with a day's grace): a person who asked to be erased and later comes back (a new
        job at the school) starts again, and an old copy of a file put back on the share cannot
        erase them again.
        """
        when = {e.learner_id: e.erased_at for e in self.erasures.values()}
        erased_ids = set(when)
        known = self.shown_learners(also_known)  # a merged person is erased whole
        until: dict[tuple[str, ...], dt.datetime] = {}
        for x in known:
            if x.id in when:
                identity = person_identity(x.name, x.school, x.email)
                # A day's grace: the PCs' clocks may differ a little, and a person made just before the
                # erasure on a PC the office had not heard from yet is the person it is about.
                erased = when[x.id] + ERASURE_GRACE
                until[identity] = max(erased, until.get(identity, erased))
        dropped = {
            x.id
            for x in known
            if x.id in erased_ids or x.created_at <= until.get(person_identity(x.name, x.school, x.email), _BEFORE_ANY)
        }
        dropped |= erased_ids
        for learner_id in dropped:
            self.learners.pop(learner_id, None)
            self.attempts.pop(learner_id, None)
            self.digests.pop(learner_id, None)
            self.acks.pop(learner_id, None)
        if dropped:
            self.certificates = {k: c for k, c in self.certificates.items() if c.learner_id not in dropped}
            for apart in self.unverified:  # an erased person is not listed anywhere, not even as unverified
                apart.records = [r for r in apart.records if _learner_of(r) not in dropped]
        return dropped


def _renamed(learner: LearnerFacts, facts: tuple[str, str, str | None]) -> LearnerFacts:
    name, school, email = facts
    if isinstance(learner, rec.LearnerRec):
        return dataclasses.replace(learner, name=name, school=school, email=email)
    return Learner.model_validate({**learner.model_dump(), "name": name, "school": school, "email": email})  # type: ignore[attr-defined]


_BEFORE_ANY = dt.datetime.min.replace(tzinfo=dt.UTC)
ERASURE_GRACE = dt.timedelta(days=1)


def _without_proof(record: rec.Record) -> dict[str, Any]:
    return rec.signable(record)


def _learner_of(record: rec.Record) -> str | None:
    if isinstance(record, rec.LearnerRec):
        return record.id
    return getattr(record, "learner_id", None)


@dataclass
class SyncReport:
    published: int = 0  # records in this PC's device file
    devices_read: int = 0
    imported: int = 0  # records from other PCs new to this PC
    erased: int = 0  # learner records removed here because of an erasure
    problems: list[Problem] = field(default_factory=list)
    unverified: int = 0  # device files whose records do not count (a share with an admin authority)
    awaiting: str = ""  # this PC's key fingerprint, while the office has not approved it

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
        if self.unverified:
            parts.append(
                ngettext(
                    "{n} PC's records are not counted until the office approves them (see the office's PCs page).",
                    "{n} PCs' records are not counted until the office approves them (see the office's PCs page).",
                    self.unverified,
                ).format(n=self.unverified)
            )
        if self.awaiting:
            parts.append(
                _("This PC's results count only here until the office approves it (its key is {key}).").format(
                    key=self.awaiting
                )
            )
        bad = sum(not problem.note for problem in self.problems)
        if bad:
            parts.append(
                ngettext("{n} problem found (listed above).", "{n} problems found (listed above).", bad).format(n=bad)
            )
        return " ".join(parts)


def device_name() -> str:
    return os.environ.get("COMPUTERNAME") or platform.node() or "PC"


# Local records as share records ----------------------------------------------


def as_record(row: Row) -> rec.Record:
    """A row of the local database as the share carries it (with its proof, when it has one)."""
    match row:
        case Learner():
            return rec.LearnerRec(
                row.id, row.device_id, row.name, row.email, row.role, row.school, row.created_at, row.proof
            )
        case Attempt():
            return rec.AttemptRec(
                row.id,
                row.device_id,
                row.learner_id,
                row.pack_id,
                row.pack_version,
                row.policy_version,
                row.module_id,
                row.started_at,
                row.finished_at,
                row.score,
                row.max_score,
                row.pass_mark,
                row.passed,
                row.source,
                row.note,
                row.proof,
            )
        case Acknowledgement():
            return rec.AckRec(
                row.id,
                row.device_id,
                row.learner_id,
                row.policy_id,
                row.policy_version,
                row.acknowledged_at,
                "manual" if row.source == "manual" else "app",
                row.proof,
            )
        case Erasure():
            return rec.ErasureRec(row.id, row.device_id, row.learner_id, row.erased_at, row.proof)
        case Merge():
            return rec.MergeRec(row.id, row.device_id, row.learner_id, row.into_id, row.merged_at, row.proof)
        case Enrolment():
            return rec.EnrolmentRec(
                row.id, row.device_id, row.subject_id, row.public_key, row.device_name, row.enrolled_at, row.proof
            )
        case Certificate():
            return rec.CertificateRec(
                row.id,
                row.device_id,
                row.learner_id,
                row.policy_id,
                row.policy_version,
                dt.date.fromisoformat(row.completed_on),
                dt.date.fromisoformat(row.expires_on),
                row.issued_at,
                row.code,
            )
    raise TypeError(type(row))


def own_records(store: Store) -> list[rec.Record]:
    return [as_record(row) for rows in store.own_records() for row in rows]


def _rows(records: Iterable[rec.Record], checked: bool | None = None) -> dict[str, list[dict[str, object]]]:
    """Records from other PCs as rows for the local tables, learners first (the others refer to them).

    ``checked``: taken in from sources the office's authority vouched for (a share with one).
    """
    tables: dict[str, list[dict[str, object]]] = {
        "learner": [],
        "attempt": [],
        "acknowledgement": [],
        "erasure": [],
        "merge": [],
        "enrolment": [],
        "certificate": [],
    }
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
                        "proof": r.proof,
                        "checked": checked,
                    }
                )
            case rec.AttemptRec():
                row = rec.to_json(r)
                del row["kind"]
                row.setdefault("proof", None)
                row["plan"] = "[]"
                row["checked"] = checked
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
                        "source": r.source,
                        "note": None,
                        "device_id": r.device_id,
                        "proof": r.proof,
                        "checked": checked,
                    }
                )
            case rec.ErasureRec():
                tables["erasure"].append(
                    {
                        "id": r.id,
                        "learner_id": r.learner_id,
                        "erased_at": rec.utc_text(r.erased_at),
                        "device_id": r.device_id,
                        "proof": r.proof,
                    }
                )
            case rec.MergeRec():
                row = rec.to_json(r)  # the table has exactly the record's fields, its proof too
                del row["kind"]
                tables["merge"].append({"proof": None, **row})
            case rec.EnrolmentRec():
                row = rec.to_json(r)  # the table has exactly the record's fields, its proof too
                del row["kind"]
                tables["enrolment"].append(row)
            case rec.CertificateRec():
                row = rec.to_json(r)
                del row["kind"]
                tables["certificate"].append({**row, "checked": checked})
    return tables


# Reading the share -------------------------------------------------------------


def _what(record: rec.Record) -> str:
    """A record's kind, as a problem names it."""
    match record:
        case rec.ErasureRec():
            return _("an erasure")
        case rec.MergeRec():
            return _("a merge of two people")
        case rec.EnrolmentRec():
            return _("a PC's enrolment")
        case rec.AttemptRec():
            return _("a face-to-face result") if record.source == "manual" else _("a quiz result")
        case rec.AckRec():
            return _("a paper sign-off") if record.source == "manual" else _("a sign-off")
        case rec.LearnerRec():
            return _("a learner record")
    return _("a certificate")


def read_devices(share: Path, own_device: str, merged: Merged, report: SyncReport, store: Store | None = None) -> None:
    files, others = device_files(share)
    for other in others:
        if is_clutter(other.name):
            report.problems.append(Problem(other, _("a file the system keeps in folders: left alone"), note=True))
        else:
            report.problems.append(Problem(other, _("not a SocialSafe device file: left alone")))
    trust = merged.trust
    devices: list[tuple[rec.DeviceFile, FileTrust | bytes]] = []
    budget = limits.MAX_SHARE
    for path in _smallest_first(files, own_device):
        # This PC's own file too: after a restore from a backup it holds records the database no longer has.
        own = path.stem == own_device
        try:
            raw = read_whole(path, min(limits.MAX_DEVICE_FILE, max(budget, 0)))
        except RefusedFileError as error:
            if error.size is not None and error.size <= limits.MAX_DEVICE_FILE:
                why = _("left out: the shared folder holds more than one sync reads ({most} MB)").format(
                    most=limits.MAX_SHARE // 2**20
                )
            else:
                why = _("left out: {reason}").format(reason=error.strerror)
            report.problems.append(Problem(path, why))
            merged.own_unread |= own
            continue
        except OSError as error:
            report.problems.append(Problem(path, _("cannot be read now ({reason})").format(reason=error.strerror)))
            merged.own_unread |= own
            continue
        budget -= len(raw)
        device = rec.read_device(path, raw, keep_body=trust is not None, sort=trust is not None)
        del raw
        if device.skipped:
            report.problems.append(Problem(path, device.skipped))
            merged.own_unread |= own
            continue
        report.devices_read += not own
        report.problems += [Problem(path, message, line=line) for line, message in device.problems]
        merged.own_unread |= own and bool(device.problems)  # a line of its own it could not take back
        if trust is None:  # contract v1: every file is believed
            if device.header.get("version") == rec.SIGNED_VERSION:
                raise SignedFilesSeenError(path)
            merged.add(device.every_record(), device.path)
            continue
        seal = trust.seal_of(device)
        device.body = None  # checked: its bytes are let go
        devices.append((device, seal))
    if trust is None:
        return
    # The office's own records first: its enrolments decide which PCs' files count.
    for device, _seal in devices:
        for line, record, data in device.proven:
            if trust.proven(data):
                if isinstance(record, rec.EnrolmentRec):
                    trust.enrol(record)
                merged.add([record], device.path)
            else:
                why = (
                    _("the office's signature does not match")
                    if trust.public is not None
                    else _("the office's authority cannot be found, so its signature cannot be checked")
                )
                merged.refused.append((device.path, line, record, why))
        for line, record in device.unproven:
            merged.refused.append((device.path, line, record, _("the office's signature is missing")))
    counted = {own_device}
    seen = _sequences_seen(store)
    marks = dict(seen)
    for device, seal in devices:
        state, key = trust.judge(device.device_id, seal)
        if state is FileTrust.TRUSTED:
            found = device.header.get("sequence")
            sequence = found if type(found) is int else 0
            if sequence < seen.get(device.device_id, 0):
                state = FileTrust.STALE
            else:
                marks[device.device_id] = sequence
        if state in (FileTrust.TRUSTED, FileTrust.OWN):
            merged.add(device.records, device.path)
            counted.add(device.device_id)
            for line, record in device.foreign:
                merged.refused.append((device.path, line, record, _("it names another PC")))
            continue
        name = device.header.get("device_name")
        apart = [*device.records, *(r for _line, r in device.foreign)]
        merged.unverified.append(
            Unverified(device.path, device.device_id, plain(name if isinstance(name, str) else ""), state, key, apart)
        )
    if store is not None and marks != seen:
        store.set_setting(SEEN_SETTING, json.dumps(marks, sort_keys=True))
    if store is not None:
        # A PC the office trusts whose file is gone, or no longer its own (deleted, overwritten by someone
        # else, an old copy put back): what this PC took in from it while it could be checked still counts.
        # Deleting a file on the share erases nothing.
        missing = set(trust.enrolled) - counted
        if missing:
            merged.add(as_record(row) for rows in store.records_of_devices(missing) for row in rows)
        adopted = read_adopted(share, trust, report, store.path.parent / ADOPTED_COPY)
        if adopted is not None:
            records = adopted.every_record()
            merged.adopted = {r.id for r in records}
            merged.add(records, adopted.path)


def _smallest_first(files: list[Path], own_device: str) -> list[Path]:
    """This PC's own file, then the rest from the smallest: what a share too big to read leaves out is its
    biggest files, never the many ordinary ones."""

    def size(path: Path) -> tuple[bool, int, str]:
        try:
            length = path.lstat().st_size
        except OSError:
            length = 0  # read first, and reported then
        return path.stem != own_device, length, path.name

    return sorted(files, key=size)


def _sequences_seen(store: Store | None) -> dict[str, int]:
    """Per PC the office trusts, the highest sequence of its file this PC has read: an older one is a copy put back."""
    try:
        data = json.loads(store.setting(SEEN_SETTING) or "{}") if store is not None else {}
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        return {}
    return {str(k): v for k, v in data.items() if type(v) is int}


def plain(text: str, limit: int = 80) -> str:
    """Text from the share for a person to read: one line, no control characters, not too long."""
    cleaned = "".join(c if c.isprintable() else " " for c in text)
    return " ".join(cleaned.split())[:limit]


def checked_adopted(where: Path, public: bytes | None) -> tuple[rec.DeviceFile | None, bytes]:
    """The adopted records at ``where`` and their bytes, when the authority ``public`` signed them as they are."""
    try:
        raw = read_whole(where, limits.MAX_SHARE)
        adopted = rec.read_device(where, raw, keep_body=True, expected_format=rec.ADOPTED_FORMAT)
    except OSError:
        return None, b""
    good = not adopted.skipped and public is not None
    good = good and signer_of(adopted.header, adopted.body or b"", Purpose.ADOPTED_FILE) == public
    return (adopted if good else None), raw


def newest_adopted(share: Path, public: bytes | None, kept: Path) -> tuple[rec.DeviceFile | None, bytes, bool]:
    """The newest adopted records the authority signed, of the share's and this PC's copy; their bytes; and
    whether the share's is that one (when not, the share's is missing, changed or older)."""
    on_share, raw = checked_adopted(share / ADOPTED, public)
    mine, mine_raw = checked_adopted(kept, public)
    if mine is not None and (
        on_share is None or str(mine.header.get("written_at")) > str(on_share.header.get("written_at"))
    ):
        return mine, mine_raw, False
    return on_share, raw, True


def read_adopted(share: Path, trust: ShareTrust, report: SyncReport, kept: Path) -> rec.DeviceFile | None:
    """The records the office adopted when it set up its authority, signed by it.

    This PC keeps a copy (``kept``, in its data folder): if the share's is deleted, changed, or an older
    one is put back, the copy stands and is written back to the share.
    """
    path = share / ADOPTED
    newest, raw, on_share = newest_adopted(share, trust.public, kept)
    if newest is None:
        if path.exists():
            report.problems.append(Problem(path, _("not signed by the office: its records are left out")))
        return None
    try:
        if not on_share:
            if path.exists():
                report.problems.append(Problem(path, _("not the office's latest: this PC's copy is put back")))
            write_in_share(share, path, raw)
        elif not kept.exists() or read_whole(kept, limits.MAX_SHARE) != raw:
            write_atomic(kept, raw)
    except OSError as error:
        log.warning("could not keep or put back the office's adopted records (%s, %s): %s", path, kept, error)
    return newest


def settle(merged: Merged, report: SyncReport) -> None:
    """After the merge: what was kept apart, less what is known from a source that counts; then reported."""
    for path, line, record, why in merged.refused:
        kept = merged.find(record)
        if kept is None:
            report.problems.append(
                Problem(path, _("{what} left out: {why}").format(what=_what(record), why=why), line=line)
            )
        elif _without_proof(kept) != _without_proof(record):  # a copy of a real record, changed
            merged.conflicts.append((path, kept, record))
    merged.refused = []
    for apart in merged.unverified:
        apart.records = [r for r in apart.records if not merged.knows(r)]
    for source, _kept, other in merged.conflicts:
        report.problems.append(
            Problem(
                source or Path("."),
                _("{what} {id} has the same id as a different record read before: the first was kept").format(
                    what=_what(other), id=other.id
                ),
            )
        )
    merged.conflicts = []


def share_trust(store: Store, share: Path | None) -> ShareTrust | None:
    """How to judge the share's files: None for a share without an admin authority (contract v1)."""
    pinned = resolve(share, store)
    if pinned.authority is None and not (share is not None and marker_names_authority(share)) and not site_pin():
        return None
    # From now on this PC loads only the packs the office signed (config.Settings.pack_roots).
    (store.path.parent / SHARE_PACKS_DIR_NAME).mkdir(exist_ok=True)
    trust = ShareTrust(pinned.authority, store.device_id, public_raw(private_key(device_key_bytes(store))))
    for row in store.enrolments():
        record = as_record(row)
        if trust.proven(rec.to_json(record)):
            trust.enrol(record)  # type: ignore[arg-type]
    return trust


def device_key_bytes(store: Store) -> bytes:
    raw = unb64(store.device_key(), KEY_BYTES)
    assert raw is not None
    return raw


def merge(store: Store, share: Path | None, report: SyncReport, refreshers: frozenset[str] | None = None) -> Merged:
    """This PC's records plus every readable device file's that counts, with erasures applied.

    ``refreshers``: digest the attempts (:attr:`Merged.refreshers`), on a share without an admin authority.
    """
    mine = own_records(store)
    trust = share_trust(store, share) if share is not None else None
    for _round in range(3):
        merged = Merged(trust=trust, refreshers=refreshers if trust is None else None)
        if trust is not None:
            merged.watch_ids()
        merged.add(mine)
        merged.here = {r.id for r in mine}
        if share is None:
            return merged
        checked = SyncReport()
        try:
            with collector_paused():
                read_devices(share, store.device_id, merged, checked, store)
        except SignedFilesSeenError:
            # PCs have signed their files: the share has an authority this PC cannot see (someone hid it).
            # Nothing is believed as contract v1 would; every file waits, as on a share whose authority is lost.
            log.warning("signed device files on %s, but no authority found: nothing from them is counted", share)
            trust = ShareTrust(None, store.device_id, public_raw(private_key(device_key_bytes(store))))
            continue
        except EveryRecordNeededError as error:
            log.info("a record naming PC %s in another PC's file: merged again, every record kept", error)
            refreshers = None
            continue
        report.problems += checked.problems
        report.devices_read += checked.devices_read
        settle(merged, report)
        break
    return merged


def people(merged: Merged, roster: list[RosterPerson]) -> list[PersonRecords]:
    """People for the reports: learner records grouped (as the office's merges say), with their attempts,
    sign-offs and roster entry."""
    grouped = []
    for group in group_people(merged.shown_learners()):
        ids = [learner.id for learner in group]
        person = PersonRecords(learners=list(group), digested=merged.refreshers is not None)
        person.attempts.extend(merged.digest_of(ids))
        person.signoffs.extend(merged.acks_of(ids))
        grouped.append(person)
    return with_roster(grouped, roster)


def merged_people(
    store: Store, share: Path, refreshers: frozenset[str] | None = None
) -> tuple[list[PersonRecords], list[Problem]]:
    """Everyone on every PC, read from the share without writing to it (for export and report).

    ``refreshers`` (the module ids packs name as their refresher): only a person report is wanted, so the
    attempts are digested as the status rules read them (:class:`AttemptDigest`): memory follows people.
    """
    check_share(share)
    report = SyncReport()
    merged = merge(store, share, report, refreshers)
    merged.apply_erasures(store.learners(merged=False))
    roster, problems = share_roster(share, store, merged.trust)
    with collector_paused():  # some hundred thousand objects made, none in a cycle
        everyone = people(merged, roster)
    return everyone, [p for p in report.problems if not p.note] + problems


def roster_signing(store: Store, trust: ShareTrust | None, key: AdminKey | None = None) -> RosterSigning | None:
    """How the share's staff list is read and written: signed, on a share with an admin authority."""
    if trust is None:
        return None
    return RosterSigning(trust.public or b"", store, key)


def share_roster(share: Path, store: Store, trust: ShareTrust | None) -> tuple[list[RosterPerson], list[Problem]]:
    """The share's staff list: as the office signed it, on a share with an admin authority."""
    from socialsafe.roster import read_for_reports

    return read_for_reports(share, store.path.parent, roster_signing(store, trust))


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
    local = store.learners(merged=False)
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
    linked = [
        r
        for r in merged.records()
        if not isinstance(r, rec.AttemptRec | rec.AckRec | rec.CertificateRec) or r.learner_id in known
    ]
    theirs = [r for r in linked if r.device_id != mine]
    taken_back = [r for r in linked if r.device_id == mine and r.id not in merged.here] if restoring else []
    others, own = _rows(theirs, True if merged.trust is not None else None), _rows(taken_back)
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
        report.published = publish(store, share, now, merged.trust)
        if restoring:
            store.clear_restored()
    roster, roster_problems = share_roster(share, store, merged.trust)
    report.problems += roster_problems
    shown = merged
    if merged.trust is not None and not merged.trust.trusts_pc(mine, merged.trust.own_key):
        # The share's reports are read as everyone's: records only this PC vouches for stay out of them
        # until the office trusts it, as they stay out of every other PC's view.
        shown = merged.without(
            {
                r.id
                for r in merged.records()
                if r.device_id == mine and not getattr(r, "proof", None) and r.id not in merged.adopted
            }
        )
    if merged.trust is not None and merged.trust.public is not None:
        # The packs the office signed, taken into this PC's own folder: the app loads them from there.
        report.problems += refresh_packs(share, merged.trust.public, store.path.parent / SHARE_PACKS_DIR_NAME)
    try:
        for name, data in report_files(shown, roster, content, today or dt.date.today()).items():
            write_if_changed(share, share / REPORTS / name, data, store.device_id)
    except OSError as error:
        raise explain(error, share) from error
    store.set_setting(LAST_SYNC_SETTING, rec.utc_text(now))
    if merged.trust is not None:
        report.unverified = sum(1 for apart in merged.unverified if apart.records or apart.waiting)
        if merged.trust.authority is not None and not merged.trust.trusts_pc(mine, merged.trust.own_key):
            report.awaiting = fingerprint(merged.trust.own_key)
    return report


def publishable(store: Store, signed: bool) -> list[rec.Record]:
    """This PC's records as its device file carries them.

    A signed file (a share with an admin authority) carries only the erasures, merges and enrolments the
    office signed: any other would be refused by every reader. A v1 file carries no merges, enrolments or
    certificates, which a v1 reader would not know: a merge spreads by the office's authority only.
    """
    mine = own_records(store)
    if signed:
        return [r for r in mine if not isinstance(r, rec.ErasureRec | rec.MergeRec | rec.EnrolmentRec) or r.proof]
    return [r for r in mine if not isinstance(r, rec.MergeRec | rec.EnrolmentRec | rec.CertificateRec)]


def publish(store: Store, share: Path, now: dt.datetime, trust: ShareTrust | None = None) -> int:
    """Write this PC's device file if its records changed; returns how many records it holds.

    On a share with an admin authority (``trust``) the file is signed with this PC's key, with a
    sequence number one above any it wrote before, so that a reader can tell an old copy put back
    from the newest; and it is written again whenever the share's copy is not exactly this PC's own.
    """
    mine = publishable(store, trust is not None)
    body = "".join(sorted(rec.to_line(r) for r in mine))
    path = share / DEVICES / f"{store.device_id}.jsonl"
    version = rec.SIGNED_VERSION if trust is not None else rec.VERSION
    sequence = 0
    try:
        raw = read_whole(path, limits.MAX_DEVICE_FILE)
        first, _newline, rest = raw.partition(b"\n")
        existing = json.loads(first.decode("utf-8"))
        if not isinstance(existing, dict):
            raise ValueError(first)
        unchanged = rest == body.encode("utf-8") and existing.get("version") == version
        if trust is not None:
            found = existing.get("sequence")
            sequence = found if type(found) is int and 0 <= found < 2**53 else 0
            unchanged = unchanged and signer_of(existing, rest, Purpose.DEVICE_FILE) == trust.own_key
    except (OSError, ValueError, RecursionError):
        unchanged = False
    if not unchanged:
        head = rec.header(store.device_id, device_name(), __version__, now, version)
        if trust is not None:
            sequence = max(sequence, int(store.setting(SEQUENCE_SETTING) or 0)) + 1
            head["sequence"] = sequence
            head = signed_header(head, body.encode("utf-8"), private_key(device_key_bytes(store)), Purpose.DEVICE_FILE)
        try:
            write_in_share(share, path, (rec.to_line(head) + body).encode("utf-8"), owner=store.device_id)
        except OSError as error:
            raise explain(error, share) from error
        if trust is not None:
            store.set_setting(SEQUENCE_SETTING, str(sequence))
    store.set_setting(PUBLISHED_SETTING, str(len(mine)))
    return len(mine)


def write_if_changed(share: Path, path: Path, data: bytes, owner: str) -> None:
    try:
        if read_whole(path, len(data)) == data:
            return
    except OSError:
        pass
    write_in_share(share, path, data, owner=owner)


def waiting_to_publish(store: Store) -> int:
    """Records made here since the last successful publish."""
    published = int(store.setting(PUBLISHED_SETTING) or 0)
    return max(0, len(publishable(store, store.setting(PIN_SETTING) is not None)) - published)
