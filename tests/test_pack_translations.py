"""Translations of a pack's text: locale/<language>.po in the pack, English where a text has none."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from pytestqt.qtbot import QtBot

from helpers_packs import FRIENDS, MINI, copy_pack, line_of
from socialsafe.cli import main as cli_main
from socialsafe.content.loader import LOCALE_DIR, load_all, load_pack
from socialsafe.content.model import Pack
from socialsafe.content.translation import localize, offered, pack_text, texts, update_catalog
from socialsafe.domain.status import changed_clause_ids
from socialsafe.i18n import _, format_date, ngettext, pseudo, set_locale
from socialsafe.resources import bundled
from socialsafe.storage.store import Store
from socialsafe.ui.language import reset_qt_language
from socialsafe.ui.main_window import MainWindow
from ui_helpers import add_person, labels_text, open_window

LEAF = bundled("quizzes") / "leaf-social-media"
HEADER = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'


def po(*entries: tuple[str, str] | tuple[str, str, str]) -> str:
    """A .po file: (msgid, msgstr) or (msgctxt, msgid, msgstr) entries."""
    out = [HEADER]
    for entry in entries:
        if len(entry) == 3:
            out.append(f'msgctxt "{entry[0]}"\n')
            entry = entry[1:]
        msgid, msgstr = entry
        out.append(f'msgid "{msgid}"\nmsgstr "{msgstr}"\n\n')
    return "".join(out)


def with_po(tmp_path: Path, text: str, name: str = "cy.po", whole: bool = True) -> Path:
    """The mini pack with ``text`` as its catalog ``name``; ``whole``: and "CY …" for every text ``text`` lacks.

    A pack is shown in a language only when its translation is whole, so most tests give a whole one.
    """
    pack = copy_pack(tmp_path / "pack")
    (pack / LOCALE_DIR).mkdir()
    if whole:
        given = {m.id for m in read_po(io.StringIO(text)) if m.id}
        rest = Catalog()
        for item in texts(load_pack(MINI)):
            if item.text not in given:
                rest.add(item.text, "CY " + item.text)
        buffer = io.BytesIO()
        write_po(buffer, rest, omit_header=True)
        text += "\n" + buffer.getvalue().decode("utf-8")
    (pack / LOCALE_DIR / name).write_text(text, "utf-8")
    return pack


DECLINE = "Decline it and tell the Headteacher or designated safeguarding lead."
IGNORE = "Ignore it."


# Loading, and English text by text where there is no translation ------------------------------


def test_a_whole_translation_shows_every_text_in_its_language(tmp_path: Path) -> None:
    folder = with_po(tmp_path, po((DECLINE, "Ei wrthod a dweud wrth y Pennaeth.")))
    pack = load_pack(folder)
    assert pack.translation_problems == []
    welsh = localize(pack, "cy")
    options = {o.id: o.text for o in welsh.module("friend-requests").questions[0].options}
    assert options == {"a": "Ei wrthod a dweud wrth y Pennaeth.", "b": "CY " + IGNORE}
    assert welsh.module("friend-requests").title == "CY Friend requests from pupils"
    assert offered(pack, "cy")
    # The pack as loaded is untouched; a regional locale finds the language's file.
    assert pack.module("friend-requests").questions[0].options[0].text == DECLINE
    assert localize(pack, "cy_GB") is welsh
    assert pack_text(pack, DECLINE, locale="cy_GB") == "Ei wrthod a dweud wrth y Pennaeth."
    # A language with no file, and English itself, are the pack as loaded.
    assert localize(pack, "fr") is pack
    assert localize(pack, "en_GB") is pack


@pytest.mark.parametrize("untranslated", ["", "missing"])
def test_a_translation_with_any_text_left_in_english_is_not_offered(tmp_path: Path, untranslated: str) -> None:
    """Half a course in Welsh and half in English is harder to follow than all English: whole or not at all."""
    entries = [(DECLINE, "Ei wrthod a dweud wrth y Pennaeth.")]
    folder = with_po(tmp_path, po(*entries, *([(IGNORE, "")] if untranslated == "" else [])))
    text = (folder / LOCALE_DIR / "cy.po").read_text("utf-8")
    if untranslated == "missing":
        text = text.replace(f'msgid "{IGNORE}"\nmsgstr "CY {IGNORE}"', f'msgid "{IGNORE}"\nmsgstr ""')
    (folder / LOCALE_DIR / "cy.po").write_text(text, "utf-8")
    pack = load_pack(folder)

    assert localize(pack, "cy") is pack
    assert pack_text(pack, DECLINE, locale="cy") == DECLINE
    assert not offered(pack, "cy")
    assert offered(pack, "en_GB")


def test_a_translated_copy_is_made_once_per_locale_and_knows_its_english(tmp_path: Path) -> None:
    pack = load_pack(with_po(tmp_path, po((DECLINE, "Ei wrthod."))))
    welsh = localize(pack, "cy")
    assert localize(pack, "cy") is welsh
    assert localize(welsh, "cy") is welsh
    assert welsh.english is pack
    assert pack.english is pack
    assert localize(welsh, "en_GB") is pack
    assert localize(welsh, "en_XA").english is pack


def test_msgctxt_gives_a_text_its_own_translation_inside_one_question_or_module(tmp_path: Path) -> None:
    # The same words can need different translations in different places.
    folder = with_po(
        tmp_path,
        po(
            ("fr-1", IGNORE, "Ei anwybyddu (fr-1)."),
            ("friend-requests", "Decline it.", "Ei wrthod (modiwl)."),
            ("Decline it.", "Ei wrthod."),
        ),
    )
    welsh = localize(load_pack(folder), "cy")
    module = welsh.module("friend-requests")
    assert module.questions[0].options[1].text == "Ei anwybyddu (fr-1)."
    assert module.key_points[0] == "Ei wrthod (modiwl)."


def test_a_translated_clause_is_marked_as_a_translation(tmp_path: Path, mini_pack: Pack) -> None:
    use3 = mini_pack.clause("USE-3").text
    pack = load_pack(with_po(tmp_path, po((use3, "Rhaid gwrthod unrhyw gyswllt gan ddisgybl a rhoi gwybod amdano."))))
    welsh = localize(pack, "cy")
    assert welsh.clause("USE-3").is_translation
    assert welsh.clause("USE-3").text.startswith("Rhaid gwrthod")
    assert welsh.clause("USE-9").is_translation
    assert not pack.clause("USE-3").is_translation
    # What changed between policy versions is judged on the policy's own (English) words.
    assert changed_clause_ids(pack, welsh) == set()
    assert changed_clause_ids(welsh, localize(pack, "en_XA")) == set()


def test_the_bundled_pack_is_whole_in_welsh_with_no_translation_problems() -> None:
    content = load_all([bundled("quizzes")])
    assert content.problems == []
    assert content.warnings == []
    [pack] = content.packs
    welsh = localize(pack, "cy")
    every_text, translated = texts(pack), texts(welsh)
    assert len(every_text) > 800
    untranslated = [t.text for t, w in zip(every_text, translated, strict=True) if t.text == w.text]
    assert untranslated == [], "English left in the Welsh course"
    assert offered(pack, "cy")
    assert welsh.modules[0].title == "Pwy y mae'r polisi'n eu cwmpasu a beth sy'n cyfrif fel cyfryngau cymdeithasol"
    assert welsh.header.pack.title == "Defnyddio Cyfryngau Cymdeithasol: hyfforddiant i staff"
    # Every clause is there in Welsh, marked as a translation: the English is the authority.
    assert all(c.is_translation for c in welsh.header.clauses)


# Problems: the file and line, and the pack still loads (in English where the translation is bad) ----


def problems_of(folder: Path) -> list[str]:
    content = load_all([folder])
    assert content.problems == []
    assert len(content.packs) == 1, "a translation's problems never leave the pack out"
    return [str(p) for p in content.warnings]


def test_a_po_file_that_does_not_parse_is_reported_with_its_line_and_not_used(tmp_path: Path) -> None:
    text = po((DECLINE, "Ei wrthod.")) + "this is not po\n"
    folder = with_po(tmp_path, text)
    path = folder / LOCALE_DIR / "cy.po"
    [problem] = problems_of(folder)
    assert problem.startswith(f"{path}:{line_of(path, 'this is not po')}: not a valid .po file")
    assert localize(load_pack(folder), "cy").module("friend-requests").questions[0].options[0].text == DECLINE


def test_an_entry_whose_placeholders_differ_is_reported_and_left_out(tmp_path: Path) -> None:
    folder = with_po(tmp_path, po((DECLINE, "Ei wrthod, {enw}."), (IGNORE, "Ei anwybyddu.")))
    path = folder / LOCALE_DIR / "cy.po"
    [problem] = problems_of(folder)
    assert problem == (
        f"{path}:{line_of(path, DECLINE)}: the translation has the placeholders {{enw}} but the English text has none"
    )
    # Left out, DECLINE has no translation: the translation is not whole, so the pack stays in English.
    pack = load_pack(folder)
    assert localize(pack, "cy") is pack
    assert not offered(pack, "cy")


def test_a_text_that_is_not_in_the_pack_any_more_is_reported(tmp_path: Path) -> None:
    folder = with_po(tmp_path, po(("Ignore it, it is only a game.", "Ei anwybyddu."), ("fr-2", IGNORE, "Na.")))
    path = folder / LOCALE_DIR / "cy.po"
    second = line_of(path, 'msgid "Ignore it."')
    assert problems_of(folder) == [
        f"{path}:{line_of(path, 'Ignore it, it is only')}: this text is not in the pack (any more): "
        "'Ignore it, it is only a game.'",
        f"{path}:{second}: this text is not in fr-2 (any more): 'Ignore it.'",
    ]


def test_unknown_contexts_plural_entries_and_bad_file_names_are_reported(tmp_path: Path) -> None:
    text = po(("no-such-question", IGNORE, "Na.")) + 'msgid "one"\nmsgid_plural "many"\nmsgstr[0] "un"\n\n'
    text += '#, fuzzy\nmsgid "Ignore it, please."\nmsgstr "Drafft."\n'  # a draft: not used, not a problem
    folder = with_po(tmp_path, text)
    (folder / LOCALE_DIR / "welsh.po").write_text(po(), "utf-8")
    path = folder / LOCALE_DIR / "cy.po"
    plural = line_of(path, 'msgid "one"')
    assert problems_of(folder) == [
        f"{path}:{line_of(path, IGNORE)}: msgctxt 'no-such-question' is not the id of a module, "
        "question or clause of this pack",
        f"{path}:{plural}: a pack's translations have no plural forms (msgid_plural)",
        f"{folder / LOCALE_DIR / 'welsh.po'}: the file name is not a language code (name it like cy.po or cy_GB.po)",
    ]


def test_socialsafe_validate_reports_translation_problems(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = with_po(tmp_path, po((DECLINE, "{x}")))
    assert cli_main(["--data-dir", str(tmp_path / "home"), "validate", str(folder)]) == 1
    out, err = capsys.readouterr()
    path = folder / LOCALE_DIR / "cy.po"
    assert f"{path}:{line_of(path, DECLINE)}: the translation has the placeholders {{x}}" in out
    assert "1 pack is valid. 1 problem found." in err
    set_locale("en_GB")


# Writing a catalog for a translator ------------------------------------------------------------


def test_update_catalog_writes_every_text_and_keeps_what_is_translated(tmp_path: Path) -> None:
    folder = with_po(tmp_path, po(("fr-1", IGNORE, "Ei anwybyddu."), (DECLINE, "Ei wrthod.")), whole=False)
    path, total, done = update_catalog(folder, "cy")
    assert path == folder / LOCALE_DIR / "cy.po"
    assert total == len({t.text for t in texts(load_pack(MINI))}) + 1  # and the entry with a msgctxt
    assert done == 2
    written = path.read_text("utf-8")
    assert f"#: {FRIENDS}:{line_of(folder / FRIENDS, DECLINE)}" in written
    assert problems_of(folder) == []
    assert not offered(load_pack(folder), "cy")  # two texts of many: not shown until every text is translated


# The pseudo-locale -----------------------------------------------------------------------------


def test_pseudo_keeps_placeholders_tags_and_link_targets() -> None:
    assert pseudo("Switch person") == "⟦Ŝŵîţçĥ ƥéŕšöñ⟧"
    made = pseudo("<b>{name}</b> has {n:,} results &amp; [a link](https://example.org/x)")
    assert made.startswith("⟦<b>{name}</b> ĥáš {n:,} ŕéšûļţš &amp; [á ļîñķ](https://example.org/x)")
    assert made.format(name="Ann", n=1200).startswith("⟦<b>Ann</b> ĥáš 1,200")
    assert pseudo("") == ""


def test_the_pseudo_locale_translates_every_message_and_formats_dates_as_en_gb(mini_pack: Pack) -> None:
    assert set_locale("en_XA") == "en_XA"
    try:
        assert ngettext("{n} question", "{n} questions", 2).format(n=2) == "⟦2 ǫûéšţîöñš⟧"
        assert format_date(dt.date(2025, 1, 13)) == "13 January 2025"
        pseudo_pack = localize(mini_pack)
        assert all(t.text.startswith("⟦") and t.text.endswith("⟧") for t in texts(pseudo_pack))
        assert pseudo_pack.header.clauses[0].id == "USE-3"
    finally:
        set_locale("en_GB")


def test_socialsafe_lang_beats_the_systems_language(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    assert set_locale() == "fr_FR"
    monkeypatch.setenv("SOCIALSAFE_LANG", "cy_GB")
    assert set_locale() == "cy_GB"
    assert set_locale("en-GB") == "en_GB"  # a choice of its own beats both
    monkeypatch.delenv("SOCIALSAFE_LANG")
    monkeypatch.setenv("LANG", "C.UTF-8")
    assert set_locale() == "en_GB"


# The quiz in Welsh, after switching while the app runs ------------------------------------------


@pytest.fixture
def english_after() -> Iterator[None]:
    yield
    set_locale("en_GB")
    reset_qt_language()


def shown(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_the_quiz_shows_every_module_in_welsh(qtbot: QtBot, store: Store, english_after: None) -> None:
    window: MainWindow = open_window(qtbot, store, [bundled("quizzes")])
    add_person(qtbot, window, "Gwen Davies", 1, "Ysgol y Dderwen")
    assert window.set_language("cy") == "cy"
    pack = window.content.current[0]
    english = pack.english
    first, second = english.modules[0], english.modules[1]

    window.open_module(pack.id, first.id)
    assert window.module_page.title.text() == pack.modules[0].title != first.title
    reader = shown(window.module_page.reader.toPlainText())
    note = _("A translation: the English text of the policy is the authority.")  # in Welsh, where the UI has it
    assert "Mae'r modiwl hwn yn esbonio" in reader
    assert note in reader
    window.start_quiz()
    asked = window.quiz.asked
    assert asked is not None
    welsh_question = pack.questions()[asked.question.id]
    assert window.quiz.prompt.text() == (welsh_question.prompt if not asked.step_id else asked.prompt)
    assert asked.question == welsh_question
    assert window.quiz.prompt.text() != english.questions()[asked.question.id].prompt
    window.quiz.pick(1)
    window.quiz.check()
    feedback = window.quiz.feedback_text.text()
    assert note in feedback
    assert any(c.text in shown(feedback) for c in pack.header.clauses if c.is_translation)

    window.open_module(pack.id, second.id)
    assert window.module_page.title.text() == pack.modules[1].title != second.title
    window.start_quiz()
    asked = window.quiz.asked
    assert asked is not None
    assert asked.question == pack.questions()[asked.question.id] != english.questions()[asked.question.id]
    assert window.quiz.module_title.text() == pack.modules[1].title

    assert window.set_language("en_GB") == "en_GB"
    assert window.quiz.module_title.text() == second.title
    window.open_module(pack.id, first.id)
    assert window.module_page.title.text() == first.title


def test_a_course_whose_translation_is_not_whole_says_it_is_in_english(
    qtbot: QtBot, store: Store, tmp_path: Path, english_after: None
) -> None:
    folder = with_po(tmp_path, po((DECLINE, "Ei wrthod.")), whole=False)
    window: MainWindow = open_window(qtbot, store, [folder])
    add_person(qtbot, window, "Gwen Davies", 1, "Ysgol y Dderwen")
    note = "This course is in English for now: its translation into your language is not complete."
    assert note not in labels_text(window.home)

    assert window.set_language("cy") == "cy"

    assert _(note) != note  # said in Welsh, where the app's own words are whole
    assert _(note) in labels_text(window.home)
    assert window.content.current[0].module("friend-requests").title == "Friend requests from pupils"


def test_a_catalog_is_read_only_when_its_language_is_first_shown() -> None:
    pack = load_pack(LEAF)
    translations = pack._translations
    assert translations is not None
    assert set(translations.files) == {"cy"}  # found by its name when the pack loads
    assert translations.read == {}  # but not read: an English session never reads it
    assert localize(pack, "en_GB") is pack
    assert offered(pack, "en_GB")
    assert translations.read == {}
    welsh = localize(pack, "cy")
    assert welsh is not pack
    assert set(translations.read) == {"cy"}
    assert translations.problems == []  # the bundled catalog is whole and right
    assert localize(pack, "cy") is welsh  # read and made once
