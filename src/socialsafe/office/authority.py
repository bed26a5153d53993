"""The office's admin authority: setting it up on a share, proving the passphrase against it, trusting PCs.

``socialsafe admin setup`` (or the office's first set-up in the app) makes the
authority: an Ed25519 key whose public half every PC pins and whose private
half sits on the share sealed with the admin passphrase
(:mod:`socialsafe.trust`). From then on an admin action, on any PC and from
any data folder, must open that seal, and what it makes (erasures, face-to-face
results, paper sign-offs, the roster, packs, enrolments of PCs) carries the
key's signature. Records already on the share are adopted once, by the
office's decision, at set-up. ``docs/share-format.md`` documents the files.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from platformdirs import user_state_path

from socialsafe.admin import AdminGate, PassphraseError, check_strength
from socialsafe.config import SHARE_SETTING, Settings
from socialsafe.content.loader import PACK_FILE, PackError, Problem
from socialsafe.domain import limits
from socialsafe.files import read_whole, write_atomic
from socialsafe.i18n import _, format_datetime, ngettext
from socialsafe.log import log
from socialsafe.paths import APP_AUTHOR, APP_NAME
from socialsafe.storage.models import Enrolment
from socialsafe.storage.store import Prove, Store
from socialsafe.sync import records as rec
from socialsafe.sync.authority import Unverified, resolve, site_pin
from socialsafe.sync.engine import (
    ADOPTED,
    Merged,
    SyncReport,
    as_record,
    device_key_bytes,
    device_name,
    merge,
    newest_adopted,
    plain,
)
from socialsafe.sync.share import (
    DEVICES,
    ROSTER,
    ShareError,
    check_share,
    device_files,
    explain,
    mark_authority,
    marker_names_authority,
    open_share,
    write_in_share,
)
from socialsafe.sync.signed import RosterSigning, publish_pack, write_signed_roster
from socialsafe.trust import authority as auth
from socialsafe.trust import keys
from socialsafe.trust.authority import AdminKey, Authority
from socialsafe.trust.files import signed_header
from socialsafe.trust.keys import Purpose

TRIES_FILE = "admin-tries.json"
STALE_SETUP_SECONDS = 120  # a set-up's claim this old is from a set-up that was cut short (a set-up takes seconds)
SETUP_CLAIM = ".setup-claim"


# Wrong tries, where a new data folder does not reset them ------------------------------------------


class TriesFile:
    """The count of wrong admin passphrases against one authority, in the user's own state folder.

    It stands in for the data folder's settings in :class:`socialsafe.admin.AdminGate`, so a
    person who points SocialSafe at a new, empty data folder meets the same waits. (Someone
    who can copy the share's authority file can guess offline instead, which only the
    passphrase's length and Argon2id's cost slow down: ``docs/it-guide.md`` says so.)
    """

    def __init__(self, path: Path, key_id: str) -> None:
        self.path, self.key_id = path, key_id

    @classmethod
    def for_authority(cls, authority: Authority) -> TriesFile:
        return cls(user_state_path(APP_NAME, APP_AUTHOR, roaming=False) / TRIES_FILE, authority.fingerprint)

    def _all(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_bytes()[: 64 * 1024])
        except (OSError, ValueError, RecursionError):
            return {}
        return data if isinstance(data, dict) else {}

    def setting(self, key: str, default: str | None = None) -> str | None:
        mine = self._all().get(self.key_id)
        value = mine.get(key) if isinstance(mine, dict) else None
        return value if isinstance(value, str) else default

    def set_setting(self, key: str, value: str) -> None:
        data = self._all()
        mine = data.get(self.key_id)
        data[self.key_id] = {**(mine if isinstance(mine, dict) else {}), key: value}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, json.dumps(data).encode("utf-8"))
        except OSError as error:  # a count not kept is a wait not made: logged, never a failure
            log.warning("could not keep the count of wrong admin passphrases in %s: %s", self.path, error)


# How the office proves itself on this PC ----------------------------------------------------------


@dataclass
class Access:
    """How an admin action is proved here now: against the share's authority, or this PC's own passphrase."""

    share: Path | None
    authority: Authority | None
    missing: bool = False  # there should be an authority (site config, or the share says so), none is found
    problems: list[str] = field(default_factory=list)
    unanswered: bool = False  # the shared folder did not answer in time

    @property
    def local(self) -> bool:
        """No authority anywhere: this PC's own admin passphrase (contract v1)."""
        return self.authority is None and not self.missing


def access(settings: Settings, store: Store, seconds: float | None = None) -> Access:
    """The authority in force for admin actions on this PC (pinned here the first time it is met).

    ``seconds``: how long a shared folder may take to answer (the app asks while a person waits); past
    that, the authority pinned here is used, and with none pinned no admin action can be proved yet.
    """
    share = settings.share_folder(store.setting(SHARE_SETTING))[0]
    if seconds is not None and share is not None:
        answer: list[Access] = []
        thread = threading.Thread(target=lambda: answer.append(access(settings, store)), daemon=True)
        thread.start()
        thread.join(seconds)
        if answer:
            return answer[0]
        pinned = resolve(None, store).authority
        return Access(share, pinned, missing=pinned is None, problems=[], unanswered=True)
    pinned_now = resolve(share, store)
    missing = pinned_now.authority is None and bool(site_pin() or (share is not None and marker_names_authority(share)))
    return Access(share, pinned_now.authority, missing, pinned_now.problems)


class AuthorityMissingError(Exception):
    """An admin action where the office's authority should be, but cannot be found; the message says what to do."""


def missing_message(found: Access) -> str:
    if found.unanswered:
        return _(
            "The shared folder {path} does not answer, and this PC has not met the office's admin authority "
            "yet, so no admin action can be proved on it. Try again when the shared folder answers."
        ).format(path=found.share or "")
    return _(
        "The office's admin authority cannot be found in the shared folder {path}, so no admin action can be "
        "proved on this PC. Connect to the shared folder (or ask your IT team) and try again."
    ).format(path=found.share or "")


def admin_gate(settings: Settings, store: Store, found: Access | None = None) -> AdminGate:
    """The gate in front of every admin action on this PC. Raises AuthorityMissingError when it cannot be opened."""
    found = found if found is not None else access(settings, store)
    if found.missing:
        raise AuthorityMissingError(missing_message(found))
    return AdminGate(store, authority=found.authority)


def prover(key: AdminKey) -> Prove:
    """Signs a row as the share will carry it: what every record only the office may make is saved with."""

    def prove(row: Any) -> str:
        return key.prove(rec.signable(as_record(row)))

    return prove


def maybe_prover(key: AdminKey | None) -> Prove | None:
    return prover(key) if key is not None else None


def roster_signing_for(settings: Settings, store: Store, key: AdminKey | None) -> RosterSigning | None:
    """How an admin action reads and writes the share's staff list: signed, once there is an authority."""
    found = access(settings, store)
    if found.local:
        return None
    return RosterSigning(found.authority.public if found.authority is not None else b"", store, key)


# Setting it up ---------------------------------------------------------------------------------------


class SetupError(Exception):
    """The authority cannot be set up; the message says why in a sentence or two."""


class AlreadySetUpError(SetupError):
    """The share has an authority already: PCs enrol with it rather than make another."""


def check_authority_strength(passphrase: str) -> None:
    """Raise PassphraseError for a passphrase too weak to seal the authority (anyone can copy the seal)."""
    check_strength(passphrase)
    if len(passphrase.strip()) < auth.MIN_LENGTH:
        raise PassphraseError(
            _(
                "The office's admin passphrase must be at least {n} characters long: anyone who can open the "
                "shared folder could try guesses against it. A few ordinary words make a good one."
            ).format(n=auth.MIN_LENGTH)
        )


@dataclass(frozen=True)
class DeviceSummary:
    """One device file as the set-up shows it before adopting it."""

    path: Path
    device_id: str
    name: str
    written_at: str
    people: int
    results: int  # quiz results
    signoffs: int  # sign-offs in the app
    erasures: int
    problems: int  # lines that cannot be read (they are not adopted)
    face_to_face: int = 0  # face-to-face results: only the office should have made them
    paper: int = 0  # paper sign-offs: likewise
    names: tuple[str, ...] = ()  # the people in it, as plain text, by name
    erased: tuple[str, ...] = ()  # whom its erasures erase, where it names them (else their record's id)

    @property
    def records(self) -> int:
        return self.people + self.results + self.signoffs + self.erasures + self.face_to_face + self.paper


@dataclass
class Adoption:
    """What is on the share before the authority exists: adopted as the office's, if the office says so."""

    devices: list[DeviceSummary] = field(default_factory=list)
    records: list[rec.Record] = field(default_factory=list)
    roster: bool = False  # roster/roster.csv is there
    packs: list[Path] = field(default_factory=list)  # pack folders in content/
    problems: list[Problem] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.devices and not self.roster and not self.packs


def when_written(text: str) -> str:
    """A header's written_at in this PC's words and time, or as it is when it is not a time."""
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text or _("at an unknown time")
    return format_datetime(moment, "short") if moment.tzinfo else text


def adoption_counts(device: DeviceSummary) -> list[str]:
    """What one PC's file holds, in words: the office-only kinds counted apart, as they matter most."""
    return [
        ngettext("{n} person", "{n} people", device.people).format(n=device.people),
        ngettext("{n} quiz result", "{n} quiz results", device.results).format(n=device.results),
        ngettext("{n} sign-off", "{n} sign-offs", device.signoffs).format(n=device.signoffs),
        ngettext("{n} face-to-face result", "{n} face-to-face results", device.face_to_face).format(
            n=device.face_to_face
        ),
        ngettext("{n} paper sign-off", "{n} paper sign-offs", device.paper).format(n=device.paper),
        ngettext("{n} erasure", "{n} erasures", device.erasures).format(n=device.erasures),
    ]


def adoption(share: Path) -> Adoption:
    """Everything on the share a v1 SocialSafe wrote: its device files, roster and packs. Changes nothing."""
    found = Adoption()
    if not (share / DEVICES).is_dir():
        files: list[Path] = []
    else:
        files, _others = device_files(share)
    for path in files:
        try:
            device = rec.read_device(path, read_whole(path, limits.MAX_DEVICE_FILE), keep_body=True)
        except OSError as error:
            found.problems.append(
                Problem(path, _("cannot be read ({reason}): not adopted").format(reason=error.strerror or error))
            )
            continue
        if device.skipped:
            found.problems.append(Problem(path, device.skipped))
            continue
        records = device.every_record()
        name = device.header.get("device_name")
        written = device.header.get("written_at")
        found.devices.append(
            DeviceSummary(
                path=path,
                device_id=device.device_id,
                name=plain(name) if isinstance(name, str) else "",
                written_at=plain(written) if isinstance(written, str) else "",
                people=sum(isinstance(r, rec.LearnerRec) for r in records),
                results=sum(isinstance(r, rec.AttemptRec) for r in records),
                signoffs=sum(isinstance(r, rec.AckRec) for r in records),
                erasures=sum(isinstance(r, rec.ErasureRec) for r in records),
                problems=len(device.problems),
                names=tuple(
                    sorted({plain(r.name) for r in records if isinstance(r, rec.LearnerRec)}, key=str.casefold)
                ),
            )
        )
        found.records += records
    names = {r.id: plain(r.name) for r in found.records if isinstance(r, rec.LearnerRec)}
    found.devices = [
        dataclasses.replace(
            d,
            erased=tuple(
                sorted(
                    names.get(r.learner_id, r.learner_id)
                    for r in found.records
                    if isinstance(r, rec.ErasureRec) and r.device_id == d.device_id
                )
            ),
        )
        for d in found.devices
    ]
    found.roster = (share / ROSTER).is_file()
    try:
        found.packs = sorted(p for p in (share / "content").iterdir() if (p / PACK_FILE).is_file())
    except OSError:
        found.packs = []
    return found


def _claim(share: Path) -> Path:
    """Take the share's authority for this set-up, or say it is taken; returns the claim to let go of after.

    The claim is a file made only if it is not there (at once, even on a network drive), so two office PCs
    setting up at the same moment cannot both make an authority. One left by a set-up cut short goes stale.
    """
    folder = share / auth.FOLDER
    folder.mkdir(exist_ok=True)
    claim = folder / SETUP_CLAIM
    for _attempt in range(2):
        if (share / auth.FILE).exists():
            raise AlreadySetUpError(already_message(share))
        try:
            os.close(os.open(claim, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
            return claim
        except FileExistsError:
            if time.time() - claim.stat().st_mtime < STALE_SETUP_SECONDS:
                raise AlreadySetUpError(already_message(share)) from None
            claim.unlink(missing_ok=True)
    raise AlreadySetUpError(already_message(share))


def already_message(share: Path) -> str:
    return _(
        "The shared folder {path} has the office's admin authority already. On this PC, run "
        "'socialsafe admin enrol' (or choose Trust this PC in the office) with the admin passphrase instead."
    ).format(path=share)


@dataclass
class SetupResult:
    key: AdminKey | None  # None: no shared folder, so only this PC's passphrase was set
    adopted: int = 0  # records adopted
    roster_signed: bool = False
    packs_signed: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    sync: SyncReport | None = None


def set_up(
    settings: Settings,
    store: Store,
    passphrase: str,
    adopt: bool = True,
    sync_after: Callable[[], SyncReport] | None = None,
) -> SetupResult:
    """Make the share's admin authority, pin it, trust this PC, and adopt what is there (when ``adopt``).

    With no shared folder set, only this PC's admin passphrase is set (contract v1). Raises
    PassphraseError for a passphrase too weak, AlreadySetUpError when the share has an
    authority, ShareError when it cannot be reached or written, and SetupError otherwise.
    ``sync_after``: the sync to run once it is made (so the adopted records count at once).
    """
    from socialsafe.admin import set_passphrase

    share = settings.share_folder(store.setting(SHARE_SETTING))[0]
    if share is None:
        set_passphrase(store, passphrase)
        return SetupResult(None)
    check_authority_strength(passphrase)
    check_share(share)
    if resolve(share, store, write_back=False).authority is not None or marker_names_authority(share):
        raise AlreadySetUpError(already_message(share))
    try:
        open_share(share, dt.datetime.now(dt.UTC), owner=store.device_id)
        found = adoption(share)  # read before anything is written
        claim = _claim(share)
        key = auth.create(passphrase, device_name())
        write_in_share(share, share / auth.FILE, key.authority.text().encode("utf-8"), owner=store.device_id)
        store.set_setting(auth.PIN_SETTING, key.authority.text())
        mark_authority(share, key.authority.fingerprint, owner=store.device_id)
        claim.unlink(missing_ok=True)
    except OSError as error:
        raise explain(error, share) from error
    log.info("made the office's admin authority %s on %s", key.authority.fingerprint, share)
    result = SetupResult(key, problems=list(found.problems))
    enrol_this_pc(store, key)
    if adopt:
        adopt_all(share, store, key, found, result)
    try:
        from socialsafe.admin import passphrase_hash

        if passphrase_hash(settings, store) is None:
            set_passphrase(store, passphrase)  # for this PC on its own too, should the share be taken away
    except PassphraseError:
        pass  # IT set this PC's own: it stays theirs
    if sync_after is not None:
        try:
            result.sync = sync_after()
        except ShareError as error:
            result.problems.append(Problem(share, str(error)))
    return result


def adopt_all(share: Path, store: Store, key: AdminKey, found: Adoption, result: SetupResult) -> None:
    """Sign what the v1 share held as the office's: its records, its roster, its packs.

    What cannot be adopted is said in ``result.problems``; the rest is adopted all the same.
    """
    try:
        if found.records:
            write_adopted(share, key, found.records, owner=store.device_id)
            result.adopted = len(found.records)
    except OSError as error:
        raise explain(error, share) from error
    if found.roster:
        try:
            write_signed_roster(share, read_whole(share / ROSTER), key, store, owner=store.device_id)
            result.roster_signed = True
        except UnicodeDecodeError:
            result.problems.append(Problem(share / ROSTER, _("not UTF-8 text: the staff list was not adopted")))
        except OSError as error:
            raise explain(error, share) from error
    for folder in found.packs:
        try:
            pack, _target = publish_pack(folder, share, key, owner=store.device_id)
        except PackError as error:
            result.problems += error.problems
            continue
        except (OSError, UnicodeDecodeError) as error:
            result.problems.append(Problem(folder, str(error)))
            continue
        result.packs_signed.append(pack.id)


def write_adopted(share: Path, key: AdminKey, records: list[rec.Record], owner: str = "") -> None:
    """The office's adopted records, whole and signed by its key (``authority/adopted.jsonl``)."""
    unique = {r.id: r for r in records}
    body = "".join(sorted(rec.to_line(r) for r in unique.values())).encode("utf-8")
    head = {
        "kind": "header",
        "format": rec.ADOPTED_FORMAT,
        "version": 1,
        "written_at": rec.utc_text(dt.datetime.now(dt.UTC)),
    }
    head = signed_header(head, body, key.private, Purpose.ADOPTED_FILE)
    write_in_share(share, share / ADOPTED, rec.to_line(head).encode("utf-8") + body, owner=owner)


def prune_adopted(share: Path, key: AdminKey, learner_ids: set[str], kept: Path, owner: str = "") -> int:
    """Take erased people out of the adopted records too; returns how many records went.

    Only records the authority signed are ever signed again: the newest of the share's copy and this
    PC's (``kept``), each checked first. A file someone else put there is never signed.
    """
    adopted, _raw, _on_share = newest_adopted(share, key.public, kept)
    if adopted is None:
        return 0
    records = adopted.every_record()

    def erased(record: rec.Record) -> bool:
        if isinstance(record, rec.ErasureRec):
            return False  # the erasure itself stays: it holds no personal data, and spreads the erasure
        if isinstance(record, rec.LearnerRec):
            return record.id in learner_ids
        return getattr(record, "learner_id", None) in learner_ids

    kept_records = [r for r in records if not erased(r)]
    if len(kept_records) < len(records):
        write_adopted(share, key, kept_records, owner=owner)
        write_atomic(kept, read_whole(share / ADOPTED, limits.MAX_SHARE))
    return len(records) - len(kept_records)


# Trusting PCs ----------------------------------------------------------------------------------------


def fingerprint_of(public_key: str) -> str:
    """The fingerprint of a key as a record carries it (base64)."""
    raw = keys.unb64(public_key, keys.KEY_BYTES)
    return keys.fingerprint(raw) if raw is not None else "?"


def own_public(store: Store) -> bytes:
    return keys.public_raw(keys.private_key(device_key_bytes(store)))


def enrolled_here(store: Store, authority: Authority) -> bool:
    """Whether the office has trusted this PC with its present key (as far as this PC knows)."""
    mine = keys.b64(own_public(store))
    return any(
        e.subject_id == store.device_id
        and e.public_key == mine
        and auth.office_record_ok(authority.public, rec.to_json(as_record(e)))
        for e in store.enrolments()
    )


def enrol_this_pc(store: Store, key: AdminKey) -> bool:
    """Trust this PC (the passphrase was typed here); False when it was trusted already."""
    if enrolled_here(store, key.authority):
        return False
    approve(store, key, store.device_id, keys.b64(own_public(store)), device_name())
    return True


def approve(store: Store, key: AdminKey, device_id: str, public_key: str, name: str) -> Enrolment:
    """The office trusts the PC ``device_id`` with ``public_key``: its records count from the next sync."""
    enrolment = store.add_enrolment(device_id, public_key, plain(name) or device_id[:8], prover(key))
    log.info(
        "the office trusts the PC %s (%s), key %s", name, device_id, keys.fingerprint(keys.unb64(public_key) or b"")
    )
    return enrolment


def change_passphrase(store: Store, key: AdminKey, new: str, share: Path | None) -> AdminKey:
    """Seal the authority's key with ``new``: the next revision of the authority file, pinned here and shared."""
    check_authority_strength(new)
    resealed = key.resealed(new)
    store.set_setting(auth.PIN_SETTING, resealed.authority.text())
    if share is not None:
        try:
            write_in_share(share, share / auth.FILE, resealed.authority.text().encode("utf-8"), owner=store.device_id)
        except OSError as error:
            log.warning("the new authority file will reach %s at the next sync: %s", share, error)
    return resealed


# The office's view of PCs --------------------------------------------------------------------------


@dataclass
class PcsView:
    """Which PCs the office trusts, which wait for it, and what does not count (for the office and the CLI)."""

    authority: Authority | None
    this_pc: str  # this PC's device id
    this_key: str  # its key fingerprint
    this_trusted: bool
    trusted: list[rec.EnrolmentRec]
    unverified: list[Unverified]
    problems: list[Problem]

    @property
    def waiting(self) -> list[Unverified]:
        return [u for u in self.unverified if u.waiting]


def pcs_view(settings: Settings, store: Store) -> PcsView:
    """Read the share as a sync does (writing nothing there but a pinned authority file put back)."""
    share = settings.share_folder(store.setting(SHARE_SETTING))[0]
    report = SyncReport()
    merged: Merged = merge(store, share, report) if share is not None else Merged()
    trust = merged.trust
    approved = trust.enrolled if trust is not None else {}
    trusted = [
        e
        for e in merged.enrolments.values()
        if keys.unb64(e.public_key, keys.KEY_BYTES) in approved.get(e.subject_id, set())
    ]
    mine = own_public(store)
    return PcsView(
        authority=trust.authority if trust is not None else None,
        this_pc=store.device_id,
        this_key=keys.fingerprint(mine),
        this_trusted=mine in approved.get(store.device_id, set()),
        trusted=sorted(trusted, key=lambda e: (e.device_name.casefold(), e.enrolled_at)),
        unverified=[u for u in merged.unverified if u.records or u.waiting],
        problems=report.problems,
    )
