"""A module before its quiz: the introduction, the clauses it covers, the key points."""

from __future__ import annotations

import re

from PySide6.QtCore import Signal
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QVBoxLayout, QWidget

from socialsafe.content.model import Clause, Module, Pack
from socialsafe.domain.status import changed_clause_ids
from socialsafe.i18n import _
from socialsafe.ui.flow import FlowRow
from socialsafe.ui.reading import ReadingText, follow_focus
from socialsafe.ui.widgets import button, label, page_layout, scrolling


def quoted_clause(clause: Clause) -> str:
    """A clause as staff read it: the policy's own words and the section they come from.

    Never its id or a strength label of ours ("USE-3 (must)"): the policy's words say "must", "should"
    or "strongly advised" themselves.
    """
    return _("“{words}” (the policy, {section})").format(words=clause.text, section=clause.section)


def md_escape(text: str) -> str:
    """Show policy text verbatim inside Markdown."""
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", text)


def module_markdown(pack: Pack, module: Module) -> str:
    parts = [module.intro.strip(), ""]
    if module.clauses:
        parts += ["## " + _("What the policy says"), ""]
        if any(pack.clause(c).is_translation for c in module.clauses):
            parts += ["*" + _("A translation: the English text of the policy is the authority.") + "*", ""]
    for clause_id in module.clauses:
        clause = pack.clause(clause_id)
        # A clause of several lines (a list) stays inside its quote.
        quoted = md_escape(clause.text).replace("\n", "\n> ")
        parts += [f"> “{quoted}”", ">", "> — " + md_escape(clause.section), ""]
    if module.key_points:
        parts += ["## " + _("Key points"), ""]
        parts += [f"- {point}" for point in module.key_points]
    return "\n".join(parts)


def what_changed_markdown(old: Pack, new: Pack) -> str:
    """The clauses whose text changed between two policy versions, and the modules to redo."""
    changed = changed_clause_ids(old, new)
    before = {c.id: c for c in old.header.clauses}
    after = {c.id: c for c in new.header.clauses}
    parts = [
        _("The {title} has changed from version {old} to version {new}. These parts are different:").format(
            title=md_escape(new.policy.title), old=old.policy.version, new=new.policy.version
        ),
        "",
    ]
    for clause in new.header.clauses + [c for c in old.header.clauses if c.id not in after]:
        if clause.id not in changed:
            continue
        parts += [f"### {md_escape(clause.section)}", ""]
        was, now = before.get(clause.id), after.get(clause.id)
        parts.append("**" + _("Before:") + "** " + (md_escape(was.text) if was else _("(not in the old version)")))
        parts.append("")
        parts.append("**" + _("Now:") + "** " + (md_escape(now.text) if now else _("(removed)")))
        parts.append("")
    redo = [m.title for m in new.modules if set(m.clauses) & changed]
    if redo:
        parts += ["## " + _("Modules to take again"), ""] + [f"- {md_escape(title)}" for title in redo]
    else:
        parts.append(_("None of the modules covers a changed part: you only need to sign the new version."))
    return "\n".join(parts)


class ModulePage(QWidget):
    start_quiz = Signal()
    back = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        body = QWidget()
        layout = page_layout(body)
        self.title = label("", "h1")
        layout.addWidget(self.title)
        # Pack text: Markdown that loads nothing and opens no link, whatever the pack holds. As tall as
        # its text, in a page that scrolls as a whole: at large text a box scrolling inside the page
        # showed a few lines. A caret to read it by, line by line, with a screen reader too.
        self.reader = ReadingText(_("Module introduction and policy clauses"), boxed=True)
        layout.addWidget(self.reader)
        layout.addStretch(1)
        self.scroller = scrolling(body, _("Module"))
        follow_focus(self.scroller)
        outer.addWidget(self.scroller, 1)

        # The buttons stay in view below the scrolling text.
        footer = QWidget()
        row = FlowRow(footer)  # with large text the buttons wrap onto a second line
        row.setContentsMargins(32, 8, 32, 16)
        self.start_button = button(_("Start the quiz"), _("Start the quiz"), primary=True)
        self.start_button.clicked.connect(self.start_quiz)
        back = button(_("Back to my modules"), _("Back to my modules"))
        back.clicked.connect(self.back)
        row.add(self.start_button)
        row.add(back)
        outer.addWidget(footer)

    def _show_text(self, title: str, markdown: str, name: str) -> None:
        self.title.setText(title)
        self.reader.show_markdown(markdown)
        self.reader.moveCursor(QTextCursor.MoveOperation.Start)
        self.reader.setAccessibleName(name)
        self.reader.setAccessibleDescription(_("Use the arrow keys to read it line by line."))
        self.scroller.verticalScrollBar().setValue(0)

    def show_reading(self, title: str, markdown: str) -> None:
        """A page to read, with no quiz: the policy at a glance."""
        self._show_text(title, markdown, title)
        self.start_button.hide()
        self.reader.setFocus()

    def show_module(self, pack: Pack, module: Module, resume_at: int | None, total: int | None = None) -> None:
        """``resume_at``: the question an unfinished attempt of ``total`` questions goes on from."""
        self._show_text(module.title, module_markdown(pack, module), _("Module introduction and policy clauses"))
        self.start_button.show()
        if resume_at is None:
            text = _("Start the quiz")
        else:
            text = _("Continue the quiz (question {n} of {total})").format(n=resume_at, total=total or module.draw)
        self.start_button.setText(text)
        self.start_button.setAccessibleName(text)
        self.start_button.setFocus()
