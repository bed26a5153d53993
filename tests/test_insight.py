"""The office console's counting, without Qt: people by status and group, question insight, certificates."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
from dataclasses import dataclass

import pytest

from socialsafe.content.loader import Content
from socialsafe.content.model import Pack
from socialsafe.domain.people import person_identity
from socialsafe.domain.status import Status
from socialsafe.insight import (
    STATUS_ORDER,
    QuestionCount,
    count_answers,
    count_by_status,
    counts_by,
    devices_of,
    insight_csv,
    insight_rows,
    last_activity,
    right_options_of,
    short_device,
    summarise,
)
from socialsafe.reports import people_of_store
from socialsafe.storage.store import Store
from socialsafe.training import certificate_for, certificate_of_person

NOW = dt.datetime.now(dt.UTC)


@dataclass
class A:
    """An answer row as the database keeps it."""

    question_id: str
    choice: list[str]
    correct: bool
    step_id: str = ""
    attempt_id: str = "x"

    def __post_init__(self) -> None:
        self.choice = json.dumps(self.choice)  # type: ignore[assignment]


@pytest.fixture
def content(mini_pack: Pack) -> Content:
    return Content(packs=[mini_pack])


def complete(store: Store, pack: Pack, name: str, school: str, role: str = "teacher", days_ago: int = 10) -> None:
    learner = store.add_learner(name, role, school)
    then = NOW - dt.timedelta(days=days_ago)
    for module in pack.modules:
        if module.applies_to(role):
            store.record_manual(learner.id, pack, module, 2, 2, then)
    store.acknowledge(learner.id, pack, name, at=then, source="manual")


def test_summaries_count_every_status_and_group_by_school_and_role(
    store: Store, mini_pack: Pack, content: Content
) -> None:
    complete(store, mini_pack, "Amina Okafor", "Oak Primary")
    complete(store, mini_pack, "Ben Carter", "Oak Primary", role="support_staff", days_ago=345)  # due soon
    complete(store, mini_pack, "Cara Diaz", "Riverside", days_ago=400)  # expired
    store.add_learner("Eve Long", "volunteer", "Riverside")  # not started

    summaries = summarise(people_of_store(store), content, dt.date.today())

    assert [s.name for s in summaries] == ["Amina Okafor", "Ben Carter", "Cara Diaz", "Eve Long"]
    assert [s.status for s in summaries] == [Status.COMPLETE, Status.DUE_SOON, Status.EXPIRED, Status.NOT_STARTED]
    counts = count_by_status(summaries)
    assert list(counts) == list(STATUS_ORDER)
    assert counts[Status.COMPLETE] == counts[Status.DUE_SOON] == counts[Status.EXPIRED] == 1
    assert counts[Status.IN_PROGRESS] == counts[Status.EXEMPT] == 0
    by_school = counts_by(summaries, lambda s: s.school)
    assert [(g.group, g.total, g.trained, g.trained_percent) for g in by_school] == [
        ("Oak Primary", 2, 2, 100),
        ("Riverside", 2, 0, 0),
    ]
    by_role = {g.group: g.counts for g in counts_by(summaries, lambda s: s.role)}
    assert by_role["teacher"][Status.EXPIRED] == 1
    assert summaries[0].expires_on is not None
    assert summaries[0].completed_on == (NOW - dt.timedelta(days=10)).astimezone().date()
    assert summaries[3].last_activity is None
    assert summaries[3].expires_on is None
    assert summaries[0].last_activity == (NOW - dt.timedelta(days=10)).astimezone().date()
    assert summaries[0].devices == (store.device_id,)
    assert short_device(store.device_id) == store.device_id[:8]


def test_no_packs_means_no_rows(store: Store) -> None:
    store.add_learner("Eve Long", "volunteer", "Riverside")
    assert summarise(people_of_store(store), Content(), dt.date.today()) == []


def test_last_activity_and_devices_read_every_record(store: Store, mini_pack: Pack) -> None:
    learner = store.add_learner("Amina Okafor", "teacher", "Oak Primary")
    store.record_manual(learner.id, mini_pack, mini_pack.modules[0], 1, 2, NOW - dt.timedelta(days=3))
    [person] = people_of_store(store)
    assert last_activity(person) == (NOW - dt.timedelta(days=3)).astimezone().date()
    assert devices_of(person) == (store.device_id,)


def test_counting_answers_by_question_people_and_wrong_options() -> None:
    answers = [
        ("amina", A("fr-1", ["a"], True)),
        ("ben", A("fr-1", ["b"], False)),
        ("ben", A("fr-1", ["b"], False, attempt_id="y")),  # the same person again, another attempt
        ("cara", A("fr-1", ["b"], False)),
        ("cara", A("fr-3", ["reply"], False, step_id="s1")),
        ("cara", A("fr-3", ["dsl"], True, step_id="s2")),
        # A multiple answer, wrong: the right option ticked with it is not a wrong option.
        ("dev", A("ph-1", ["a", "c"], False)),
        ("dev", A("ph-1", ["a"], False, attempt_id="y")),  # one right option missed: no wrong option chosen
        ("eve", A("odd", ["z"], False)),  # a question the packs no longer have
        ("eve", A("bad", "not json", False)),  # type: ignore[arg-type]
    ]
    right = {("fr-1", ""): {"a"}, ("ph-1", ""): {"a", "b"}, ("fr-3", "s1"): {"decline"}}
    counts = {(c.question_id, c.step_id): c for c in count_answers(answers, right)}

    fr1 = counts[("fr-1", "")]
    assert (fr1.people, fr1.answers, fr1.wrong, fr1.wrong_percent) == (3, 4, 3, 75)
    assert fr1.wrong_choices == (("b", 3),)
    assert counts[("fr-3", "s1")].wrong_choices == (("reply", 1),)
    assert counts[("fr-3", "s2")].wrong == 0
    ph1 = counts[("ph-1", "")]
    assert (ph1.people, ph1.answers, ph1.wrong, ph1.wrong_choices) == (1, 2, 2, (("c", 1),))
    assert counts[("odd", "")].wrong_choices == (("z", 1),)  # not known: every option chosen counts
    assert counts[("bad", "")].wrong_choices == ()
    assert QuestionCount("q", "", 0, 0, 0, ()).wrong_percent == 0


def test_right_options_come_from_every_kind_of_question(mini_pack: Pack) -> None:
    right = right_options_of([mini_pack])
    assert right[("fr-1", "")] == {"a"}
    assert right[("fr-2", "")] == {"false"}
    assert right[("fr-3", "s1")] == {"decline"}
    assert right[("fr-3", "s2")] == {"dsl"}
    assert right[("ph-1", "")] == {"a", "b"}


def test_insight_rows_name_the_question_its_clauses_and_the_wrong_answers_in_words(mini_pack: Pack) -> None:
    counts = count_answers(
        [
            ("ben", A("fr-1", ["b"], False)),
            ("cara", A("fr-2", ["true"], False)),
            ("cara", A("fr-3", ["reply"], False, step_id="s1")),
            ("eve", A("gone", ["z"], False)),
        ],
        right_options_of([mini_pack]),
    )
    rows = insight_rows(counts, [mini_pack])
    by_key = {(r.question_id, r.step_id): r for r in rows}
    # Every question and scenario step of the pack, answered or not, in pack order; the unknown one last.
    assert [k for k in by_key][:6] == [
        ("fr-1", ""),
        ("fr-2", ""),
        ("fr-3", "s1"),
        ("fr-3", "s2"),
        ("ph-1", ""),
        ("ph-2", ""),
    ]
    assert rows[-1].question_id == "gone"
    assert rows[-1].question == "A question no longer in the course"
    fr1 = by_key[("fr-1", "")]
    assert fr1.module_title == "Friend requests from pupils"
    assert fr1.question == "A Year 5 pupil sends you a friend request. What do you do?"
    assert fr1.clause_ids == "USE-3"
    assert (fr1.people_answered, fr1.answers, fr1.wrong_answers, fr1.wrong_percent) == (1, 1, 1, 100)
    assert fr1.most_chosen_wrong == "Ignore it. (1)"
    assert by_key[("fr-2", "")].most_chosen_wrong == "True (1)"
    step = by_key[("fr-3", "s1")]
    assert step.question == "A pupil messages you inside an online game you both play. — What do you do first?"
    assert step.most_chosen_wrong == "Reply briefly so they do not feel ignored. (1)"
    assert by_key[("ph-2", "")].people_answered == 0
    assert by_key[("ph-2", "")].most_chosen_wrong == ""


def test_insight_csv_is_written_like_the_reports(mini_pack: Pack) -> None:
    counts = count_answers([("ben", A("fr-1", ["b"], False))], right_options_of([mini_pack]))
    data = insight_csv(insight_rows(counts, [mini_pack]))
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0]["question_id"] == "fr-1"
    assert rows[0]["people_answered"] == "1"
    assert rows[0]["most_chosen_wrong"] == "Ignore it. (1)"
    assert len(rows) == 6


def test_a_certificate_from_merged_records_matches_the_one_made_on_the_learners_pc(
    store: Store, mini_pack: Pack, content: Content
) -> None:
    complete(store, mini_pack, "Amina Okafor", "Oak Primary")
    [person] = people_of_store(store)
    [learner] = store.learners()
    today = dt.date.today()
    issued = certificate_for(store, content, learner, mini_pack, today)
    assert issued is not None
    assert issued.code  # issued on the learner's PC, with its verification code
    assert certificate_of_person(person, content, mini_pack, today) == dataclasses.replace(issued, code="")
    store.add_learner("Eve Long", "volunteer", "Riverside")
    eve = next(p for p in people_of_store(store) if p.name == "Eve Long")
    assert certificate_of_person(eve, content, mini_pack, today) is None
    assert person_identity(eve.name, eve.school, eve.email) == ("name", "evelong", "riverside")
