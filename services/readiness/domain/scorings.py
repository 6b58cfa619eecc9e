"""From an evaluation to events: when a location's scoring is (re)recorded, withdrawn, or left alone."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from services.readiness.scoring import Entered, Evaluation, evaluate
from shared.contracts.base import DomainEvent
from shared.contracts.readiness import FACTORS, LocationScored, LocationScoreWithdrawn, ScoredFactor
from shared.errors import Conflict
from shared.playbooks import PlaybookTemplate

# Programme id -> its effective playbook; the key None is the default for locations without one.
Playbooks = Mapping[str | None, PlaybookTemplate]
RUBRIC = "rubric"


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
    """The effective playbook of a programme (or the default), or a conflict if readiness lacks it."""
    template = playbooks.get(program_id)
    if template is None:
        raise Conflict(f"programme {program_id} is not known to readiness yet; retry shortly", field="program_id")
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
