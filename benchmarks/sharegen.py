"""A synthetic shared folder in the exact format of ``shared/contracts/share-format.md``.

A trust of schools, each with a few PCs; staff and volunteers who register on
one to three PCs, work through the course pack's modules (with retries, some
attempts left unfinished, some manual records), sign the policy off, renew a
year later with the refresher, and a few who ask for their data to be erased.
A handful of lines are broken the way real shares break them (a copy cut short,
a field missing, a wrong type), some records carry fields a newer version might
add, and the devices folder holds the litter cloud folders leave there.

Everything comes from one seeded ``random.Random``, so two runs with the same
arguments write byte-identical files. The course facts (module ids, pass marks,
questions drawn, refresher, policy and pack versions) are read from the real
pack, so the records are ones the app itself would write.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from socialsafe import __version__
from socialsafe.content.loader import Content
from socialsafe.domain.status import counted_modules
from socialsafe.sync import records as rec
from socialsafe.sync.share import DEVICES, MARKER, ROSTER, ROSTER_COLUMNS

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
TODAY = NOW.date()
# The version in force before the current pack (its pack is no longer on any PC).
OLD_POLICY_VERSION = "0.9"
OLD_PACK_VERSION = "0.9.0"
OLD_ERA_START = dt.datetime(2024, 1, 15, 8, 0, tzinfo=dt.UTC)

SCHOOLS = [
    "Ashgrove Primary School",
    "Beech Hill Academy",
    "Cedar Vale Primary",
    "Damson Lane Infant School",
    "Elmfield Junior School",
    "Foxglove Primary",
    "Gorse Common C of E Primary",
    "Hawthorn High School",
    "Ivy Bank Nursery and Infants",
    "Juniper Way Primary",
    "Larchwood Academy",
    "Maple Cross Primary",
    "Nettlebed St Mary's",
    "Oakfield Primary School",
    "Primrose Hill Junior",
    "Quince Tree Special School",
    "Rowan Park Academy",
    "Sycamore Green Primary",
    "Teasel Meadow Primary",
    "Willowbrook Sixth Form",
]
FIRST = [
    "Oliver",
    "Amelia",
    "George",
    "Isla",
    "Harry",
    "Ava",
    "Noah",
    "Mia",
    "Jack",
    "Ivy",
    "Leo",
    "Freya",
    "Arthur",
    "Grace",
    "Oscar",
    "Lily",
    "Charlie",
    "Sophia",
    "Thomas",
    "Emily",
    "James",
    "Ella",
    "William",
    "Evie",
    "Henry",
    "Poppy",
    "Zoë",
    "Siobhán",
    "Chloé",
    "Mohammed",
    "Aisha",
    "Priya",
    "Kwame",
    "Łukasz",
    "Renée",
    "José",
    "Niamh",
    "Seán",
    "Ingrid",
    "Dmitri",
    "Fatima",
    "Yusuf",
    "Ananya",
    "Chen",
    "Kofi",
    "Agnieszka",
    "Bronwen",
    "Rhys",
    "Ffion",
    "Aled",
]
LAST = [
    "Smith",
    "Jones",
    "Williams",
    "Taylor",
    "Brown",
    "Davies",
    "Evans",
    "Wilson",
    "Thomas",
    "Johnson",
    "Roberts",
    "Robinson",
    "Thompson",
    "Wright",
    "Walker",
    "White",
    "Edwards",
    "Hughes",
    "Green",
    "Hall",
    "Lewis",
    "Harris",
    "Clarke",
    "Patel",
    "Jackson",
    "Wood",
    "Turner",
    "Martin",
    "Cooper",
    "Hill",
    "Ward",
    "Morris",
    "Moore",
    "Clark",
    "Lee",
    "King",
    "Baker",
    "Harrison",
    "Morgan",
    "Allen",
    "O'Brien",
    "Khan",
    "Nowak",
    "Müller",
    "García",
    "Nguyen",
    "Okafor",
    "Kowalski",
    "Ó Súilleabháin",
    "Ahmed",
    "Begum",
    "Singh",
    "Lloyd-Hughes",
]
# (role, weight, share of people with an email address)
ROLES = [
    ("teacher", 38, 0.9),
    ("support_staff", 30, 0.8),
    ("volunteer", 10, 0.05),
    ("parent_helper", 9, 0.05),
    ("trustee", 3, 0.9),
    ("agency_worker", 5, 0.6),
    ("work_experience", 2, 0.0),
    ("other", 3, 0.5),
]
MANUAL_NOTES = ["Face-to-face session, signed register", "INSET day group session", "Paper quiz marked by DSL"]


@dataclass(frozen=True)
class Course:
    """What the records refer to, read from the real pack."""

    pack_id: str
    pack_version: str
    policy_id: str
    policy_version: str
    modules: list[tuple[str, float, int]]  # (id, pass mark, questions drawn): the counted modules
    refresher: tuple[str, float, int] | None

    @classmethod
    def of(cls, content: Content) -> Course:
        pack = content.current[0]
        counted = counted_modules(pack, "teacher")
        refresher = next((m for m in pack.modules if m.id == pack.header.pack.refresher), None)
        return cls(
            pack.id,
            pack.version,
            pack.policy.id,
            pack.policy.version,
            [(m.id, m.pass_mark, m.draw) for m in counted],
            (refresher.id, refresher.pass_mark, refresher.draw) if refresher else None,
        )


@dataclass
class Person:
    name: str
    school: int
    role: str
    email: str | None
    learners: list[rec.LearnerRec] = field(default_factory=list)
    first_at: dt.datetime = NOW
    scenario: str = ""


@dataclass
class Stats:
    people: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    scenarios: Counter[str] = field(default_factory=Counter)
    bad_lines: int = 0
    extra_fields: int = 0
    litter: int = 0
    bytes: int = 0
    devices: int = 0

    @property
    def records(self) -> int:
        return sum(self.kinds.values()) + self.bad_lines


class Generator:
    def __init__(self, course: Course, devices: int, schools: int, seed: int, finished_only: bool = False) -> None:
        self.course = course
        self.finished_only = finished_only  # every attempt finished: no abandoned or open tries
        self.rng = random.Random(seed)
        self.device_ids = [self.uuid() for _ in range(devices)]
        self.schools = [
            SCHOOLS[i % len(SCHOOLS)] + (f" ({i // len(SCHOOLS) + 1})" if i >= len(SCHOOLS) else "")
            for i in range(schools)
        ]
        # PCs are spread over the schools; a school without a PC of its own uses any.
        self.school_devices = [self.device_ids[s::schools] or self.device_ids for s in range(schools)]
        self.records: dict[str, list[rec.Record]] = {d: [] for d in self.device_ids}
        self.stats = Stats(devices=devices)

    # Small helpers -----------------------------------------------------------

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def moment(self, start: dt.datetime, end: dt.datetime) -> dt.datetime:
        span = max(0.0, (end - start).total_seconds())
        micros = self.rng.randrange(1_000_000)
        return start + dt.timedelta(seconds=int(self.rng.random() * span), microseconds=micros)

    def later(self, moment: dt.datetime, low_minutes: float, high_minutes: float) -> dt.datetime:
        return moment + dt.timedelta(minutes=self.rng.uniform(low_minutes, high_minutes))

    def add(self, record: rec.Record) -> None:
        self.records[record.device_id].append(record)

    def device_for(self, person: Person, learner: rec.LearnerRec) -> str:
        """Mostly the PC the learner record was made on; sometimes another PC that had it by sync."""
        if self.rng.random() < 0.9:
            return learner.device_id
        return self.rng.choice(self.school_devices[person.school])

    # People ------------------------------------------------------------------

    def make_people(self, count: int) -> list[Person]:
        people: list[Person] = []
        taken: set[tuple[str, int]] = set()
        roles, weights = [r[0] for r in ROLES], [r[1] for r in ROLES]
        email_share = {r[0]: r[2] for r in ROLES}
        for n in range(count):
            school = n % len(self.schools)
            while True:
                name = f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}"
                if (name.casefold(), school) in taken:
                    name = f"{self.rng.choice(FIRST)} {self.rng.choice(FIRST)} {self.rng.choice(LAST)}"
                if (name.casefold(), school) not in taken:
                    break
            taken.add((name.casefold(), school))
            role = self.rng.choices(roles, weights)[0]
            email = None
            if self.rng.random() < email_share[role]:
                local = name.lower().replace(" ", ".").replace("'", "")
                email = f"{local}.{n}@school{school + 1}.leaftrust.sch.uk"
            people.append(Person(name, school, role, email))
        return people

    def register(self, person: Person, start: dt.datetime) -> None:
        """One to three learner records, on different PCs of the person's school."""
        copies = self.rng.choices([1, 2, 3], [55, 33, 12])[0]
        pcs = self.rng.sample(self.school_devices[person.school], min(copies, len(self.school_devices[person.school])))
        moment = start
        for number, pc in enumerate(pcs):
            name, email = person.name, person.email
            if number and self.rng.random() < 0.3:
                # Typed again on another PC: the case differs, the person is the same.
                name = name.upper() if self.rng.random() < 0.2 else name.lower()
                email = email.upper() if email and self.rng.random() < 0.5 else email
            learner = rec.LearnerRec(self.uuid(), pc, name, email, person.role, self.schools[person.school], moment)
            person.learners.append(learner)
            self.add(learner)
            moment = self.moment(moment, min(NOW, moment + dt.timedelta(days=120)))
        person.first_at = start

    # Attempts and sign-offs ----------------------------------------------------

    def attempt(
        self,
        person: Person,
        module: tuple[str, float, int],
        started: dt.datetime,
        passing: bool | None,
        old: bool = False,
        unfinished: bool = False,
    ) -> rec.AttemptRec:
        module_id, pass_mark, draw = module
        learner = self.rng.choice(person.learners)
        unfinished = unfinished and not self.finished_only
        finished, score, passed = None, None, None
        source, note, max_score = "quiz", None, draw
        if not unfinished:
            if passing is None:
                passing = self.rng.random() < 0.6
            need = math.ceil(pass_mark * draw - 1e-9)  # the lowest passing score
            score = self.rng.randint(need, draw) if passing else self.rng.randint(0, need - 1)
            finished = self.later(started, 2, 25)
            passed = score / draw >= pass_mark - 1e-9
            if passing and self.rng.random() < 0.02:
                source, note, max_score = "manual", self.rng.choice(MANUAL_NOTES), 10
                score, finished, passed = self.rng.randint(8, 10), started, True
        attempt = rec.AttemptRec(
            self.uuid(),
            self.device_for(person, learner),
            learner.id,
            self.course.pack_id,
            OLD_PACK_VERSION if old else self.course.pack_version,
            OLD_POLICY_VERSION if old else self.course.policy_version,
            module_id,
            started,
            finished,
            score,
            max_score,
            pass_mark,
            passed,
            source,
            note,
        )
        self.add(attempt)
        return attempt

    def acknowledge(self, person: Person, at: dt.datetime, old: bool = False) -> None:
        learner = self.rng.choice(person.learners)
        version = OLD_POLICY_VERSION if old else self.course.policy_version
        self.add(
            rec.AckRec(self.uuid(), self.device_for(person, learner), learner.id, self.course.policy_id, version, at)
        )

    def course_run(self, person: Person, start: dt.datetime, old: bool, modules: int | None = None) -> dt.datetime:
        """Work through the modules (each until passed, or the first ``modules`` only); returns when done."""
        moment = start
        chosen = self.course.modules if modules is None else self.rng.sample(self.course.modules, modules)
        for module in chosen:
            while True:
                attempt = self.attempt(person, module, moment, None, old)
                moment = self.later(attempt.finished_at or moment, 5, 60 * 24 * 3)
                if attempt.passed:
                    break
        return moment

    def refresher_run(self, person: Person, start: dt.datetime) -> dt.datetime:
        moment = start
        if self.course.refresher is None:
            return moment
        while True:
            attempt = self.attempt(person, self.course.refresher, moment, None)
            moment = self.later(attempt.finished_at or moment, 5, 60 * 24 * 2)
            if attempt.passed:
                return moment

    def history(self, person: Person) -> None:
        """A realistic path through the training, up to NOW."""
        new_era = dt.datetime.combine(dt.date(2025, 1, 13), dt.time(8), tzinfo=dt.UTC)
        scenario = self.rng.choices(
            ["current", "veteran", "old_only", "in_progress", "registered_only"], [40, 30, 5, 22, 3]
        )[0]
        person.scenario = scenario
        if scenario in ("veteran", "old_only"):
            self.register(person, self.moment(OLD_ERA_START, new_era - dt.timedelta(days=60)))
            done = self.course_run(person, person.first_at, old=True)
            if done < new_era:
                self.acknowledge(person, self.later(done, 1, 60), old=True)
            if scenario == "old_only":
                return
            start = self.moment(new_era, NOW - dt.timedelta(days=5))
        else:
            self.register(person, self.moment(new_era, NOW - dt.timedelta(days=2)))
            start = person.first_at
        if scenario == "registered_only":
            if self.rng.random() < 0.5:
                self.attempt(
                    person, self.rng.choice(self.course.modules), self.later(start, 1, 30), None, unfinished=True
                )
            return
        if scenario == "in_progress":
            moment = self.course_run(person, start, old=False, modules=self.rng.randrange(len(self.course.modules)))
            if moment < NOW:
                self.attempt(
                    person, self.rng.choice(self.course.modules), moment, None, unfinished=self.rng.random() < 0.5
                )
            return
        done = self.course_run(person, start, old=False)
        if self.course.refresher and self.rng.random() < 0.6:
            done = self.refresher_run(person, done)
        signed = self.later(done, 1, 60 * 24 * 7)
        if signed >= NOW:
            return
        self.acknowledge(person, signed)
        # Yearly renewals: the refresher and a new sign-off, a little before the year is up.
        while True:
            renew = signed + dt.timedelta(days=self.rng.uniform(300, 400))
            if renew >= NOW or self.rng.random() < 0.25:
                return
            done = self.refresher_run(person, renew)
            signed = self.later(done, 1, 60 * 24 * 3)
            if signed >= NOW:
                return
            self.acknowledge(person, signed)

    def practice(self, person: Person, count: int) -> None:
        """Extra attempts: retakes, practice runs and abandoned tries over the person's time with the app."""
        modules = [*self.course.modules, *([self.course.refresher] if self.course.refresher else [])]
        new_era = dt.datetime.combine(dt.date(2025, 1, 13), dt.time(8), tzinfo=dt.UTC)
        for _ in range(count):
            started = self.moment(person.first_at, NOW - dt.timedelta(hours=1))
            old = started < new_era
            self.attempt(person, self.rng.choice(modules), started, None, old, unfinished=self.rng.random() < 0.05)

    def erase(self, people: list[Person], count: int) -> None:
        for person in self.rng.sample([p for p in people if p.learners], min(count, len(people))):
            learner = self.rng.choice(person.learners)
            at = self.moment(NOW - dt.timedelta(days=20), NOW - dt.timedelta(hours=1))
            self.add(rec.ErasureRec(self.uuid(), self.rng.choice(self.school_devices[person.school]), learner.id, at))

    # The whole share ---------------------------------------------------------------

    def build(self, total: int, people_count: int) -> list[Person]:
        people = self.make_people(people_count)
        for person in people:
            self.history(person)
        self.erase(people, max(3, people_count // 1000))
        bad = max(1, total // 25_000) if total >= 1000 else 0
        have = sum(len(v) for v in self.records.values())
        spare = total - bad - have
        if spare < 0:
            self.trim_attempts(-spare)
        else:
            active = [p for p in people if p.scenario != "registered_only"]
            weights = [self.rng.gammavariate(2.0, 1.0) for _ in active]
            scale = spare / sum(weights) if weights else 0
            shares = [int(w * scale) for w in weights]
            for i in self.rng.choices(range(len(active)), k=spare - sum(shares)) if active else []:
                shares[i] += 1
            for person, count in zip(active, shares, strict=True):
                self.practice(person, count)
        self.stats.people = people_count
        self.stats.bad_lines = bad
        self.stats.scenarios = Counter(p.scenario for p in people)
        return people

    def trim_attempts(self, count: int) -> None:
        """Fewer records were asked for than the histories made: drop random attempts."""
        slots = [
            (d, i) for d, items in self.records.items() for i, r in enumerate(items) if isinstance(r, rec.AttemptRec)
        ]
        drop: dict[str, set[int]] = {}
        for d, i in self.rng.sample(slots, min(count, len(slots))):
            drop.setdefault(d, set()).add(i)
        for d, gone in drop.items():
            self.records[d] = [r for i, r in enumerate(self.records[d]) if i not in gone]

    def lines(self, device: str) -> list[str]:
        out = []
        for record in self.records[device]:
            self.stats.kinds[type(record).__name__] += 1
            data = rec.to_json(record)
            if self.rng.random() < 0.01:
                data["app_build"] = "0.4.0+win64"  # a field from a newer version: readers ignore it
                self.stats.extra_fields += 1
            out.append(rec.to_line(data))
        return sorted(out)  # as engine.publish writes them

    def broken_line(self) -> str:
        """One of the ways a line goes wrong on a real share."""
        record = self.rng.choice(self.records[self.rng.choice(self.device_ids)] or [None])
        data = rec.to_json(record) if record else {"kind": "attempt"}
        match self.rng.randrange(4):
            case 0:
                data.pop("started_at", None)
                data.pop("created_at", None)
                data.pop("acknowledged_at", None)
            case 1:
                data["learner_id" if "learner_id" in data else "name"] = 12345
            case 2:
                data["kind"] = "comment"
            case _:
                return rec.to_line(data)[: self.rng.randrange(5, 40)] + "\n"
        data["id"] = self.uuid()
        return rec.to_line(data)

    def write(self, share: Path, roster: list[Person] | None = None) -> Stats:
        (share / DEVICES).mkdir(parents=True, exist_ok=True)
        (share / "reports").mkdir(exist_ok=True)
        marker = {"format": "socialsafe-share", "version": 1, "created_at": "2024-01-15T08:00:00Z"}
        (share / MARKER).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")
        broken: dict[str, list[str]] = {}
        for _ in range(self.stats.bad_lines):
            broken.setdefault(self.rng.choice(self.device_ids), []).append(self.broken_line())
        for number, device in enumerate(self.device_ids):
            school = number % len(self.schools)
            head = rec.header(
                device, f"SCHOOL{school + 1:02d}-PC-{number // len(self.schools) + 1:02d}", __version__, NOW
            )
            body = self.lines(device)
            for line in broken.get(device, []):
                body.insert(self.rng.randrange(len(body) + 1), line)
            data = (rec.to_line(head) + "".join(body)).encode("utf-8")
            (share / DEVICES / f"{device}.jsonl").write_bytes(data)
            self.stats.bytes += len(data)
        # What cloud and network folders leave beside the device files: never read, reported once.
        first = self.device_ids[0]
        litter = {
            "desktop.ini": b"[.ShellClassInfo]\r\n",
            "Thumbs.db": b"\0" * 64,
            f"{first} (conflicted copy 2026-11-20).jsonl": (share / DEVICES / f"{first}.jsonl").read_bytes()[:4096],
            f".tmp-{first}-0123456789abcdef": b'{"kind": "header"',
        }
        for name, data in litter.items():
            (share / DEVICES / name).write_bytes(data)
        self.stats.litter = len(litter) - 1  # the .tmp- file is not even reported
        if roster is not None:
            self.write_roster(share, roster)
        return self.stats

    def write_roster(self, share: Path, people: list[Person]) -> None:
        """The office's staff list: everyone, a few not yet started, a few exempt."""
        rows = [ROSTER_COLUMNS]
        for person in people:
            exempt = ("2027-03-31", "Long-term leave") if self.rng.random() < 0.01 else ("", "")
            rows.append([person.name, person.email or "", person.role, self.schools[person.school], *exempt])
        for n, person in enumerate(self.make_people(max(1, len(people) // 30))):
            rows.append([person.name + f" New{n}", "", person.role, self.schools[person.school], "", ""])
        text = "".join(",".join(_csv_cell(c) for c in row) + "\r\n" for row in rows)
        (share / ROSTER).parent.mkdir(exist_ok=True)
        (share / ROSTER).write_bytes(("\ufeff" + text).encode("utf-8"))


def _csv_cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\r\n') else text


def generate(
    share: Path,
    content: Content,
    devices: int,
    records: int,
    people: int,
    schools: int,
    seed: int,
    roster: bool,
    finished_only: bool = False,
) -> Stats:
    gen = Generator(Course.of(content), devices, schools, seed, finished_only)
    everyone = gen.build(records, people)
    return gen.write(share, everyone if roster else None)
