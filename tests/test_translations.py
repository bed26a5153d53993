"""The translation pipeline (packaging/translations.py) and the Welsh catalog it keeps."""

from __future__ import annotations

import ast
import gettext
import importlib.util
import io
import re
import shutil
import string
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po, write_po

from socialsafe import i18n
from socialsafe.i18n import _, ngettext, set_locale

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "src" / "socialsafe"
WELSH_PO = i18n.LOCALE_DIR / "cy" / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"


def _load_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("translations_tool", ROOT / "packaging" / "translations.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


tool = _load_tool()


@pytest.fixture
def welsh() -> Iterator[None]:
    """Welsh for one test, and British English again afterwards whatever happens."""
    set_locale("cy")
    yield
    set_locale("en_GB")


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def _messages(catalog: Catalog) -> list[Message]:
    return [m for m in catalog if m.id]


def _forms(message: Message) -> tuple[str, ...]:
    return (message.string,) if isinstance(message.string, str) else tuple(message.string or ())


def _fields(text: str) -> set[str]:
    """The str.format fields of ``text``, worked out independently of the tool."""
    return {field for _literal, field, _spec, _conv in string.Formatter().parse(text) if field is not None}


def _accelerators(text: str) -> int:
    """Qt's keyboard accelerators: '&' before a character ('&&' is a literal ampersand)."""
    return len(re.findall(r"&[^&\s]", text.replace("&&", "")))


# --- the pipeline ---------------------------------------------------------------


def test_the_tool_uses_the_apps_domain_and_folder() -> None:
    assert tool.DOMAIN == i18n.DOMAIN
    assert tool.LOCALE_DIR == i18n.LOCALE_DIR


def test_check_passes(capsys: pytest.CaptureFixture[str]) -> None:
    """Template up to date with the source, every catalog complete and compiled."""
    code = tool.main(["check"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "complete in cy" in out


def test_every_marked_string_is_in_the_template() -> None:
    """Every literal given to _() or ngettext(), f-strings included, is a template entry;
    ngettext's are plural entries."""
    template = _read(tool.TEMPLATE)
    singles = {m.id for m in _messages(template) if isinstance(m.id, str)}
    plurals = {tuple(m.id) for m in _messages(template) if not isinstance(m.id, str)}
    missing = []
    for path in sorted(SOURCE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            args = [a.value if isinstance(a, ast.Constant) else None for a in node.args]
            if node.func.id == "_" and args and isinstance(args[0], str) and args[0] not in singles:
                missing.append(f"{path.relative_to(ROOT)}:{node.lineno}: {args[0]!r}")
            if node.func.id == "ngettext" and len(args) >= 2 and tuple(args[:2]) not in plurals:
                missing.append(f"{path.relative_to(ROOT)}:{node.lineno}: {args[:2]!r}")
    assert not missing, "\n".join(missing)
    assert ("{n} pack is valid.", "{n} packs are valid.") in plurals


def test_the_welsh_plural_header_follows_cldr() -> None:
    catalog = _read(WELSH_PO, "cy")
    assert catalog.num_plurals == 6
    choose = gettext.c2py(catalog.plural_expr)
    rule = Locale.parse("cy").plural_form
    order = ["zero", "one", "two", "few", "many", "other"]
    assert all(choose(n) == order.index(rule(n)) for n in range(0, 1001))


def test_every_welsh_entry_is_translated_alike() -> None:
    """Not fuzzy, every form filled, the same {placeholders}, accelerators and HTML tags as the English."""
    catalog = _read(WELSH_PO, "cy")
    problems = []
    for message in _messages(catalog):
        ids = (message.id,) if isinstance(message.id, str) else tuple(message.id)
        forms = _forms(message)
        if message.fuzzy:
            problems.append(f"{ids[0]!r} is fuzzy")
        if len(ids) > 1 and len(forms) != 6:
            problems.append(f"{ids[0]!r} has {len(forms)} plural forms")
        for form in forms:
            if not form:
                problems.append(f"{ids[0]!r} is not translated")
            elif _fields(form) not in [_fields(i) for i in ids]:
                problems.append(f"{ids[0]!r}: {form!r} has other placeholders")
            elif _accelerators(form) != _accelerators(ids[0]):
                problems.append(f"{ids[0]!r}: {form!r} has other accelerators")
            elif re.findall(r"</?\w+", form) != re.findall(r"</?\w+", ids[-1]):
                problems.append(f"{ids[0]!r}: {form!r} has other HTML tags")
    assert not problems, "\n".join(problems)
    assert len(_messages(catalog)) == len(_messages(_read(tool.TEMPLATE)))


def test_the_compiled_catalog_matches_the_po() -> None:
    po = _read(WELSH_PO, "cy")
    with WELSH_PO.with_suffix(".mo").open("rb") as f:
        mo = read_mo(f)

    def compiled(catalog: Catalog) -> dict[object, tuple[str, ...]]:
        return {m.id if isinstance(m.id, str) else tuple(m.id): _forms(m) for m in _messages(catalog)}

    assert compiled(mo) == compiled(po)
    assert mo.plural_forms == po.plural_forms


def test_check_names_each_kind_of_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A copy of the catalogs, spoilt four ways: check fails and says what and where."""
    locale_dir = tmp_path / "locale"
    shutil.copytree(i18n.LOCALE_DIR, locale_dir)
    po_path = locale_dir / "cy" / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"
    catalog = _read(po_path, "cy")
    catalog["Settings"].flags.add("fuzzy")
    catalog["Who are you?"].string = ""
    catalog["Hello, {name}"].string = "Helo, {enw}"
    catalog["&Name:"].string = "Enw:"
    buffer = io.BytesIO()
    write_po(buffer, catalog)
    po_path.write_bytes(buffer.getvalue())
    monkeypatch.setattr(tool, "LOCALE_DIR", locale_dir)
    monkeypatch.setattr(tool, "TEMPLATE", locale_dir / f"{i18n.DOMAIN}.pot")

    assert tool.main(["check"]) == 1
    err = capsys.readouterr().err
    assert "'Settings' is fuzzy" in err
    assert "'Who are you?' is not translated" in err
    assert "'Hello, {name}' has placeholders ['{enw}']" in err
    assert "'&Name:' has 0 keyboard accelerators" in err
    assert "socialsafe.mo does not match socialsafe.po" in err

    # compile refuses nothing here (Babel's own checks pass), and mends the .mo.
    assert tool.main(["compile"]) == 0
    capsys.readouterr()
    tool.main(["check"])
    assert "does not match" not in capsys.readouterr().err


# --- the catalog at run time ------------------------------------------------------


@pytest.mark.usefixtures("welsh")
def test_welsh_text_at_run_time() -> None:
    assert _("Who are you?") == "Pwy ydych chi?"
    assert _("Settings") == "Gosodiadau"
    assert _("Sign the policy") == "Llofnodi'r polisi"
    assert _("Hello, {name}").format(name="Siân") == "Helo, Siân"


@pytest.mark.usefixtures("welsh")
@pytest.mark.parametrize(
    ("n", "people", "questions"),
    [
        (0, "0 o bobl", "0 cwestiwn"),
        (1, "1 person", "1 cwestiwn"),
        (2, "2 berson", "2 gwestiwn"),
        (3, "3 pherson", "3 chwestiwn"),
        (6, "6 pherson", "6 chwestiwn"),
        (10, "10 o bobl", "10 cwestiwn"),
    ],
)
def test_welsh_plurals_pick_the_right_form(n: int, people: str, questions: str) -> None:
    assert ngettext("{n} person", "{n} people", n).format(n=n) == people
    assert ngettext("{n} question", "{n} questions", n).format(n=n) == questions


def test_english_comes_back_after_welsh() -> None:
    set_locale("cy")
    assert _("Who are you?") == "Pwy ydych chi?"
    assert set_locale("en_GB") == "en_GB"
    assert _("Who are you?") == "Who are you?"
    assert ngettext("{n} person", "{n} people", 2).format(n=2) == "2 people"


def test_init_starts_a_language_with_cldr_plurals(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    locale_dir = tmp_path / "locale"
    shutil.copytree(i18n.LOCALE_DIR, locale_dir)
    monkeypatch.setattr(tool, "LOCALE_DIR", locale_dir)
    monkeypatch.setattr(tool, "TEMPLATE", locale_dir / f"{i18n.DOMAIN}.pot")

    assert tool.main(["init", "ga"]) == 0
    catalog = _read(locale_dir / "ga" / "LC_MESSAGES" / f"{i18n.DOMAIN}.po", "ga")
    assert catalog.num_plurals == 5  # Irish: one, two, few, many, other
    assert not catalog.fuzzy
    assert len(_messages(catalog)) == len(_messages(_read(tool.TEMPLATE)))
    assert all(not any(_forms(m)) for m in _messages(catalog))
    assert tool.main(["init", "ga"]) == 1  # never over a catalog in progress
    capsys.readouterr()
    assert tool.main(["check"]) == 1
    assert "(ga):" in capsys.readouterr().err


def test_update_gives_a_new_plural_entry_a_slot_for_each_form(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    locale_dir = tmp_path / "locale"
    shutil.copytree(i18n.LOCALE_DIR, locale_dir)
    po_path = locale_dir / "cy" / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"
    catalog = _read(po_path, "cy")
    catalog["{n} person"].string = ("", "")  # as a fresh entry arrives from the template
    buffer = io.BytesIO()
    write_po(buffer, catalog)
    po_path.write_bytes(buffer.getvalue())
    monkeypatch.setattr(tool, "LOCALE_DIR", locale_dir)
    monkeypatch.setattr(tool, "TEMPLATE", locale_dir / f"{i18n.DOMAIN}.pot")

    assert tool.main(["update"]) == 0
    assert "1 to translate or review" in capsys.readouterr().out
    assert _read(po_path, "cy")["{n} person"].string == ("",) * 6
    assert tool.main(["compile"]) == 0  # the rest still compiles; the app shows this one in English
