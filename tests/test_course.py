"""The bundled course: complete, faithful to the clause index, and sound as a quiz."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from collections import Counter
from pathlib import Path

import pytest

from socialsafe.content.coverage import MIN_QUESTIONS, coverage, cues
from socialsafe.content.loader import load_pack
from socialsafe.content.model import ModuleKind, Pack, Question, QuestionType, Role
from socialsafe.resources import bundled

CLAUSE_INDEX = Path(__file__).resolve().parents[2] / "shared" / "policy" / "clauses.toml"


@pytest.fixture(scope="module")
def course() -> Pack:
    return load_pack(bundled("quizzes") / "leaf-social-media")


def quiz_modules(pack: Pack) -> list:
    return [m for m in pack.modules if m.kind is ModuleKind.QUIZ]


def test_the_course_has_8_to_10_modules_and_at_least_70_questions(course: Pack) -> None:
    assert 8 <= len(course.modules) <= 10
    assert len(course.questions()) >= 70


def test_every_clause_is_tested_by_at_least_two_questions(course: Pack) -> None:
    thin = {row.clause.id: row.questions for row in coverage(course) if len(row.questions) < MIN_QUESTIONS}
    assert thin == {}


@pytest.mark.skipif(not CLAUSE_INDEX.is_file(), reason="the shared clause index is not beside this checkout")
def test_the_pack_quotes_every_clause_of_the_policy_word_for_word(course: Pack) -> None:
    index = tomllib.loads(CLAUSE_INDEX.read_text(encoding="utf-8"))
    expected = [(c["id"], c["strength"], c["text"]) for c in index["clause"]]
    assert [(c.id, str(c.strength), c.text) for c in course.header.clauses] == expected
    assert course.policy.version == index["policy"]["version"]
    assert course.policy.adopted == index["policy"]["adopted"]


def test_each_quiz_module_draws_from_a_larger_pool_of_every_kind(course: Pack) -> None:
    for module in quiz_modules(course):
        assert len(module.questions) > module.draw, module.id
        kinds = {q.type for q in module.questions}
        assert kinds == set(QuestionType), (module.id, kinds)
        assert module.key_points, module.id


def test_question_and_module_ids_are_unique(course: Pack) -> None:
    ids = [q.id for m in course.modules for q in m.questions]
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    assert len({m.id for m in course.modules}) == len(course.modules)


def test_every_option_explains_itself(course: Pack) -> None:
    for question in course.questions().values():
        options = question.choices() if question.type is not QuestionType.SCENARIO else []
        options += [o for s in question.steps for o in s.options]
        for option in options:
            assert len(option.feedback.split()) >= 4, (question.id, option.id, option.feedback)


def paths(question: Question) -> list[list[str]]:
    """Every route through a scenario, as step ids, each ending at an option with no next."""
    routes: list[list[str]] = []

    def walk(step_id: str, route: list[str]) -> None:
        assert len(route) < len(question.steps) + 1, f"{question.id} loops"
        for option in question.step(step_id).options:
            if option.next is None:
                routes.append([*route, step_id])
            else:
                walk(option.next, [*route, step_id])

    assert question.start is not None
    walk(question.start, [])
    return routes


def test_every_branch_of_every_scenario_reaches_an_end(course: Pack) -> None:
    scenarios = [q for q in course.questions().values() if q.type is QuestionType.SCENARIO]
    assert len(scenarios) >= len(quiz_modules(course))
    branching = 0
    for question in scenarios:
        routes = paths(question)
        assert routes, question.id
        visited = {step for route in routes for step in route}
        assert visited == {s.id for s in question.steps}, question.id
        branching += len(routes) > 1
    assert branching >= len(quiz_modules(course)) // 2  # real decisions with consequences, not one-step lists


def test_the_final_check_mixes_every_module_for_every_role(course: Pack) -> None:
    final = [m for m in course.modules if m.kind is ModuleKind.MIXED]
    assert len(final) == 1
    assert course.modules[-1] is final[0]
    for role in Role:
        pool = course.pool(final[0], role)
        assert len(pool) > final[0].draw
        assert {q.id for q in pool} == {q.id for m in quiz_modules(course) if m.applies_to(role) for q in m.questions}


def test_the_policy_at_a_glance_is_one_page(course: Pack) -> None:
    assert course.header.summary is not None
    assert 80 <= len(course.header.summary.split()) <= 400
    assert "Headteacher or designated safeguarding lead" in " ".join(course.header.summary.split())


def test_validate_coverage_prints_the_table_for_a_reviewer() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "socialsafe", "validate", "--coverage", str(bundled("quizzes"))],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Coverage of Use of Social Media Policy 1.0")
    assert lines[1].split()[:3] == ["Clause", "Strength", "Questions"]
    assert lines[-1].startswith("Answer cues: ")
    assert [line.split()[0] for line in lines[2:-2]] == [
        c.id for c in load_pack(bundled("quizzes") / "leaf-social-media").header.clauses
    ]
    assert "fewer than" not in result.stdout


def test_a_test_wise_guess_does_not_pass_the_course(course: Pack) -> None:
    """True/false balanced, the right option not given away by its length (#15): validate holds every pack to it."""
    found = cues(course)
    assert 0.35 <= found.true_answers / found.true_false <= 0.65
    assert found.right_longest / found.single_choices <= 0.40
    assert found.problems() == []


def test_a_clause_of_several_lines_stays_whole_inside_its_quote(course: Pack, qapp: object) -> None:
    """AIMS-1 quotes the policy's list: every line shows as part of the clause, on the module page and in feedback."""
    from PySide6.QtGui import QTextDocument, QTextFormat

    from socialsafe.ui.module_page import module_markdown
    from socialsafe.ui.quiz_page import clause_html

    aims = course.clause("AIMS-1")
    lines = aims.text.splitlines()
    assert len(lines) == 4
    document = QTextDocument()
    document.setMarkdown(module_markdown(course, course.module("who-and-what")))
    quoted, block = [], document.begin()
    while block.isValid():
        if block.blockFormat().intProperty(QTextFormat.Property.BlockQuoteLevel) > 0:
            quoted.append(block.text().strip("“”"))  # the clause in quotation marks, its first and last line
        block = block.next()
    for line in lines[1:]:
        assert line.removeprefix("- ") in quoted
    html = clause_html([aims])
    assert all(line in html for line in lines)
    assert html.count("<br>") == 4  # the list's three breaks, and the one before the section quoted from
    assert f"— {aims.section}" in html
