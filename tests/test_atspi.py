"""The real app, read as assistive technology reads it on Linux: through AT-SPI (#17).

The other UI tests drive the widgets offscreen and ask Qt what it would tell a
screen reader. These run the app itself, ``python -m socialsafe``, on an X
display (Xvfb) with Qt's AT-SPI bridge on, and read it over the accessibility
bus with pyatspi, as Orca does (see :mod:`atspi_session`). One app serves the
whole module: a person goes through it by keys alone, sent through AT-SPI, and
what a screen reader finds is written down at each step (a :class:`Tour`); the
tests below check what was found.

The tour: 'Who are you?' (where Sam Lee, who has passed every module, is
listed already), add yourself, your modules, the first module read with the
arrow keys, its quiz (the first answer wrong on purpose, the others right), the
results; then switch person to Sam and sign the policy.

Without Xvfb, D-Bus, the AT-SPI bus or pyatspi the tests are skipped, saying
what is missing; under ``SOCIALSAFE_REQUIRE_ATSPI=1`` (as ``.ci/run`` sets) they
fail instead.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import traceback
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

import pytest

from atspi_session import REQUIRED, SCREEN, Node, Reader, app_on_a_screen, missing, until
from socialsafe.content.loader import load_pack
from socialsafe.content.model import Module, Option, Pack, QuestionType
from socialsafe.resources import bundled
from socialsafe.training import declaration

NAME = "Amina Okafor"
SCHOOL = "Oak Hill Primary"
SIGNER = "Sam Lee"  # has passed every module (recorded face to face before the app starts), so can sign

# Roles of things a person acts on; each must have a name.
CONTROLS = {
    "push button",
    "toggle button",
    "check box",
    "radio button",
    "text",
    "password text",
    "entry",
    "combo box",
    "list",
    "list box",
    "list item",
    "table",
    "table cell",
    "tree",
    "tree table",
    "tree item",
    "page tab",
    "page tab list",
    "slider",
    "spin button",
    "menu item",
    "link",
}
# Roles of what may take the focus to be read (a module's text, feedback).
READABLE = {"label", "text", "document text", "document web", "paragraph", "heading", "static", "image"}
Heard = list[dict[str, Any]]


@dataclass
class Tour:
    """What a screen reader found along the way."""

    screens: dict[str, list[Node]] = field(default_factory=dict)  # every object showing, by moment
    steps: list[tuple[str, Node]] = field(default_factory=list)  # where the focus was after each key
    heard: dict[str, Heard] = field(default_factory=dict)  # events heard, by moment
    texts: dict[str, Node] = field(default_factory=dict)  # what is there to read, by what it is
    module: Module | None = None  # the module taken
    wrong: Option | None = None  # the answer given wrongly
    error: str | None = None  # why the tour stopped, if it did
    app_log: str = ""

    def screen(self, moment: str) -> list[Node]:
        if moment not in self.screens:
            pytest.fail(f"the tour never reached {moment!r}:\n{self.error}")
        return self.screens[moment]

    def text(self, what: str) -> Node:
        if what not in self.texts:
            pytest.fail(f"the tour never found {what}:\n{self.error}")
        return self.texts[what]


# Reading what was found ---------------------------------------------------------------------------


def words(text: str) -> str:
    """Text as compared: Markdown's marks and list bullets gone, curly quotes straight, one space between words."""
    text = re.sub(r"[*_`]", "", text)
    text = re.sub(r"^\s*[-•]\s+", "", text, flags=re.MULTILINE)
    return " ".join(text.replace("“", '"').replace("”", '"').split())


def said(node: Node) -> str:
    """What a screen reader can get of ``node``: its name, its description and its text."""
    return " ".join(part for part in (node["name"], node["description"], node["text"] or "") if part)


def where(node: Node | None) -> str:
    return "nothing" if node is None else f"{node['role']} {node['name']!r} at {node['extents']}"


def same(a: Node | None, b: Node | None) -> bool:
    return a is not None and b is not None and (a["path"], a["name"]) == (b["path"], b["name"])


def inside(box: list[int], frame: list[int]) -> bool:
    x, y, w, h = box
    fx, fy, fw, fh = frame
    return fx <= x and fy <= y and x + w <= fx + fw and y + h <= fy + fh


def out_of_view(node: Node) -> str:
    """Why the focused ``node`` is not in view, or nothing.

    A control must be shown whole. Text to read (a module's text, the feedback) is
    read a part at a time, from its caret, and may be longer than its view: part of
    it must be shown, and its caret.
    """
    view, shown, caret = node["view"], node["in_view"], node["caret_box"]
    if shown is None:
        return "scrolled out of view"
    to_read = "Text" in node["interfaces"] and "editable" not in node["states"]
    if not to_read and shown != node["extents"]:
        return f"cut off: only {shown} is shown"
    if to_read and caret is not None and not inside(caret, view):
        return f"its caret at {caret} is out of view ({view})"
    return ""


def leaf_pack() -> Pack:
    return load_pack(bundled("quizzes") / "leaf-social-media")


def asked_in(module: Module) -> list[tuple[str, list[Option]]]:
    """Each question (and scenario step) ``module`` may ask: its prompt and its options as shown."""
    asked: list[tuple[str, list[Option]]] = []
    for question in module.questions:
        if question.type is QuestionType.SCENARIO:
            asked += [(step.prompt, list(step.options)) for step in question.steps]
        else:
            asked.append((question.prompt, question.choices()))
    return asked


def options_shown(nodes: list[Node]) -> dict[int, Node]:
    """The quiz's options on screen, by number ("Option 2: …")."""
    found = {}
    for node in nodes:
        match = re.match(r"Option (\d+): ", node["name"])
        if match and node["role"] in ("radio button", "check box"):
            found[int(match.group(1))] = node
    return found


def answer(module: Module, nodes: list[Node], right: bool) -> list[tuple[int, Option]]:
    """The options to choose, by number, to answer the question shown rightly (all the right ones) or wrongly (one)."""
    shown = {n: re.sub(r"^Option \d+: ", "", node["name"]) for n, node in options_shown(nodes).items()}
    on_screen = words(" ".join(said(node) for node in nodes))
    for prompt, options in asked_in(module):
        if sorted(shown.values()) == sorted(o.text for o in options) and words(prompt) in on_screen:
            by_text = {o.text: o for o in options}
            chosen = [(n, by_text[text]) for n, text in sorted(shown.items()) if by_text[text].correct == right]
            return chosen if right else chosen[:1]
    raise AssertionError(f"no question of {module.id} has the options {sorted(shown.values())}")


# The tour -----------------------------------------------------------------------------------------


class Walk:
    """A person at the keyboard, and what a screen reader hears as they go."""

    def __init__(self, reader: Reader, tour: Tour) -> None:
        self.reader = reader
        self.tour = tour

    def focus(self, what: str, check: Callable[[Node], bool], timeout: float = 20) -> Node:
        """Wait until the focus is on what ``check`` accepts, and settled there; the step is written down."""
        seen: list[Node | None] = [None]

        def there() -> Node | None:
            # Twice the same in the same place: the focus has settled (a page being laid out moves it about).
            before, seen[0] = seen[0], self.reader.focus()
            focus = seen[0]
            if focus is None or before is None or not check(focus):
                return None
            return focus if same(focus, before) and focus["extents"] == before["extents"] else None

        try:
            node: Node = until(what, there, timeout)
        except AssertionError as error:
            raise AssertionError(f"{error}; the focus is on {where(seen[0])}") from None
        self.tour.steps.append((what, node))
        return node

    def press(self, key: str | dict[str, Any], what: str, check: Callable[[Node], bool]) -> Node:
        self.reader.keys(key)
        return self.focus(what, check)

    def tab_to(self, what: str, check: Callable[[Node], bool]) -> Node:
        """Tab until the focus is on ``what``, each stop written down."""
        return self._go_to("Tab", what, check)

    def back_to(self, what: str, check: Callable[[Node], bool]) -> Node:
        """Shift+Tab until the focus is on ``what``, each stop written down."""
        return self._go_to({"sym": "Tab", "mods": ["shift"]}, what, check)

    def _go_to(self, key: str | dict[str, Any], what: str, check: Callable[[Node], bool], limit: int = 25) -> Node:
        for _ in range(limit):
            before = self.reader.focus()
            self.reader.keys(key)
            node = self.focus(f"the next stop on the way to {what}", lambda f, before=before: not same(f, before))
            if check(node):
                return node
        raise AssertionError(f"{limit} presses of {key} never reached {what}")

    def typed(self, text: str) -> None:
        self.reader.type(text)
        self.focus(f"{text!r} typed", lambda f: (f["text"] or "") == text)

    def look(self, moment: str) -> list[Node]:
        self.tour.screens[moment] = nodes = self.reader.screen()
        return nodes

    def listen(self, moment: str, enough: Callable[[Heard], bool], timeout: float = 10) -> None:
        """The events heard from now, kept under ``moment``, until ``enough`` of them (or the time is up)."""
        heard = self.tour.heard.setdefault(moment, [])

        def heard_enough() -> bool:
            heard.extend(self.reader.events())
            return enough(heard)

        with suppress(AssertionError):  # the test of what is said says what was missing
            until(f"what is said at {moment}", heard_enough, timeout)


def named(text: str) -> Callable[[Node], bool]:
    return lambda node: node["name"] == text


def starts(text: str) -> Callable[[Node], bool]:
    return lambda node: node["name"].startswith(text)


def off_the_options(node: Node) -> bool:
    return node["role"] not in ("radio button", "check box") and node["name"] != "Check my answer"


def states_of_option(reader: Reader, number: int) -> list[str]:
    option = options_shown(reader.screen()).get(number)
    return option["states"] if option is not None else []


def announced(text: str) -> Callable[[Heard], bool]:
    return lambda heard: any(e["type"] == "object:announcement" and text in str(e["data"]) for e in heard)


def walk_through(walk: Walk, pack: Pack) -> None:
    reader, tour = walk.reader, walk.tour
    walk.focus("'Who are you?' on opening", lambda node: True, timeout=60)
    walk.look("who")
    walk.tab_to("I'm new: add me", named("I'm new: add me"))
    walk.press("space", "the name to type", lambda n: n["role"] == "text" and n["name"] == "Your name")
    walk.look("add yourself")
    walk.typed(NAME)
    walk.press("Tab", "the role", lambda n: n["role"] == "combo box")
    walk.press("Down", "the role, chosen with an arrow key", lambda n: n["role"] == "combo box")
    walk.press("Tab", "the school", lambda n: n["role"] == "text" and "school" in n["name"].casefold())
    walk.typed(SCHOOL)
    walk.tab_to("Save and start your training", starts("Save"))
    start = walk.press("space", "the first module's Start button", starts("Start: "))
    walk.look("home")

    title = start["name"].removeprefix("Start: ")
    module = tour.module = next(m for m in pack.modules if m.title == title)
    walk.press("space", "Start the quiz", named("Start the quiz"))
    walk.look("module")
    opening = words(module.intro)[:60]
    text = tour.texts["module"] = walk.back_to("the module's text", lambda n: opening in words(said(n)))
    for key in ("Down", "Page_Down", "End"):  # reading with the keys keeps the keyboard in the text
        walk.press(key, "the module's text, read on", lambda n: same(n, text))
    walk.tab_to("Start the quiz", named("Start the quiz"))

    walk.press("space", "the first option of the first question", starts("Option 1: "))
    wrong = True  # the first answer wrong on purpose, to hear what is said then
    while True:
        nodes = reader.screen()
        tour.screens.setdefault("quiz", nodes)
        chosen = answer(module, nodes, right=not wrong)
        for number, _option in chosen:  # the number keys choose
            reader.keys(str(number))
            until(f"option {number} chosen", lambda n=number: "checked" in states_of_option(reader, n))
        reader.events()  # what was said before this answer does not count
        walk.press("Return", "the feedback, or the button that goes on", off_the_options)
        if wrong:
            [(_number, tour.wrong)] = chosen
            walk.listen("a wrong answer", announced("Not quite"))
            nodes = walk.look("feedback")
            holding = [n for n in nodes if "Not quite" in said(n) and n["role"] != "push button"]
            tour.texts["feedback"] = max(holding, key=lambda n: len(said(n)))  # the feedback, not just its verdict
            wrong = False
        else:
            nodes = reader.screen()
        if any(n["name"] == "See my results" for n in nodes if n["role"] == "push button"):
            break
        walk.press("Return", "the first option of the next question", starts("Option 1: "))
    reader.events()
    walk.press("Return", "the results' first button", lambda n: n["role"] == "push button")
    walk.listen("the results", announced("You scored"))
    walk.look("results")

    switch = {"sym": "s", "mods": ["ctrl", "shift"]}
    name = walk.press(switch, "'Who are you?' again", lambda n: n["role"] in ("list", "list item"))
    for _ in range(3):  # the arrow keys go down the names
        if name["name"].startswith(SIGNER):
            break
        name = walk.press("Down", "the next name", lambda n, name=name: n["role"] == "list item" and not same(n, name))
    walk.tab_to("Continue as the selected person", starts("Continue"))
    walk.press("space", f"{SIGNER}'s modules", lambda n: True)
    walk.tab_to("Sign the policy", lambda n: n["role"] == "push button" and n["name"] == "Sign the policy")
    field = walk.press("space", "the name to sign with", lambda n: n["role"] == "text")
    walk.look("sign-off")
    walk.typed(SIGNER)
    sign = walk.tab_to("the Sign button", lambda n: n["role"] == "push button" and n["name"].startswith("Sign"))
    reader.events()  # what was said before signing does not count
    walk.press("space", "where signing takes the keyboard", lambda n: not same(n, sign) and not same(n, field))
    walk.listen("signing", announced("Signed on"))
    walk.look("signed")


@pytest.fixture(scope="module")
def tour(tmp_path_factory: pytest.TempPathFactory) -> Tour:
    """The tour, taken once for every test here, with the app and everything under it stopped afterwards."""
    reason = missing()
    if reason is not None:
        if REQUIRED:
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    work = tmp_path_factory.mktemp("atspi")
    data = work / "data"
    env = {
        "SOCIALSAFE_LANG": "en_GB",
        "SOCIALSAFE_SITE_CONFIG": str(work / "no-site-config.toml"),
        "XDG_STATE_HOME": str(work / "state"),
    }
    record = ["--name", SIGNER, "--school", SCHOOL, "--role", "teacher", "--module", "all"]
    subprocess.run(
        [
            sys.executable,
            "-m",
            "socialsafe",
            "--data-dir",
            str(data),
            "record",
            *record,
            "--score",
            "10",
            "--max-score",
            "10",
        ],
        env={**{k: v for k, v in os.environ.items() if not k.startswith("SOCIALSAFE_")}, **env},
        check=True,
        capture_output=True,
        timeout=120,
    )
    tour = Tour()
    with app_on_a_screen(work, ["--data-dir", str(data)], env) as reader:
        try:
            walk_through(Walk(reader, tour), leaf_pack())
        except Exception:
            tour.error = traceback.format_exc()
    log = work / "logs" / "app.log"
    tour.app_log = log.read_text(errors="replace")[-2000:] if log.exists() else ""
    return tour


# The tests ----------------------------------------------------------------------------------------


def test_a_module_from_start_to_results_by_keyboard_alone(tour: Tour) -> None:
    """Keys only, sent through AT-SPI; after each the focus is on something shown, named and on the screen."""
    assert tour.error is None, f"the tour by keyboard stopped:\n{tour.error}\nthe app's log:\n{tour.app_log}"
    assert "signed" in tour.screens
    problems = []
    for what, node in tour.steps:
        if not {"showing", "visible", "focused"} <= set(node["states"]):
            problems.append(f"{what}: {where(node)} is not shown with the focus ({node['states']})")
        if not node["name"].strip():
            problems.append(f"{what}: {where(node)} has no name")
        if node["extents"][2] <= 0 or node["extents"][3] <= 0:
            problems.append(f"{what}: {where(node)} has no size")
    assert not problems, "\n".join(problems)


def test_the_focus_is_in_view_at_every_step(tour: Tour) -> None:
    """Whole, where its window shows it: not scrolled away, not cut off by the page that holds it (WCAG 2.4.11)."""
    assert tour.steps
    hidden = [f"{what}: {where(node)}, {why}" for what, node in tour.steps if (why := out_of_view(node))]
    assert not hidden, "the focus is out of view:\n" + "\n".join(hidden)


def test_the_focus_is_on_a_1024_by_600_screen_at_every_step(tour: Tour) -> None:
    """What the window shows of the focus is on the screen: the window fits a small laptop's screen."""
    assert tour.steps
    width, height = SCREEN
    off = [
        f"{what}: {where(node)}"
        for what, node in tour.steps
        if node["in_view"] is not None and not inside(node["in_view"], [0, 0, width, height])
    ]
    assert not off, "the focus is off the screen:\n" + "\n".join(off)


@pytest.mark.parametrize(
    "moment", ["who", "add yourself", "home", "module", "quiz", "feedback", "results", "sign-off", "signed"]
)
def test_every_control_has_a_name_and_a_role(tour: Tour, moment: str) -> None:
    """Everything a person acts on, or that takes the focus, says what it is and what it is called."""
    problems = []
    for node in tour.screen(moment):
        if node["role"] not in CONTROLS and "focusable" not in node["states"]:
            continue
        if node["role"] not in CONTROLS | READABLE:
            problems.append(f"{where(node)} takes the focus, but its role says nothing")
        if not node["name"].strip():
            problems.append(f"{where(node)} has no name")
    assert not problems, f"at {moment}:\n" + "\n".join(problems)


def test_the_module_text_is_readable_as_text(tour: Tour) -> None:
    """Its introduction and every policy clause it quotes, word for word, through the Text interface."""
    module = tour.module
    assert module is not None
    node = tour.text("module")
    assert node["text"] is not None, f"{where(node)} has no Text interface"
    text = words(node["text"])
    missing_words = [p for p in (words(p) for p in module.intro.split("\n\n")) if p and p not in text]
    assert not missing_words, f"not in the text a screen reader reads: {missing_words}"
    pack = leaf_pack()
    for clause in module.clauses:
        assert words(pack.clause(clause).text) in text, f"clause {clause} is not in the text"


def readable(nodes: list[Node], *parts: str) -> str:
    """Why no object of ``nodes`` gives every one of ``parts`` through its Text interface, or nothing."""
    wanted = [words(part) for part in parts]
    if any(node["text"] is not None and all(w in words(node["text"]) for w in wanted) for node in nodes):
        return ""
    holding = [where(n) for n in nodes if all(w in words(said(n)) for w in wanted[:1])]
    return f"no Text interface gives {parts!r}; what holds the first of them: {holding}"


def test_the_feedback_is_readable_as_text(tour: Tour) -> None:
    """The verdict, why, and the policy's words, to read again with the arrow keys after they are said."""
    wrong = tour.wrong
    assert wrong is not None
    problem = readable(tour.screen("feedback"), "Not quite", wrong.feedback, "What the policy says")
    assert not problem, problem


def test_the_declaration_is_readable_as_text(tour: Tour) -> None:
    """The words signed, as they are shown, not only a name for them."""
    problem = readable(tour.screen("sign-off"), declaration(leaf_pack()))
    assert not problem, problem


def test_each_page_title_is_a_heading(tour: Tour) -> None:
    """A screen reader's heading keys find each page's title, at the top level (WCAG 1.3.1)."""
    module = tour.module
    assert module is not None
    titles = {
        "who": "Who are you?",
        "add yourself": "Add yourself",
        "home": f"Hello, {NAME}",
        "module": module.title,
        "quiz": module.title,  # the module's title heads its quiz too
        "feedback": module.title,
        "sign-off": "Sign the policy",
        "signed": f"Hello, {SIGNER}",
    }
    problems = []
    for moment, title in titles.items():
        headings = [n for n in tour.screen(moment) if n["role"] == "heading"]
        if not any(title in said(h) and h["attributes"].get("level") == "1" for h in headings):
            found = [(said(h), h["attributes"].get("level")) for h in headings]
            problems.append(f"{moment}: no heading {title!r} at level 1 (headings: {found})")
    assert not problems, "\n".join(problems)


def test_a_wrong_answer_is_announced_with_the_feedback_shown(tour: Tour) -> None:
    """Qt's announcement reaches AT-SPI as object:announcement, assertive, with the words of the feedback."""
    heard = tour.heard.get("a wrong answer")
    assert heard is not None, tour.error
    announcements = [e for e in heard if e["type"] == "object:announcement"]
    assert announcements, f"nothing announced after a wrong answer; heard {[e['type'] for e in heard]}"
    [text] = [str(e["data"]) for e in announcements if "Not quite" in str(e["data"])]
    assert all(e["detail1"] == 2 for e in announcements), (
        "an announcement that is not assertive"
    )  # ATSPI_LIVE_ASSERTIVE
    wrong = tour.wrong
    assert wrong is not None
    for part in (wrong.feedback, "What the policy says"):
        assert words(part) in words(text), f"{part!r} is not said"
    # What was said stays where the feedback is shown, for a screen reader that comes to it later.
    assert words(text) in words(said(tour.text("feedback")))


def test_the_result_is_announced(tour: Tour) -> None:
    heard = tour.heard.get("the results")
    assert heard is not None, tour.error
    assert announced("You scored")(heard), f"no announcement of the score; heard {heard}"


def test_signing_is_announced(tour: Tour) -> None:
    heard = tour.heard.get("signing")
    assert heard is not None, tour.error
    assert announced("Signed on")(heard), f"signing was not confirmed aloud; heard {heard}"


def test_checking_an_answer_moves_the_focus_once(tour: Tour) -> None:
    """From the answer straight to where the keyboard goes next: nothing else is said on the way."""
    heard = tour.heard.get("a wrong answer")
    assert heard is not None, tour.error
    stops = [e["name"] for e in heard if e["type"] == "object:state-changed:focused" and e["detail1"]]
    assert len(stops) == 1, f"the focus went to {stops}"
