"""Checking a certificate: is its verification code one a trusted PC issued, and to whom?

A certificate's code finds the certificate's record (:func:`socialsafe.domain.certificate.new_code`).
That record counts only as the office's other records do: published in the
signed device file of a PC the office enrolled. So a code typed up for a
forged certificate finds nothing, and one copied from a real certificate
finds the real person, whose name the office then compares with the paper.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from socialsafe.config import SHARE_SETTING, Settings
from socialsafe.content.loader import Content
from socialsafe.domain.certificate import normal_code
from socialsafe.domain.states import Status
from socialsafe.domain.status import PolicyPacks, person_status
from socialsafe.i18n import _
from socialsafe.site_config import site_validity_months
from socialsafe.storage.store import Store
from socialsafe.sync import records as rec
from socialsafe.sync.engine import SyncReport, merge, people, share_roster
from socialsafe.sync.share import ShareError, check_share


@dataclass(frozen=True)
class CertificateCheck:
    """What the office is told about one verification code."""

    code: str  # as typed, in its printed form when it is one
    genuine: bool
    problem: str = ""  # why it is not genuine (or cannot be shown), for the person
    name: str = ""
    school: str = ""
    role: str = ""
    policy_id: str = ""
    policy_version: str = ""
    completed_on: dt.date | None = None
    expires_on: dt.date | None = None
    issued_at: dt.datetime | None = None
    issued_by: str = ""  # the PC that issued it, by name
    status_now: Status | None = None  # the person's training today
    expires_now: dt.date | None = None


def check_certificate(
    settings: Settings, store: Store, content: Content, typed: str, today: dt.date
) -> CertificateCheck:
    """Look ``typed`` up in every record that counts: this PC's, and the share's verified ones."""
    code = normal_code(typed)
    if code is None:
        return CertificateCheck(
            typed.strip(),
            False,
            _("That is not a verification code: it has 12 letters and digits, such as 7KQ2-M9XD-4FTA."),
        )
    share = settings.share_folder(store.setting(SHARE_SETTING))[0]
    unreachable = ""
    if share is not None:
        try:
            check_share(share)
        except ShareError as error:
            unreachable, share = str(error), None
    report = SyncReport()
    merged = merge(store, share, report)
    found = [c for c in merged.certificates.values() if c.code == code]
    if not found:
        apart = next(
            (u for u in merged.unverified for r in u.records if isinstance(r, rec.CertificateRec) and r.code == code),
            None,
        )
        if apart is not None:
            problem = _(
                "A certificate with this code is on the shared folder, but in records the office has not verified "
                "({reason}): it is not proof of training."
            ).format(reason=apart.reason)
        else:
            problem = _("No PC the office trusts issued a certificate with this code: it is not genuine.")
            if unreachable:
                problem += " " + _("(The shared folder could not be read, so only this PC's records were searched.)")
        return CertificateCheck(code, False, problem)
    certificate = found[0]
    merged.apply_erasures(store.learners(merged=False))
    if certificate.learner_id not in merged.learners:
        return CertificateCheck(
            code,
            False,
            _("This code was issued, but the person's records have since been erased: whose it was cannot be shown."),
        )
    roster = share_roster(share, store, merged.trust)[0] if share is not None else []
    person = next(p for p in people(merged, roster) if any(x.id == certificate.learner_id for x in p.learners))
    trust = merged.trust
    issued_by = (
        _("this PC")
        if certificate.device_id == store.device_id
        else (trust.names.get(certificate.device_id, "") if trust is not None else "") or certificate.device_id[:8]
    )
    check = CertificateCheck(
        code=code,
        genuine=True,
        name=person.name,
        school=person.school,
        role=person.role,
        policy_id=certificate.policy_id,
        policy_version=certificate.policy_version,
        completed_on=certificate.completed_on,
        expires_on=certificate.expires_on,
        issued_at=certificate.issued_at,
        issued_by=issued_by,
    )
    if not any(p.policy.id == certificate.policy_id for p in content.packs):
        return check  # a policy this PC has no pack for: genuine, with no status to give
    now = person_status(
        PolicyPacks.of(content.packs, certificate.policy_id),
        person.role,
        person.attempts,
        person.signoffs,
        today,
        site_validity_months(),
        person.exempt_until,
    )
    check = dataclasses.replace(check, status_now=now.status, expires_now=now.expires_on)
    if certificate.completed_on not in now.completions and not _older_version(certificate, content):
        problem = _("The records behind it do not show a completion on that day: it is not proof of training.")
        check = dataclasses.replace(check, genuine=False, problem=problem)
    return check


def _older_version(certificate: rec.CertificateRec, content: Content) -> bool:
    """A certificate of an earlier policy version: its completion is not among today's version's."""
    current = [p.policy.version for p in content.current if p.policy.id == certificate.policy_id]
    return bool(current) and certificate.policy_version not in current
