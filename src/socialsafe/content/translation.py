"""Translations of a pack's text, and the pack in the language in force.

A pack may carry gettext catalogs, ``locale/<language>.po`` (``cy.po``,
``cy_GB.po``). An entry's msgid is one text of the pack exactly as it reads
once TOML has read it (its ends stripped); its optional msgctxt is the id of
the module, question or clause the text belongs to, for a short text that
needs different words in different places. A pack is shown in a language only
when its catalog translates every text; until then it stays in English, whole.
``docs/pack-format.md`` describes the files.

The pack as loaded stays as written, for status, reports and the shared
folder. :func:`localize` gives a copy with every text in the language in
force, made once per language; in the pseudo-locale (``en_XA``) every text is
pseudo-translated, so that a screen showing pack text untranslated stands out.

Run ``python -m socialsafe.content.translation PACK LANGUAGE`` to write or
update ``PACK/locale/LANGUAGE.po`` with every text of the pack.
"""

from __future__ import annotations

import io
import logging
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.pofile import PoFileError, read_po, write_po
from pydantic import BaseModel

from socialsafe.content.model import Clause, Module, Option, Pack, PackHeader, PackInfo, PolicyInfo, Question, Step
from socialsafe.content.problems import Problem
from socialsafe.files import read_whole
from socialsafe.i18n import _, current_locale, is_pseudo, pseudo

PO_SUFFIX = ".po"

Key = tuple[str | None, str]  # (msgctxt, msgid)
Location = tuple[str | int, ...]  # a place in a pack file's TOML data, as the loader names it
Translate = Callable[[str, tuple[str, ...], Location], str]  # text, its contexts (innermost first), where

# Where a pack's words are, model by model: the fields holding text (key_points holds a list of
# texts), and the fields holding other models. Ids, codes, numbers and dates are not translated.
TEXT_FIELDS: dict[type[BaseModel], tuple[str, ...]] = {
    PackHeader: ("summary",),
    PackInfo: ("title",),
    PolicyInfo: ("title", "organisation", "review"),
    Clause: ("section", "text"),
    Module: ("title", "intro", "key_points"),
    Question: ("prompt", "feedback_true", "feedback_false"),
    Step: ("prompt",),
    Option: ("text", "feedback"),
}
PARTS: dict[type[BaseModel], tuple[str, ...]] = {
    PackHeader: ("pack", "policy", "clauses"),
    Module: ("questions",),
    Question: ("options", "steps"),
    Step: ("options",),
}
# The models whose id may be a msgctxt: a translation given with it applies inside that model only.
CONTEXT_MODELS = (Clause, Module, Question)

_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
_PO_ERROR_LINE = re.compile(r"\s+on (\d+)$")

M = TypeVar("M", bound=BaseModel)

log = logging.getLogger(__name__)


@dataclass
class PackTranslations:
    """A pack's catalogs by language code (``cy``, ``cy_GB``), what was wrong with them, and the copies made.

    Only the file names are looked at when the pack loads: a catalog is read and checked when its
    language is first asked for (an English session reads none), or all of them for ``problems``.
    """

    pack: Pack | None = None  # the pack as written, whose texts the catalogs translate
    files: dict[str, Path] = field(default_factory=dict)  # language code: its .po file, not read yet
    named_wrong: list[Problem] = field(default_factory=list)  # files whose name is not a language code
    read: dict[str, tuple[dict[Key, str] | None, list[Problem]]] = field(default_factory=dict, repr=False)
    made: dict[str, tuple[Pack, Pack]] = field(default_factory=dict, repr=False)  # locale: (pack, its copy)
    missing: dict[str, int] = field(default_factory=dict, repr=False)  # language: texts it does not translate

    def catalog(self, language: str) -> dict[Key, str] | None:
        """The usable entries of the catalog for ``language``; None when it has none or cannot be read."""
        if language not in self.files:
            return None
        if language not in self.read:
            problems: list[Problem] = []
            entries = _read_catalog(self.files[language], *_known_texts(self.pack), problems) if self.pack else None
            for problem in problems:
                log.warning("pack translation not used: %s", problem)
            self.read[language] = (entries, problems)
        return self.read[language][0]

    @property
    def catalogs(self) -> dict[str, dict[Key, str]]:
        """Every catalog that could be read, by language (each is read now if it was not yet)."""
        return {code: entries for code in sorted(self.files) if (entries := self.catalog(code)) is not None}

    @property
    def problems(self) -> list[Problem]:
        """What is wrong with the catalogs: every one is read and checked now if it was not yet."""
        self.catalogs  # noqa: B018 -- reads them all
        found = [*self.named_wrong, *(p for code in self.read for p in self.read[code][1])]
        return sorted(found, key=lambda problem: str(problem.path))  # file by file, each in line order

    def untranslated(self, language: str, english: Pack) -> int:
        """How many texts of ``english`` the catalog for ``language`` leaves in English (counted once)."""
        if language not in self.missing:
            catalog = self.catalog(language) or {}
            self.missing[language] = sum(
                not any(catalog.get((context, item.text)) for context in (*item.contexts, None))
                for item in texts(english)
            )
        return self.missing[language]

    def language_for(self, locale: str) -> str | None:
        """The catalog for ``locale``: its own (cy_GB), else its language's (cy), else a sibling's (cy_AR)."""
        language = locale.split("_")[0]
        siblings = (code for code in sorted(self.files) if code.split("_")[0] == language)
        return next((code for code in (locale, language, *siblings) if self.catalog(code) is not None), None)


def _walk(model: M, contexts: tuple[str, ...], loc: Location, translate: Translate) -> M:
    """A copy of ``model`` with every text passed through ``translate``."""
    if isinstance(model, CONTEXT_MODELS):
        contexts = (model.id, *contexts)
    update: dict[str, Any] = {}
    for name in TEXT_FIELDS.get(type(model), ()):
        value = getattr(model, name)
        if isinstance(value, str):
            update[name] = translate(value, contexts, (*loc, name))
        elif isinstance(value, list):
            update[name] = [translate(text, contexts, (*loc, name, i)) for i, text in enumerate(value)]
    for name in PARTS.get(type(model), ()):
        value = getattr(model, name)
        if isinstance(value, list):
            update[name] = [_walk(part, contexts, (*loc, name, i), translate) for i, part in enumerate(value)]
        else:
            update[name] = _walk(value, contexts, (*loc, name), translate)
    return model.model_copy(update=update)


def _translated(pack: Pack, translate: Translate) -> Pack:
    header = _walk(pack.header, (), (), translate)
    for clause, english in zip(header.clauses, pack.header.clauses, strict=True):
        clause._translation = clause.text != english.text
    modules = [_walk(module, (), (), translate) for module in pack.modules]
    copy = pack.model_copy(update={"header": header, "modules": modules})
    copy._english = pack
    return copy


@dataclass(frozen=True)
class Text:
    """One text of a pack, where it is."""

    text: str
    contexts: tuple[str, ...]  # the ids that may be its msgctxt, innermost first
    module: int | None  # the index of the module whose file holds it; None for pack.toml
    loc: Location


def texts(pack: Pack) -> list[Text]:
    """Every translatable text of ``pack`` (as it reads: its English is ``pack.english``), in file order."""
    found: list[Text] = []

    def collect(module: int | None) -> Translate:
        def keep(text: str, contexts: tuple[str, ...], loc: Location) -> str:
            found.append(Text(text, contexts, module, loc))
            return text

        return keep

    _walk(pack.header, (), (), collect(None))
    for index, module in enumerate(pack.modules):
        _walk(module, (), (), collect(index))
    return found


def _ids(pack: Pack) -> set[str]:
    """The ids a msgctxt may name: modules, questions and clauses."""
    return {m.id for m in pack.modules} | {c.id for c in pack.header.clauses} | {q for q in pack.questions()}


# Reading a pack's catalogs ------------------------------------------------------------------------


def read_translations(pack: Pack, folder: Path) -> PackTranslations:
    """Find ``folder/*.po`` (a pack's ``locale`` folder) for ``pack``, which keeps them; each is read when needed."""
    translations = PackTranslations(pack=pack)
    pack._translations = translations
    if not folder.is_dir():
        return translations
    for path in sorted(folder.glob("*" + PO_SUFFIX)):
        language = _language(path.stem)
        if language is None:
            message = _("the file name is not a language code (name it like cy.po or cy_GB.po)")
            translations.named_wrong.append(Problem(path, message))
        else:
            translations.files[language] = path
    return translations


def _known_texts(pack: Pack) -> tuple[dict[str, set[str | None]], set[str]]:
    """The pack's texts with the contexts each may be given in, and the ids a msgctxt may name."""
    known: dict[str, set[str | None]] = {}
    for item in texts(pack.english):
        known.setdefault(item.text, {None}).update(item.contexts)
    return known, _ids(pack)


def _language(stem: str) -> str | None:
    try:
        return str(Locale.parse(stem.replace("-", "_")))
    except (ValueError, UnknownLocaleError):
        return None


def _read_catalog(
    path: Path, known: dict[str, set[str | None]], ids: set[str], problems: list[Problem]
) -> dict[Key, str] | None:
    try:
        raw = read_whole(path)  # a plain file of a size a catalogue can be, never a link
    except OSError as error:
        problems.append(Problem(path, _("cannot read the file ({reason})").format(reason=error.strerror)))
        return None
    try:
        catalog = read_po(io.BytesIO(raw), abort_invalid=True)
    except PoFileError as error:
        reason = str(error)
        found = _PO_ERROR_LINE.search(reason)
        # Babel counts lines from 0.
        line = int(found.group(1)) + 1 if found else None
        reason = reason[: found.start()] if found else reason
        problems.append(Problem(path, _("not a valid .po file: {reason}").format(reason=reason), line=line))
        return None
    except (UnicodeDecodeError, LookupError, ValueError) as error:
        problems.append(Problem(path, _("not a valid .po file: {reason}").format(reason=error)))
        return None
    entries: dict[Key, str] = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue  # the header; a fuzzy entry is a draft, as gettext treats it
        line = message.lineno
        if message.pluralizable:
            problems.append(Problem(path, _("a pack's translations have no plural forms (msgid_plural)"), line=line))
            continue
        msgid, msgstr, context = str(message.id), str(message.string or ""), message.context
        if context is not None and context not in ids:
            text = _("msgctxt {context} is not the id of a module, question or clause of this pack").format(
                context=repr(context)
            )
            problems.append(Problem(path, text, line=line))
            continue
        if context not in known.get(msgid, set()):
            text = (
                _("this text is not in the pack (any more): {text}")
                if context is None
                else _("this text is not in {context} (any more): {text}")
            ).format(text=repr(_shorten(msgid)), context=context)
            problems.append(Problem(path, text, line=line))
            continue
        if not msgstr:
            continue  # not translated yet: the English shows
        expected, given = sorted(set(_PLACEHOLDER.findall(msgid))), sorted(set(_PLACEHOLDER.findall(msgstr)))
        if expected != given:
            text = _("the translation has the placeholders {given} but the English text has {expected}").format(
                given=", ".join(given) or _("none"), expected=", ".join(expected) or _("none")
            )
            problems.append(Problem(path, text, line=line))
            continue
        entries[(context, msgid)] = msgstr
    return entries


def _shorten(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


# The pack in the language in force -------------------------------------------------------------


def _lookup(catalog: dict[Key, str]) -> Translate:
    def translate(text: str, contexts: tuple[str, ...], _loc: Location) -> str:
        for context in (*contexts, None):
            found = catalog.get((context, text))
            if found:
                return found
        return text

    return translate


def _pseudo(text: str, _contexts: tuple[str, ...], _loc: Location) -> str:
    return pseudo(text)


def _translations_of(pack: Pack) -> PackTranslations:
    english = pack.english
    if english._translations is None:
        english._translations = PackTranslations()
    return english._translations


def localize(pack: Pack, locale: str | None = None) -> Pack:
    """``pack`` with its text in ``locale`` (default: the one in force), English where a text has no translation.

    The pack itself when nothing is translated. Made once per pack and locale, so switching
    language while the app runs costs nothing the second time.
    """
    english = pack.english
    translations = _translations_of(english)
    code = locale or current_locale()
    translate: Translate
    if is_pseudo(code):
        translate = _pseudo
    else:
        language = translations.language_for(code)
        # Whole or not at all: a course half in one language and half in another is harder to follow than
        # one in English, so a catalog that leaves any text untranslated is not offered (offered() says so).
        if language is None or translations.untranslated(language, english):
            return english
        code, translate = language, _lookup(translations.catalog(language) or {})
    made = translations.made.get(code)
    if made is not None and made[0] is english:
        return made[1]
    copy = _translated(english, translate)
    translations.made[code] = (english, copy)
    return copy


def pack_text(pack: Pack, english: str, *contexts: str, locale: str | None = None) -> str:
    """One text of ``pack`` in ``locale`` (default: the one in force); ``contexts`` are ids, innermost first."""
    code = locale or current_locale()
    if is_pseudo(code):
        return pseudo(english)
    translations = _translations_of(pack)
    language = translations.language_for(code)
    if language is None or translations.untranslated(language, pack.english):
        return english
    return _lookup(translations.catalog(language) or {})(english, contexts, ())


def offered(pack: Pack, locale: str | None = None) -> bool:
    """Whether ``pack`` is shown in ``locale`` (default: the one in force): English, or a whole translation."""
    code = locale or current_locale()
    if is_pseudo(code) or code.split("_")[0] == "en":
        return True
    return localize(pack, code) is not pack.english


# Writing a catalog for translators ---------------------------------------------------------------


def template(pack: Pack, keep: Catalog | None = None) -> Catalog:
    """Every text of ``pack`` as a catalog with no translations, each with its file and line.

    Entries of ``keep`` with a msgctxt that still fits the pack are kept, so updating a
    catalog never drops a translator's context-specific entry.
    """
    from socialsafe.content.loader import MODULES_DIR, PACK_FILE, _Lines

    folder = Path(pack.source)
    files = [folder / PACK_FILE, *sorted((folder / MODULES_DIR).glob("*.toml"))]
    lines = [_Lines.of(path) for path in files]
    catalog = Catalog(project=pack.id, version=pack.version, charset="utf-8")
    pack = pack.english
    for item in texts(pack):
        index = 0 if item.module is None else item.module + 1
        where = files[index].relative_to(folder).as_posix() if index < len(files) else PACK_FILE
        line = lines[index].find(item.loc) if index < len(lines) else None
        catalog.add(item.text, locations=[(where, line or 0)])
    if keep is not None:
        known = {(c, t.text) for t in texts(pack) for c in t.contexts}
        for message in keep:
            if message.context is not None and (message.context, message.id) in known:
                catalog.add(message.id, context=message.context)
    return catalog


def update_catalog(folder: Path, language: str) -> tuple[Path, int, int]:
    """Write or update ``folder/locale/<language>.po`` with every text of the pack in ``folder``.

    Returns the file, how many texts it has and how many are translated.
    """
    from socialsafe.content.loader import LOCALE_DIR, load_pack

    pack = load_pack(folder)
    path = folder / LOCALE_DIR / f"{language}{PO_SUFFIX}"
    if path.exists():
        with path.open("rb") as file:
            catalog = read_po(file)
    else:
        catalog = Catalog(locale=language, project=pack.id, version=pack.version, charset="utf-8")
    catalog.update(template(pack, catalog), no_fuzzy_matching=True)
    path.parent.mkdir(exist_ok=True)
    out = io.BytesIO()
    write_po(out, catalog, width=100, omit_header=False, ignore_obsolete=False)
    path.write_bytes(out.getvalue())
    entries = [m for m in catalog if m.id]
    return path, len(entries), sum(1 for m in entries if m.string and not m.fuzzy)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(_("usage: python -m socialsafe.content.translation PACK_FOLDER LANGUAGE"), file=sys.stderr)
        return 2
    path, total, done = update_catalog(Path(argv[0]), argv[1])
    print(_("{file}: {total} texts, {done} translated").format(file=path, total=total, done=done))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
