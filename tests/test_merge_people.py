"""The office merges two records of one person, or corrects a name or school: every PC then shows one person."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from socialsafe.domain.people import merged_identities, person_identity


@dataclass
class L:
    id: str
    name: str
    school: str
    email: str | None = None


@dataclass
class M:
    learner_id: str
    into_id: str
    merged_at: dt.datetime


def at(minute: int) -> dt.datetime:
    return dt.datetime(2026, 11, 1, 9, minute, tzinfo=dt.UTC)


def shown(learners: list[L], merges: list[M]) -> dict[str, tuple[str, str, str | None]]:
    """Each learner record's name, school and email as the merges show it."""
    merged = merged_identities(learners, merges)
    return {x.id: merged.get(person_identity(x.name, x.school, x.email), (x.name, x.school, x.email)) for x in learners}


PRIYA_A = L("a", "Priya Patel", "Oak Primary School")
PRIYA_A2 = L("a2", "priya patel", "oak primary school")  # the same person as a, on another PC
PRIYA_B = L("b", "Priya Patel", "Oak Primary")
SIAN = L("s", "Siân O'Brien", "Ysgol Gymraeg")
SIAN_TYPO = L("t", "Sian OBrian", "Ysgol Gymraeg")


def test_a_merge_moves_the_whole_person_and_shows_the_record_kept() -> None:
    result = shown([PRIYA_A, PRIYA_A2, PRIYA_B], [M("a", "b", at(1))])
    assert result["a"] == result["a2"] == result["b"] == ("Priya Patel", "Oak Primary", None)


def test_a_merge_naming_a_record_not_known_here_waits() -> None:
    assert merged_identities([PRIYA_A], [M("a", "b", at(1))]) == {}


def test_chains_follow_through_and_a_merge_back_wins() -> None:
    people = [PRIYA_A, PRIYA_B, SIAN, SIAN_TYPO]
    chain = shown([PRIYA_A, PRIYA_B, SIAN], [M("a", "b", at(1)), M("b", "s", at(2))])
    assert chain["a"] == chain["b"] == ("Siân O'Brien", "Ysgol Gymraeg", None)
    back = shown(people, [M("t", "s", at(1)), M("s", "t", at(2))])
    assert back["s"] == back["t"] == ("Sian OBrian", "Ysgol Gymraeg", None)
    # Applied in the order made, whatever order they are read in.
    assert shown(people, [M("s", "t", at(2)), M("t", "s", at(1))]) == back


def test_merging_a_record_already_merged_moves_everyone_merged_with_it() -> None:
    c = L("c", "P. Patel", "Oak Primary")
    result = shown([PRIYA_A, PRIYA_B, c], [M("a", "b", at(1)), M("b", "c", at(2))])
    assert result["a"] == result["b"] == result["c"] == ("P. Patel", "Oak Primary", None)
    # ... and merging the first one again (it is already the same person as b) moves the whole group.
    d = L("d", "Priya Patel", "Oak Primary", "priya@oak.sch.uk")
    again = shown([PRIYA_A, PRIYA_B, c, d], [M("a", "b", at(1)), M("a", "d", at(2))])
    assert again["a"] == again["b"] == again["d"] == ("Priya Patel", "Oak Primary", "priya@oak.sch.uk")


@pytest.mark.parametrize(
    ("wrong", "right"),
    [
        (("Lukasz Wojcik", "Oak Primary"), ("Łukasz Wójcik", "Oak Primary")),
        (("Jana Novakova", "Elm"), ("Jana Nováková", "Elm Primary")),
        (("Sean OBrien", "Ash"), ("Seán O'Brien", "Ash Primary")),
        (("Ciara McNamara", "Ash"), ("Ciara MacNamara", "Ash")),
        (("محمد علي", "Oak"), ("محمد علي", "Oak Primary")),
    ],
)
def test_a_corrected_name_or_school_shows_on_every_record(wrong: tuple[str, str], right: tuple[str, str]) -> None:
    old, new = L("old", *wrong), L("new", *right)
    assert shown([old, new], [M("old", "new", at(1))])["old"] == (*right, None)
