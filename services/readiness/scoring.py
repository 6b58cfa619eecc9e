"""Readiness arithmetic: five factor scores (entered or derived) -> composite -> level -> wave.

Pure and table-driven: rubric and thresholds are the programme's playbook data. Without a
programme the SoftSmile template applies, whose sample matrix is the reference
(A 23 -> wave-1, B 21 -> wave-1, C 16 -> wave-2, D 11 -> remediation).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from services.readiness.rubric import derive, next_step, undecided
from shared.contracts.readiness import FACTORS
from shared.playbooks import Readiness, get_template

DEFAULT_PLAYBOOK = "softsmile-dso"


def default_readiness() -> Readiness:
    """The rubric and thresholds used when a location belongs to no programme."""
    return get_template(DEFAULT_PLAYBOOK).readiness


@dataclass(frozen=True, slots=True)
class Placement:
    composite: int
    level: str
    recommended_wave: str


def assess(scores: Mapping[str, int], readiness: Readiness | None = None) -> Placement:
    """Composite is the plain sum of the five factors (5-25); the thresholds place it."""
    missing = [f for f in FACTORS if f not in scores]
    if missing:
        raise ValueError(f"missing factor scores: {', '.join(missing)}")
    composite = sum(scores[f] for f in FACTORS)
    threshold = (readiness or default_readiness()).threshold_for(composite)
    return Placement(composite, threshold.level, threshold.recommended_wave)


@dataclass(frozen=True, slots=True)
class Entered:
    """A factor score an assessor entered, overriding the rubric until reverted."""

    score: int
    assessor: str
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class FactorResult:
    """One factor: its score and how it came about, or why there is none."""

    key: str
    label: str
    score: int | None
    method: Literal["entered", "derived"] | None
    criteria: str | None
    next_step: str | None
    detail: str
    missing: tuple[str, ...] = ()
    at_least: int | None = None
    derived_score: int | None = None
    assessor: str | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The five factors; composite, level and wave only once every factor has a score."""

    factors: tuple[FactorResult, ...]
    placement: Placement | None

    @property
    def complete(self) -> bool:
        return self.placement is not None

    @property
    def scores(self) -> dict[str, int]:
        return {f.key: f.score for f in self.factors if f.score is not None}

    @property
    def methods(self) -> dict[str, str]:
        return {f.key: f.method for f in self.factors if f.method is not None}

    def factor(self, key: str) -> FactorResult:
        return next(f for f in self.factors if f.key == key)


def evaluate(readiness: Readiness, facts: Mapping[str, Any], entered: Mapping[str, Entered]) -> Evaluation:
    """Score every factor: an entered score stands, otherwise the rubric derives one from facts."""
    results = []
    for key in FACTORS:
        factor = readiness.factor(key)  # type: ignore[arg-type]
        derivation = derive(factor, facts)
        given = entered.get(key)
        if given is not None:
            results.append(FactorResult(
                key, factor.label, given.score, "entered", factor.row(given.score).criteria,
                next_step(factor, given.score, facts), f"{factor.label}: {given.score}, entered by {given.assessor}",
                derived_score=derivation.score, assessor=given.assessor, reason=given.reason,
            ))
        elif derivation.score is not None and derivation.row is not None:
            results.append(FactorResult(
                key, factor.label, derivation.score, "derived", derivation.row.criteria,
                next_step(factor, derivation.score, facts),
                f"{factor.label}: {derivation.score}, rubric row '{derivation.row.criteria}'",
                at_least=derivation.at_least, derived_score=derivation.score,
            ))
        else:
            results.append(FactorResult(
                key, factor.label, None, None, None, None, undecided(factor, derivation),
                missing=derivation.missing, at_least=derivation.at_least,
            ))
    scores = {r.key: r.score for r in results if r.score is not None}
    placement = assess(scores, readiness) if len(scores) == len(FACTORS) else None
    return Evaluation(tuple(results), placement)
