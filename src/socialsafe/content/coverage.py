"""Which questions test which clause: the table a reviewer audits a course with.

A clause counts as asked only on the path a learner who answers rightly takes
(a scenario step reached only after a wrong choice asks nothing of someone who
chose well), and for each module, how likely one draw is to ask nothing on it.
The final check must ask every "must" clause and every module in every draw.
"""

from __future__ import annotations

from dataclasses import dataclass

from socialsafe.content.model import Clause, Module, ModuleKind, Pack, Question, QuestionType, Strength
from socialsafe.content.roles import Role
from socialsafe.i18n import _

MIN_QUESTIONS = 2  # each clause is taught by at least this many questions


@dataclass(frozen=True)
class ClauseCoverage:
    clause: Clause
    questions: list[str]  # question ids, in pack order
    modules: list[str]  # module ids holding those questions


def tested_clauses(question: Question) -> set[str]:
    """The clauses a question asks about on the path a learner who answers rightly takes.

    A scenario's own clauses, and those of each step from its start through the
    right choices; a step reached only after a wrong choice is feedback, not a question asked.
    """
    found = set(question.clauses)
    if question.type is not QuestionType.SCENARIO:
        return found
    steps = {step.id: step for step in question.steps}
    here = question.start
    while here is not None:
        step = steps[here]
        found.update(step.clauses)
        here = next(option.next for option in step.options if option.correct)
    return found


def musts(pack: Pack) -> frozenset[str]:
    return frozenset(c.id for c in pack.header.clauses if c.strength is Strength.MUST)


def draw_needs(pack: Pack, module: Module, role: Role | str) -> tuple[dict[str, frozenset[str]], frozenset[str]]:
    """What every draw of ``module`` must ask for a person in ``role``, and what each question asks of it.

    A final check (a mixed module) must ask each "must" clause its pool can ask
    and every module of its pool: then a pass renews a year's training only when
    it asked about every rule that matters. Other modules have no such need.
    """
    if module.kind is not ModuleKind.MIXED:
        return {}, frozenset()
    needed = musts(pack)
    covers = {
        q.id: frozenset({f"module:{m.id}", *(f"clause:{c}" for c in tested_clauses(q) & needed)})
        for m in pack.modules_for(role)
        if m.kind is not ModuleKind.MIXED
        for q in m.questions
    }
    return covers, frozenset().union(*covers.values())


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
