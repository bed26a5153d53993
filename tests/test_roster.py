"""The staff list: import preview and apply, exemptions, erasure, and the roster file read back strictly."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from socialsafe import roster
from socialsafe.domain.people import person_identity, person_key
from socialsafe.reports import PersonRecords
from socialsafe.roster import Match, RosterPerson
from socialsafe.sync.share import ROSTER_COLUMNS, ShareError, read_roster

HEADER = "name,email,role,school\n"


def person(
    name: str,
    email: str | None = None,
    role: str = "teacher",
    school: str = "Oak Primary",
    until: dt.date | None = None,
    reason: str = "",
) -> RosterPerson:
    return RosterPerson(name, email, role, school, until, reason)


def learner(name: str, school: str = "Oak Primary", email: str | None = None) -> SimpleNamespace:
    return SimpleNamespace(name=name, school=school, email=email)


def read_back(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """The file as Excel or another program reads it: plain csv, BOM removed."""
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    return rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


# Roles --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("teacher", "teacher"),
        ("Teacher", "teacher"),
        ("Support staff", "support_staff"),
        ("SUPPORT_STAFF", "support_staff"),
        ("support-staff", "support_staff"),
        ("  Parent   helper ", "parent_helper"),
        ("parent_helper", "parent_helper"),
        ("Work experience", "work_experience"),
        ("Agency worker", "agency_worker"),
        ("other", "other"),
    ],
)
def test_roles_are_read_from_codes_and_labels_in_any_case(text: str, code: str) -> None:
    assert roster.role_code(text) == code


@pytest.mark.parametrize("text", ["", "Cook", "teachers", "support"])
def test_other_words_are_no_role(text: str) -> None:
    assert roster.role_code(text) is None


# Preview ------------------------------------------------------------------------------------


def test_rows_are_sorted_into_roster_matches_learners_and_new_people() -> None:
    existing = [person("Ann Lee", "ann@oak.sch.uk"), person("Bob Roe"), person("Cy Tan", role="volunteer")]
    learners = [learner("Dee Fox", email="dee@oak.sch.uk"), learner("Eve Ng")]
    text = HEADER + (
        "ann lee,ANN@oak.sch.uk,teacher,Oak Primary\n"  # roster, by email
        "Bob  Roe,,Teacher,oak primary\n"  # roster, by name and school
        "Cy Tan,cy@oak.sch.uk,Support staff,Oak Primary\n"  # roster entry without email: gains one
        "Dee Fox,dee@oak.sch.uk,teacher,Elm School\n"  # a learner on this PC (by email)
        "Eve Ng,,volunteer,Oak Primary\n"  # a learner (by name and school)
        "Fay Oh,fay@oak.sch.uk,trustee,Oak Primary\n"  # new
    )
    result = roster.preview(existing, learners, text)
    assert result.read == 6
    assert not result.problems
    assert not result.duplicates
    assert [(r.line, r.match, r.index) for r in result.rows] == [
        (2, Match.ROSTER, 0),
        (3, Match.ROSTER, 1),
        (4, Match.ROSTER, 2),
        (5, Match.LEARNER, None),
        (6, Match.LEARNER, None),
        (7, Match.NEW, None),
    ]
    # The file's spelling wins: a change of case is a change too.
    assert [r.changes for r in result.of(Match.ROSTER)] == [("name", "email"), ("school",), ("email", "role")]
    assert result.rows[2].role == "support_staff"
    assert [r.line for r in result.updated] == [2, 3, 4]


def test_an_unchanged_match_is_not_an_update() -> None:
    result = roster.preview(
        [person("Ann Lee", "ann@oak.sch.uk")], [], HEADER + "Ann Lee,ann@oak.sch.uk,teacher,Oak Primary\n"
    )
    assert result.of(Match.ROSTER)
    assert not result.updated


def test_duplicates_within_the_file_are_left_out_with_their_lines() -> None:
    text = HEADER + (
        "Ann Lee,ann@oak.sch.uk,teacher,Oak Primary\n"
        "Bob Roe,,teacher,Oak Primary\n"
        "ANN LEE,Ann@Oak.sch.uk,support staff,Elm School\n"  # same email: the same person
        "bob roe,,volunteer,OAK PRIMARY\n"  # same name and school, no email
    )
    result = roster.preview([], [], text)
    assert [r.line for r in result.rows] == [2, 3]
    assert [(d.line, d.message) for d in result.duplicates] == [
        (4, "ANN LEE is already on line 2: left out"),
        (5, "bob roe is already on line 3: left out"),
    ]
    assert [p.line for p in result.left_out] == [4, 5]


def test_two_rows_matching_one_roster_entry_are_a_duplicate() -> None:
    existing = [person("Ann Lee")]
    text = HEADER + "Ann Lee,ann@oak.sch.uk,teacher,Oak Primary\nAnn Lee,,teacher,Oak Primary\n"
    result = roster.preview(existing, [], text)
    assert [(r.line, r.match) for r in result.rows] == [(2, Match.ROSTER)]
    assert [d.line for d in result.duplicates] == [3]


def test_rows_with_problems_are_left_out_with_their_line_numbers() -> None:
    text = HEADER + (
        "Ann Lee,ann@oak.sch.uk,teacher,Oak Primary\n"
        ",nobody@oak.sch.uk,teacher,Oak Primary\n"
        "Bob Roe,,Cook,Oak Primary\n"
        "Cy Tan,,,Oak Primary\n"
        "Dee Fox,dee at oak,teacher,Oak Primary\n"
        "Eve Ng,,teacher,\n"
        ",,,\n"  # a blank row, as Excel leaves them: not a problem, not counted
        "\n"
        'Fay Oh,"fay@oak.sch.uk",volunteer,Oak Primary\n'
    )
    result = roster.preview([], [], text)
    assert [r.name for r in result.rows] == ["Ann Lee", "Fay Oh"]
    assert result.read == 7
    problems = {p.line: p.message for p in result.problems}
    assert sorted(problems) == [3, 4, 5, 6, 7]
    assert problems[3] == "a row with no name"
    assert problems[4].startswith("role Cook is not one of the policy's roles: Teacher, Support staff")
    assert problems[5] == "Cy Tan has no role"
    assert problems[6] == "the email address dee at oak does not look right"
    assert problems[7] == "Eve Ng has no school"


def test_a_file_without_the_columns_is_one_problem_on_line_1() -> None:
    result = roster.preview([], [], "Full name,Mail,Job\nAnn Lee,ann@oak.sch.uk,teacher\n")
    assert not result.rows
    [problem] = result.problems
    assert problem.line == 1
    assert "role, school" in problem.message
    assert not roster.preview([], [], "").rows


def test_a_bom_extra_columns_any_order_and_case_are_fine() -> None:
    raw = "\ufeffSchool, ROLE ,Phone,Name,Email,Start date\nOak Primary,Parent helper,0123,Ann Lee,,2020-01-01\n"
    result = roster.preview([], [], raw)
    [row] = result.rows
    assert (row.name, row.email, row.role, row.school) == ("Ann Lee", None, "parent_helper", "Oak Primary")
    # The bytes as Excel saves "CSV UTF-8": decode takes the BOM off.
    assert roster.decode(raw.encode("utf-8")) == raw.removeprefix("\ufeff")
    with pytest.raises(ValueError, match="UTF-8"):
        roster.decode("Zoë".encode("cp1252"))


def test_semicolons_as_excel_writes_them_in_some_countries() -> None:
    result = roster.preview([], [], "name;email;role;school\nAnn Lee;ann@oak.sch.uk;teacher;Oak Primary\n")
    assert [r.email for r in result.rows] == ["ann@oak.sch.uk"]


def test_a_quoted_cell_over_two_lines_keeps_later_line_numbers_right() -> None:
    text = HEADER + 'Ann Lee,,teacher,"Oak\nPrimary"\nBob Roe,,Cook,Oak Primary\n'
    result = roster.preview([], [], text)
    assert result.rows[0].school == "Oak Primary"
    assert [p.line for p in result.problems] == [4]


# Apply --------------------------------------------------------------------------------------


def test_apply_updates_matches_adds_new_people_and_keeps_exemptions_and_everyone_else() -> None:
    until = dt.date(2027, 7, 31)
    existing = [
        person("Ann Lee", "ann@oak.sch.uk", until=until, reason="maternity leave"),
        person("Bob Roe"),
        person("Gil Poe", "gil@oak.sch.uk"),  # not in the file: stays
    ]
    text = HEADER + (
        "Ann Lee,ann@oak.sch.uk,support staff,Elm School\n"
        "Bob Roe,bob@oak.sch.uk,volunteer,Oak Primary\n"
        "Dee Fox,,trustee,Oak Primary\n"
    )
    result = roster.apply(existing, roster.preview(existing, [learner("Dee Fox")], text))
    assert result == [
        person("Ann Lee", "ann@oak.sch.uk", "support_staff", "Elm School", until, "maternity leave"),
        person("Bob Roe", "bob@oak.sch.uk", "volunteer"),
        person("Gil Poe", "gil@oak.sch.uk"),
        person("Dee Fox", None, "trustee"),
    ]


def test_a_row_without_email_does_not_take_the_email_away() -> None:
    existing = [person("Ann Lee", "ann@oak.sch.uk")]
    text = HEADER + "Ann Lee,,volunteer,Oak Primary\n"
    assert roster.apply(existing, roster.preview(existing, [], text)) == [
        person("Ann Lee", "ann@oak.sch.uk", "volunteer")
    ]


def test_apply_with_only_problems_changes_nothing() -> None:
    existing = [person("Ann Lee")]
    assert roster.apply(existing, roster.preview(existing, [], HEADER + "Bob,,Cook,Oak\n")) == existing


# Exemptions and erasure ---------------------------------------------------------------------


def test_set_exemption_sets_and_clears_one_persons_exemption() -> None:
    people = [person("Ann Lee", "ann@oak.sch.uk"), person("Bob Roe")]
    until = dt.date(2027, 3, 31)
    exempt = roster.set_exemption(
        people, person_identity("ann lee", "x", "ANN@oak.sch.uk"), until, " long   term sick "
    )
    assert exempt[0] == person("Ann Lee", "ann@oak.sch.uk", until=until, reason="long term sick")
    assert exempt[1] == people[1]
    assert people[0].exempt_until is None  # the list given is not changed
    cleared = roster.set_exemption(exempt, person_identity("Ann Lee", "Oak Primary", "ann@oak.sch.uk"), None, "ignored")
    assert cleared == people
    with pytest.raises(roster.NotOnRosterError):
        roster.set_exemption(people, person_identity("Zed", "Oak Primary", None), until, "")


def test_remove_person_by_identity_or_by_name_and_school() -> None:
    people = [person("Ann Lee", "ann@oak.sch.uk"), person("Ann Lee"), person("Bob Roe")]
    kept, removed = roster.remove_person(people, {("email", "ann@oak.sch.uk")})
    assert (kept, removed) == (people[1:], people[:1])
    kept, removed = roster.remove_person(people, set(), {person_key("ann  lee", "Oak Primary")})
    assert (kept, removed) == (people[2:], people[:2])


# Where it is kept, and reading it back ------------------------------------------------------


def test_the_file_has_the_contract_header_a_bom_and_formulas_neutralised(tmp_path: Path) -> None:
    people = [
        person('=HYPERLINK("http://x","y")', None, "volunteer"),
        person("+Plus", "-minus@oak.sch.uk"),
        person("@At", school="-School"),
        person("Zoë O'Neil", until=dt.date(2027, 1, 31), reason="=1+1"),
    ]
    path = roster.save(people, None, tmp_path)
    assert path == tmp_path / "roster.csv"
    header, rows = read_back(path)
    assert header == ROSTER_COLUMNS == ["name", "email", "role", "school", "exempt_until", "exempt_reason"]
    assert [r["name"] for r in rows] == ['\'=HYPERLINK("http://x","y")', "'+Plus", "'@At", "Zoë O'Neil"]
    assert rows[1]["email"] == "'-minus@oak.sch.uk"
    assert rows[2]["school"] == "'-School"
    assert rows[3]["exempt_until"] == "2027-01-31"
    assert rows[3]["exempt_reason"] == "'=1+1"
    assert b"\r\n" in path.read_bytes()
    # Read back as they were, strictly and for the reports alike.
    assert roster.load(None, tmp_path) == people
    assert roster.read_for_reports(None, tmp_path) == (people, [])
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp-")]


def test_on_a_share_it_is_roster_csv_in_the_roster_folder_read_by_the_sync(tmp_path: Path) -> None:
    share, data = tmp_path / "share", tmp_path / "data"
    share.mkdir()
    data.mkdir()
    people = [person("=cmd|' /C calc'!A0", "a@oak.sch.uk"), person("Bob Roe")]
    path = roster.save(people, share, data, owner="0000")
    assert path == share / "roster" / "roster.csv" == roster.roster_file(share, data)
    assert not (data / "roster.csv").exists()
    assert read_roster(share) == (people, [])  # the reader every PC's sync uses
    assert roster.load(share, data) == people
    assert roster.read_for_reports(share, data) == (people, [])


def test_no_roster_yet_is_an_empty_one(tmp_path: Path) -> None:
    assert roster.load(None, tmp_path) == []
    assert roster.read_for_reports(None, tmp_path) == ([], [])
    (tmp_path / "share").mkdir()
    assert roster.load(tmp_path / "share", tmp_path) == []


def test_loading_for_a_rewrite_refuses_a_roster_with_bad_rows(tmp_path: Path) -> None:
    (tmp_path / "roster.csv").write_text(
        "name,email,role,school,exempt_until,exempt_reason\nAnn Lee,,teacher,Oak,,\nBob,,Cook,Oak,,\n",
        encoding="utf-8",
    )
    with pytest.raises(roster.RosterError) as caught:
        roster.load(None, tmp_path)
    assert [p.line for p in caught.value.problems] == [3]
    people, problems = roster.read_for_reports(None, tmp_path)  # the reports skip the bad row
    assert [p.name for p in people] == ["Ann Lee"]
    assert len(problems) == 1


def test_an_unreachable_share_is_a_share_error_and_nothing_is_written(tmp_path: Path) -> None:
    gone = tmp_path / "not-mounted"
    with pytest.raises(ShareError):
        roster.load(gone, tmp_path)
    with pytest.raises(ShareError):
        roster.save([person("Ann Lee")], gone, tmp_path)
    assert not gone.exists()
    assert not (tmp_path / "roster.csv").exists()


@pytest.mark.skipif(os.name == "nt" or os.geteuid() == 0, reason="needs POSIX permissions as a normal user")
def test_a_read_only_share_is_a_share_error_and_the_old_roster_stays(tmp_path: Path) -> None:
    share = tmp_path / "share"
    share.mkdir()
    roster.save([person("Ann Lee")], share, tmp_path)
    before = (share / "roster" / "roster.csv").read_bytes()
    (share / "roster").chmod(0o555)
    try:
        with pytest.raises(ShareError):
            roster.save([person("Bob Roe")], share, tmp_path)
    finally:
        (share / "roster").chmod(0o755)
    assert (share / "roster" / "roster.csv").read_bytes() == before


# Reports without a share --------------------------------------------------------------------


def test_with_roster_adds_people_not_started_and_gives_the_roster_role_and_exemption() -> None:
    epoch = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    ann = SimpleNamespace(
        id="a1", name="Ann Lee", email="ann@oak.sch.uk", role="teacher", school="Oak Primary", created_at=epoch
    )
    known = [PersonRecords(learners=[ann])]
    until = dt.date(2027, 1, 1)
    listed = [person("Ann Lee", "ANN@oak.sch.uk", "support_staff", until=until), person("Bob Roe")]
    everyone = roster.with_roster(known, listed)
    assert len(everyone) == 2
    assert everyone[0] is known[0]
    assert (everyone[0].role, everyone[0].exempt_until) == ("support_staff", until)
    assert (everyone[1].name, everyone[1].role, everyone[1].attempts) == ("Bob Roe", "teacher", [])


def test_a_full_share_is_a_share_error_and_the_old_roster_stays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from socialsafe.sync import share as share_module

    share = tmp_path / "share"
    share.mkdir()
    roster.save([person("Ann Lee")], share, tmp_path)
    before = (share / "roster" / "roster.csv").read_bytes()

    def full(share: Path, path: Path, data: bytes, owner: str = "") -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(share_module, "write_in_share", full)
    with pytest.raises(ShareError, match="full"):
        roster.save([person("Bob Roe")], share, tmp_path)
    assert (share / "roster" / "roster.csv").read_bytes() == before
