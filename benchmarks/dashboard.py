"""Benchmark: the office console's table of everyone with 5,000 people, against a QStandardItemModel.

Run from the repository root (no display needed)::

    .venv/bin/python benchmarks/dashboard.py [--people 5000] [--repeat 5] [--markdown FILE]

It makes ``--people`` synthetic people (records as other PCs publish them, on
the bundled course, spread over 12 schools, every role and every status), works
out their statuses and table lines as the office console's background load
does, then times on a 1024×600 table, in the same run and on the same rows:

ours
    :class:`PeopleModel` (a thin QAbstractTableModel over precomputed lines) in
    :class:`PeopleFilter` (a QSortFilterProxyModel filtering in
    ``filterAcceptsRow``; a heading click sorts the model by its precomputed keys).
proxy sort
    the same model in a plain QSortFilterProxyModel sorting itself by calling
    ``data()`` for every comparison: what the console does not do, and why.
baseline
    a QStandardItemModel holding the same cell texts in a QSortFilterProxyModel:
    all in C++, the fastest a Qt table gets.

Each step is timed ``--repeat`` times (best and median, in milliseconds):
model reset (new rows, as after a load), a filter change (one school, then
all again), a search (three letters), a sort (a click on the Status heading,
then on Name) and a full scroll from the top to the bottom, a page at a time,
each page painted at once (``viewport().repaint()``), with its worst page.
A frame at 60 Hz is 16.7 ms. It is not a test: it exits 0.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QApplication, QTableView

from socialsafe.content.loader import Content, load_all
from socialsafe.content.model import Role
from socialsafe.i18n import set_locale
from socialsafe.insight import summarise
from socialsafe.reports import PersonRecords
from socialsafe.resources import bundled
from socialsafe.sync import records as rec
from socialsafe.ui.admin.dashboard import setup_table
from socialsafe.ui.admin.models import PeopleColumn, PeopleFilter, PeopleModel, PersonLine, person_line
from socialsafe.ui.style import apply_style

FIRST = ["Amina", "Ben", "Cara", "Dev", "Eve", "Fay", "Gus", "Hana", "Ian", "Jo", "Kofi", "Lena", "Ánna", "Zoë"]
LAST = ["Okafor", "Carter", "Diaz", "Patel", "Long", "Green", "Nowak", "Singh", "Evans", "Murphy", "O'Brien"]
SCHOOLS = [f"{name} Primary School" for name in ("Oak Hill", "Riverside", "St Mary's", "Elm Grove", "Castle")] + [
    f"{name} Academy" for name in ("Northgate", "Westfield", "Brook", "Hillcrest", "Meadow", "Parkside", "Vale")
]
FRAME_MS = 1000 / 60


def people(count: int, content: Content, seed: int = 7) -> list[PersonRecords]:
    """``count`` people as records from other PCs: every status, role and school."""
    rng = random.Random(seed)
    pack = content.current[0]
    modules = [m for m in pack.modules if m.questions]
    now = dt.datetime.now(dt.UTC)
    devices = [str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(40)]
    out = []
    for number in range(count):
        device = rng.choice(devices)
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {number}"
        role = rng.choice(list(Role))
        learner = rec.LearnerRec(
            str(uuid.UUID(int=rng.getrandbits(128))),
            device,
            name,
            f"person{number}@example.org",
            str(role),
            rng.choice(SCHOOLS),
            now - dt.timedelta(days=500),
        )
        person = PersonRecords(learners=[learner])
        kind = rng.randrange(5)  # not started, in progress, complete, due soon, expired
        days = {2: 30, 3: 350, 4: 420}.get(kind, 5)
        done = now - dt.timedelta(days=days)
        for index, module in enumerate(m for m in modules if m.applies_to(role)):
            if kind == 0 or (kind == 1 and index > 1):
                break
            person.attempts.append(
                rec.AttemptRec(
                    str(uuid.UUID(int=rng.getrandbits(128))),
                    device,
                    learner.id,
                    pack.id,
                    pack.version,
                    pack.policy.version,
                    module.id,
                    done - dt.timedelta(minutes=5),
                    done,
                    4,
                    5,
                    module.pass_mark,
                    True,
                    "quiz",
                    None,
                )
            )
        if kind >= 2:
            person.signoffs.append(
                rec.AckRec(
                    str(uuid.UUID(int=rng.getrandbits(128))),
                    device,
                    learner.id,
                    pack.policy.id,
                    pack.policy.version,
                    done + dt.timedelta(minutes=1),
                )
            )
        out.append(person)
    return out


def standard_model(lines: list[PersonLine]) -> QStandardItemModel:
    """The same cell texts in a QStandardItemModel, set cell by cell with ``setData``.

    (Not ``setItem``/``appendRow`` with QStandardItem objects: with PySide6 6.12 a
    few hundred thousand of those calls end the process with "deallocating None".)
    """
    model = QStandardItemModel(len(lines), len(PeopleColumn))
    for row, line in enumerate(lines):
        for column, text in enumerate(line.cells):
            model.setData(model.index(row, column), text)
    return model


def timed(step: Callable[[], object], app: QApplication, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        app.processEvents()
        start = time.perf_counter()
        step()
        app.processEvents()
        times.append((time.perf_counter() - start) * 1000)
    return times


def scroll(view: QTableView) -> tuple[float, float, int]:
    """Scroll from top to bottom a page at a time, painting each page: (total ms, worst page ms, pages)."""
    bar = view.verticalScrollBar()
    bar.setValue(0)
    view.viewport().repaint()
    worst, pages = 0.0, 0
    start = time.perf_counter()
    while True:
        begin = time.perf_counter()
        bar.setValue(bar.value() + bar.pageStep())
        view.viewport().repaint()
        worst = max(worst, (time.perf_counter() - begin) * 1000)
        pages += 1
        if bar.value() >= bar.maximum():
            break
    return (time.perf_counter() - start) * 1000, worst, pages


def wheel(view: QTableView, app: QApplication, steps: int = 300) -> tuple[float, float, int]:
    """Scroll as a mouse wheel does, three rows a step, letting Qt paint only what each step uncovers."""
    bar = view.verticalScrollBar()
    bar.setValue(0)
    app.processEvents()
    worst = 0.0
    start = time.perf_counter()
    for _ in range(steps):
        begin = time.perf_counter()
        bar.setValue(bar.value() + 3)
        app.processEvents()
        worst = max(worst, (time.perf_counter() - begin) * 1000)
    return (time.perf_counter() - start) * 1000, worst, steps


def table(model: object) -> QTableView:
    view = QTableView()
    view.setModel(model)  # type: ignore[arg-type]
    setup_table(view, "benchmark", "")
    view.resize(1024, 600)
    view.show()
    return view


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--markdown", type=Path, help="also write the figures to this Markdown file")
    args = parser.parse_args(argv)

    set_locale("en_GB")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    apply_style(app)
    content = load_all([bundled("quizzes")])
    today = dt.date.today()

    start = time.perf_counter()
    everyone = people(args.people, content)
    made = time.perf_counter()
    summaries = summarise(everyone, content, today)
    statuses = time.perf_counter()
    lines = [person_line(s) for s in summaries]
    prepared = time.perf_counter()
    background = {
        "make records": (made - start) * 1000,
        "statuses (summarise)": (statuses - made) * 1000,
        "table lines (person_line)": (prepared - statuses) * 1000,
    }

    model = PeopleModel()
    ours = PeopleFilter()
    ours.setSourceModel(model)
    model.set_lines(lines)
    ours_view = table(ours)
    ours_view.horizontalHeader().setSortIndicator(PeopleColumn.NAME, Qt.SortOrder.AscendingOrder)
    ours_view.setSortingEnabled(True)

    plain = QSortFilterProxyModel()
    plain_model = PeopleModel()
    plain_model.set_lines(lines)
    plain.setSourceModel(plain_model)
    plain_view = table(plain)

    standard = standard_model(lines)
    baseline = QSortFilterProxyModel()
    baseline.setSourceModel(standard)
    baseline_view = table(baseline)
    app.processEvents()

    school = SCHOOLS[3]
    results: dict[str, dict[str, list[float]]] = {"ours": {}, "proxy sort": {}, "baseline": {}}

    def reset_standard() -> None:
        fresh = standard_model(lines)
        baseline.setSourceModel(fresh)
        nonlocal standard
        standard = fresh

    results["ours"]["model reset"] = timed(lambda: model.set_lines(lines), app, args.repeat)
    results["baseline"]["model reset"] = timed(reset_standard, app, args.repeat)

    def ours_filter() -> None:
        ours.set_school(school)
        ours.set_school(None)

    def baseline_filter() -> None:
        baseline.setFilterKeyColumn(PeopleColumn.SCHOOL)
        baseline.setFilterFixedString(school)
        baseline.setFilterFixedString("")

    results["ours"]["filter (one school, then all)"] = timed(ours_filter, app, args.repeat)
    results["baseline"]["filter (one school, then all)"] = timed(baseline_filter, app, args.repeat)

    def ours_search() -> None:
        ours.set_search("ann")
        ours.set_search("")

    def baseline_search() -> None:
        baseline.setFilterKeyColumn(-1)
        baseline.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        baseline.setFilterFixedString("ann")
        baseline.setFilterFixedString("")

    results["ours"]["search (3 letters, then none)"] = timed(ours_search, app, args.repeat)
    results["baseline"]["search (3 letters, then none)"] = timed(baseline_search, app, args.repeat)

    header = ours_view.horizontalHeader()

    def ours_sort() -> None:
        header.setSortIndicator(PeopleColumn.STATUS, Qt.SortOrder.AscendingOrder)
        header.setSortIndicator(PeopleColumn.NAME, Qt.SortOrder.AscendingOrder)

    def plain_sort() -> None:
        plain.sort(PeopleColumn.STATUS)
        plain.sort(PeopleColumn.NAME)

    def baseline_sort() -> None:
        baseline.sort(PeopleColumn.STATUS)
        baseline.sort(PeopleColumn.NAME)

    results["ours"]["sort (Status, then Name)"] = timed(ours_sort, app, args.repeat)
    results["proxy sort"]["sort (Status, then Name)"] = timed(plain_sort, app, args.repeat)
    results["baseline"]["sort (Status, then Name)"] = timed(baseline_sort, app, args.repeat)

    scrolls: dict[str, tuple[float, float, int]] = {}
    for name, view in (("ours", ours_view), ("baseline", baseline_view)):
        runs = [scroll(view) for _ in range(args.repeat)]
        scrolls[name] = min(runs)
        results[name]["full scroll, painted"] = [r[0] for r in runs]
        results[name]["worst page of the scroll"] = [r[1] for r in runs]
        steps = [wheel(view, app) for _ in range(args.repeat)]
        results[name]["wheel scroll, 300 steps of 3 rows"] = [r[0] for r in steps]
        results[name]["worst wheel step"] = [r[1] for r in steps]

    report = render(args, background, results, scrolls)
    print(report)
    if args.markdown:
        args.markdown.write_text(report, encoding="utf-8")
    for view in (ours_view, plain_view, baseline_view):
        view.close()
    return 0


def render(
    args: argparse.Namespace,
    background: dict[str, float],
    results: dict[str, dict[str, list[float]]],
    scrolls: dict[str, tuple[float, float, int]],
) -> str:
    def cell(values: list[float] | None) -> str:
        if not values:
            return "—"
        return f"{min(values):.1f} / {statistics.median(values):.1f}"

    steps = list(results["baseline"])
    out = [
        f"{args.people} people; best / median of {args.repeat} runs, in ms; a 60 Hz frame is {FRAME_MS:.1f} ms.",
        f"Python {platform.python_version()}, PySide6 {pyside_version}, {platform.machine()}, "
        f"{os.cpu_count()} CPUs, QT_QPA_PLATFORM={os.environ.get('QT_QPA_PLATFORM')}.",
        "",
        "Off the GUI thread (once per load):",
        "",
        "| step | ms |",
        "| --- | ---: |",
        *(f"| {name} | {value:.0f} |" for name, value in background.items()),
        "",
        "On the GUI thread:",
        "",
        "| step | ours | proxy sort | baseline (QStandardItemModel) |",
        "| --- | ---: | ---: | ---: |",
        *(
            f"| {step} | {cell(results['ours'].get(step))} | {cell(results['proxy sort'].get(step))} "
            f"| {cell(results['baseline'].get(step))} |"
            for step in steps
        ),
        "",
        f"The full scroll paints {scrolls['ours'][2]} pages (ours) and {scrolls['baseline'][2]} (baseline).",
    ]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.exit(main())
