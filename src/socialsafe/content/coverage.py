"""Which questions test which clause: the table a reviewer audits a course with.

A clause counts as asked only on the path a learner who answers rightly takes
(a scenario step reached only after a wrong choice asks nothing of someone who
chose well), and for each module, how likely one draw is to ask nothing on it.
The final check must ask every "must" clause and every module in every draw.
"""

from __future__ import annotations

from dataclasses import dataclass

from socialsafe.content.model import Clause, Module, ModuleKind, Option, Pack, Question, QuestionType, Strength
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
    it asked about every rule that matters. A module's shorter path for a role
    (``draw_by_role``) must ask each "must" clause the module asks. A module's
    full draw has no such need.
    """
    needed = musts(pack)
    if module.kind is not ModuleKind.MIXED:
        if module.draw_for(role) == module.draw:
            return {}, frozenset()
        own = {q.id: frozenset(f"clause:{c}" for c in tested_clauses(q) & needed) for q in module.questions}
        return own, frozenset().union(*own.values())
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
    found = cues(pack)
    lines.append(
        _(
            "Answer cues: {true} of {tf} true/false answers are true; the right option is the longest in "
            "{longest} of {single} single-answer choices."
        ).format(true=found.true_answers, tf=found.true_false, longest=found.right_longest, single=found.single_choices)
    )
    return "\n".join(lines)


# Answer cues ---------------------------------------------------------------------------------------------

TRUE_SHARE = (0.35, 0.65)  # of true/false answers that are "true": outside it, always guessing one side passes
LONGEST_SHARE = 0.40  # at most this share of single-answer choices may have the right option as the longest
CUE_SAMPLE = 10  # fewer questions of a kind than this say nothing either way: a small pack is not judged


@dataclass(frozen=True)
class Cues:
    """How a test-wise guesser would fare: true/false answers that are true, right options that are the longest."""

    true_answers: int
    true_false: int
    right_longest: int
    single_choices: int  # single questions and scenario steps: one right option each

    def problems(self) -> list[str]:
        found = []
        low, high = TRUE_SHARE
        if self.true_false >= CUE_SAMPLE and not low <= self.true_answers / self.true_false <= high:
            found.append(
                _(
                    "{n} of {total} true/false answers are true ({share:.0%}): keep it between {low:.0%} and "
                    "{high:.0%}, so that always answering one way does not pass"
                ).format(n=self.true_answers, total=self.true_false, share=self.true_answers / self.true_false,
                         low=low, high=high)
            )  # fmt: skip
        if self.single_choices >= CUE_SAMPLE and self.right_longest / self.single_choices > LONGEST_SHARE:
            found.append(
                _(
                    "the right option is the longest in {n} of {total} single-answer choices ({share:.0%}): at "
                    "most {most:.0%}, so that picking the longest does not pass; make the other options as long"
                ).format(n=self.right_longest, total=self.single_choices,
                         share=self.right_longest / self.single_choices, most=LONGEST_SHARE)
            )  # fmt: skip
        return found


def cues(pack: Pack) -> Cues:
    true_false = [q for m in pack.modules for q in m.questions if q.type is QuestionType.TRUE_FALSE]
    choices = [
        options
        for m in pack.modules
        for q in m.questions
        for options in (
            [q.options] if q.type is QuestionType.SINGLE else [s.options for s in q.steps]
        )
    ]  # fmt: skip

    def right_is_longest(options: list[Option]) -> bool:
        right = next(o for o in options if o.correct)
        return all(len(right.text) > len(o.text) for o in options if o is not right)

    return Cues(
        sum(q.answer is True for q in true_false),
        len(true_false),
        sum(right_is_longest(options) for options in choices),
        len(choices),
    )
