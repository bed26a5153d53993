"""The share's admin authority: its file, how a PC pins it, and the admin key it unlocks.

``authority/authority.json`` on the share holds the authority's public key,
its private key sealed with the admin passphrase (:mod:`socialsafe.trust.sealed`),
a revision number and a signature by the key itself over all of it. Anyone
can write the share, so the file proves nothing on its own: each PC pins the
key the first time it sees it (keeping the whole file in its own database),
and IT can pin it in the site config so that no one can swap it. A file with
another key, a bad signature or an older revision than the one pinned is
reported and passed over; the pinned copy stays in force and is written back.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from socialsafe.trust import keys, sealed
from socialsafe.trust.keys import Purpose

FOLDER = "authority"
FILE = "authority/authority.json"
FORMAT = "socialsafe-authority"
VERSION = 1
MAX_BYTES = 64 * 1024  # an authority file is under 2 KB; anything much bigger is not one
# A passphrase anyone could copy the sealed key for and try guesses against offline: longer than a PC's own.
MIN_LENGTH = 12
PIN_SETTING = "admin_authority"  # the pinned authority file, in this PC's database; the site config's key too


class AuthorityError(ValueError):
    """An authority file that is not one, or not the one this PC trusts; the message says which."""


def utc_text(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Authority:
    """A checked authority file: its signature is good (who made it is a question for the pin)."""

    public: bytes
    revision: int
    created_at: str
    made_on: str  # the device name of the PC it was set up on, as it said
    document: dict[str, Any] = field(repr=False, compare=False)

    @property
    def fingerprint(self) -> str:
        return keys.fingerprint(self.public)

    def text(self) -> str:
        return json.dumps(self.document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    def unlock(self, passphrase: str) -> AdminKey:
        """The admin key; :class:`sealed.WrongPassphraseError` when ``passphrase`` is not the admin passphrase."""
        try:
            private = sealed.unseal(self.document.get("sealed_key"), passphrase, self.public)
        except sealed.SealError as error:
            raise AuthorityError(f"the sealed admin key cannot be opened ({error})") from error
        return AdminKey(private, self)


def _signed_part(document: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k != "signature"}


def parse(data: Any) -> Authority:
    """A checked :class:`Authority` from the decoded file; AuthorityError says what is wrong."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise AuthorityError("not a SocialSafe authority file")
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version > VERSION:
        raise AuthorityError("written by a newer SocialSafe")
    public = keys.unb64(data.get("public_key"), keys.KEY_BYTES)
    revision = data.get("revision")
    if public is None or isinstance(revision, bool) or not isinstance(revision, int) or revision < 1:
        raise AuthorityError("its key or revision is missing")
    if not keys.verify(public, Purpose.AUTHORITY, _signed_part(data), data.get("signature")):
        raise AuthorityError("its signature does not match: it was changed after the office wrote it")
    made_on = data.get("made_on")
    return Authority(
        public=public,
        revision=revision,
        created_at=str(data.get("created_at", "")),
        made_on=str(made_on)[:200] if isinstance(made_on, str) else "",
        document=data,
    )


def loads(text: str | bytes) -> Authority:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise AuthorityError("not valid JSON") from error
    return parse(data)


def _document(private: Ed25519PrivateKey, passphrase: str, revision: int, created_at: str, made_on: str) -> Authority:
    body: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "public_key": keys.b64(keys.public_raw(private)),
        "revision": revision,
        "created_at": created_at,
        "written_at": utc_text(dt.datetime.now(dt.UTC)),
        "made_on": made_on,
        "sealed_key": sealed.seal(private, passphrase),
    }
    body["signature"] = keys.sign(private, Purpose.AUTHORITY, body)
    return parse(body)


def create(passphrase: str, made_on: str) -> AdminKey:
    """A new authority, unlocked. Its file is ``key.authority.text()``."""
    private = keys.new_key()
    now = utc_text(dt.datetime.now(dt.UTC))
    authority = _document(private, passphrase, 1, now, made_on)
    return AdminKey(private, authority)


@dataclass(frozen=True)
class AdminKey:
    """The authority's private key, unlocked by the admin passphrase: what office actions sign with.

    Held in memory only while an admin command runs or the office is open.
    """

    private: Ed25519PrivateKey = field(repr=False)
    authority: Authority

    @property
    def public(self) -> bytes:
        return self.authority.public

    def sign(self, purpose: Purpose, value: Any) -> str:
        return keys.sign(self.private, purpose, value)

    def prove(self, record: dict[str, Any]) -> str:
        """The proof an office record carries: the signature of the record without its proof."""
        return self.sign(Purpose.OFFICE_RECORD, {k: v for k, v in record.items() if k != "proof"})

    def resealed(self, passphrase: str) -> AdminKey:
        """The same key under a new passphrase: the next revision of the authority file."""
        old = self.authority
        return AdminKey(
            self.private, _document(self.private, passphrase, old.revision + 1, old.created_at, old.made_on)
        )


def office_record_ok(public: bytes, record: dict[str, Any]) -> bool:
    """Whether ``record`` carries a good proof by the authority ``public``."""
    return keys.verify(
        public, Purpose.OFFICE_RECORD, {k: v for k, v in record.items() if k != "proof"}, record.get("proof")
    )


# Which authority a PC trusts -------------------------------------------------------------------------


@dataclass
class Pinned:
    """The authority in force on this PC, and what was wrong with the share's copy (if anything)."""

    authority: Authority | None
    problems: list[str] = field(default_factory=list)
    newly_pinned: bool = False  # first seen now (or newer than the one pinned): save it
    restore: bool = False  # the share's file is missing or not this one: write the pinned one back


def choose(share_text: bytes | None, pinned_text: str | None, site_pin: str | None) -> Pinned:
    """The authority to trust from the share's file, this PC's pinned copy and the site config's pin.

    ``site_pin``: a fingerprint or public key IT set; only an authority with that key is trusted.
    Otherwise the one pinned here is kept, and the share's is taken the first time (trust on first use).
    A newer revision of the same key (the passphrase was changed) replaces the pinned one.
    """
    problems: list[str] = []
    on_share: Authority | None = None
    if share_text is not None:
        try:
            on_share = loads(share_text)
        except AuthorityError as error:
            problems.append(str(error))
    pinned: Authority | None = None
    if pinned_text:
        try:
            pinned = loads(pinned_text)
        except AuthorityError:
            pinned = None  # a damaged copy here: as good as none
    if site_pin:
        if pinned is not None and not keys.same_fingerprint(site_pin, pinned.public):
            pinned = None  # IT's pin wins over one this PC took on first use
        if on_share is not None and not keys.same_fingerprint(site_pin, on_share.public):
            problems.append("its key is not the one your IT team set in the site config")
            on_share = None
    if pinned is None:
        return Pinned(on_share, problems, newly_pinned=on_share is not None)
    if on_share is None:
        return Pinned(pinned, problems, restore=True)
    if on_share.public != pinned.public:
        problems.append("its key is not the one this PC trusts: someone replaced the file")
        return Pinned(pinned, problems, restore=True)
    if on_share.revision > pinned.revision:
        return Pinned(on_share, problems, newly_pinned=True)
    if on_share.revision < pinned.revision:
        problems.append("it is an older copy than this PC has seen (its passphrase was changed since)")
        return Pinned(pinned, problems, restore=True)
    return Pinned(pinned, problems)


def read_share_file(share: Path) -> bytes | None:
    """The share's authority file, or None when there is none; OSError when it cannot be read."""
    path = share / FILE
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        return b""
    if len(data) > MAX_BYTES:
        return b""  # not an authority file: reported as one that cannot be read
    return data
