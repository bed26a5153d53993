"""The roles in the policy's Scope: a plain enum, light to import (the first screen names them)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """The policy's Scope. The values are the share format's role codes."""

    TEACHER = "teacher"
    SUPPORT_STAFF = "support_staff"
    VOLUNTEER = "volunteer"
    PARENT_HELPER = "parent_helper"
    TRUSTEE = "trustee"
    AGENCY_WORKER = "agency_worker"
    WORK_EXPERIENCE = "work_experience"
    OTHER = "other"
