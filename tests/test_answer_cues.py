"""A test-wise guess must not pass: true/false answers balanced, the right option not given away by its length (#15)."""

from __future__ import annotations

from pathlib import Path

from helpers_packs import MINI, copy_pack, validate_process
from socialsafe.content.coverage import Cues, coverage_report, cues
from socialsafe.content.loader import load_pack
from socialsafe.resources import bundled


def test_cues_count_true_answers_and_right_options_that_are_strictly_the_longest() -> None:
    found = cues(load_pack(MINI))
    pack = load_pack(MINI)
    true_false = [q for m in pack.modules for q in m.questions if q.type == "true_false"]
    assert (found.true_answers, found.true_false) == (sum(q.answer is True for q in true_false), len(true_false))
    assert 0 <= found.right_longest <= found.single_choices


def test_a_pack_that_always_answers_false_or_makes_the_right_option_longest_is_told_so() -> None:
    assert Cues(true_answers=2, true_false=21, right_longest=72, single_choices=83).problems() == [
        "2 of 21 true/false answers are true (10%): keep it between 35% and 65%, so that always answering one "
        "way does not pass",
        "the right option is the longest in 72 of 83 single-answer choices (87%): at most 40%, so that picking "
        "the longest does not pass; make the other options as long",
    ]
    assert Cues(true_answers=8, true_false=21, right_longest=33, single_choices=83).problems() == []
    assert Cues(true_answers=14, true_false=21, right_longest=34, single_choices=83).problems() != []


def test_a_small_pack_is_not_judged_on_a_handful_of_questions() -> None:
    assert Cues(true_answers=0, true_false=3, right_longest=4, single_choices=4).problems() == []


def test_the_coverage_report_gives_the_cue_figures(tmp_path: Path) -> None:
    pack = load_pack(MINI)
    found = cues(pack)
    assert (
        f"{found.true_answers} of {found.true_false} true/false answers are true; the right option is the longest "
        f"in {found.right_longest} of {found.single_choices} single-answer choices."
    ) in coverage_report(pack)


def test_validate_refuses_a_pack_a_test_wise_guess_would_pass(tmp_path: Path) -> None:
    pack = copy_pack(tmp_path / "cued", bundled("quizzes") / "leaf-social-media")
    for module in (pack / "modules").glob("*.toml"):
        module.write_text(module.read_text("utf-8").replace("answer = true", "answer = false"), "utf-8")

    result = validate_process(tmp_path, str(pack))

    assert result.returncode == 1
    assert "0 of 21 true/false answers are true (0%)" in result.stdout
