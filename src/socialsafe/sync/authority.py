"""The share's admin authority as each PC meets it: pinned, written back, and used to judge every device file.

A share without an authority works as contract v1 did: every device file is
believed. Once the office has made one (``socialsafe admin setup``), a PC
believes a record only with proof: the office's signature on the records
only it may make (:func:`socialsafe.sync.records.office_only`), and for the
rest a device file signed by a PC the office enrolled, naming that PC. What
fails is kept apart, with the reason, for the office to see
(:class:`Unverified`); it never counts towards anyone's status.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from socialsafe.i18n import _
from socialsafe.log import log
from socialsafe.sync import records as rec
from socialsafe.sync.share import marker_fingerprint, write_in_share
from socialsafe.trust import keys
from socialsafe.trust.authority import (
    FILE,
    PIN_SETTING,
    Authority,
    Pinned,
    choose,
    office_record_ok,
    read_share_file,
)
from socialsafe.trust.files import signer_of
from socialsafe.trust.keys import Purpose


class SettingsStore(Protocol):
    """This PC's saved settings (:class:`socialsafe.storage.store.Store`)."""

    def setting(self, key: str, default: str | None = None) -> str | None: ...

    def set_setting(self, key: str, value: str) -> None: ...


def site_pin() -> str | None:
    """The authority IT set in the site config, if any: its fingerprint or public key."""
    from socialsafe.site_config import site_config

    pin: str | None = site_config().values.admin_authority
    return pin


def resolve(share: Path | None, store: SettingsStore, write_back: bool = True) -> Pinned:
    """The authority in force on this PC, pinned here the first time it is seen.

    ``share``: the shared folder, or None. A share that cannot be read leaves the pinned
    authority in force. When the share's file is missing, replaced or older than the
    pinned one, the pinned one is written back (``write_back``), so PCs that come later
    find it again.
    """
    share_bytes: bytes | None = None
    readable = False
    if share is not None:
        try:
            share_bytes = read_share_file(share)
            readable = share.is_dir()
        except OSError:
            readable = False
    site = site_pin()
    pinned = choose(share_bytes, store.setting(PIN_SETTING), site)
    named = marker_fingerprint(share) if share is not None else None
    first = pinned.newly_pinned and pinned.authority is not None and not store.setting(PIN_SETTING) and not site
    if first and named and pinned.authority and not keys.same_fingerprint(named, pinned.authority.public):
        # First met, and not the one the share's marker names: someone put it there; trust neither.
        pinned = Pinned(None, [*pinned.problems, "its key is not the one the shared folder's marker names"])
    for problem in pinned.problems:
        log.warning("authority file on %s: %s", share, problem)
    if pinned.authority is not None and pinned.newly_pinned:
        store.set_setting(PIN_SETTING, pinned.authority.text())
        log.info("pinned the office's authority %s", pinned.authority.fingerprint)
    if pinned.authority is not None and pinned.restore and readable and write_back and share is not None:
        try:
            write_in_share(share, share / FILE, pinned.authority.text().encode("utf-8"))
            log.warning("wrote the office's authority file back to %s", share)
        except OSError as error:
            log.warning("could not write the office's authority file back to %s: %s", share, error)
    return pinned


# Judging device files -----------------------------------------------------------------------------


class FileTrust(StrEnum):
    TRUSTED = "trusted"  # signed by a key the office enrolled for this PC
    OWN = "own"  # this PC's own file, signed with its own key
    UNSIGNED = "unsigned"  # no signature: before the authority, or an older SocialSafe
    CHANGED = "changed"  # signed, but the file no longer matches its signature
    WAITING = "waiting"  # signed by a PC the office has not approved yet
    NEW_KEY = "new_key"  # signed for a PC the office approved, but with another key
    STALE = "stale"  # an older copy of a trusted PC's file than this PC has read (put back to hide records)
    NO_AUTHORITY = "no_authority"  # the share had an authority this PC cannot find


def reason(state: FileTrust) -> str:
    """Why a device file's records do not count, as the office reads it."""
    return {
        FileTrust.TRUSTED: "",
        FileTrust.OWN: "",
        FileTrust.UNSIGNED: _(
            "not signed: written before the office's authority was set up, or by an older SocialSafe"
        ),
        FileTrust.CHANGED: _("changed after its PC wrote it: its signature does not match"),
        FileTrust.WAITING: _("from a PC the office has not approved yet"),
        FileTrust.NEW_KEY: _(
            "signed with a new key for a PC the office approved (its data was reset, or someone is posing as it)"
        ),
        FileTrust.NO_AUTHORITY: _("the office's authority file is missing from the shared folder"),
        FileTrust.STALE: _(
            "an older copy of this PC's file than the one read before (put back, or copied from a backup): what "
            "was read before still counts"
        ),
    }[state]


@dataclass
class ShareTrust:
    """What a PC needs to judge device files: the authority's key and the PCs it enrolled."""

    authority: Authority | None  # None: the share had one, but this PC cannot find it
    own_id: str
    own_key: bytes
    enrolled: dict[str, set[bytes]] = field(default_factory=dict)  # device id -> its approved keys
    names: dict[str, str] = field(default_factory=dict)  # device id -> the name it was approved as

    @property
    def public(self) -> bytes | None:
        return self.authority.public if self.authority is not None else None

    def proven(self, data: dict[str, object]) -> bool:
        return self.public is not None and office_record_ok(self.public, data)

    def enrol(self, record: rec.EnrolmentRec) -> None:
        key = keys.unb64(record.public_key, keys.KEY_BYTES)
        if key is not None:
            self.enrolled.setdefault(record.subject_id, set()).add(key)
            self.names.setdefault(record.subject_id, record.device_name)

    def seal_of(self, device: rec.DeviceFile) -> FileTrust | bytes:
        """The key that signed ``device`` as it is, or why it counts for nothing whoever signed it.

        Checked as the file is read, so that its bytes need not be kept until every file is.
        """
        header = device.header
        if self.authority is None:
            return FileTrust.NO_AUTHORITY
        if header.get("version") != rec.SIGNED_VERSION or "signature" not in header:
            return FileTrust.UNSIGNED
        signer = signer_of(header, device.body or b"", Purpose.DEVICE_FILE)
        if signer is None or header.get("device_id") != device.device_id:
            return FileTrust.CHANGED
        return signer

    def judge(self, device_id: str, seal: FileTrust | bytes) -> tuple[FileTrust, bytes | None]:
        """Whether the ordinary records of ``device_id``'s file, sealed so, count; and the key that signed it.

        Asked once every file's enrolments are known (:meth:`enrol`).
        """
        if isinstance(seal, FileTrust):
            return seal, None
        if device_id == self.own_id and seal == self.own_key:
            return FileTrust.OWN, seal
        approved = self.enrolled.get(device_id)
        if approved and seal in approved:
            return FileTrust.TRUSTED, seal
        return (FileTrust.NEW_KEY if approved else FileTrust.WAITING), seal

    def trusts_pc(self, device_id: str, key: bytes) -> bool:
        return key in self.enrolled.get(device_id, set())


@dataclass
class Unverified:
    """A device file whose own records do not count, kept apart for the office to see."""

    path: Path
    device_id: str
    device_name: str
    state: FileTrust
    key: bytes | None  # the key that signed it, when one did
    records: list[rec.Record]  # those not also known from a file that counts (filled in after the merge)

    @property
    def reason(self) -> str:
        return reason(self.state)

    @property
    def fingerprint(self) -> str:
        return keys.fingerprint(self.key) if self.key else ""

    @property
    def waiting(self) -> bool:
        """A PC the office could approve: it signed its file with a key of its own."""
        return self.state in (FileTrust.WAITING, FileTrust.NEW_KEY) and self.key is not None

    @property
    def people(self) -> list[str]:
        """The learners in it, as plain text: name, school."""
        return sorted({f"{r.name}, {r.school}" for r in self.records if isinstance(r, rec.LearnerRec)})
