"""Quiz packs: loading, and every check that keeps a broken pack out with a precise message."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from helpers_packs import FRIENDS, MINI, PACK_TOML, PHOTOS, add_mixed_module, copy_pack, edit, header_above, line_of
from socialsafe.content.loader import Content, PackError, Problem, load_all, load_pack
from socialsafe.content.model import ModuleKind, QuestionType, Role

DOC = Path(__file__).parents[1] / "docs" / "pack-format.md"


# The packs that load -------------------------------------------------------


def test_mini_pack_loads_with_its_modules_in_file_name_order() -> None:
    pack = load_pack(MINI)

    assert pack.id == "example"
    assert pack.policy.id == "example-policy"
    assert [c.id for c in pack.header.clauses] == ["USE-3", "USE-9"]
    assert [m.id for m in pack.modules] == ["friend-requests", "photos"]
    friends = pack.module("friend-requests")
    assert [q.type for q in friends.questions] == [QuestionType.SINGLE, QuestionType.TRUE_FALSE, QuestionType.SCENARIO]
    assert friends.pass_mark == 0.8  # the default
    assert pack.module("photos").pass_mark == 0.5
    assert pack.clause("USE-9").strength == "should"


def test_mini_pack_modules_for_a_role_respects_roles_and_empty_means_everyone() -> None:
    pack = load_pack(MINI)

    assert [m.id for m in pack.modules_for(Role.TEACHER)] == ["friend-requests", "photos"]
    assert [m.id for m in pack.modules_for("volunteer")] == ["friend-requests"]


def _toml_blocks(markdown: str) -> list[str]:
    return re.findall(r"^```toml\n(.*?)^```", markdown, flags=re.MULTILINE | re.DOTALL)


def test_the_example_pack_in_the_format_doc_is_valid(tmp_path: Path) -> None:
    blocks = _toml_blocks(DOC.read_text("utf-8"))
    assert len(blocks) >= 2, "docs/pack-format.md should hold the example pack.toml and a module file"
    pack_dir = tmp_path / "example"
    (pack_dir / "modules").mkdir(parents=True)
    (pack_dir / "pack.toml").write_text(blocks[0], "utf-8")
    (pack_dir / "modules" / "01-friend-requests.toml").write_text(blocks[1], "utf-8")

    pack = load_pack(pack_dir)

    assert pack.id == "example"
    assert [m.id for m in pack.modules] == ["friend-requests"]
    assert {q.type for q in pack.modules[0].questions} == {
        QuestionType.SINGLE,
        QuestionType.TRUE_FALSE,
        QuestionType.SCENARIO,
    }


# Every validation error ----------------------------------------------------


@dataclass(frozen=True)
class Broken:
    """One way to break the mini pack, and the problem it must give."""

    file: str  # the file edited, relative to the pack
    old: str
    new: str
    message: str  # a fragment of the expected message
    where: str | None = None  # the expected Problem.where
    check_where: bool = True
    line_at: str | None = None  # the expected line holds this text...
    header_of: str | None = None  # ...or is the table header above the line holding this text
    occurrence: int = 1
    count: int = 1


OPTION_B_FEEDBACK = 'feedback = "Not quite: leaving it does not decline it, and it still needs reporting."\n'

BROKEN = {
    "toml syntax error": Broken(
        FRIENDS, 'title = "Friend', 'title = = "Friend', "not valid TOML", line_at="title = = "
    ),
    "unknown key (typo)": Broken(
        FRIENDS,
        'feedback = "Right: the policy',
        'feeback = "Right: the policy',
        "unknown key",
        where="question fr-1: options[1].feeback",
        line_at="feeback =",
    ),
    "missing option feedback": Broken(
        FRIENDS,
        OPTION_B_FEEDBACK,
        "",
        "Field required",
        where="question fr-1: options[2].feedback",
        header_of='text = "Ignore it."',
    ),
    "unknown key in a scenario step option": Broken(
        FRIENDS,
        'next = "s2"',
        'nxt = "s2"',
        "unknown key",
        where="question fr-3: steps[1].options[1].nxt",
        line_at="nxt =",
    ),
    "missing policy field": Broken(
        PACK_TOML,
        'organisation = "Example School"\n',
        "",
        "Field required",
        where="policy.organisation",
        line_at="[policy]",
    ),
    "question without an id": Broken(
        FRIENDS,
        'id = "fr-2"\n',
        "",
        "Field required",
        where="question #2: id",
        header_of='prompt = "If you decline',
    ),
    "wrong question type": Broken(
        FRIENDS,
        'type = "single"',
        'type = "singel"',
        "'single', 'multiple', 'true_false' or 'scenario'",
        where="question fr-1: type",
        line_at='type = "singel"',
    ),
    "wrong clause strength": Broken(
        PACK_TOML,
        'strength = "should"',
        'strength = "shall"',
        "'must', 'should', 'advised' or 'info'",
        where="clauses[2].strength",
        line_at='strength = "shall"',
    ),
    "wrong role": Broken(PHOTOS, '"support_staff"', '"caretaker"', "'teacher'", where="roles[2]", line_at="roles = ["),
    "single with no correct option": Broken(
        FRIENDS,
        'correct = true\nfeedback = "Right: the policy',
        'feedback = "Right: the policy',
        "exactly one option with correct = true",
        where="question fr-1",
        header_of='id = "fr-1"',
    ),
    "single with two correct options": Broken(
        FRIENDS,
        'text = "Ignore it."',
        'text = "Ignore it."\ncorrect = true',
        "exactly one option with correct = true",
        where="question fr-1",
        header_of='id = "fr-1"',
    ),
    "multiple with no correct option": Broken(
        PHOTOS,
        "correct = true\n",
        "",
        "at least one option with correct = true",
        where="question ph-1",
        header_of='id = "ph-1"',
        count=2,
    ),
    "true_false without feedback_true": Broken(
        FRIENDS,
        'feedback_true = "No: the request must be reported as well as declined."\n',
        "",
        "needs answer, feedback_true and feedback_false",
        where="question fr-2",
        header_of='id = "fr-2"',
    ),
    "scenario without start": Broken(
        FRIENDS, 'start = "s1"\n', "", "needs start", where="question fr-3", header_of='id = "fr-3"'
    ),
    "scenario start names an unknown step": Broken(
        FRIENDS,
        'start = "s1"',
        'start = "s9"',
        "'s9', which does not exist",
        where="question fr-3",
        header_of='id = "fr-3"',
    ),
    "step option next names an unknown step": Broken(
        FRIENDS,
        'next = "s2"',
        'next = "s7"',
        "next names unknown step 's7'",
        where="question fr-3",
        header_of='id = "fr-3"',
    ),
    "steps loop": Broken(
        FRIENDS,
        'feedback = "Right: that is who the policy says to report to."',
        'feedback = "Right: that is who the policy says to report to."\nnext = "s1"',
        "loop",
        where="question fr-3",
        header_of='id = "fr-3"',
    ),
    "unreachable step": Broken(
        FRIENDS,
        'next = "s2"\n',
        "",
        "never reached from start: s2",
        where="question fr-3",
        header_of='id = "fr-3"',
        count=2,
    ),
    "step with two correct options": Broken(
        FRIENDS,
        'text = "Nobody, it was only a game."',
        'text = "Nobody, it was only a game."\ncorrect = true',
        "a scenario step needs exactly one option with correct = true",
        where="question fr-3: steps[2]",
        header_of='id = "s2"',
    ),
    "draw larger than the pool": Broken(
        FRIENDS,
        "draw = 2",
        "draw = 4",
        "draw is 4 but the module has only 3 questions",
        line_at="draw = 4",
        check_where=False,
    ),
    "module clause not in pack.toml": Broken(
        FRIENDS,
        'clauses = ["USE-3"]\nkey_points',
        'clauses = ["USE-99"]\nkey_points',
        "clause 'USE-99' is not in pack.toml",
        line_at='clauses = ["USE-99"]',
    ),
    "question clause not in pack.toml": Broken(
        FRIENDS,
        'clauses = ["USE-3"]\n\n[[questions.options]]',
        'clauses = ["USE-3", "NOPE-1"]\n\n[[questions.options]]',
        "clause 'NOPE-1' is not in pack.toml",
        where="question fr-1",
        line_at='"NOPE-1"',
    ),
    "step clause not in pack.toml": Broken(
        FRIENDS,
        'prompt = "Who do you tell?"',
        'prompt = "Who do you tell?"\nclauses = ["GONE-2"]',
        "clause 'GONE-2' is not in pack.toml",
        where="question fr-3: steps[2].clauses",
        line_at='"GONE-2"',
    ),
    "question id used in two module files": Broken(
        PHOTOS,
        'id = "ph-2"',
        'id = "fr-2"',
        "question id 'fr-2' is used twice (also in 01-friend-requests.toml)",
        where="question fr-2",
        line_at='id = "fr-2"',
    ),
    "module id used twice": Broken(
        PHOTOS,
        'id = "photos"',
        'id = "friend-requests"',
        "module id 'friend-requests' is also used in 01-friend-requests.toml",
        line_at='id = "friend-requests"',
    ),
    "clause id used twice": Broken(
        PACK_TOML,
        'text = "Staff should not post photographs of pupils under any circumstances."',
        'text = "Staff should not post photographs of pupils under any circumstances."\n\n'
        '[[clauses]]\nid = "USE-3"\nsection = "Again"\nstrength = "info"\ntext = "A second USE-3."',
        "clause id 'USE-3' is used twice",
        line_at='id = "USE-3"',
        occurrence=2,
    ),
    "wrong format": Broken(
        PACK_TOML,
        'format = "socialsafe-pack"',
        'format = "quiz-pack"',
        "'socialsafe-pack'",
        where="format",
        line_at='format = "quiz-pack"',
    ),
    "wrong format_version": Broken(
        PACK_TOML,
        "format_version = 1",
        "format_version = 2",
        "Input should be 1",
        where="format_version",
        line_at="format_version",
    ),
}


def _unquoted(text: str) -> str:
    """Messages may quote ids or not; the test is about which id, not how it is quoted."""
    return text.replace("'", "").replace('"', "")


@pytest.mark.parametrize("case", BROKEN.values(), ids=BROKEN.keys())
def test_a_broken_pack_is_refused_with_the_file_line_and_question(tmp_path: Path, case: Broken) -> None:
    pack = copy_pack(tmp_path / "pack")
    path = pack / case.file
    edit(path, case.old, case.new, case.count)

    with pytest.raises(PackError) as raised:
        load_pack(pack)

    problems = raised.value.problems
    assert all(p.path == path for p in problems), [str(p) for p in problems]
    matching = [p for p in problems if _unquoted(case.message) in _unquoted(p.message)]
    assert len(matching) == 1, [str(p) for p in problems]
    problem = matching[0]
    if case.check_where:
        assert problem.where == case.where, str(problem)
    if case.line_at is not None:
        assert problem.line == line_of(path, case.line_at, case.occurrence), str(problem)
    if case.header_of is not None:
        assert problem.line == header_above(path, case.header_of), str(problem)


def test_only_the_typo_and_the_field_it_left_out_are_reported(tmp_path: Path) -> None:
    pack = copy_pack(tmp_path / "pack")
    edit(pack / FRIENDS, "feedback = ", "feeback = ")

    with pytest.raises(PackError) as raised:
        load_pack(pack)

    assert sorted(p.where or "" for p in raised.value.problems) == [
        "question fr-1: options[1].feeback",
        "question fr-1: options[1].feedback",
    ]


def test_a_file_that_is_not_utf8_is_reported_at_the_line_of_the_bad_byte(tmp_path: Path) -> None:
    pack = copy_pack(tmp_path / "pack")
    path = pack / PHOTOS
    raw = path.read_bytes().replace(b"Photographs", b"Photo\xe9graphs", 1)  # Latin-1, as an old editor saves it
    path.write_bytes(raw)

    with pytest.raises(PackError) as raised:
        load_pack(pack)

    (problem,) = raised.value.problems
    assert problem.path == path
    assert "not UTF-8" in problem.message
    assert problem.line == next(n for n, line in enumerate(raw.split(b"\n"), start=1) if b"\xe9" in line)


def test_a_toml_error_in_pack_toml_names_pack_toml_and_its_line(tmp_path: Path) -> None:
    pack = copy_pack(tmp_path / "pack")
    path = pack / PACK_TOML
    edit(path, "adopted = 2025-01-13", "adopted = 2025-13-45")

    with pytest.raises(PackError) as raised:
        load_pack(pack)

    (problem,) = raised.value.problems
    assert problem.path == path
    assert problem.line == line_of(path, "adopted =")
    assert problem.message.startswith("not valid TOML")
    assert "(at line" not in problem.message  # the position is in .line, not repeated in the text


def test_a_pack_with_no_modules_folder_is_refused(tmp_path: Path) -> None:
    pack = copy_pack(tmp_path / "pack")
    for module in (pack / "modules").iterdir():
        module.unlink()
    (pack / "modules").rmdir()

    with pytest.raises(PackError) as raised:
        load_pack(pack)

    (problem,) = raised.value.problems
    assert problem.path == pack / "modules"
    assert "no module files" in problem.message


def test_every_problem_in_a_pack_is_reported_at_once(tmp_path: Path) -> None:
    pack = copy_pack(tmp_path / "pack")
    edit(pack / FRIENDS, 'type = "single"', 'type = "singel"')
    edit(pack / PHOTOS, "draw = 2", "draw = 9")
    edit(pack / PACK_TOML, 'strength = "must"', 'strength = "must-not"')

    with pytest.raises(PackError) as raised:
        load_pack(pack)

    assert {p.path for p in raised.value.problems} == {pack / FRIENDS, pack / PHOTOS, pack / PACK_TOML}


# Mixed modules -------------------------------------------------------------


def test_a_mixed_module_draws_from_the_modules_that_apply_to_the_role(tmp_path: Path) -> None:
    pack_dir = copy_pack(tmp_path / "pack")
    add_mixed_module(pack_dir, draw=3)

    pack = load_pack(pack_dir)

    final = pack.module("final-check")
    assert final.kind is ModuleKind.MIXED
    assert final.questions == []
    assert {q.id for q in pack.pool(final, Role.TEACHER)} == {"fr-1", "fr-2", "fr-3", "ph-1", "ph-2"}
    assert {q.id for q in pack.pool(final, Role.VOLUNTEER)} == {"fr-1", "fr-2", "fr-3"}  # photos is not theirs
    friends = pack.module("friend-requests")
    assert pack.pool(friends, Role.TEACHER) == friends.questions
    assert set(pack.questions()) == {"fr-1", "fr-2", "fr-3", "ph-1", "ph-2"}


def test_a_mixed_module_whose_draw_is_too_big_for_a_role_names_the_role_and_line(tmp_path: Path) -> None:
    pack_dir = copy_pack(tmp_path / "pack")
    path = add_mixed_module(pack_dir, draw=4)  # teachers have 5 questions, volunteers only 3

    with pytest.raises(PackError) as raised:
        load_pack(pack_dir)

    (problem,) = raised.value.problems
    assert problem.path == path
    assert problem.line == line_of(path, "draw = 4")
    assert "only 3 questions apply to the role" in problem.message


def test_a_mixed_module_for_teachers_only_may_draw_from_their_larger_pool(tmp_path: Path) -> None:
    pack_dir = copy_pack(tmp_path / "pack")
    add_mixed_module(pack_dir, draw=5, roles=["teacher"])

    assert load_pack(pack_dir).module("final-check").roles == [Role.TEACHER]


def test_a_mixed_module_with_its_own_questions_is_refused(tmp_path: Path) -> None:
    pack_dir = copy_pack(tmp_path / "pack")
    own = (pack_dir / FRIENDS).read_text("utf-8").split("[[questions]]")[1]
    path = add_mixed_module(pack_dir, draw=2, extra="\n[[questions]]" + own)

    with pytest.raises(PackError) as raised:
        load_pack(pack_dir)

    (problem,) = raised.value.problems
    assert problem.path == path
    assert "no questions of its own" in problem.message


def test_a_quiz_module_must_name_its_clauses(tmp_path: Path) -> None:
    pack_dir = copy_pack(tmp_path / "pack")
    path = pack_dir / PHOTOS
    edit(path, 'clauses = ["USE-9"]\nkey_points', "key_points")

    with pytest.raises(PackError) as raised:
        load_pack(pack_dir)

    (problem,) = raised.value.problems
    assert problem.path == path
    assert "names the clauses it covers" in problem.message


def test_an_unknown_module_kind_is_refused_at_its_line(tmp_path: Path) -> None:
    pack_dir = copy_pack(tmp_path / "pack")
    path = pack_dir / PHOTOS
    edit(path, 'title = "Photographs"', 'title = "Photographs"\nkind = "exam"')

    with pytest.raises(PackError) as raised:
        load_pack(pack_dir)

    (problem,) = raised.value.problems
    assert (problem.path, problem.line, problem.where) == (path, line_of(path, 'kind = "exam"'), "kind")


# load_all ------------------------------------------------------------------


def test_load_all_keeps_the_good_pack_and_reports_the_broken_one(tmp_path: Path) -> None:
    root = tmp_path / "packs"
    copy_pack(root / "a-good")
    broken = copy_pack(root / "b-broken")
    edit(broken / PACK_TOML, 'id = "example"', 'id = "example-2"')
    edit(broken / FRIENDS, "draw = 2", "draw = 7")
    (root / "not-a-pack").mkdir()

    content = load_all([root])

    assert [p.id for p in content.packs] == ["example"]
    assert content.packs[0].source == str(root / "a-good")
    assert len(content.problems) == 1
    assert content.problems[0].path == broken / FRIENDS


def test_load_all_reports_a_path_that_does_not_exist(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"

    content = load_all([missing, MINI])

    assert [p.id for p in content.packs] == ["example"]
    (problem,) = content.problems
    assert problem.path == missing
    assert "no such file or folder" in problem.message


@pytest.mark.parametrize("inside", [PACK_TOML, FRIENDS], ids=["pack.toml", "module file"])
def test_load_all_given_a_file_inside_a_pack_loads_that_pack(inside: str) -> None:
    content = load_all([MINI / inside])

    assert content.problems == []
    assert [p.id for p in content.packs] == ["example"]


def test_load_all_given_a_toml_file_outside_any_pack_reports_it(tmp_path: Path) -> None:
    stray = tmp_path / "stray.toml"
    stray.write_text('id = "x"\n', "utf-8")

    content = load_all([stray])

    assert content.packs == []
    (problem,) = content.problems
    assert problem.path == stray


def test_load_all_loads_a_pack_named_twice_once(tmp_path: Path) -> None:
    content = load_all([MINI, MINI / FRIENDS, MINI.parent])

    assert [p.id for p in content.packs] == ["example"]


# Content.current -----------------------------------------------------------


def _variant(dest: Path, pack_id: str, pack_version: str, policy_id: str, policy_version: str, title: str) -> Path:
    pack = copy_pack(dest)
    header = pack / PACK_TOML
    edit(header, 'id = "example"', f'id = "{pack_id}"')
    edit(header, 'version = "1.0.0"', f'version = "{pack_version}"')
    edit(header, 'id = "example-policy"', f'id = "{policy_id}"')
    edit(header, 'version = "1.0"', f'version = "{policy_version}"')
    edit(header, 'title = "Use of Social Media Policy"', f'title = "{title}"')
    return pack


def test_current_picks_the_highest_policy_version_per_policy(tmp_path: Path) -> None:
    root = tmp_path / "packs"
    _variant(root / "a", "sm-a", "9.0.0", "social", "1.9", "Social media")
    _variant(root / "b", "sm-b", "1.0.0", "social", "1.10", "Social media")  # 1.10 is after 1.9
    _variant(root / "c", "sm-c", "5.0.0", "social", "1.2", "Social media")
    _variant(root / "d", "ph-a", "1.0.0", "phones", "2.0", "Mobile phones")

    content = load_all([root])

    assert content.problems == []
    assert [p.id for p in content.current] == ["ph-a", "sm-b"]  # sorted by policy title


def test_current_breaks_a_policy_version_tie_on_the_pack_version(tmp_path: Path) -> None:
    root = tmp_path / "packs"
    _variant(root / "a", "sm", "1.2.0", "social", "1.0", "Social media")
    _variant(root / "b", "sm", "1.10.0", "social", "1.0", "Social media")

    content = load_all([root])

    assert [p.version for p in content.current] == ["1.10.0"]
    found = content.pack("sm")
    assert found is not None
    assert found.version == "1.10.0"
    assert content.pack("nothing") is None


def test_current_of_no_packs_is_empty() -> None:
    assert Content().current == []


# Problem text --------------------------------------------------------------


FILE = Path("pack") / "modules" / "01.toml"


@pytest.mark.parametrize(
    ("problem", "text"),
    [
        (Problem(FILE, "not valid TOML: Invalid value", line=7), f"{FILE}:7: not valid TOML: Invalid value"),
        (
            Problem(FILE, "Field required", line=14, where="question fr-1: options[1].feedback"),
            f"{FILE}:14: question fr-1: options[1].feedback: Field required",
        ),
        (
            Problem(FILE, "Field required", where="question fr-1: options[1].feedback"),
            f"{FILE}: question fr-1: options[1].feedback: Field required",
        ),
        (Problem(FILE.parent, "the pack has no module files"), f"{FILE.parent}: the pack has no module files"),
    ],
    ids=["line", "line and where", "where, no line", "neither"],
)
def test_problem_text_is_path_line_message_or_path_where_message(problem: Problem, text: str) -> None:
    assert str(problem) == text


def test_a_real_problem_prints_as_path_line_message(tmp_path: Path) -> None:
    pack = copy_pack(tmp_path / "pack")
    path = pack / FRIENDS
    edit(path, 'type = "single"', 'type = "singel"')

    with pytest.raises(PackError) as raised:
        load_pack(pack)

    (problem,) = raised.value.problems
    line = line_of(path, 'type = "singel"')
    assert str(problem).startswith(f"{path}:{line}: question fr-1: type: ")
    assert str(raised.value) == str(problem)
