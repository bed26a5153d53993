"""The quiz pack format, as pydantic models.

A pack is a folder holding ``pack.toml`` (the pack and policy metadata and the
policy text clause by clause) and ``modules/*.toml`` (one module a file, in
file-name order). ``docs/pack-format.md`` documents every field; these models
are the single source of truth for what is valid.

The models check everything that can be checked within one object. Checks that
span the pack (clause ids referenced by questions exist, ids are unique) live
in :mod:`socialsafe.content.loader`, where the file and line are known.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from socialsafe.content.roles import Role as Role
from socialsafe.i18n import _

if TYPE_CHECKING:
    from socialsafe.content.problems import Problem
    from socialsafe.content.translation import PackTranslations

FORMAT_NAME = "socialsafe-pack"
FORMAT_VERSION = 1

Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=64)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Strength(StrEnum):
    """How strongly the policy words a clause; content must keep it."""

    MUST = "must"
    SHOULD = "should"
    ADVISED = "advised"
    INFO = "info"


class QuestionType(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    TRUE_FALSE = "true_false"
    SCENARIO = "scenario"


class _Strict(BaseModel):
    # Unknown keys are almost always typos ("feeback"), so they are errors.
    model_config = ConfigDict(extra="forbid", frozen=True)


class PackInfo(_Strict):
    id: Id
    version: Text
    title: Text
    language: Text = "en-GB"
    valid_for_months: Annotated[int, Field(ge=1, le=120)] | None = None
    # The mixed module whose pass, with a new sign-off, renews a completion.
    refresher: Id | None = None


class PolicyInfo(_Strict):
    id: Id
    title: Text
    organisation: Text
    version: Annotated[str, StringConstraints(pattern=r"^\d+(\.\d+)*$")]
    adopted: dt.date
    review: Text


class Clause(_Strict):
    id: Id
    section: Text
    strength: Strength
    text: Text
    # Set in a translated copy of the pack, never read from pack.toml.
    _translation: bool = PrivateAttr(default=False)

    @property
    def is_translation(self) -> bool:
        """Whether this is a translation of the clause, not the policy's own words (which are the authority)."""
        return self._translation


class Option(_Strict):
    id: Id
    text: Text
    correct: bool = False
    feedback: Text
    # Scenario steps only: the step this choice leads to; none ends the scenario.
    next: Id | None = None


class Step(_Strict):
    id: Id
    prompt: Text
    # The clauses quoted in this step's feedback; none means the question's.
    clauses: list[Id] = []
    options: Annotated[list[Option], Field(min_length=2)]

    @model_validator(mode="after")
    def _one_best_choice(self) -> Self:
        if sum(o.correct for o in self.options) != 1:
            raise ValueError(_("a scenario step needs exactly one option with correct = true"))
        _unique([o.id for o in self.options], "option")
        return self


class Question(_Strict):
    id: Id
    type: QuestionType
    prompt: Text
    clauses: Annotated[list[Id], Field(min_length=1)]
    options: list[Option] = []
    # true_false only: the right answer and the feedback for each choice.
    answer: bool | None = None
    feedback_true: Text | None = None
    feedback_false: Text | None = None
    # scenario only.
    start: Id | None = None
    steps: list[Step] = []

    @model_validator(mode="after")
    def _fits_its_type(self) -> Self:
        match self.type:
            case QuestionType.SINGLE | QuestionType.MULTIPLE:
                self._check_choice()
            case QuestionType.TRUE_FALSE:
                if self.answer is None or self.feedback_true is None or self.feedback_false is None:
                    raise ValueError(_("a true_false question needs answer, feedback_true and feedback_false"))
                if self.options or self.steps:
                    raise ValueError(_("a true_false question takes no options or steps"))
            case QuestionType.SCENARIO:
                self._check_scenario()
        return self

    def _check_choice(self) -> None:
        if len(self.options) < 2:
            raise ValueError(_("a {type} question needs at least 2 options").format(type=self.type))
        if self.steps or self.answer is not None:
            raise ValueError(_("a {type} question takes options only, not steps or answer").format(type=self.type))
        right = sum(o.correct for o in self.options)
        if self.type is QuestionType.SINGLE and right != 1:
            raise ValueError(_("a single question needs exactly one option with correct = true"))
        if self.type is QuestionType.MULTIPLE and right < 1:
            raise ValueError(_("a multiple question needs at least one option with correct = true"))
        if any(o.next for o in self.options):
            raise ValueError(_("next is only for scenario steps"))
        _unique([o.id for o in self.options], "option")

    def _check_scenario(self) -> None:
        if not self.steps or self.start is None:
            raise ValueError(_("a scenario needs start and at least one step"))
        if self.options or self.answer is not None:
            raise ValueError(_("a scenario takes steps, not options or answer"))
        steps = {s.id: s for s in self.steps}
        _unique([s.id for s in self.steps], "step")
        if self.start not in steps:
            raise ValueError(_("start names step {start}, which does not exist").format(start=self.start))
        for step in self.steps:
            for option in step.options:
                if option.next is not None and option.next not in steps:
                    raise ValueError(
                        _("step {id} option {id1}: next names unknown step {next}").format(
                            id=step.id, id1=option.id, next=option.next
                        )
                    )
        # Every path must end: no step may be reached again from itself.
        reachable = _walk(self.start, steps)
        unreached = [s for s in steps if s not in reachable]
        if unreached:
            raise ValueError(_("steps never reached from start: {steps}").format(steps=", ".join(unreached)))

    def choices(self) -> list[Option]:
        """The options shown for a one-step question (true/false as two options)."""
        if self.type is QuestionType.TRUE_FALSE:
            # The validator guarantees both feedbacks for true_false.
            assert self.feedback_true is not None
            assert self.feedback_false is not None
            return [
                Option(id="true", text="True", correct=self.answer is True, feedback=self.feedback_true),
                Option(id="false", text="False", correct=self.answer is False, feedback=self.feedback_false),
            ]
        return list(self.options)

    def step(self, step_id: str) -> Step:
        return next(s for s in self.steps if s.id == step_id)


class ModuleKind(StrEnum):
    QUIZ = "quiz"  # asks from its own questions
    MIXED = "mixed"  # a final check: draws from every other module that applies to the person


class Module(_Strict):
    id: Id
    title: Text
    kind: ModuleKind = ModuleKind.QUIZ
    intro: Text
    clauses: list[Id] = []
    key_points: list[Text] = []
    # Empty means everyone in scope.
    roles: list[Role] = []
    pass_mark: Annotated[float, Field(gt=0, le=1)] = 0.8
    # Declared before draw so that draw's check can see them.
    questions: list[Question] = []
    draw: Annotated[int, Field(ge=1)]
    # A shorter path for roles with less contact (a volunteer, a parent helper): fewer questions drawn, each
    # draw still asking every "must" clause the module asks (content.coverage.draw_needs; the validator checks).
    draw_by_role: dict[Role, Annotated[int, Field(ge=1)]] = {}

    @field_validator("draw")
    @classmethod
    def _pool_covers_draw(cls, draw: int, info: ValidationInfo) -> int:
        # A check on the field itself, so the problem points at the draw line.
        questions = info.data.get("questions")
        if info.data.get("kind") is not ModuleKind.MIXED and questions is not None and len(questions) < draw:
            raise ValueError(
                _("draw is {draw} but the module has only {questions} questions").format(
                    draw=draw, questions=len(questions)
                )
            )
        return draw

    @field_validator("draw_by_role")
    @classmethod
    def _shorter(cls, by_role: dict[Role, int], info: ValidationInfo) -> dict[Role, int]:
        draw = info.data.get("draw")
        for role, count in by_role.items():
            if draw is not None and count > draw:
                raise ValueError(
                    _("draw_by_role gives {role} {count} questions, more than the module's draw of {draw}").format(
                        role=role, count=count, draw=draw
                    )
                )
        return by_role

    def draw_for(self, role: Role | str) -> int:
        """How many questions an attempt draws for a person in ``role``."""
        return self.draw_by_role.get(Role(role), self.draw) if role in set(Role) else self.draw

    @model_validator(mode="after")
    def _fits_its_kind(self) -> Self:
        if self.kind is ModuleKind.MIXED and self.questions:
            raise ValueError(_("a mixed module draws from the other modules and has no questions of its own"))
        if self.kind is ModuleKind.QUIZ and not self.clauses:
            raise ValueError(_("a quiz module names the clauses it covers"))
        return self

    def applies_to(self, role: Role | str) -> bool:
        return not self.roles or role in self.roles


class PackHeader(_Strict):
    """The whole of ``pack.toml``."""

    format: Literal["socialsafe-pack"]
    format_version: Literal[1]
    pack: PackInfo
    policy: PolicyInfo
    clauses: Annotated[list[Clause], Field(min_length=1)]
    # A one-page "policy at a glance" in Markdown, shown before starting.
    summary: Text | None = None


class Pack(BaseModel):
    """A loaded, fully checked pack."""

    model_config = ConfigDict(frozen=True)

    header: PackHeader
    modules: list[Module]
    source: str  # the folder it was read from, for messages
    # Kept beside the pack, never read from pack.toml: its translations (see socialsafe.content.translation),
    # and, in a translated copy, the pack as written.
    _translations: PackTranslations | None = PrivateAttr(default=None)
    _english: Pack | None = PrivateAttr(default=None)

    @property
    def id(self) -> str:
        return self.header.pack.id

    @property
    def english(self) -> Pack:
        """The pack as written: this one, or the one this translated copy was made from.

        Whatever compares policy text (what changed between versions) compares this.
        """
        return self._english if self._english is not None else self

    @property
    def translation_problems(self) -> list[Problem]:
        """What is wrong with the pack's translations (those parts are not used)."""
        translations = self.english._translations
        return list(translations.problems) if translations is not None else []

    @property
    def version(self) -> str:
        return self.header.pack.version

    @property
    def policy(self) -> PolicyInfo:
        return self.header.policy

    def clause(self, clause_id: str) -> Clause:
        return next(c for c in self.header.clauses if c.id == clause_id)

    def module(self, module_id: str) -> Module:
        return next(m for m in self.modules if m.id == module_id)

    def modules_for(self, role: Role | str) -> list[Module]:
        return [m for m in self.modules if m.applies_to(role)]

    def questions(self) -> dict[str, Question]:
        """Every question of the pack by id (ids are unique across a pack)."""
        return {q.id: q for m in self.modules for q in m.questions}

    def pool(self, module: Module, role: Role | str) -> list[Question]:
        """The questions an attempt at ``module`` draws from, for a person in ``role``."""
        if module.kind is ModuleKind.MIXED:
            return [q for m in self.modules_for(role) for q in m.questions]
        return list(module.questions)


def _unique(ids: list[str], what: str) -> None:
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            raise ValueError(_("{what} id {id} is used twice").format(what=what, id=i))
        seen.add(i)


def _walk(start: str, steps: dict[str, Step]) -> set[str]:
    """Steps reachable from start; raises on a loop, so every path ends."""
    done: set[str] = set()

    def visit(step_id: str, path: tuple[str, ...]) -> None:
        if step_id in path:
            raise ValueError(_("steps loop back: {path}").format(path=" -> ".join((*path, step_id))))
        if step_id in done:
            return
        for option in steps[step_id].options:
            if option.next is not None:
                visit(option.next, (*path, step_id))
        done.add(step_id)

    visit(start, ())
    return done
