"""Readiness scoring, pure: five factor scores (entered or derived) -> composite -> level -> wave,
and when a location's scoring is (re)recorded, withdrawn, or left alone.

Table-driven: rubric and thresholds are the program's playbook data. Without a program
the SoftSmile template applies, whose sample matrix is the reference
(A 23 -> wave-1, B 21 -> wave-1, C 16 -> wave-2, D 11 -> remediation).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from services.readiness.scoring.rubric import derive, next_step, undecided
from shared.contracts.base import DomainEvent
from shared.contracts.readiness import FACTORS, LocationScored, LocationScoreWithdrawn, ScoredFactor
from shared.errors import Conflict
from shared.playbooks import PlaybookTemplate, Readiness, get_template

DEFAULT_PLAYBOOK = "softsmile-dso"
RUBRIC = "rubric"
# Program id -> its effective playbook; the key None is the default for locations without one.
Playbooks = Mapping[str | None, PlaybookTemplate]


def default_readiness() -> Readiness:
    """The rubric and thresholds used when a location belongs to no program."""
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


class Entered(NamedTuple):
    """A factor score an assessor entered, overriding the rubric until reverted.

    A named tuple, not a frozen dataclass: a rebuild makes five per LocationScored, and a
    frozen dataclass's `__init__` (object.__setattr__ per field) made that a few % of it.
    """

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


@dataclass(frozen=True, slots=True)
class Scoring:
    """The location's last recorded scoring (its latest `LocationScored`)."""

    scores: dict[str, int]
    methods: dict[str, str]
    composite: int
    level: str
    recommended_wave: str
    factors: dict[str, ScoredFactor] = field(default_factory=dict)


def playbook_for(playbooks: Playbooks, program_id: str | None) -> PlaybookTemplate:
    """The effective playbook of a program (or the default), or a conflict if readiness lacks it."""
    template = playbooks.get(program_id)
    if template is None:
        raise Conflict(f"program {program_id} is not known to readiness yet; retry shortly", field="program_id")
    return template


def scoring_of(event: LocationScored) -> Scoring:
    # Events from before per-factor scoring carry no `factors`: all five were entered.
    methods: dict[str, str] = {f: event.factors[f].method if f in event.factors else "entered" for f in event.scores}
    return Scoring(dict(event.scores), methods, event.composite, event.level, event.recommended_wave,
                   dict(event.factors))


def entered_of(event: LocationScored) -> dict[str, Entered]:
    """The entered factor scores a `LocationScored` carries forward."""
    if not event.factors:
        return {f: Entered(s, event.assessor, event.reason) for f, s in event.scores.items()}
    return {
        f: Entered(d.score, d.assessor or event.assessor, d.reason)
        for f, d in event.factors.items()
        if d.method == "entered"
    }


def same_result(scoring: Scoring | None, evaluation: Evaluation) -> bool:
    if scoring is None or evaluation.placement is None:
        return False
    placed = evaluation.placement
    return (scoring.scores, scoring.methods, scoring.composite, scoring.level, scoring.recommended_wave) == (
        evaluation.scores, evaluation.methods, placed.composite, placed.level, placed.recommended_wave
    )


def scored(
    location_id: str, evaluation: Evaluation, template: PlaybookTemplate, *,
    program_id: str | None, assessor: str, reason: str | None,
) -> LocationScored:
    """The `LocationScored` recording a complete evaluation, with every factor's row and method."""
    assert evaluation.placement is not None
    factors = {
        r.key: ScoredFactor(score=r.score, method=r.method, criteria=r.criteria, next_step=r.next_step,
                            assessor=r.assessor, reason=r.reason)
        for r in evaluation.factors
        if r.score is not None and r.method is not None
    }
    every_entered = all(factors[f].method == "entered" for f in FACTORS)
    return LocationScored(
        location_id=location_id,
        scores=evaluation.scores,
        composite=evaluation.placement.composite,
        level=evaluation.placement.level,  # type: ignore[arg-type]
        recommended_wave=evaluation.placement.recommended_wave,
        assessor=assessor,
        method="entered" if every_entered else "derived",
        reason=reason,
        factors=factors,
        program_id=program_id,
        playbook_id=template.id,
    )


def rescored(
    *, location_id: str, program_id: str | None, facts: Mapping[str, object], entered: Mapping[str, Entered],
    previous: Scoring | None, playbooks: Playbooks, reason: str,
) -> list[DomainEvent]:
    """Re-derive after a change: a new `LocationScored` only if the result changed, a withdrawal if it broke."""
    template = playbook_for(playbooks, program_id)
    evaluation = evaluate(template.readiness, facts, entered)
    if evaluation.complete:
        if same_result(previous, evaluation):
            return []
        return [scored(location_id, evaluation, template, program_id=program_id, assessor=RUBRIC, reason=reason)]
    if previous is None:
        return []
    unscored = {r.key: list(r.missing) for r in evaluation.factors if r.score is None}
    return [LocationScoreWithdrawn(location_id=location_id, unscored=unscored, reason=reason)]
