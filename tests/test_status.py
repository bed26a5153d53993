"""The training status rules of ``shared/contracts/status-rules.md``, rule by rule, on the domain layer.

Plain fake facts stand in for the stored records; packs are the mini pack,
copied (``model_copy``) or rebuilt from a copied folder for other versions.
Every time is UTC-aware and falls at local midday, so the tests hold in any zone.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from helpers_packs import PACK_TOML, add_mixed_module, copy_pack, edit
from socialsafe.content.loader import load_pack
from socialsafe.content.model import Clause, Module, ModuleKind, Pack, Question, Role
from socialsafe.domain.quiz import draw, review_queue
from socialsafe.domain.status import (
    DEFAULT_VALIDITY_MONTHS,
    CheckPurpose,
    PersonStatus,
    PolicyPacks,
    Status,
    add_months,
    changed_clause_ids,
    counted_modules,
    is_pass,
    local_date,
    module_results,
    person_status,
)

POLICY = "example-policy"
PACK_ID = "example"
FR = "friend-requests"
PH = "photos"
REFRESHER = "final-check"


# Fake facts ----------------------------------------------------------------


def at(year: int, month: int, day: int) -> dt.datetime:
    """A UTC-aware moment at midday on this PC's calendar, so its local date is that day in any zone."""
    return dt.datetime(year, month, day, 12).astimezone().astimezone(dt.UTC)


@dataclass
class Attempt:
    module_id: str
    finished_at: dt.datetime | None
    score: int | None = 5
    max_score: int = 5
    pass_mark: float = 0.8
    policy_version: str = "1.0"
    pack_id: str = PACK_ID
    passed: bool | None = None
    source: str = "quiz"


@dataclass
class SignOff:
    acknowledged_at: dt.datetime
    policy_version: str = "1.0"
    policy_id: str = POLICY


@dataclass
class Answer:
    attempt_id: str
    question_id: str
    correct: bool
    answered_at: dt.datetime


def passed(module_id: str, when: dt.datetime, version: str = "1.0") -> Attempt:
    return Attempt(module_id, when, 5, 5, policy_version=version)


def failed(module_id: str, when: dt.datetime, version: str = "1.0") -> Attempt:
    return Attempt(module_id, when, 1, 5, policy_version=version)


def signed(when: dt.datetime, version: str = "1.0", policy_id: str = POLICY) -> SignOff:
    return SignOff(when, version, policy_id)


# Packs -----------------------------------------------------------------------


@pytest.fixture
def mini(mini_pack: Pack) -> Pack:
    return mini_pack


def variant(
    pack: Pack,
    *,
    version: str | None = None,
    clause_text: dict[str, str] | None = None,
    add_clauses: Sequence[Clause] = (),
    drop_clauses: Sequence[str] = (),
    module_clauses: dict[str, list[str]] | None = None,
    valid_for_months: int | None = None,
    refresher: str | None = None,
) -> Pack:
    """Another version of ``pack``: edited copies of its models (not validated again)."""
    header = pack.header
    clauses = [
        c.model_copy(update={"text": (clause_text or {}).get(c.id, c.text)})
        for c in header.clauses
        if c.id not in drop_clauses
    ] + list(add_clauses)
    modules = [m.model_copy(update={"clauses": (module_clauses or {}).get(m.id, m.clauses)}) for m in pack.modules]
    info = header.pack.model_copy(
        update={
            "valid_for_months": valid_for_months if valid_for_months is not None else header.pack.valid_for_months,
            "refresher": refresher if refresher is not None else header.pack.refresher,
        }
    )
    policy = header.policy.model_copy(update={"version": version or header.policy.version})
    new_header = header.model_copy(update={"clauses": clauses, "pack": info, "policy": policy})
    return pack.model_copy(update={"header": new_header, "modules": modules})


def pack_folder(
    tmp_path: Path,
    name: str,
    *,
    version: str = "1.0",
    mixed: bool = False,
    refresher: bool = False,
    valid_for_months: int | None = None,
) -> Pack:
    """A real, loaded copy of the mini pack, with a mixed module, a refresher or a validity period."""
    folder = copy_pack(tmp_path / name)
    toml = folder / PACK_TOML
    if version != "1.0":
        edit(toml, 'version = "1.0"\nadopted', f'version = "{version}"\nadopted')
    extra = []
    if refresher:
        extra.append(f'refresher = "{REFRESHER}"')
    if valid_for_months is not None:
        extra.append(f"valid_for_months = {valid_for_months}")
    if extra:
        title = 'title = "Example: social media basics"'
        edit(toml, title, "\n".join([title, *extra]))
    if mixed or refresher:
        add_mixed_module(folder, draw=3)
    return load_pack(folder)


def status(
    pack: Pack | PolicyPacks,
    role: str,
    attempts: Sequence[Attempt] = (),
    signoffs: Sequence[SignOff] = (),
    today: dt.date = dt.date(2024, 6, 1),
    validity_months: int | None = None,
    exempt_until: dt.date | None = None,
) -> PersonStatus:
    packs = pack if isinstance(pack, PolicyPacks) else PolicyPacks(pack)
    return person_status(packs, role, attempts, signoffs, today, validity_months, exempt_until)


def complete_facts(version: str = "1.0") -> tuple[list[Attempt], list[SignOff]]:
    """A teacher who passed both modules on 1 and 2 March 2024 and signed on 3 March 2024."""
    return [passed(FR, at(2024, 3, 1), version), passed(PH, at(2024, 3, 2), version)], [signed(at(2024, 3, 3), version)]


# Applicable modules ------------------------------------------------------------


def ids(modules: Sequence[Module]) -> list[str]:
    return [m.id for m in modules]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("teacher", [FR, PH]),
        ("support_staff", [FR, PH]),
        ("volunteer", [FR]),
        ("trustee", [FR]),
    ],
)
def test_applicable_modules_follow_the_role(mini: Pack, role: str, expected: list[str]) -> None:
    assert ids(counted_modules(mini, role)) == expected
    assert status(mini, role).modules_total == len(expected)


@pytest.mark.parametrize("role", list(Role))
def test_a_module_listing_no_roles_applies_to_everyone(mini: Pack, role: Role) -> None:
    assert mini.module(FR).roles == []
    assert FR in ids(counted_modules(mini, role))


def test_a_volunteer_completes_with_friend_requests_alone(mini: Pack) -> None:
    result = status(mini, "volunteer", [passed(FR, at(2024, 3, 1))], [signed(at(2024, 3, 3))])
    assert [r.module.id for r in result.modules] == [FR]
    assert result.status is Status.COMPLETE
    assert result.completed_at == dt.date(2024, 3, 3)


def test_a_mixed_module_is_not_counted(tmp_path: Path) -> None:
    pack = pack_folder(tmp_path, "mixed", mixed=True)
    assert pack.module(REFRESHER).kind is ModuleKind.MIXED
    assert ids(counted_modules(pack, "teacher")) == [FR, PH]
    attempts, signoffs = complete_facts()
    result = status(pack, "teacher", attempts, signoffs)
    assert result.modules_total == 2
    assert result.status is Status.COMPLETE


def test_a_pass_of_the_mixed_module_alone_passes_nothing(tmp_path: Path) -> None:
    pack = pack_folder(tmp_path, "mixed", mixed=True)
    result = status(pack, "volunteer", [passed(REFRESHER, at(2024, 3, 1))], [signed(at(2024, 3, 2))])
    assert result.modules_passed == 0
    assert result.completed_at is None
    assert result.status is Status.IN_PROGRESS


# Module passed ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("attempt", "expected"),
    [
        pytest.param(Attempt(FR, at(2024, 3, 1), 4, 5, 0.8), True, id="exactly-at-the-mark"),
        pytest.param(Attempt(FR, at(2024, 3, 1), 8, 10, 0.8), True, id="exactly-at-the-mark-8-of-10"),
        pytest.param(Attempt(FR, at(2024, 3, 1), 7, 10, 0.7), True, id="exactly-at-0.7"),
        pytest.param(Attempt(FR, at(2024, 3, 1), 1, 3, 1 / 3), True, id="exactly-at-a-third"),
        pytest.param(Attempt(FR, at(2024, 3, 1), 5, 5, 0.8), True, id="full-marks"),
        pytest.param(Attempt(FR, at(2024, 3, 1), 3, 5, 0.8), False, id="one-below"),
        pytest.param(Attempt(FR, at(2024, 3, 1), 79, 100, 0.8), False, id="just-below"),
        pytest.param(Attempt(FR, at(2024, 3, 1), 0, 5, 0.8), False, id="none-right"),
        pytest.param(Attempt(PH, at(2024, 3, 1), 1, 2, 0.5), True, id="half-at-0.5"),
        pytest.param(Attempt(FR, None, 5, 5, 0.8), False, id="unfinished-even-with-full-marks"),
        pytest.param(Attempt(FR, at(2024, 3, 1), None, 5, 0.8), False, id="no-score"),
        pytest.param(Attempt(FR, at(2024, 3, 1), 0, 0, 0.8), False, id="no-questions"),
        pytest.param(Attempt(FR, at(2024, 3, 1), None, 0, 0.8, passed=True, source="manual"), True, id="manual-pass"),
        pytest.param(Attempt(FR, at(2024, 3, 1), 5, 5, 0.8, passed=False, source="manual"), False, id="manual-fail"),
        pytest.param(Attempt(FR, at(2024, 3, 1), None, 0, 0.8, passed=None, source="manual"), False, id="manual-unset"),
    ],
)
def test_is_pass(attempt: Attempt, expected: bool) -> None:
    assert is_pass(attempt) is expected


def test_a_manual_record_marked_passed_counts(mini: Pack) -> None:
    manual = Attempt(FR, at(2024, 3, 1), None, 0, passed=True, source="manual")
    result = status(mini, "volunteer", [manual], [signed(at(2024, 3, 2))])
    assert result.modules_passed == 1
    assert result.status is Status.COMPLETE


def test_a_manual_record_not_passed_does_not_count(mini: Pack) -> None:
    manual = Attempt(FR, at(2024, 3, 1), 5, 5, passed=False, source="manual")
    result = status(mini, "volunteer", [manual], [signed(at(2024, 3, 2))])
    assert result.modules_passed == 0
    assert result.completed_at is None
    assert result.status is Status.IN_PROGRESS


def test_a_pass_just_below_the_mark_does_not_complete(mini: Pack) -> None:
    attempts = [Attempt(FR, at(2024, 3, 1), 3, 5, 0.8)]
    result = status(mini, "volunteer", attempts, [signed(at(2024, 3, 2))])
    assert result.modules_passed == 0
    assert result.status is Status.IN_PROGRESS


def test_an_unfinished_attempt_counts_for_nothing(mini: Pack) -> None:
    attempts = [Attempt(FR, None, 5, 5)]
    result = status(mini, "volunteer", attempts, [signed(at(2024, 3, 2))])
    assert result.modules_passed == 0
    assert result.modules[0].passed_at is None
    assert result.completed_at is None


def test_the_first_pass_of_a_module_is_the_one_that_counts(mini: Pack) -> None:
    attempts = [failed(FR, at(2024, 2, 1)), passed(FR, at(2024, 2, 10)), passed(FR, at(2024, 3, 5))]
    (result,) = module_results(PolicyPacks(mini), "volunteer", attempts)
    assert result.passed_at == at(2024, 2, 10)
    assert result.carried_over is False


def test_an_attempt_of_another_pack_does_not_count(mini: Pack) -> None:
    other = Attempt(FR, at(2024, 3, 1), 5, 5, pack_id="someone-elses-pack")
    result = status(mini, "volunteer", [other], [signed(at(2024, 3, 2))])
    assert result.modules_passed == 0


# completed_at --------------------------------------------------------------------


def test_signed_before_the_last_pass_completes_on_the_last_pass(mini: Pack) -> None:
    attempts = [passed(FR, at(2024, 3, 1)), passed(PH, at(2024, 3, 5))]
    result = status(mini, "teacher", attempts, [signed(at(2024, 3, 3))])
    assert result.completed_at == dt.date(2024, 3, 5)


def test_signed_after_the_last_pass_completes_on_the_sign_off(mini: Pack) -> None:
    attempts = [passed(FR, at(2024, 3, 1)), passed(PH, at(2024, 3, 5))]
    result = status(mini, "teacher", attempts, [signed(at(2024, 3, 10))])
    assert result.completed_at == dt.date(2024, 3, 10)
    assert result.completions == [dt.date(2024, 3, 10)]


def test_signed_before_any_pass_completes_on_the_last_pass(mini: Pack) -> None:
    attempts = [passed(PH, at(2024, 3, 7)), passed(FR, at(2024, 3, 4))]
    result = status(mini, "teacher", attempts, [signed(at(2024, 3, 1))])
    assert result.completed_at == dt.date(2024, 3, 7)


def test_passing_again_after_completing_does_not_move_the_date(mini: Pack) -> None:
    attempts, signoffs = complete_facts()
    result = status(mini, "teacher", [*attempts, passed(FR, at(2024, 4, 1))], signoffs)
    assert result.completed_at == dt.date(2024, 3, 3)


def test_one_module_short_is_not_complete(mini: Pack) -> None:
    result = status(mini, "teacher", [passed(FR, at(2024, 3, 1))], [signed(at(2024, 3, 3))])
    assert result.completed_at is None
    assert result.expires_on is None
    assert result.status is Status.IN_PROGRESS


@pytest.mark.parametrize(
    "signoff",
    [
        pytest.param(signed(at(2024, 3, 3), policy_id="another-policy"), id="another-policy"),
        pytest.param(signed(at(2024, 3, 3), version="0.9"), id="an-earlier-version"),
        pytest.param(signed(at(2024, 3, 3), version="2.0"), id="a-later-version"),
    ],
)
def test_a_sign_off_of_another_policy_or_version_does_not_complete(mini: Pack, signoff: SignOff) -> None:
    attempts, _ = complete_facts()
    result = status(mini, "teacher", attempts, [signoff])
    assert result.completed_at is None
    assert result.expires_on is None
    assert result.acknowledged_at is None
    assert result.awaiting_signoff is True
    # (A sign-off of an earlier version whose pack is gone makes it update_needed: see below.)
    assert result.status in (Status.IN_PROGRESS, Status.UPDATE_NEEDED)


# expires_on ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2024, 3, 15), 12, dt.date(2025, 3, 15)),
        (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29)),  # leap year
        (dt.date(2023, 1, 31), 1, dt.date(2023, 2, 28)),
        (dt.date(2024, 2, 29), 12, dt.date(2025, 2, 28)),
        (dt.date(2024, 2, 29), 48, dt.date(2028, 2, 29)),
        (dt.date(2024, 8, 31), 1, dt.date(2024, 9, 30)),
        (dt.date(2024, 11, 30), 3, dt.date(2025, 2, 28)),
        (dt.date(2024, 12, 15), 1, dt.date(2025, 1, 15)),
        (dt.date(2024, 1, 1), 120, dt.date(2034, 1, 1)),
    ],
)
def test_add_months_is_calendar_months(day: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(day, months) == expected


def test_default_validity_is_twelve_months(mini: Pack) -> None:
    assert mini.header.pack.valid_for_months is None
    attempts, signoffs = complete_facts()
    result = status(mini, "teacher", attempts, signoffs)
    assert DEFAULT_VALIDITY_MONTHS == 12
    assert result.expires_on == dt.date(2025, 3, 3)


def test_validity_from_the_pack(mini: Pack) -> None:
    pack = variant(mini, valid_for_months=6)
    attempts, signoffs = complete_facts()
    assert status(pack, "teacher", attempts, signoffs).expires_on == dt.date(2024, 9, 3)


def test_validity_from_a_pack_loaded_from_its_folder(tmp_path: Path) -> None:
    pack = pack_folder(tmp_path, "six", valid_for_months=6)
    attempts, signoffs = complete_facts()
    assert status(pack, "teacher", attempts, signoffs).expires_on == dt.date(2024, 9, 3)


def test_validity_from_the_site_config_when_the_pack_has_none(mini: Pack) -> None:
    attempts, signoffs = complete_facts()
    assert status(mini, "teacher", attempts, signoffs, validity_months=24).expires_on == dt.date(2026, 3, 3)


def test_the_pack_validity_wins_over_the_site_config(mini: Pack) -> None:
    """The contract: "from the pack (valid_for_months), else the site config, else 12 months"."""
    pack = variant(mini, valid_for_months=6)
    attempts, signoffs = complete_facts()
    result = status(pack, "teacher", attempts, signoffs, validity_months=24)
    assert result.expires_on == dt.date(2024, 9, 3)


def test_completed_on_31_january_expires_on_the_last_day_of_february(mini: Pack) -> None:
    pack = variant(mini, valid_for_months=1)
    attempts = [passed(FR, at(2024, 1, 30))]
    result = status(pack, "volunteer", attempts, [signed(at(2024, 1, 31))], today=dt.date(2024, 2, 1))
    assert result.completed_at == dt.date(2024, 1, 31)
    assert result.expires_on == dt.date(2024, 2, 29)


# Status ------------------------------------------------------------------------------

# A volunteer who completed on 3 March 2024; the pack's 12 months run out on 3 March 2025.
DONE = ([passed(FR, at(2024, 3, 1))], [signed(at(2024, 3, 3))])
EXPIRES = dt.date(2025, 3, 3)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        pytest.param(dt.date(2024, 3, 3), Status.COMPLETE, id="on-the-day"),
        pytest.param(EXPIRES - dt.timedelta(days=31), Status.COMPLETE, id="31-days-left"),
        pytest.param(EXPIRES - dt.timedelta(days=30), Status.DUE_SOON, id="exactly-30-days-left"),
        pytest.param(EXPIRES - dt.timedelta(days=1), Status.DUE_SOON, id="expires-tomorrow"),
        pytest.param(EXPIRES, Status.DUE_SOON, id="expires-today"),
        pytest.param(EXPIRES + dt.timedelta(days=1), Status.EXPIRED, id="expired-yesterday"),
        pytest.param(dt.date(2027, 1, 1), Status.EXPIRED, id="long-expired"),
    ],
)
def test_today_is_a_parameter(mini: Pack, today: dt.date, expected: Status) -> None:
    """Same facts, different today, different status."""
    result = status(mini, "volunteer", *DONE, today=today)
    assert result.status is expected
    assert result.completed_at == dt.date(2024, 3, 3)
    assert result.expires_on == EXPIRES


def test_not_started_without_records(mini: Pack) -> None:
    result = status(mini, "teacher")
    assert result.status is Status.NOT_STARTED
    assert (result.modules_passed, result.modules_total) == (0, 2)
    assert result.completed_at is None
    assert result.expires_on is None
    assert result.acknowledged_at is None
    assert result.awaiting_signoff is False


def test_records_of_another_policy_leave_a_person_not_started(mini: Pack) -> None:
    other = Attempt(FR, at(2024, 3, 1), pack_id="other-pack")
    result = status(mini, "teacher", [other], [signed(at(2024, 3, 2), policy_id="another-policy")])
    assert result.status is Status.NOT_STARTED


@pytest.mark.parametrize(
    ("attempts", "signoffs"),
    [
        pytest.param([failed(FR, at(2024, 3, 1))], [], id="a-failed-attempt"),
        pytest.param([Attempt(FR, None, None)], [], id="an-unfinished-attempt"),
        pytest.param([passed(FR, at(2024, 3, 1))], [], id="one-module-passed"),
        pytest.param([passed(FR, at(2024, 3, 1)), passed(PH, at(2024, 3, 2))], [], id="all-passed-not-signed"),
        pytest.param([], [signed(at(2024, 3, 1))], id="a-sign-off-only"),
    ],
)
def test_in_progress(mini: Pack, attempts: list[Attempt], signoffs: list[SignOff]) -> None:
    assert status(mini, "teacher", attempts, signoffs).status is Status.IN_PROGRESS


# Versions: 1.0 then 1.1, the latter with the photos clause reworded.


@pytest.fixture
def reworded(mini: Pack) -> PolicyPacks:
    new = variant(mini, version="1.1", clause_text={"USE-9": "Staff must never post photographs of pupils."})
    return PolicyPacks(new, [mini])


def test_completed_an_earlier_version_only_is_update_needed(reworded: PolicyPacks) -> None:
    attempts, signoffs = complete_facts("1.0")
    result = status(reworded, "teacher", attempts, signoffs)
    assert result.status is Status.UPDATE_NEEDED
    assert result.policy_version == "1.1"
    assert result.completed_at is None
    assert result.expires_on is None
    assert result.acknowledged_at is None


def test_completed_an_earlier_version_long_ago_is_still_update_needed(reworded: PolicyPacks) -> None:
    attempts, signoffs = complete_facts("1.0")
    result = status(reworded, "teacher", attempts, signoffs, today=dt.date(2030, 1, 1))
    assert result.status is Status.UPDATE_NEEDED


def test_update_needed_when_the_old_pack_is_gone_but_its_sign_off_is_kept(reworded: PolicyPacks) -> None:
    only_new = PolicyPacks(reworded.current)
    attempts, signoffs = complete_facts("1.0")
    result = status(only_new, "teacher", attempts, signoffs)
    assert result.status is Status.UPDATE_NEEDED


def test_an_attempt_under_an_older_version_only_is_in_progress(reworded: PolicyPacks) -> None:
    result = status(reworded, "teacher", [passed(FR, at(2024, 3, 1), "1.0")])
    assert result.status is Status.IN_PROGRESS


def test_all_modules_of_the_older_version_but_no_sign_off_is_in_progress(reworded: PolicyPacks) -> None:
    attempts, _ = complete_facts("1.0")
    assert status(reworded, "teacher", attempts).status is Status.IN_PROGRESS


def test_completing_the_new_version_after_the_old_one_is_complete(reworded: PolicyPacks) -> None:
    attempts, signoffs = complete_facts("1.0")
    attempts.append(passed(PH, at(2024, 5, 1), "1.1"))
    signoffs.append(signed(at(2024, 5, 2), "1.1"))
    result = status(reworded, "teacher", attempts, signoffs)
    assert result.status is Status.COMPLETE
    assert result.completed_at == dt.date(2024, 5, 2)
    assert result.acknowledged_at == dt.date(2024, 5, 2)


def test_policy_packs_of_picks_the_highest_version(mini: Pack) -> None:
    v11 = variant(mini, version="1.1")
    v19 = variant(mini, version="1.9")
    v110 = variant(mini, version="1.10")
    other_policy = mini.policy.model_copy(update={"id": "another-policy", "version": "5.0"})
    other = mini.model_copy(update={"header": mini.header.model_copy(update={"policy": other_policy})})
    packs = PolicyPacks.of([v11, mini, other, v110, v19], POLICY)
    assert packs.current.policy.version == "1.10"
    assert [p.policy.version for p in packs.older] == ["1.9", "1.1", "1.0"]


# Exemption ---------------------------------------------------------------------------------


TODAY = dt.date(2024, 6, 1)


@pytest.mark.parametrize(
    ("attempts", "signoffs", "today", "underlying"),
    [
        pytest.param([], [], TODAY, Status.NOT_STARTED, id="not-started"),
        pytest.param([failed(FR, at(2024, 3, 1))], [], TODAY, Status.IN_PROGRESS, id="in-progress"),
        pytest.param(*DONE, EXPIRES - dt.timedelta(days=10), Status.DUE_SOON, id="due-soon"),
        pytest.param(*DONE, EXPIRES + dt.timedelta(days=10), Status.EXPIRED, id="expired"),
    ],
)
def test_an_exemption_in_force_wins_over_anything_but_complete(
    mini: Pack, attempts: list[Attempt], signoffs: list[SignOff], today: dt.date, underlying: Status
) -> None:
    assert status(mini, "volunteer", attempts, signoffs, today=today).status is underlying
    # In force up to and including exempt_until.
    for until in (today, today + dt.timedelta(days=1), today + dt.timedelta(days=400)):
        assert status(mini, "volunteer", attempts, signoffs, today=today, exempt_until=until).status is Status.EXEMPT
    # Ended yesterday: the underlying status again.
    ended = today - dt.timedelta(days=1)
    assert status(mini, "volunteer", attempts, signoffs, today=today, exempt_until=ended).status is underlying


def test_exempt_but_complete_is_complete(mini: Pack) -> None:
    result = status(mini, "volunteer", *DONE, today=TODAY, exempt_until=TODAY + dt.timedelta(days=30))
    assert result.status is Status.COMPLETE


def test_exempt_with_an_earlier_version_completed_is_exempt(reworded: PolicyPacks) -> None:
    attempts, signoffs = complete_facts("1.0")
    assert status(reworded, "teacher", attempts, signoffs, exempt_until=TODAY).status is Status.EXEMPT
    ended = TODAY - dt.timedelta(days=1)
    assert status(reworded, "teacher", attempts, signoffs, exempt_until=ended).status is Status.UPDATE_NEEDED


# Carried-over passes -------------------------------------------------------------------


def test_changed_clause_ids(mini: Pack) -> None:
    assert changed_clause_ids(mini, variant(mini, version="1.1")) == set()
    reworded = variant(mini, clause_text={"USE-9": "Reworded."})
    assert changed_clause_ids(mini, reworded) == {"USE-9"}
    added = variant(mini, add_clauses=[Clause(id="USE-10", section="New", strength="must", text="New rule.")])
    assert changed_clause_ids(mini, added) == {"USE-10"}
    assert changed_clause_ids(added, mini) == {"USE-10"}  # removed


def test_a_pass_carries_over_when_the_module_clauses_did_not_change(mini: Pack) -> None:
    packs = PolicyPacks(variant(mini, version="1.1"), [mini])
    attempts, _ = complete_facts("1.0")
    result = status(packs, "teacher", attempts, [signed(at(2024, 5, 1), "1.1")])
    assert [(r.module.id, r.passed_at, r.carried_over) for r in result.modules] == [
        (FR, at(2024, 3, 1), True),
        (PH, at(2024, 3, 2), True),
    ]
    assert result.status is Status.COMPLETE
    assert result.completed_at == dt.date(2024, 5, 1)
    assert result.modules_passed == 2


def test_carried_over_passes_without_a_new_sign_off_await_it(mini: Pack) -> None:
    packs = PolicyPacks(variant(mini, version="1.1"), [mini])
    attempts, signoffs = complete_facts("1.0")
    result = status(packs, "teacher", attempts, signoffs)
    assert result.modules_passed == 2
    assert result.status is Status.UPDATE_NEEDED
    assert result.awaiting_signoff is True


def test_a_pass_does_not_carry_over_when_a_module_clause_changed(reworded: PolicyPacks) -> None:
    attempts, _ = complete_facts("1.0")
    result = status(reworded, "teacher", attempts, [signed(at(2024, 5, 1), "1.1")])
    by_id = {r.module.id: r for r in result.modules}
    assert (by_id[FR].passed_at, by_id[FR].carried_over) == (at(2024, 3, 1), True)
    assert (by_id[PH].passed_at, by_id[PH].carried_over) == (None, False)
    assert (result.modules_passed, result.modules_total) == (1, 2)
    assert result.status is Status.IN_PROGRESS


def test_a_clause_added_to_a_module_counts_as_changed(mini: Pack) -> None:
    new_clause = Clause(id="USE-10", section="New", strength="must", text="No pupils on your phone.")
    new = variant(mini, version="1.1", add_clauses=[new_clause], module_clauses={PH: ["USE-9", "USE-10"]})
    result = module_results(PolicyPacks(new, [mini]), "teacher", complete_facts("1.0")[0])
    by_id = {r.module.id: r for r in result}
    assert by_id[FR].carried_over is True
    assert (by_id[PH].passed_at, by_id[PH].carried_over) == (None, False)


def test_a_clause_removed_from_a_module_counts_as_changed(mini: Pack) -> None:
    """1.0's friend-requests module covered USE-3 and USE-4; 1.1 drops USE-4 from the policy."""
    use4 = Clause(id="USE-4", section="Use", strength="must", text="Do not follow pupils' accounts.")
    old = variant(mini, add_clauses=[use4], module_clauses={FR: ["USE-3", "USE-4"]})
    new = variant(mini, version="1.1")
    assert changed_clause_ids(old, new) == {"USE-4"}
    result = module_results(PolicyPacks(new, [old]), "teacher", complete_facts("1.0")[0])
    by_id = {r.module.id: r for r in result}
    assert by_id[PH].carried_over is True
    assert (by_id[FR].passed_at, by_id[FR].carried_over) == (None, False)


def test_a_change_to_a_clause_another_module_covers_does_not_stop_the_carry_over(reworded: PolicyPacks) -> None:
    results = module_results(reworded, "volunteer", [passed(FR, at(2024, 3, 1), "1.0")])
    assert [(r.module.id, r.carried_over) for r in results] == [(FR, True)]


def test_no_carry_over_when_the_old_pack_is_gone(mini: Pack) -> None:
    """The old text is not known, so no change can be ruled out."""
    packs = PolicyPacks(variant(mini, version="1.1"))
    results = module_results(packs, "volunteer", [passed(FR, at(2024, 3, 1), "1.0")])
    assert [(r.passed_at, r.carried_over) for r in results] == [(None, False)]


def test_an_earlier_own_pass_is_not_carried_over(mini: Pack) -> None:
    packs = PolicyPacks(variant(mini, version="1.1"), [mini])
    own = module_results(packs, "volunteer", [passed(FR, at(2024, 5, 1), "1.1")])
    assert [(r.passed_at, r.carried_over) for r in own] == [(at(2024, 5, 1), False)]
    both = module_results(packs, "volunteer", [passed(FR, at(2024, 5, 1), "1.1"), passed(FR, at(2024, 3, 1), "1.0")])
    assert [(r.passed_at, r.carried_over) for r in both] == [(at(2024, 3, 1), True)]


def test_a_pass_under_a_later_version_does_not_count_for_an_earlier_one(mini: Pack) -> None:
    packs = PolicyPacks(variant(mini, version="1.1"), [mini])
    results = module_results(packs, "volunteer", [passed(FR, at(2024, 5, 1), "1.1")], version="1.0")
    assert [r.passed_at for r in results] == [None]


# Refresher -------------------------------------------------------------------------------------


@pytest.fixture
def refresh_pack(tmp_path: Path) -> Pack:
    pack = pack_folder(tmp_path, "refresh", refresher=True, valid_for_months=12)
    assert pack.header.pack.refresher == REFRESHER
    return pack


def refresher_pass(when: dt.datetime) -> Attempt:
    return Attempt(REFRESHER, when, 6, 6)


FIRST = ([passed(FR, at(2024, 3, 1))], [signed(at(2024, 3, 3))])  # a volunteer, complete on 3 March 2024


def test_a_refresher_pass_and_a_new_sign_off_renew(refresh_pack: Pack) -> None:
    attempts = [*FIRST[0], refresher_pass(at(2025, 2, 20))]
    signoffs = [*FIRST[1], signed(at(2025, 2, 21))]
    result = status(refresh_pack, "volunteer", attempts, signoffs, today=dt.date(2025, 3, 1))
    assert result.completed_at == dt.date(2025, 2, 21)
    assert result.expires_on == dt.date(2026, 2, 21)
    assert result.completions == [dt.date(2024, 3, 3), dt.date(2025, 2, 21)]
    assert result.status is Status.COMPLETE
    assert result.awaiting_signoff is False
    assert result.acknowledged_at == dt.date(2025, 2, 21)


def test_signing_before_the_refresher_pass_renews_on_the_pass(refresh_pack: Pack) -> None:
    attempts = [*FIRST[0], refresher_pass(at(2025, 2, 25))]
    signoffs = [*FIRST[1], signed(at(2025, 2, 21))]
    result = status(refresh_pack, "volunteer", attempts, signoffs, today=dt.date(2025, 3, 1))
    assert result.completed_at == dt.date(2025, 2, 25)


def test_a_refresher_renews_an_expired_completion(refresh_pack: Pack) -> None:
    today = dt.date(2025, 6, 1)
    assert status(refresh_pack, "volunteer", *FIRST, today=today).status is Status.EXPIRED
    attempts = [*FIRST[0], refresher_pass(at(2025, 5, 20))]
    signoffs = [*FIRST[1], signed(at(2025, 5, 21))]
    result = status(refresh_pack, "volunteer", attempts, signoffs, today=today)
    assert result.status is Status.COMPLETE
    assert result.expires_on == dt.date(2026, 5, 21)


def test_a_refresher_pass_without_a_new_sign_off_does_not_renew(refresh_pack: Pack) -> None:
    attempts = [*FIRST[0], refresher_pass(at(2025, 2, 20))]
    result = status(refresh_pack, "volunteer", attempts, FIRST[1], today=dt.date(2025, 3, 1))
    assert result.completed_at == dt.date(2024, 3, 3)
    assert result.expires_on == dt.date(2025, 3, 3)
    assert result.status is Status.DUE_SOON
    assert result.awaiting_signoff is True


def test_a_sign_off_without_a_refresher_pass_does_not_renew(refresh_pack: Pack) -> None:
    signoffs = [*FIRST[1], signed(at(2025, 2, 21))]
    result = status(refresh_pack, "volunteer", FIRST[0], signoffs, today=dt.date(2025, 3, 1))
    assert result.completed_at == dt.date(2024, 3, 3)
    assert result.completions == [dt.date(2024, 3, 3)]
    assert result.acknowledged_at == dt.date(2025, 2, 21)
    assert result.awaiting_signoff is False


def test_a_failed_refresher_does_not_renew(refresh_pack: Pack) -> None:
    attempts = [*FIRST[0], Attempt(REFRESHER, at(2025, 2, 20), 3, 6)]
    signoffs = [*FIRST[1], signed(at(2025, 2, 21))]
    result = status(refresh_pack, "volunteer", attempts, signoffs, today=dt.date(2025, 3, 1))
    assert result.completed_at == dt.date(2024, 3, 3)
    assert result.awaiting_signoff is False


def test_a_refresher_passed_before_the_first_completion_does_not_renew(refresh_pack: Pack) -> None:
    attempts = [refresher_pass(at(2024, 2, 1)), *FIRST[0]]
    signoffs = [*FIRST[1], signed(at(2025, 2, 21))]
    result = status(refresh_pack, "volunteer", attempts, signoffs, today=dt.date(2025, 3, 1))
    assert result.completed_at == dt.date(2024, 3, 3)


def test_a_refresher_without_a_first_completion_completes_nothing(refresh_pack: Pack) -> None:
    result = status(refresh_pack, "volunteer", [refresher_pass(at(2024, 3, 1))], [signed(at(2024, 3, 2))])
    assert result.completed_at is None
    assert result.status is Status.IN_PROGRESS


def test_a_refresher_in_a_pack_without_one_named_does_not_renew(tmp_path: Path) -> None:
    pack = pack_folder(tmp_path, "mixed", mixed=True)
    attempts = [*FIRST[0], refresher_pass(at(2025, 2, 20))]
    signoffs = [*FIRST[1], signed(at(2025, 2, 21))]
    result = status(pack, "volunteer", attempts, signoffs, today=dt.date(2025, 3, 1))
    assert result.completed_at == dt.date(2024, 3, 3)


def test_two_renewals(refresh_pack: Pack) -> None:
    attempts = [*FIRST[0], refresher_pass(at(2025, 2, 20)), refresher_pass(at(2026, 2, 10))]
    signoffs = [*FIRST[1], signed(at(2025, 2, 21)), signed(at(2026, 2, 11))]
    result = status(refresh_pack, "volunteer", attempts, signoffs, today=dt.date(2026, 3, 1))
    assert result.completions == [dt.date(2024, 3, 3), dt.date(2025, 2, 21), dt.date(2026, 2, 11)]
    assert result.completed_at == dt.date(2026, 2, 11)
    assert result.expires_on == dt.date(2027, 2, 11)
    assert result.status is Status.COMPLETE


def test_awaiting_sign_off_after_a_refresher_pass_then_not_after_signing(refresh_pack: Pack) -> None:
    attempts = [*FIRST[0], refresher_pass(at(2025, 2, 20))]
    before = status(refresh_pack, "volunteer", attempts, FIRST[1], today=dt.date(2025, 2, 20))
    assert before.awaiting_signoff is True
    after = status(refresh_pack, "volunteer", attempts, [*FIRST[1], signed(at(2025, 2, 21))])
    assert after.awaiting_signoff is False


def test_a_refresher_of_another_pack_neither_renews_nor_awaits_a_sign_off(refresh_pack: Pack) -> None:
    """Another policy's pack may name a refresher with the same id and policy version."""
    elsewhere = Attempt(REFRESHER, at(2025, 2, 20), 6, 6, pack_id="another-pack")
    attempts = [*FIRST[0], elsewhere]
    result = status(refresh_pack, "volunteer", attempts, FIRST[1], today=dt.date(2025, 2, 20))
    assert result.completed_at == dt.date(2024, 3, 3)
    assert result.awaiting_signoff is False
    renewed = status(refresh_pack, "volunteer", attempts, [*FIRST[1], signed(at(2025, 2, 21))])
    assert renewed.completed_at == dt.date(2024, 3, 3)


def test_awaiting_sign_off_when_every_module_is_passed_and_never_signed(mini: Pack) -> None:
    attempts, signoffs = complete_facts()
    assert status(mini, "teacher", attempts).awaiting_signoff is True
    assert status(mini, "teacher", attempts, signoffs).awaiting_signoff is False
    assert status(mini, "teacher", attempts[:1]).awaiting_signoff is False


# modules_passed, modules_total, acknowledged_at ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "attempts", "counts"),
    [
        ("teacher", [], (0, 2)),
        ("teacher", [passed(PH, at(2024, 3, 1))], (1, 2)),
        ("teacher", [passed(PH, at(2024, 3, 1)), failed(FR, at(2024, 3, 2))], (1, 2)),
        ("teacher", [passed(PH, at(2024, 3, 1)), passed(FR, at(2024, 3, 2))], (2, 2)),
        ("volunteer", [passed(PH, at(2024, 3, 1))], (0, 1)),
        ("volunteer", [passed(FR, at(2024, 3, 1)), passed(FR, at(2024, 3, 2))], (1, 1)),
    ],
)
def test_modules_passed_and_total(mini: Pack, role: str, attempts: list[Attempt], counts: tuple[int, int]) -> None:
    result = status(mini, role, attempts)
    assert (result.modules_passed, result.modules_total) == counts
    assert result.all_modules_passed is (counts[0] == counts[1])


def test_acknowledged_at_is_the_latest_sign_off_of_the_current_version(reworded: PolicyPacks) -> None:
    signoffs = [signed(at(2024, 5, 2), "1.1"), signed(at(2024, 9, 1), "1.1"), signed(at(2024, 3, 3), "1.0")]
    signoffs.append(signed(at(2024, 12, 1), "1.1", policy_id="another-policy"))
    signoffs.append(signed(at(2024, 12, 2), "1.0"))
    assert status(reworded, "teacher", [], signoffs).acknowledged_at == dt.date(2024, 9, 1)


def test_acknowledged_at_is_empty_without_a_sign_off_of_the_current_version(reworded: PolicyPacks) -> None:
    assert status(reworded, "teacher").acknowledged_at is None
    assert status(reworded, "teacher", [], [signed(at(2024, 3, 3), "1.0")]).acknowledged_at is None


def test_dates_are_local_dates_of_utc_moments() -> None:
    moment = at(2024, 3, 3)
    assert local_date(moment) == dt.date(2024, 3, 3)
    assert local_date(moment) == moment.astimezone().date()


# Spaced review -------------------------------------------------------------------------------------------------


def test_review_queue_puts_the_most_recently_missed_first() -> None:
    answers = [
        Answer("a1", "fr-1", False, at(2024, 3, 1)),
        Answer("a1", "fr-2", False, at(2024, 3, 1) + dt.timedelta(minutes=1)),
        Answer("a2", "ph-1", False, at(2024, 3, 5)),
        Answer("a2", "ph-2", True, at(2024, 3, 5)),
    ]
    assert review_queue(answers) == ["ph-1", "fr-2", "fr-1"]


def test_review_queue_drops_a_question_answered_right_later() -> None:
    answers = [
        Answer("a1", "fr-1", False, at(2024, 3, 1)),
        Answer("a1", "fr-2", False, at(2024, 3, 1)),
        Answer("a2", "fr-1", True, at(2024, 3, 5)),
    ]
    assert review_queue(answers) == ["fr-2"]


def test_review_queue_keeps_a_question_missed_again_after_a_right_answer() -> None:
    answers = [
        Answer("a1", "fr-1", False, at(2024, 3, 1)),
        Answer("a2", "fr-1", True, at(2024, 3, 5)),
        Answer("a3", "fr-1", False, at(2024, 3, 9)),
    ]
    assert review_queue(answers) == ["fr-1"]


def test_review_queue_counts_a_scenario_with_one_wrong_step_as_missed() -> None:
    answers = [
        Answer("a1", "fr-3", True, at(2024, 3, 1)),
        Answer("a1", "fr-3", False, at(2024, 3, 1) + dt.timedelta(minutes=1)),
        Answer("a1", "fr-1", True, at(2024, 3, 1)),
    ]
    assert review_queue(answers) == ["fr-3"]
    wrong_first = [
        Answer("a1", "fr-3", False, at(2024, 3, 1)),
        Answer("a1", "fr-3", True, at(2024, 3, 1) + dt.timedelta(minutes=1)),
    ]
    assert review_queue(wrong_first) == ["fr-3"]


def test_review_queue_leaves_out_a_scenario_with_every_step_right() -> None:
    answers = [
        Answer("a1", "fr-3", True, at(2024, 3, 1)),
        Answer("a1", "fr-3", True, at(2024, 3, 1) + dt.timedelta(minutes=1)),
    ]
    assert review_queue(answers) == []
    assert review_queue([]) == []


def pool_of(pack: Pack) -> list[Question]:
    return [q for m in pack.modules for q in m.questions]


@pytest.mark.parametrize("seed", range(5))
def test_draw_puts_missed_questions_first(mini: Pack, seed: int) -> None:
    plan = draw(pool_of(mini), 3, random.Random(seed), first=["ph-2", "fr-3"])
    ids_drawn = [p.question_id for p in plan]
    assert ids_drawn[:2] == ["ph-2", "fr-3"]
    assert len(ids_drawn) == len(set(ids_drawn)) == 3


def test_draw_ignores_first_ids_not_in_the_pool(mini: Pack) -> None:
    pool = list(mini.module(FR).questions)
    plan = draw(pool, 2, random.Random(1), first=["ph-1", "nope", "fr-2"])
    ids_drawn = [p.question_id for p in plan]
    assert ids_drawn[0] == "fr-2"
    assert set(ids_drawn) <= {"fr-1", "fr-2", "fr-3"}
    assert len(ids_drawn) == 2


@pytest.mark.parametrize("count", [1, 2, 3])
def test_draw_never_gives_more_than_count(mini: Pack, count: int) -> None:
    first = ["ph-1", "ph-2", "fr-1", "fr-2", "fr-3", "ph-1"]
    plan = draw(pool_of(mini), count, random.Random(7), first=first)
    assert [p.question_id for p in plan] == first[:count]


def test_draw_with_first_repeated_ids_draws_each_once(mini: Pack) -> None:
    plan = draw(pool_of(mini), 5, random.Random(3), first=["fr-1", "fr-1", "fr-1"])
    ids_drawn = [p.question_id for p in plan]
    assert ids_drawn[0] == "fr-1"
    assert sorted(ids_drawn) == ["fr-1", "fr-2", "fr-3", "ph-1", "ph-2"]


def test_a_refresher_passed_while_complete_renews_only_if_signed_and_leaves_the_person_complete(
    refresh_pack: Pack,
) -> None:
    """After completing, the final check must never make a complete person look incomplete (#15)."""
    attempts = [*FIRST[0], refresher_pass(at(2024, 6, 1))]
    result = status(refresh_pack, "volunteer", attempts, FIRST[1], today=dt.date(2024, 6, 2))
    assert result.status is Status.COMPLETE
    assert (result.awaiting_signoff, result.renewing) == (True, True)
    assert result.final_check_purpose(REFRESHER, REFRESHER) is CheckPurpose.REFRESHER_LATER


def test_what_the_final_check_is_for_is_said_by_where_the_person_stands(refresh_pack: Pack) -> None:
    started = status(refresh_pack, "volunteer", [], [], today=dt.date(2024, 3, 1))
    due = status(refresh_pack, "volunteer", *FIRST, today=dt.date(2025, 2, 20))
    out = status(refresh_pack, "volunteer", *FIRST, today=dt.date(2025, 6, 1))
    first = status(refresh_pack, "volunteer", FIRST[0], [], today=dt.date(2024, 3, 2))

    assert started.final_check_purpose(REFRESHER, REFRESHER) is CheckPurpose.PRACTICE
    assert due.final_check_purpose(REFRESHER, REFRESHER) is CheckPurpose.RENEWS
    assert out.final_check_purpose(REFRESHER, REFRESHER) is CheckPurpose.RENEWS
    assert due.final_check_purpose(REFRESHER, None) is CheckPurpose.PRACTICE  # a final check that renews nothing
    assert (first.awaiting_signoff, first.renewing) == (True, False)  # the first sign-off completes
