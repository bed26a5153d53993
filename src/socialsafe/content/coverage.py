"""Which questions test which clause: the table a reviewer audits a course with."""

from __future__ import annotations

from dataclasses import dataclass

from socialsafe.content.model import Clause, Pack, Question
from socialsafe.i18n import _

MIN_QUESTIONS = 2  # each clause is taught by at least this many questions


@dataclass(frozen=True)
class ClauseCoverage:
    clause: Clause
    questions: list[str]  # question ids, in pack order
    modules: list[str]  # module ids holding those questions


def tested_clauses(question: Question) -> set[str]:
    """The clauses a question tests, its scenario steps' included."""
    found = set(question.clauses)
    for step in question.steps:
        found.update(step.clauses)
    return found


def coverage(pack: Pack) -> list[ClauseCoverage]:
    rows = []
    for clause in pack.header.clauses:
        questions, modules = [], []
        for module in pack.modules:
            for question in module.questions:
                if clause.id in tested_clauses(question):
                    questions.append(question.id)
                    if module.id not in modules:
                        modules.append(module.id)
        rows.append(ClauseCoverage(clause, questions, modules))
    return rows


def coverage_report(pack: Pack) -> str:
    """A plain-text table, one clause a line, with gaps marked."""
    rows = coverage(pack)
    head = (_("Clause"), _("Strength"), _("Questions"), _("Modules"), _("Question ids"))
    table = [head] + [
        (r.clause.id, str(r.clause.strength), str(len(r.questions)), ", ".join(r.modules), ", ".join(r.questions))
        for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(4)]
    lines = [
        _("Coverage of {title} {version} ({source})").format(
            title=pack.policy.title, version=pack.policy.version, source=pack.source
        )
    ]
    for row, result in zip(table, [None, *rows], strict=True):
        cells = [row[i].ljust(widths[i]) for i in range(4)] + [row[4]]
        flag = (
            "  " + _("<- fewer than {n}").format(n=MIN_QUESTIONS)
            if result and len(result.questions) < MIN_QUESTIONS
            else ""
        )
        lines.append("  ".join(cells) + flag)
    gaps = sum(len(r.questions) < MIN_QUESTIONS for r in rows)
    lines.append(
        _("{covered} of {total} clauses are tested by at least {n} questions.").format(
            covered=len(rows) - gaps, total=len(rows), n=MIN_QUESTIONS
        )
    )
    return "\n".join(lines)
