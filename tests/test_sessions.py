"""One face-to-face session for many people (issue #16): the rules, on a real database, with no Qt."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from conftest import query
from socialsafe.content.model import Pack
from socialsafe.office import sessions
from socialsafe.office.sessions import Attendee, Covered, Session
from socialsafe.reports import people_of_store
from socialsafe.storage.models import Learner
from socialsafe.storage.store import Store

OAK, DDERWEN = "Oak Primary", "Ysgol y Dderwen"

# Welsh, Polish, Czech, Irish and Arabic-script names, each with the role it is listed with.
STAFF = [
    ("Siân O'Brien-Jones", "teacher"),
    ("Dafydd ap Llywelyn", "support_staff"),
    ("Gwenllïan Rhys", "volunteer"),
    ("Łukasz Wójcik", "agency_worker"),
    ("Małgorzata Żak", "teacher"),
    ("Tereza Nováková", "volunteer"),
    ("Jiří Dvořák", "support_staff"),
    ("Seán O'Sullivan", "teacher"),
    ("Niamh MacCárthaigh", "parent_helper"),
    ("Aoife Ní Bhriain", "trustee"),
    ("فاطمة الزهراء", "teacher"),
    ("محمد عبد الله", "work_experience"),
]


def attendees(names: list[tuple[str, str]], school: str = OAK) -> list[Attendee]:
    return [Attendee(name, school, None, role) for name, role in names]


def thirty() -> list[Attendee]:
    """Thirty people at one INSET day: the named staff, and more."""
    more = [(f"Staff Member {n}", ("teacher", "volunteer", "support_staff")[n % 3]) for n in range(18)]
    return attendees(STAFF + more)


def attendance(tmp_path: Path, *rows: str, header: str = "name,email,role,school") -> Path:
    path = tmp_path / "attendance.csv"
    path.write_text(header + "\n" + "".join(f"{row}\n" for row in rows), "utf-8-sig")
    return path


def whole(pack: Pack, score: int = 9, max_score: int = 10, **more: object) -> Session:
    return Session(Covered.course(pack), score, max_score, **more)  # type: ignore[arg-type]


def learner_named(store: Store, name: str) -> Learner:
    [learner] = [x for x in store.learners() if x.name == name]
    return learner


# Who was there -----------------------------------------------------------------------------------------------


def test_an_attendance_file_lists_everyone_in_any_script_with_their_lines(tmp_path: Path) -> None:
    path = attendance(
        tmp_path,
        "Siân O'Brien-Jones,,support_staff,Ysgol y Dderwen",
        "Łukasz Wójcik,l.wojcik@oak.sch.uk,agency_worker,Oak Primary",
        '"Tereza Nováková",,volunteer,"Oak Primary, Juniors"',
        "Niamh MacCárthaigh,,parent_helper,Oak Primary",
        "فاطمة الزهراء,,teacher,Oak Primary",
        header="Name,Email,Role,School,Notes",
    )

    people, problems = sessions.read_attendance(path)

    assert problems == []
    assert [(p.name, p.school, p.email, p.role, p.line) for p in people] == [
        ("Siân O'Brien-Jones", DDERWEN, None, "support_staff", 2),
        ("Łukasz Wójcik", OAK, "l.wojcik@oak.sch.uk", "agency_worker", 3),
        ("Tereza Nováková", "Oak Primary, Juniors", None, "volunteer", 4),
        ("Niamh MacCárthaigh", OAK, None, "parent_helper", 5),
        ("فاطمة الزهراء", OAK, None, "teacher", 6),
    ]


def test_every_bad_row_of_an_attendance_file_is_a_problem_with_its_line(tmp_path: Path) -> None:
    path = attendance(
        tmp_path,
        "Ann Lee,,teacher,Oak Primary",
        ",,teacher,Oak Primary",
        "Bob Roe,,headmaster,Oak Primary",
        "Seán O'Sullivan,,teacher,",
        "Aoife Ní Bhriain,aoife at oak,trustee,Oak Primary",
        "Jiří Dvořák,,support_staff,Oak Primary",
    )

    people, problems = sessions.read_attendance(path)

    assert [str(p) for p in problems] == [
        f"{path}:3: a row with no name",
        f"{path}:4: role headmaster is not one of the policy's roles",
        f"{path}:5: a row with no school",
        f"{path}:6: the email address aoife at oak does not look right",
    ]
    assert [(p.name, p.line) for p in people] == [("Ann Lee", 2), ("Jiří Dvořák", 7)]


def test_an_attendance_file_that_cannot_be_read_says_why(tmp_path: Path) -> None:
    with pytest.raises(sessions.AttendanceError, match="Cannot read"):
        sessions.read_attendance(tmp_path / "missing.csv")
    latin = tmp_path / "latin-1.csv"
    latin.write_bytes("name,email,role,school\nSiân,,teacher,Oak\n".encode("latin-1"))
    with pytest.raises(sessions.AttendanceError, match="not UTF-8"):
        sessions.read_attendance(latin)


def test_a_file_row_is_matched_to_the_person_the_office_knows() -> None:
    known = [
        Attendee("Siân O'Brien-Jones", DDERWEN, "sian@dderwen.example", "teacher", learner_ids=("a",)),
        Attendee("Łukasz Wójcik", OAK, None, "agency_worker", learner_ids=("b",)),
    ]
    rows = [
        Attendee("sian obrien jones", "ysgol y dderwen", None, "teacher"),  # no email: the same name and school
        Attendee("Lukasz Wojcik", "oak primary", "lukasz@oak.example", "agency_worker"),
        Attendee("Siân O'Brien-Jones", DDERWEN, "other@dderwen.example", "teacher"),  # another email: someone else
    ]

    found = sessions.matched(rows, known)

    assert [k.learner_ids if k else None for _row, k in found] == [("a",), ("b",), None]


# What it covered, and the pass mark ---------------------------------------------------------------------------


def test_the_whole_course_is_every_module_of_each_persons_role(pack: Pack) -> None:
    course = Covered.course(pack)

    assert [m.id for m in course.modules] == ["friend-requests", "photos"]
    assert [[m.id for m in part] for part in course.for_role("support_staff")] == [["friend-requests", "photos"], []]
    assert [[m.id for m in part] for part in course.for_role("volunteer")] == [["friend-requests"], ["photos"]]


def test_modules_are_named_by_id_or_all(pack: Pack) -> None:
    one = sessions.covered_by([pack], "photos")
    assert ([m.id for m in one.modules], one.whole_course, one.their_role_only) == (["photos"], False, False)
    assert one.for_role("volunteer")[0] == list(one.modules)  # named on purpose: recorded for anyone
    assert sessions.covered_by([pack], sessions.ALL).whole_course

    with pytest.raises(sessions.UnknownModuleError) as unknown:
        sessions.covered_by([pack], "no-such-module")
    assert unknown.value.known == ["friend-requests", "photos"]
    with pytest.raises(sessions.AmbiguousModuleError):
        sessions.covered_by([pack, pack], "photos")
    with pytest.raises(sessions.SeveralPoliciesError):
        sessions.covered_by([pack, pack], sessions.ALL)


def test_the_pass_mark_is_the_modules_raised_to_the_sites(pack: Pack) -> None:
    friends, photos = pack.module("friend-requests"), pack.module("photos")
    assert (sessions.pass_mark(friends), sessions.pass_mark(photos)) == (0.8, 0.5)
    assert [sessions.least_to_pass(10, 0.8), sessions.least_to_pass(3, 0.8), sessions.least_to_pass(10, 0.5)] == [
        8,
        3,
        5,
    ]
    assert sessions.below_pass_mark([friends, photos], 6, 10) == [friends]
    assert sessions.below_pass_mark([friends, photos], 4, 10) == [friends, photos]
    assert sessions.below_pass_mark([friends, photos], 8, 10) == []

    Path(os.environ["SOCIALSAFE_SITE_CONFIG"]).write_text("pass_mark = 0.9\n", encoding="utf-8")
    assert (sessions.pass_mark(friends), sessions.pass_mark(photos)) == (0.9, 0.9)
    assert sessions.below_pass_mark([friends, photos], 8, 10) == [friends, photos]


def test_a_session_is_dated_at_noon_that_day_and_never_in_the_future() -> None:
    now = dt.datetime(2026, 5, 6, 9, 30, tzinfo=dt.UTC)
    local_noon = dt.datetime.combine(dt.date(2026, 5, 1), dt.time(12)).astimezone()

    assert sessions.moment(dt.date(2026, 5, 1), now) == local_noon
    assert sessions.moment(None, now) == now
    assert sessions.moment(dt.date(2026, 5, 6), now) <= now


# Recording -----------------------------------------------------------------------------------------------------


def test_thirty_people_over_the_whole_course_in_one_go(store: Store, pack: Pack) -> None:
    people = thirty()

    outcomes = sessions.record_session(store, whole(pack, note="INSET day, hall", day=dt.date(2026, 1, 5)), people)

    assert len(outcomes) == 30
    assert len(store.learners()) == 30
    for person in people:
        learner = learner_named(store, person.name)
        assert (learner.school, learner.role) == (OAK, person.role)
        attempts = store.attempts(learner.id)
        every = ["friend-requests", "photos"] if person.role in ("teacher", "support_staff") else ["friend-requests"]
        assert sorted(a.module_id for a in attempts) == every, person.name
        assert {(a.source, a.score, a.max_score, a.passed, a.note) for a in attempts} == {
            ("manual", 9, 10, True, "INSET day, hall")
        }
        assert {a.finished_at.astimezone().date() for a in attempts if a.finished_at} == {dt.date(2026, 1, 5)}
    said = sessions.summary(outcomes)
    teachers_and_support = sum(1 for p in people if p.role in ("teacher", "support_staff"))
    assert (said.people, said.records) == (30, 30 + teachers_and_support)
    assert len(said.added) == len(said.passed) == 30
    assert said.below == said.no_module == []
    assert sorted(said.left_out["Photographs"]) == sorted(
        p.name for p in people if p.role not in ("teacher", "support_staff")
    )
    # What the reports make of it: everyone has passed every module of their role.
    assert {len(p.attempts) for p in people_of_store(store) if p.role == "volunteer"} == {1}


def test_a_score_below_the_pass_mark_is_recorded_as_not_passed_and_said(store: Store, pack: Pack) -> None:
    people = attendees([("Siân O'Brien-Jones", "teacher"), ("Tereza Nováková", "volunteer")])

    outcomes = sessions.record_session(store, whole(pack, score=6), people)

    sian, tereza = outcomes
    assert [m.id for m in sian.below] == ["friend-requests"]  # 60%: under 80%, over photos' 50%
    assert {a.module_id: a.passed for a in store.attempts(sian.learner.id)} == {
        "friend-requests": False,
        "photos": True,
    }
    assert [m.id for m in tereza.below] == ["friend-requests"]
    assert not sian.passed
    said = sessions.summary(outcomes)
    assert said.below == ["Siân O'Brien-Jones", "Tereza Nováková"]
    assert said.passed == []


def test_people_on_this_pc_are_found_again_and_keep_their_role(store: Store, pack: Pack) -> None:
    sian = store.add_learner("Siân O'Brien-Jones", "support_staff", DDERWEN)
    lukasz = store.add_learner("Łukasz Wójcik", "agency_worker", OAK, "l.wojcik@oak.sch.uk")
    listed = [
        Attendee("sian obrien-jones", "YSGOL Y DDERWEN", None, "teacher"),  # by name and school, letters only
        Attendee("Lukasz W.", "Somewhere else", " L.Wojcik@oak.sch.uk", "teacher"),  # by email
        Attendee("Niamh MacCárthaigh", OAK, None, "volunteer"),  # new
    ]

    outcomes = sessions.record_session(store, whole(pack), listed)

    assert [(o.learner.id, o.added, o.role) for o in outcomes[:2]] == [
        (sian.id, False, "support_staff"),
        (lukasz.id, False, "agency_worker"),
    ]
    assert [m.id for m, _a in outcomes[0].attempts] == ["friend-requests", "photos"]  # a support_staff's modules
    assert [m.id for m, _a in outcomes[1].attempts] == ["friend-requests"]
    assert (outcomes[2].added, outcomes[2].learner.role) == (True, "volunteer")
    assert len(store.learners()) == 3


def test_the_office_files_records_under_the_persons_own_learner_and_role(store: Store, pack: Pack) -> None:
    old = store.add_learner("Aoife Ní Bhriain", "teacher", OAK)
    # The office lists her by her learner records and her role on the staff list.
    picked = Attendee(
        "Aoife Ní Bhriain", OAK, None, "volunteer", learner_ids=("roster", old.id), known_role="volunteer"
    )

    [outcome] = sessions.record_session(store, whole(pack), [picked])

    assert (outcome.learner.id, outcome.added, outcome.role) == (old.id, False, "volunteer")
    assert [m.id for m in outcome.not_for_role] == ["photos"]
    assert [a.module_id for a in store.attempts(old.id)] == ["friend-requests"]


def test_someone_whose_role_has_no_module_gets_nothing_and_is_said(store: Store, pack: Pack) -> None:
    photos_only = Covered(pack, (pack.module("photos"),))  # chosen modules: only for the roles they are for

    outcomes = sessions.record_session(
        store, Session(photos_only, 9, 10), attendees([("Seán O'Sullivan", "teacher"), ("محمد عبد الله", "trustee")])
    )

    assert [len(o.attempts) for o in outcomes] == [1, 0]
    said = sessions.summary(outcomes)
    assert (said.people, said.records, said.no_module) == (2, 1, ["محمد عبد الله"])
    assert said.left_out == {}  # the one with nothing recorded is said once, as having no module


def test_one_person_listed_twice_is_recorded_once(store: Store, pack: Pack) -> None:
    listed = [
        Attendee("Małgorzata Żak", OAK, None, "teacher"),
        Attendee("Malgorzata Zak", "oak primary", None, "teacher"),
        Attendee("Małgorzata Żak", OAK, "m.zak@oak.example", "teacher"),  # no email before: the same person
    ]

    outcomes = sessions.record_session(store, whole(pack), listed)

    assert len(outcomes) == 1
    assert len(store.learners()) == 1
    assert len(store.attempts(outcomes[0].learner.id)) == 2


@pytest.mark.parametrize(
    ("bad", "error", "said"),
    [
        (Attendee("Jiří Dvořák", OAK, "jiri at oak", "teacher"), sessions.PersonError, "does not look right"),
        (Attendee("Jiří Dvořák", " ", None, "teacher"), sessions.PersonError, "school"),
        (Attendee("Jiří Dvořák", OAK, None, "headmaster"), sessions.PersonError, "role"),
        (Attendee("Ann Lee", OAK, "ann.lee@other.example", "teacher"), sessions.OtherEmailError, "ann@oak.example"),
        (Attendee("Niamh MacCárthaigh", OAK, "n2@oak.example", "teacher"), sessions.OtherEmailError, "listed twice"),
    ],
    ids=["email", "school", "role", "another email here", "two emails in the list"],
)
def test_a_problem_with_anyone_records_nothing_for_anyone(
    store: Store, pack: Pack, db_path: Path, bad: Attendee, error: type[Exception], said: str
) -> None:
    store.add_learner("Ann Lee", "teacher", OAK, "ann@oak.example")
    listed = [
        Attendee("Seán O'Sullivan", OAK, None, "teacher"),
        Attendee("Niamh MacCárthaigh", OAK, "n1@oak.example", "teacher"),
        bad,
        Attendee("Tereza Nováková", OAK, None, "volunteer"),
    ]

    with pytest.raises(error) as raised:
        sessions.record_session(store, whole(pack), listed)

    assert said in str(raised.value)
    assert query(db_path, "SELECT name FROM learner") == [("Ann Lee",)]
    assert query(db_path, "SELECT COUNT(*) FROM attempt") == [(0,)]


@pytest.mark.parametrize(("score", "max_score"), [(11, 10), (-1, 10), (0, 0)])
def test_a_score_out_of_range_records_nothing(store: Store, pack: Pack, score: int, max_score: int) -> None:
    with pytest.raises(sessions.ScoreError):
        sessions.record_session(store, whole(pack, score, max_score), thirty())
    assert store.learners() == []


def test_a_session_with_no_one_is_refused(store: Store, pack: Pack) -> None:
    with pytest.raises(sessions.NoOneThereError):
        sessions.record_session(store, whole(pack), [])


def test_the_offices_signature_is_on_every_record_it_makes(store: Store, pack: Pack) -> None:
    signed: list[str] = []

    def prove(row: object) -> str:
        signed.append(type(row).__name__)
        return "signed by the office"

    [outcome] = sessions.record_session(store, whole(pack), attendees([("Dafydd ap Llywelyn", "teacher")]), prove)

    assert signed == ["Learner", "Attempt", "Attempt"]
    assert outcome.learner.proof == "signed by the office"
    assert {a.proof for a in store.attempts(outcome.learner.id)} == {"signed by the office"}
