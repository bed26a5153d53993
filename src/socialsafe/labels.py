"""Codes in words: roles and statuses as people read them, for screens and files alike (no Qt)."""

from __future__ import annotations

from socialsafe.content.roles import Role
from socialsafe.domain.states import ModuleStatus, Status
from socialsafe.i18n import _


def role_label(role: str) -> str:
    labels = {
        Role.TEACHER: _("Teacher"),
        Role.SUPPORT_STAFF: _("Support staff"),
        Role.VOLUNTEER: _("Volunteer"),
        Role.PARENT_HELPER: _("Parent helper"),
        Role.TRUSTEE: _("Trustee"),
        Role.AGENCY_WORKER: _("Agency worker"),
        Role.WORK_EXPERIENCE: _("Work experience"),
        Role.OTHER: _("Other"),
    }
    return labels[Role(role)] if role in set(Role) else role


def status_name(status: Status) -> str:
    """A training status in words alone (for counts and file columns)."""
    return {
        Status.COMPLETE: _("Complete"),
        Status.DUE_SOON: _("Due soon"),
        Status.EXPIRED: _("Expired"),
        Status.UPDATE_NEEDED: _("Update needed"),
        Status.IN_PROGRESS: _("In progress"),
        Status.NOT_STARTED: _("Not started"),
        Status.EXEMPT: _("Exempt"),
    }[status]


def module_status_name(value: str) -> str:
    try:
        status = ModuleStatus(value)
    except ValueError:
        return value
    return {
        ModuleStatus.NOT_STARTED: _("Not started"),
        ModuleStatus.IN_PROGRESS: _("In progress"),
        ModuleStatus.PASSED: _("Passed"),
        ModuleStatus.NOT_PASSED: _("Not passed yet"),
    }[status]
