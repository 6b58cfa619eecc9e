"""What pilot selection works on and answers with, and how candidates are ranked and shown."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from services.readiness.locations.facts import unit
from shared.playbooks import LOCATION_FACTS
from shared.playbooks.pilot import RankKey

COUNT_RULE = "pilot-count"


@dataclass(frozen=True, slots=True)
class Candidate:
    """A program location as the rules see it: rule facts include region and (complete) scores."""

    location_id: str
    name: str
    facts: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Pick:
    location_id: str
    name: str
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RuleResult:
    rule: str
    label: str
    satisfied: bool
    detail: str


@dataclass(frozen=True, slots=True)
class Proposal:
    """2-3 pilots with a reason each, and every rule judged; no pilots when no valid set exists."""

    pilots: tuple[Pick, ...]
    rules: tuple[RuleResult, ...]

    @property
    def location_ids(self) -> list[str]:
        return [p.location_id for p in self.pilots]

    @property
    def unmet(self) -> list[str]:
        return [r.rule for r in self.rules if not r.satisfied]


def show(fact: str, value: Any) -> str:
    """A fact as a person reads it: `composite_score 23`, `internet_down_mbps 60 Mbps`, `om_has_capacity yes`."""
    if value is None:
        return f"{fact} unknown"
    if isinstance(value, bool):
        return f"{fact} {'yes' if value else 'no'}"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    suffix = unit(fact)
    return f"{fact} {value}{' ' + suffix if suffix and fact in LOCATION_FACTS else ''}"


def ordinal(fact: str, value: Any) -> tuple[float, ...] | None:
    """A comparable form of a fact value (number, version parts, ordered-choice index), None if unknown."""
    if value is None:
        return None
    spec = LOCATION_FACTS[fact]
    if spec.kind == "version":
        parts = [float(p) for p in re.findall(r"\d+", str(value))][:4]
        return tuple(parts + [0.0] * (4 - len(parts)))
    if spec.kind == "choice":
        return (float(spec.choices.index(value)),) if value in spec.choices else None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return (float(value),)


def rank_key(candidate: Candidate, keys: Sequence[RankKey]) -> tuple[Any, ...]:
    """Sort key: best first by each rank key (unknown values last), then name and id for a stable order."""
    parts: list[Any] = []
    for key in keys:
        value = ordinal(key.fact, candidate.facts.get(key.fact))
        if value is None:
            parts.append((1, ()))
        else:
            parts.append((0, tuple(-v for v in value) if key.order == "desc" else value))
    return (*parts, candidate.name, candidate.location_id)


def names(candidates: Sequence[Candidate], *, limit: int = 8) -> str:
    """Names for a reason text: the first few, then how many more."""
    shown = ", ".join(c.name for c in candidates[:limit]) or "none"
    return shown + (f" and {len(candidates) - limit} more" if len(candidates) > limit else "")
