"""validate --policy holds a pack to its policy's clause index: word for word, at the policy's strength (#15)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from helpers_packs import validate_process
from socialsafe.content.loader import load_pack
from socialsafe.content.model import Pack
from socialsafe.resources import bundled

LEAF = bundled("quizzes") / "leaf-social-media"
SHARED_INDEX = Path(__file__).resolve().parents[2] / "shared" / "policy" / "clauses.toml"


def index_of(pack: Pack, change: dict[str, dict[str, str]] | None = None, drop: str = "", version: str = "") -> str:
    """A clause index in the shared format, written from ``pack``'s own clauses, with changes."""
    lines = ["[policy]", f"version = {json.dumps(version or pack.policy.version)}", ""]
    for clause in pack.header.clauses:
        if clause.id == drop:
            continue
        fields = {
            "id": clause.id,
            "strength": str(clause.strength),
            "text": clause.text,
            **(change or {}).get(clause.id, {}),
        }
        lines += ["[[clause]]", *(f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in fields.items()), ""]
    return "\n".join(lines)


def validate(tmp_path: Path, index: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "clauses.toml"
    path.write_text(index, "utf-8")
    return validate_process(tmp_path, "--policy", str(path), str(LEAF))


def test_a_pack_that_quotes_its_policy_is_valid(tmp_path: Path) -> None:
    result = validate(tmp_path, index_of(load_pack(LEAF)))
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_difference_from_the_policy_is_named(tmp_path: Path) -> None:
    pack = load_pack(LEAF)
    index = index_of(
        pack,
        change={"USE-3": {"text": "Staff must decline any contact."}, "USE-0": {"strength": "must"}},
        drop="BREACH-4",
        version="2.0",
    )

    result = validate(tmp_path, index)

    assert result.returncode == 1
    problems = result.stdout
    assert "clause USE-3 does not quote the policy word for word" in problems
    assert "clause USE-0 is should, but the policy makes it must" in problems
    assert "clause BREACH-4 is not in the policy" in problems
    assert "the pack is for policy version 1.0, the clause index for version 2.0" in problems


def test_an_index_that_is_not_one_is_said_plainly(tmp_path: Path) -> None:
    result = validate(tmp_path, "a = " + "[" * 5000 + "]" * 5000)
    assert result.returncode == 1
    assert "not a clause index" in result.stdout
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(not SHARED_INDEX.is_file(), reason="the shared clause index is not beside this checkout")
def test_the_bundled_pack_quotes_the_trusts_clause_index(tmp_path: Path) -> None:
    result = validate(tmp_path, SHARED_INDEX.read_text("utf-8"))
    assert result.returncode == 0, result.stdout
