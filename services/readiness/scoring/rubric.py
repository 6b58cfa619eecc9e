"""Deriving one factor score from facts by the playbook's rubric, and saying why.

A factor's rows are a ladder: the score is the highest row whose conditions hold. A row
whose outcome hangs on a missing fact stops the climb — the score might be that row's, so
the answer is "not enough data" (with the facts to record and the floor already reached),
never a guess.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from shared.playbooks import Condition, Factor, RubricRow

TOP_SCORE = 5
SYMBOLS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "==": "=", "in": "in", "not_in": "not in"}


@dataclass(frozen=True, slots=True)
class Derivation:
    """What the facts give for one factor: a score and its row, or the facts still needed."""

    score: int | None
    row: RubricRow | None
    missing: tuple[str, ...] = ()
    at_least: int | None = None


def describe(condition: Condition) -> str:
    """A condition as a person reads it: `internet_down_mbps ≥ 50`, `it_managed = yes`."""
    if condition.op == "is_true":
        return f"{condition.fact} = yes"
    if condition.op == "is_false":
        return f"{condition.fact} = no"
    value = condition.value
    shown = ", ".join(map(str, value)) if isinstance(value, tuple) else str(value)
    return f"{condition.fact} {SYMBOLS[condition.op]} {shown}"


def _unknown_facts(conditions: Sequence[Condition], facts: Mapping[str, Any]) -> list[str]:
    return [c.fact for c in conditions if c.holds(facts) is None]


def derive(factor: Factor, facts: Mapping[str, Any]) -> Derivation:
    """The highest matching row, unless a higher row's outcome depends on a missing fact."""
    missing: list[str] = []
    for row in sorted(factor.rows, key=lambda r: r.score, reverse=True):
        match = row.matches(facts)
        if match is True:
            if missing:
                return Derivation(None, None, tuple(missing), at_least=row.score)
            return Derivation(row.score, row, at_least=row.score)
        if match is None:
            missing += [fact for fact in _unknown_facts(row.conditions, facts) if fact not in missing]
    return Derivation(None, None, tuple(missing))


def next_step(factor: Factor, score: int, facts: Mapping[str, Any]) -> str | None:
    """What the facts lack for `score + 1`: "IT 3 → 4 needs internet_down_mbps ≥ 50 and …"."""
    if score >= TOP_SCORE:
        return None
    row = factor.row(score + 1)
    needs = [describe(c) for c in row.all_of if c.holds(facts) is not True]
    if row.any_of and not any(c.holds(facts) is True for c in row.any_of):
        needs.append("one of (" + " or ".join(describe(c) for c in row.any_of) + ")")
    head = f"{factor.label} {score} → {score + 1}"
    if not needs:
        return f"{head}: the facts already meet row {score + 1} ({row.criteria})"
    return f"{head} needs {' and '.join(needs)}"


def undecided(factor: Factor, derivation: Derivation) -> str:
    """Why a factor has no derived score, in one line."""
    if not derivation.missing:
        return f"{factor.label}: no rubric row matches these facts"
    floor = f" (at least {derivation.at_least})" if derivation.at_least else ""
    return f"{factor.label}: not enough data{floor}; record {', '.join(derivation.missing)}"
