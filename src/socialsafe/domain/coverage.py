"""How likely a draw is to ask nothing on a clause: the figures ``validate --coverage`` gives.

The draws are the app's own (:func:`socialsafe.domain.quiz.draw`), so the
figures say what a learner really meets.
"""

from __future__ import annotations

import math
import random

from socialsafe.content.coverage import coverage, draw_needs, tested_clauses
from socialsafe.content.model import Module, ModuleKind, Pack, Question
from socialsafe.content.roles import Role
from socialsafe.domain.quiz import draw
from socialsafe.i18n import _

SIMULATED_DRAWS = 2000  # per distinct pool of a final check: a chance of 1 in 1,000 shows


def never_asked(pack: Pack) -> dict[str, dict[str, float]]:
    """Per clause, for each module that can ask it: the chance that one draw of it asks nothing on the clause.

    Exact for a module drawing ``draw`` of its own questions at random; for a
    final check, the worst of its people's pools over :data:`SIMULATED_DRAWS`
    draws each, seeded, so the figures are the same at every run.
    """
    chances: dict[str, dict[str, float]] = {c.id: {} for c in pack.header.clauses}
    for module in pack.modules:
        for clause, chance in (_mixed(pack, module) if module.kind is ModuleKind.MIXED else _own(pack, module)).items():
            chances.setdefault(clause, {})[module.id] = chance
    return chances


def _own(pack: Pack, module: Module) -> dict[str, float]:
    """Exact for the full draw; a shorter path for a role (``draw_by_role``) simulated: the worst of them."""
    total, count = len(module.questions), min(module.draw, len(module.questions))
    asking: dict[str, int] = {}
    for question in module.questions:
        for clause in tested_clauses(question):
            asking[clause] = asking.get(clause, 0) + 1
    worst = {c: math.comb(total - n, count) / math.comb(total, count) for c, n in asking.items()}
    for role in dict.fromkeys(module.draw_by_role):
        for clause, chance in _simulated(pack, module, role, list(module.questions)).items():
            worst[clause] = max(worst.get(clause, 0.0), chance)
    return worst


def _simulated(pack: Pack, module: Module, role: Role, pool: list[Question]) -> dict[str, float]:
    """Per clause the pool asks: the share of :data:`SIMULATED_DRAWS` seeded draws for ``role`` asking nothing on it."""
    asks = {q.id: tested_clauses(q) for q in pool}
    covers, required = draw_needs(pack, module, role)
    rng = random.Random(f"{pack.id} {module.id} {tuple(asks)}")
    missed = dict.fromkeys(frozenset().union(*asks.values()), 0)
    for _draw in range(SIMULATED_DRAWS):
        drawn = draw(pool, module.draw_for(role), rng, covers=covers, required=required)
        asked = frozenset().union(*(asks[p.question_id] for p in drawn))
        for clause in missed.keys() - asked:
            missed[clause] += 1
    return {clause: count / SIMULATED_DRAWS for clause, count in missed.items()}


def _mixed(pack: Pack, module: Module) -> dict[str, float]:
    worst: dict[str, float] = {}
    pools: set[tuple[str, ...]] = set()
    for role in Role:
        pool = pack.pool(module, role)
        key = tuple(q.id for q in pool)
        if key in pools:
            continue
        pools.add(key)
        for clause, chance in _simulated(pack, module, role, pool).items():
            worst[clause] = max(worst.get(clause, 0.0), chance)
    return worst


def coverage_json(pack: Pack) -> list[dict[str, object]]:
    """The coverage as ``socialsafe validate --coverage --json`` gives it (``shared/contracts/cli.md``)."""
    chances = never_asked(pack)
    return [
        {
            "id": row.clause.id,
            "strength": str(row.clause.strength),
            "questions": row.questions,
            "modules": row.modules,
            "never_asked": chances.get(row.clause.id, {}),
        }
        for row in coverage(pack)
    ]


def refresher_gaps(pack: Pack) -> list[str]:
    """What a final check of ``pack`` cannot ask in every draw, for someone in some role: each a sentence.

    A final check renews a year's training, so each of its draws must ask every
    "must" clause its pool can ask and every module of its pool; a module's
    shorter path for a role (``draw_by_role``) every "must" clause the module asks.
    """
    gaps: list[str] = []
    for module in pack.modules:
        roles = list(Role) if module.kind is ModuleKind.MIXED else list(dict.fromkeys(module.draw_by_role))
        for role in roles:
            covers, required = draw_needs(pack, module, role)
            rng = random.Random(f"{pack.id} {module.id} {role}")
            missed: set[str] = set()
            for _draw in range(200):
                drawn = draw(pack.pool(module, role), module.draw_for(role), rng, covers=covers, required=required)
                missed |= required - frozenset().union(*(covers[p.question_id] for p in drawn))
            for need in sorted(missed):
                kind, name = need.split(":", 1)
                gaps.append(
                    (
                        _("{module}: a draw of {n} questions cannot always ask clause {clause} (for {role})")
                        if kind == "clause"
                        else _("{module}: a draw of {n} questions cannot always ask module {clause} (for {role})")
                    ).format(module=module.id, n=module.draw_for(role), clause=name, role=role)
                )
    return list(dict.fromkeys(gaps))
