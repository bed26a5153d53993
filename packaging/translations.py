"""The translation pipeline: source strings -> template -> catalogs -> compiled catalogs.

Run from anywhere (paths are relative to the repository)::

    .venv/bin/python packaging/translations.py extract   # source -> src/socialsafe/locale/socialsafe.pot
    .venv/bin/python packaging/translations.py update    # .pot -> every locale's socialsafe.po
    .venv/bin/python packaging/translations.py compile   # each .po -> socialsafe.mo beside it
    .venv/bin/python packaging/translations.py check     # exit 1, with a list, if anything is stale
    .venv/bin/python packaging/translations.py init fr   # start a new language (then update/compile)

``check`` fails when the template no longer matches the source, when a
catalog misses a message, has an empty or fuzzy one, or a translation whose
placeholders, HTML tags or keyboard accelerators differ from the English, when
its plural header disagrees with CLDR, or when a compiled catalog does not
hold exactly what its .po says. docs/translating.md explains the workflow.

Everything goes through Babel's Python API; nothing is shelled out.
"""

from __future__ import annotations

import argparse
import ast
import gettext
import io
import re
import string
import sys
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.extract import extract_python as babel_extract_python
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po
from babel.plural import to_gettext

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "babel.cfg"
DOMAIN = "socialsafe"
LOCALE_DIR = ROOT / "src" / "socialsafe" / "locale"
TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"
PROJECT = "SocialSafe"
COPYRIGHT_HOLDER = "The Leaf Trust"
# Every keyword comes from babel.cfg; Babel's defaults (gettext, N_, pgettext...) are off.
KEYWORDS: dict[str, object] = {}
# The same layout for the template and every catalog: grouped by file, file names
# without line numbers (so moving code does not touch the catalogs), no obsolete entries.
WRITE_OPTIONS = {"width": 76, "sort_by_file": True, "include_lineno": False, "ignore_obsolete": True}

MessageKey = tuple[str | tuple[str, ...], str | None]


# --- reading and writing ------------------------------------------------------


def _version() -> str:
    tree = ast.parse((ROOT / "src" / "socialsafe" / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__version__" for t in node.targets):
            value = node.value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                return value.value
    return "VERSION"


def _render(catalog: Catalog, *, omit_header: bool = False) -> bytes:
    buffer = io.BytesIO()
    write_po(buffer, catalog, omit_header=omit_header, **WRITE_OPTIONS)  # type: ignore[arg-type]
    return buffer.getvalue()


def _read_po(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=locale, domain=DOMAIN)


def _write_if_changed(path: Path, data: bytes) -> bool:
    if path.is_file() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


def _key(message: Message) -> MessageKey:
    ident = message.id if isinstance(message.id, str) else tuple(message.id)
    return ident, message.context


def _messages(catalog: Catalog) -> Iterator[Message]:
    """Every real message (not the header)."""
    return (m for m in catalog if m.id)


def catalogs() -> list[Path]:
    """Every locale's .po, sorted by locale code."""
    return sorted(LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def _locale_of(po: Path) -> str:
    return po.parent.parent.name


def _short(message: Message | MessageKey) -> str:
    ident = message.id if isinstance(message, Message) else message[0]
    text = ident if isinstance(ident, str) else " / ".join(ident)
    return repr(text if len(text) <= 90 else text[:87] + "...")


# --- extract ------------------------------------------------------------------


ExtractResult = tuple[int, str, Any, list[str]]  # line, function, message(s), comments


def extract_python(
    fileobj: IO[bytes], keywords: Mapping[str, Any], comment_tags: Collection[str], options: Mapping[str, Any]
) -> Iterator[ExtractResult]:
    """Babel's Python extractor, plus the calls it cannot see inside f-strings.

    Before Python 3.12 an f-string is one token, so ``f"<b>{_('Scenario')}</b>"``
    hides its ``_()`` from Babel's tokenizer; the syntax tree shows it. Results
    are merged and ordered by line, so every Python version makes the same template.
    """
    source = fileobj.read()
    found: dict[tuple[int, str, Any], list[str]] = {}
    # (Babel's annotation of this generator is not what it yields: line, function, messages, comments.)
    babel_results: Iterable[Any] = babel_extract_python(io.BytesIO(source), keywords, comment_tags, dict(options))  # type: ignore[arg-type]
    for lineno, funcname, messages, comments in babel_results:
        found.setdefault((lineno, funcname, messages), list(comments))
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.JoinedStr):
            continue
        for call in ast.walk(node):
            if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in keywords):
                continue
            args = tuple(
                a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None for a in call.args
            )
            if not args or args[0] is None:
                continue
            wanted: Any = args[0] if len(args) == 1 else args
            if not any(key[1:] == (call.func.id, wanted) for key in found):
                found[(call.args[0].lineno, call.func.id, wanted)] = []
    for (lineno, funcname, messages), comments in sorted(found.items(), key=lambda item: item[0][0]):
        yield lineno, funcname, messages, comments


def extract_template() -> Catalog:
    """The template as the source says it should be now."""
    with CONFIG.open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f, str(CONFIG))  # type: ignore[no-untyped-call]
    methods = [(pattern, extract_python if method == "python" else method) for pattern, method in method_map]
    template = Catalog(project=PROJECT, version=_version(), copyright_holder=COPYRIGHT_HOLDER, charset="utf-8")
    template.header_comment = (
        f"# Translations template for {PROJECT}.\n"
        f"# Copyright (C) {COPYRIGHT_HOLDER}\n"
        f"# This file is distributed under the same license as the {PROJECT} project.\n"
        "# Made by packaging/translations.py extract: do not edit by hand.\n"
        "#"
    )
    extracted = extract_from_dir(
        str(ROOT),
        methods,  # type: ignore[arg-type]
        options_map,
        keywords=KEYWORDS,  # type: ignore[arg-type]
        comment_tags=(),
        strip_comment_tags=True,
    )
    # File names without line numbers, each message's in name order, as a .po lists
    # them: a catalog read back from disk then sorts exactly like a fresh one.
    for filename, _lineno, message, comments, context in extracted:
        template.add(
            message,
            None,
            [(Path(filename).as_posix(), None)],  # type: ignore[list-item]
            auto_comments=comments,
            context=context,
        )
    for entry in template:
        entry.locations = sorted(set(entry.locations))
    return template


def extract() -> int:
    template = extract_template()
    if TEMPLATE.is_file():
        old = _read_po(TEMPLATE)
        # Same messages as before: keep the old date, so the file does not change at all.
        if _render(old, omit_header=True) == _render(template, omit_header=True):
            template.creation_date = old.creation_date
    changed = _write_if_changed(TEMPLATE, _render(template))
    count = sum(1 for _ in _messages(template))
    print(f"{_rel(TEMPLATE)}: {count} messages{'' if changed else ' (unchanged)'}.")
    return 0


# --- init and update ----------------------------------------------------------


def plural_forms(locale: str) -> tuple[int, str]:
    """CLDR's plural categories for ``locale`` as a gettext header: (nplurals, expression).

    Babel's own catalog table is older than CLDR for some languages (for Welsh it
    folds zero into "other", five forms); the CLDR rule is what Babel uses for
    everything else, so catalogs follow it.
    """
    header = to_gettext(Locale.parse(locale).plural_form)
    match = re.fullmatch(r"nplurals=(\d+); plural=(.*);", header.strip())
    if not match:  # pragma: no cover - Babel always gives this shape
        raise ValueError(header)
    return int(match.group(1)), match.group(2)


# Tidier spellings of the same CLDR rules, for the catalogs people read.
PLURAL_EXPRESSIONS = {
    "cy": "(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n==3 ? 3 : n==6 ? 4 : 5)",
}


def init(locale: str) -> int:
    code = str(Locale.parse(locale))
    po = LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"
    if po.exists():
        print(f"{_rel(po)} already exists; run update.", file=sys.stderr)
        return 1
    if not TEMPLATE.is_file():
        extract()
    template = _read_po(TEMPLATE)
    name = Locale.parse(code).english_name
    catalog = Catalog(
        locale=code,
        domain=DOMAIN,
        project=PROJECT,
        version=_version(),
        copyright_holder=COPYRIGHT_HOLDER,
        charset="utf-8",
        fuzzy=False,
        language_team=f"{name} <translations@leaftrust.example>",
    )
    catalog.header_comment = (
        f"# {name} translation of {PROJECT}.\n"
        f"# Copyright (C) {COPYRIGHT_HOLDER}\n"
        f"# This file is distributed under the same license as the {PROJECT} project.\n"
        "#"
    )
    count, expression = plural_forms(code)
    # CLDR's rule rather than Babel's older table (which, for Welsh, has five forms).
    catalog.mime_headers = [("Plural-Forms", f"nplurals={count}; plural={PLURAL_EXPRESSIONS.get(code, expression)};")]
    catalog.update(template, no_fuzzy_matching=True)
    _write_if_changed(po, _render(catalog))
    print(f"{_rel(po)}: started, {count} plural forms. Translate it, then run compile and check.")
    return 0


def update() -> int:
    if not TEMPLATE.is_file():
        print(f"{_rel(TEMPLATE)} is missing; run extract first.", file=sys.stderr)
        return 1
    template = _read_po(TEMPLATE)
    for po in catalogs():
        catalog = _read_po(po, locale=_locale_of(po))
        catalog.update(template)
        # A new plural entry gets a slot for each of the language's forms, for a translator to fill.
        for message in _messages(catalog):
            if not isinstance(message.id, str) and not any(_forms(message)):
                message.string = ("",) * catalog.num_plurals
        changed = _write_if_changed(po, _render(catalog))
        todo = _untranslated(catalog)
        state = f"{len(todo)} to translate or review" if todo else "complete"
        print(f"{_rel(po)}: {state}{'' if changed else ' (unchanged)'}.")
    return 0


def _untranslated(catalog: Catalog) -> list[Message]:
    return [m for m in _messages(catalog) if m.fuzzy or not _forms(m) or not all(_forms(m))]


def _forms(message: Message) -> tuple[str, ...]:
    value = message.string
    if isinstance(value, str):
        return (value,) if value else ()
    return tuple(value or ())


# --- compile ------------------------------------------------------------------


def compile_catalogs() -> int:
    problems = 0
    for po in catalogs():
        catalog = _read_po(po, locale=_locale_of(po))
        # Entries not translated yet, or fuzzy, are left out of the .mo (English is shown);
        # a broken translation would be compiled, so it stops the catalog.
        errors = list(_catalog_errors(catalog, compiled_only=True))
        if errors:
            problems += 1
            print(f"{_rel(po)}: not compiled:", *errors, sep="\n  ", file=sys.stderr)
            continue
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        mo = po.with_suffix(".mo")
        changed = _write_if_changed(mo, buffer.getvalue())
        print(f"{_rel(mo)}: {'written' if changed else 'unchanged'}.")
    return 1 if problems else 0


def _catalog_errors(catalog: Catalog, *, compiled_only: bool = False) -> Iterator[str]:
    """Babel's own checks (plural count, %-format) that would break the compiled catalog."""
    for message, errors in catalog.check():
        if compiled_only and (message.fuzzy or not all(_forms(message)) or not _forms(message)):
            continue
        for error in errors:
            yield f"{_short(message)}: {error}"


# --- check --------------------------------------------------------------------

_FORMAT = string.Formatter()
# %(name)s with its flags, and a bare %s or %d; not "80% o" (Welsh for "80% of").
_PERCENT = re.compile(r"%\(\w+\)[#0+-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]|%[sdif]")
_TAG = re.compile(r"</?\s*([A-Za-z][A-Za-z0-9]*)[^>]*>")


def placeholders(text: str) -> set[str]:
    """The named fields of ``text``: ``{name}`` (str.format) and ``%(name)s``/``%s``."""
    names: set[str] = set()
    try:
        for _literal, field, spec, _conversion in _FORMAT.parse(text):
            if field is not None:
                names.add("{" + field + (":" + spec if spec else "") + "}")
    except ValueError:
        names.add("<unbalanced braces>")
    names.update(m.group(0) for m in _PERCENT.finditer(text.replace("%%", "")))
    return names


def tags(text: str) -> list[str]:
    return sorted(m.group(0).split()[0].rstrip(">").lower() for m in _TAG.finditer(text))


def accelerators(text: str) -> int:
    """How many Qt keyboard accelerators (``&N``; ``&&`` is a literal ampersand)."""
    return len(re.findall(r"&[^&\s]", text.replace("&&", "")))


def translation_problems(message: Message, nplurals: int) -> Iterator[str]:
    """What is wrong with one translated message, in words."""
    ids = (message.id,) if isinstance(message.id, str) else tuple(message.id)
    forms = (message.string,) if isinstance(message.string, str) else tuple(message.string or ())
    if message.fuzzy:
        yield "is fuzzy (check the translation, then remove the fuzzy flag)"
    if not any(forms):
        yield "is not translated"
        return
    if len(ids) > 1 and len(forms) != nplurals:
        yield f"has {len(forms)} plural forms, not {nplurals}"
    for index, form in enumerate(forms):
        where = f"form [{index}] " if len(ids) > 1 else ""
        if not form:
            yield f"{where}is empty"
            continue
        wanted = [placeholders(i) for i in ids]
        if placeholders(form) not in wanted:
            yield f"{where}has placeholders {sorted(placeholders(form))}, the English {sorted(wanted[-1])}"
        if tags(form) != tags(ids[-1]):
            yield f"{where}has HTML tags {tags(form)}, the English {tags(ids[-1])}"
        if accelerators(form) != accelerators(ids[0]):
            yield f"{where}has {accelerators(form)} keyboard accelerators (&), the English {accelerators(ids[0])}"
        if _edges(form) != _edges(ids[0]):
            yield f"{where}starts or ends with white space differently from the English"


def _edges(text: str) -> tuple[bool, bool]:
    return text[:1].isspace(), text[-1:].isspace()


def _plural_problems(catalog: Catalog, locale: str) -> Iterator[str]:
    count, expression = plural_forms(locale)
    if catalog.num_plurals != count:
        yield f"Plural-Forms has nplurals={catalog.num_plurals}; CLDR has {count} for {locale}"
        return
    # The header's expression must pick the same form as CLDR's for every n.
    ours = _plural_function(catalog.plural_expr)
    theirs = _plural_function(expression)
    wrong = [n for n in range(0, 1001) if ours(n) != theirs(n)]
    if wrong:
        yield f"Plural-Forms picks a different form from CLDR for n={wrong[:5]}"


def _plural_function(expression: str) -> Callable[[int], int]:
    function: Callable[[int], int] = gettext.c2py(expression)
    return function


def _compiled(catalog: Catalog) -> dict[MessageKey, tuple[str, ...]]:
    return {_key(m): _forms(m) for m in _messages(catalog) if _forms(m) and not m.fuzzy}


def check() -> int:
    problems: list[str] = []
    template = extract_template()
    wanted = {_key(m) for m in _messages(template)}

    if not TEMPLATE.is_file():
        problems.append(f"{_rel(TEMPLATE)} is missing: run extract.")
    else:
        current = _read_po(TEMPLATE)
        if _render(current, omit_header=True) != _render(template, omit_header=True):
            have = {_key(m) for m in _messages(current)}
            new, gone = sorted(wanted - have, key=str), sorted(have - wanted, key=str)
            detail = [f"  new in the source: {_short(k)}" for k in new]
            detail += [f"  no longer in the source: {_short(k)}" for k in gone]
            if not detail:
                detail = ["  (the same messages, but their files or notes moved)"]
            problems.append(f"{_rel(TEMPLATE)} is out of date with the source: run extract.\n" + "\n".join(detail))

    if not catalogs():
        problems.append(f"no catalogs under {_rel(LOCALE_DIR)}")
    for po in catalogs():
        locale = _locale_of(po)
        catalog = _read_po(po, locale=locale)
        found: list[str] = list(_plural_problems(catalog, locale))
        if catalog.fuzzy:
            found.append("the header is marked fuzzy (nothing would be compiled)")
        have = {_key(m) for m in _messages(catalog)}
        found += [f"{_short(k)} is missing: run update" for k in sorted(wanted - have, key=str)]
        found += [f"{_short(k)} is no longer in the source: run update" for k in sorted(have - wanted, key=str)]
        for message in _messages(catalog):
            found += [f"{_short(message)} {p}" for p in translation_problems(message, catalog.num_plurals)]
        found += list(_catalog_errors(catalog))

        mo = po.with_suffix(".mo")
        if not mo.is_file():
            found.append(f"{_rel(mo)} is missing: run compile")
        else:
            with mo.open("rb") as f:
                compiled = read_mo(f)
            if _compiled(compiled) != _compiled(catalog) or compiled.plural_forms != catalog.plural_forms:
                found.append(f"{_rel(mo)} does not match {po.name} (older or edited): run compile")
        if found:
            problems.append(f"{_rel(po)} ({locale}):\n" + "\n".join(f"  {p}" for p in found))

    for where in unreadable_calls():
        print(f"warning: {where}: _() or ngettext() is given no string literal: never translated")
    if problems:
        print("Translations need work:\n", *problems, sep="\n", file=sys.stderr)
        return 1
    count = len(wanted)
    languages = ", ".join(_locale_of(po) for po in catalogs())
    print(f"Translations are up to date: {count} messages, complete in {languages}.")
    return 0


def unreadable_calls() -> Iterator[str]:
    """``_(name)`` and the like: calls whose text extraction cannot see."""
    for path in sorted((ROOT / "src" / "socialsafe").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_bytes())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "ngettext"):
                first = node.args[0] if node.args else None
                if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                    yield f"{_rel(path)}:{node.lineno}"


def _rel(path: Path) -> str:
    try:
        return path.relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


# --- command line -------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="translations.py", description=__doc__.split("\n\n")[0] if __doc__ else None)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("extract", help="write the template (socialsafe.pot) from the source")
    commands.add_parser("update", help="bring every locale's .po up to date with the template")
    commands.add_parser("compile", help="write each .po's compiled .mo beside it")
    commands.add_parser("check", help="exit 1, listing the problems, if anything is out of date")
    start = commands.add_parser("init", help="start a catalog for a new language")
    start.add_argument("locale", help="a locale code such as cy or fr_CA")
    args = parser.parse_args(argv)
    if args.command == "extract":
        return extract()
    if args.command == "update":
        return update()
    if args.command == "compile":
        return compile_catalogs()
    if args.command == "init":
        return init(args.locale)
    return check()


if __name__ == "__main__":
    sys.exit(main())
