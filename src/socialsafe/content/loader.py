"""Finding, reading and checking quiz packs.

Every problem is reported with the file and, where it can be found, the line,
so that whoever edits a pack can go straight to it. Loading never raises for a
bad pack: it is left out and its problems are returned for the app to show.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from socialsafe.content.model import Module, ModuleKind, Pack, PackHeader, Question, Role
from socialsafe.content.problems import PackError as PackError  # re-exported: most modules import them from here
from socialsafe.content.problems import Problem as Problem
from socialsafe.content.translation import localize, read_translations
from socialsafe.files import read_whole
from socialsafe.i18n import _

M = TypeVar("M", PackHeader, Module)

PACK_FILE = "pack.toml"
MODULES_DIR = "modules"
LOCALE_DIR = "locale"  # translations of the pack's text: locale/<language>.po


@dataclass
class Content:
    """Every pack found, the problems met, and the pack in force per policy."""

    packs: list[Pack] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def warnings(self) -> list[Problem]:
        """Problems that leave nothing out: a translation, or an entry of one, that is not used (its English
        shows instead). ``socialsafe validate`` reports them with the others. Every catalog is read to find them.
        """
        return [problem for pack in self.packs for problem in pack.translation_problems]

    def localized(self, locale: str | None = None) -> Content:
        """The same packs with their text in ``locale`` (default: the one in force), English where untranslated.

        For what people read. Reports and the shared folder use the packs as loaded.
        """
        return Content([localize(p, locale) for p in self.packs], self.problems)

    @property
    def current(self) -> list[Pack]:
        """Per policy, the pack with the highest policy version (then pack version)."""
        best: dict[str, Pack] = {}
        for pack in self.packs:
            held = best.get(pack.policy.id)
            if held is None or _rank(pack) > _rank(held):
                best[pack.policy.id] = pack
        return sorted(best.values(), key=lambda p: p.policy.title)

    @property
    def primary_policy_id(self) -> str | None:
        """The policy the share's reports and exports are about when several are loaded.

        The contract's reports hold one row per person, with no policy column. Packs
        load bundled first, then extra packs, then the share's content: the last one
        loaded is what the trust chose to deploy beyond the defaults.
        """
        return self.packs[-1].policy.id if self.packs else None

    def pack(self, pack_id: str) -> Pack | None:
        ranked = sorted((p for p in self.packs if p.id == pack_id), key=_rank, reverse=True)
        return ranked[0] if ranked else None


@functools.lru_cache(maxsize=1024)
def version_key(text: str) -> tuple[int, ...]:
    """'1.10.2' sorts after '1.9'; anything not numeric sorts first."""
    parts = re.findall(r"\d+", text)
    return tuple(int(p) for p in parts)


def _rank(pack: Pack) -> tuple[tuple[int, ...], tuple[int, ...]]:
    return version_key(pack.policy.version), version_key(pack.version)


def load_all(roots: Iterable[Path]) -> Content:
    """Load every pack under the given folders; bad ones are left out, with problems."""
    content = Content()
    seen: set[Path] = set()
    for folder in _pack_folders(roots, content.problems):
        resolved = folder.resolve()
        if resolved in seen:
            continue
        seen.add(resolved)
        try:
            pack = load_pack(folder)
        except PackError as error:
            content.problems.extend(error.problems)
        else:
            content.packs.append(pack)
    return content


def _pack_folders(roots: Iterable[Path], problems: list[Problem]) -> Iterator[Path]:
    """A root is a pack folder, a folder of pack folders, or a file inside a pack."""
    for root in roots:
        if root.is_file():
            pack = _pack_of_file(root)
            if pack is None:
                problems.append(Problem(root, _("this file is not part of a quiz pack (no pack.toml beside it)")))
            else:
                yield pack
        elif (root / PACK_FILE).is_file():
            yield root
        elif root.is_dir():
            try:
                children = sorted(p for p in root.iterdir() if (p / PACK_FILE).is_file())
            except OSError as error:
                problems.append(Problem(root, _("cannot read this folder ({reason})").format(reason=error.strerror)))
                continue
            yield from children
        else:
            problems.append(Problem(root, _("no such file or folder")))


def _pack_of_file(path: Path) -> Path | None:
    for candidate in (path.parent, path.parent.parent):
        if (candidate / PACK_FILE).is_file():
            return candidate
    return None


def load_pack(folder: Path) -> Pack:
    """Read and check one pack folder; raises PackError listing every problem."""
    problems: list[Problem] = []
    header_path = folder / PACK_FILE
    header = _read_model(header_path, PackHeader, problems)
    modules: list[tuple[Path, Module, _Lines]] = []
    module_files = sorted((folder / MODULES_DIR).glob("*.toml"))
    if not module_files:
        problems.append(Problem(folder / MODULES_DIR, _("the pack has no module files (modules/*.toml)")))
    for path in module_files:
        module = _read_model(path, Module, problems)
        if module is not None:
            modules.append((path, module, _Lines.of(path)))
    if header is not None:
        problems.extend(_cross_checks(header, header_path, modules))
    if problems or header is None:
        raise PackError(problems)
    pack = Pack(header=header, modules=[m for _, m, _ in modules], source=str(folder))
    # Translations never stop a pack loading: what is wrong with one is left unused, and reported.
    read_translations(pack, folder / LOCALE_DIR)
    return pack


def _read_model(path: Path, model: type[M], problems: list[Problem]) -> M | None:
    try:
        raw = read_whole(path)
    except OSError as error:
        problems.append(Problem(path, _("cannot read the file ({reason})").format(reason=error.strerror)))
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        problems.append(Problem(path, _("the file is not UTF-8 text"), line=line))
        return None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        problems.append(_toml_problem(path, error))
        return None
    except RecursionError:  # arrays or tables nested thousands deep: no pack needs more than a few
        problems.append(Problem(path, _("the file nests arrays or tables deeper than any pack")))
        return None
    try:
        return model.model_validate(data)
    except ValidationError as error:
        lines = _Lines(text)
        problems.extend(_validation_problem(path, lines, data, e) for e in error.errors())
        return None


def _toml_problem(path: Path, error: tomllib.TOMLDecodeError) -> Problem:
    text = str(error)
    found = re.search(r"\s*\(at line (\d+), column \d+\)", text)
    if found is None:
        return Problem(path, _("not valid TOML: {reason}").format(reason=text))
    message = text[: found.start()] + text[found.end() :]
    return Problem(path, _("not valid TOML: {reason}").format(reason=message.strip()), line=int(found.group(1)))


def _validation_problem(path: Path, lines: _Lines, data: dict[str, Any], error: Any) -> Problem:
    loc: tuple[str | int, ...] = tuple(error["loc"])
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = _("unknown key (a typo?)")
    where = _describe(loc, data)
    return Problem(path, message, line=lines.find(loc), where=where or None)


def _describe(loc: tuple[str | int, ...], data: dict[str, Any]) -> str:
    """'question fr-2: options[1].feedback' from a pydantic location."""
    if len(loc) >= 2 and loc[0] == "questions" and isinstance(loc[1], int):
        questions = data.get("questions")
        qid = "#" + str(loc[1] + 1)
        if isinstance(questions, list) and loc[1] < len(questions) and isinstance(questions[loc[1]], dict):
            qid = str(questions[loc[1]].get("id", qid))
        rest = _dotted(loc[2:])
        return _("question {id}").format(id=qid) + (f": {rest}" if rest else "")
    return _dotted(loc)


def _dotted(loc: tuple[str | int, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += ("." if out else "") + part
    return out


def _cross_checks(header: PackHeader, header_path: Path, modules: list[tuple[Path, Module, _Lines]]) -> list[Problem]:
    problems: list[Problem] = []
    header_lines = _Lines.of(header_path)
    clause_ids: set[str] = set()
    for i, clause in enumerate(header.clauses):
        if clause.id in clause_ids:
            line = header_lines.find(("clauses", i, "id"))
            problems.append(
                Problem(header_path, _("clause id {id} is used twice").format(id=repr(clause.id)), line=line)
            )
        clause_ids.add(clause.id)

    def unknown(path: Path, lines: _Lines, loc: tuple[str | int, ...], ids: list[str], where: str) -> None:
        for clause_id in ids:
            if clause_id not in clause_ids:
                message = _("clause {id} is not in pack.toml").format(id=repr(clause_id))
                problems.append(Problem(path, message, line=lines.find(loc), where=where or None))

    module_ids: dict[str, Path] = {}
    question_ids: dict[str, Path] = {}
    for path, module, lines in modules:
        if module.id in module_ids:
            message = _("module id {id} is also used in {file}").format(
                id=repr(module.id), file=module_ids[module.id].name
            )
            problems.append(Problem(path, message, line=lines.find(("id",))))
        module_ids.setdefault(module.id, path)
        unknown(path, lines, ("clauses",), module.clauses, "")
        for qi, question in enumerate(module.questions):
            where = _("question {id}").format(id=question.id)
            if question.id in question_ids:
                message = _("question id {id} is used twice").format(id=repr(question.id))
                if question_ids[question.id] != path:
                    message += " " + _("(also in {file})").format(file=question_ids[question.id].name)
                problems.append(Problem(path, message, line=lines.find(("questions", qi, "id")), where=where))
            question_ids.setdefault(question.id, path)
            unknown(path, lines, ("questions", qi, "clauses"), question.clauses, where)
            problems.extend(_step_checks(path, lines, qi, question, clause_ids))
    problems.extend(_mixed_checks(modules))
    refresher = header.pack.refresher
    if refresher is not None and not any(m.id == refresher and m.kind is ModuleKind.MIXED for _, m, _ in modules):
        message = _("refresher names {id}, which is not a mixed module of this pack").format(id=repr(refresher))
        problems.append(Problem(header_path, message, line=header_lines.find(("pack", "refresher"))))
    return problems


def _mixed_checks(modules: list[tuple[Path, Module, _Lines]]) -> list[Problem]:
    """A mixed module must find enough questions for every role it serves."""
    problems = []
    for path, module, lines in modules:
        if module.kind is not ModuleKind.MIXED:
            continue
        for role in module.roles or list(Role):
            pool = sum(len(m.questions) for _, m, _ in modules if m.applies_to(role))
            if pool < module.draw:
                message = _("draw is {draw} but only {pool} questions apply to the role {role}").format(
                    draw=module.draw, pool=pool, role=role
                )
                problems.append(Problem(path, message, line=lines.find(("draw",))))
                break
    return problems


def _step_checks(path: Path, lines: _Lines, qi: int, question: Question, clause_ids: set[str]) -> list[Problem]:
    problems = []
    for si, step in enumerate(question.steps):
        for clause_id in step.clauses:
            if clause_id not in clause_ids:
                problems.append(
                    Problem(
                        path,
                        _("clause {id} is not in pack.toml").format(id=repr(clause_id)),
                        line=lines.find(("questions", qi, "steps", si, "clauses")),
                        where=_("question {id}").format(id=question.id) + f": steps[{si + 1}].clauses",
                    )
                )
    return problems


class _Lines:
    """Maps a location in the TOML data to the line that defines it.

    tomllib gives no positions, so this reads the lines for table headers and
    ``key =`` lines, counting array-of-tables entries the way TOML does. It
    skips multi-line strings. It is a guide for messages, not a parser: where
    a location is not found, the nearest enclosing one is used.
    """

    _HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\s\"]+?)\s*\]\]?\s*(#.*)?$")
    _KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+)\s*=")

    def __init__(self, text: str) -> None:
        self._where: dict[tuple[str | int, ...], int] = {}
        counters: dict[tuple[str, ...], int] = {}
        prefix: tuple[str | int, ...] = ()
        in_string: str | None = None
        for number, line in enumerate(text.splitlines(), start=1):
            if in_string is not None:
                if line.count(in_string) % 2 == 1:
                    in_string = None
                continue
            header = self._HEADER.match(line)
            if header:
                names = tuple(part.strip().strip('"') for part in header.group(2).split("."))
                if header.group(1) == "[[":
                    counters[names] = counters.get(names, -1) + 1
                    for key in [k for k in counters if len(k) > len(names) and k[: len(names)] == names]:
                        del counters[key]
                prefix = ()
                for i in range(len(names)):
                    prefix += (names[i],)
                    if names[: i + 1] in counters:
                        prefix += (counters[names[: i + 1]],)
                self._where.setdefault(prefix, number)
                continue
            assignment = self._KEY.match(line)
            if assignment:
                self._where.setdefault((*prefix, assignment.group(1)), number)
                for quote in ('"""', "'''"):
                    if line.count(quote) % 2 == 1:
                        in_string = quote

    @classmethod
    def of(cls, path: Path) -> _Lines:
        try:
            return cls(path.read_text("utf-8-sig"))
        except (OSError, UnicodeDecodeError):
            return cls("")

    def find(self, loc: tuple[str | int, ...]) -> int | None:
        for end in range(len(loc), 0, -1):
            line = self._where.get(loc[:end])
            if line is not None:
                return line
        return None
