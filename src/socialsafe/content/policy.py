"""A pack held to its policy's clause index: every clause quoted word for word, at the policy's strength.

The index (``shared/policy/clauses.toml`` for the Leaf Trust's policy) quotes the
policy sentence by sentence with a stable id and strength per clause; what a
learner is shown as the policy must be exactly that (``socialsafe validate --policy``).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from socialsafe.content.model import Pack
from socialsafe.content.problems import Problem
from socialsafe.files import read_whole
from socialsafe.i18n import _


def read_index(path: Path) -> tuple[dict[str, object], list[dict[str, object]]]:
    """The index's ``[policy]`` table and its clauses; ValueError (or OSError) says why it cannot be read."""
    try:
        data = tomllib.loads(read_whole(path).decode("utf-8-sig"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError) as error:
        raise ValueError(_("not a clause index ({reason})").format(reason=error)) from error
    clauses = data.get("clause")
    if not isinstance(clauses, list) or not all(isinstance(c, dict) for c in clauses):
        raise ValueError(_("not a clause index: it has no [[clause]] tables"))
    policy = data.get("policy")
    return (policy if isinstance(policy, dict) else {}), clauses


def index_problems(pack: Pack, index: Path) -> list[Problem]:
    """Where ``pack``'s clauses differ from the policy's clause index: each a problem naming the clause."""
    try:
        policy, clauses = read_index(index)
    except (ValueError, OSError) as error:
        return [Problem(index, str(error) if isinstance(error, ValueError) else error.strerror or str(error))]
    where = Path(pack.source) / "pack.toml"
    found: list[Problem] = []
    ours = {c.id: c for c in pack.header.clauses}
    theirs = {str(c.get("id")): c for c in clauses}
    for clause_id, clause in theirs.items():
        mine = ours.get(clause_id)
        if mine is None:
            found.append(Problem(where, _("clause {id} of the policy is missing").format(id=clause_id)))
            continue
        if mine.text != clause.get("text"):
            found.append(Problem(where, _("clause {id} does not quote the policy word for word").format(id=clause_id)))
        if str(mine.strength) != clause.get("strength"):
            found.append(
                Problem(
                    where,
                    _("clause {id} is {strength}, but the policy makes it {policy}").format(
                        id=clause_id, strength=mine.strength, policy=clause.get("strength")
                    ),
                )
            )
    for clause_id in ours.keys() - theirs.keys():
        found.append(Problem(where, _("clause {id} is not in the policy").format(id=clause_id)))
    if [c.id for c in pack.header.clauses if c.id in theirs] != [i for i in theirs if i in ours]:
        found.append(Problem(where, _("the clauses are not in the policy's order")))
    version = policy.get("version")
    if version is not None and str(version) != pack.policy.version:
        found.append(
            Problem(
                where,
                _("the pack is for policy version {pack}, the clause index for version {index}").format(
                    pack=pack.policy.version, index=version
                ),
            )
        )
    return found
