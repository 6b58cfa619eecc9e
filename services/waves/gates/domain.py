"""Gates on the plan aggregate: evaluate a gate's criteria against the evidence, then an executive decides.

Pure. The evaluation is the one evaluator's (`shared.evaluation.evaluate`) over the wave's evidence,
and again per location; a gate passes only when every criterion (its own and those of the gates it
includes) passes. A decision needs an evaluation, is made once per evaluation, and a go on a gate
that did not pass needs an explicit override reason. A no-go pauses deployment to new locations and
sets the incident review's deadline from the playbook.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from services.waves.plan.domain import Plan, RecordGoLive, evolve
from services.waves.plan.domain import decide as decide_plan
from shared.aggregates import Aggregate
from shared.contracts.base import DomainEvent
from shared.contracts.waves import DeploymentPaused, GateDecisionRecorded, GateEvaluated, GateLocation
from shared.errors import Conflict, DomainError, NotFound
from shared.evaluation import Evidence, evaluate, passed
from shared.playbooks import PlaybookTemplate
from shared.playbooks.gates import Gate, MetricCheck


@dataclass(frozen=True, slots=True)
class EvaluateGate:
    """Evaluate `gate` at `at` over the wave's evidence and each of its locations'."""

    program_id: str
    gate: str
    playbook: PlaybookTemplate
    wave: Evidence
    locations: dict[str, Evidence]
    at: datetime
    evaluation_id: str
    evaluated_by: str


@dataclass(frozen=True, slots=True)
class DecideGate:
    """An executive's go / no-go on the gate's latest evaluation."""

    program_id: str
    gate: str
    playbook: PlaybookTemplate
    decision: Literal["go", "no_go"]
    rationale: str
    override_reason: str | None
    decided_by: str
    decider_role: str
    at: datetime
    pause_id: str


Command = EvaluateGate | DecideGate | RecordGoLive


def gate_of(playbook: PlaybookTemplate, key: str) -> Gate:
    """The playbook's gate `key`, or 404."""
    if key not in {g.key for g in playbook.gates}:
        raise NotFound(f"gate {key} is not a gate of the program's playbook", field="gate")
    return playbook.gate(key)


def criteria(playbook: PlaybookTemplate, gate: Gate) -> list[MetricCheck]:
    """The gate's criteria: every criterion of the gates it includes, then its own."""
    included = [c for key in gate.includes for c in criteria(playbook, playbook.gate(key))]
    return included + list(gate.criteria)


def evaluation(command: EvaluateGate, checks: list[MetricCheck] | None = None) -> GateEvaluated:
    """The gate evaluated over the command's evidence (`checks`: other thresholds, for a what-if)."""
    gate = gate_of(command.playbook, command.gate)
    checks = criteria(command.playbook, gate) if checks is None else checks
    results = evaluate(checks, command.wave, command.at)
    per_location = []
    for location_id, evidence in sorted(command.locations.items()):
        mine = evaluate(checks, evidence, command.at)
        per_location.append(GateLocation(location_id=location_id, passed=passed(mine), results=mine))
    return GateEvaluated(
        program_id=command.program_id, gate=gate.key, evaluation_id=command.evaluation_id, from_wave=gate.from_wave,
        to_wave=gate.to_wave, at=command.at, passed=passed(results) and bool(command.locations), results=results,
        locations=per_location, evaluated_by=command.evaluated_by,
    )


def with_thresholds(checks: list[MetricCheck], thresholds: dict[str, float | bool]) -> list[MetricCheck]:
    """The criteria with some thresholds replaced (a what-if); an unknown criterion key is a 422 naming it."""
    keys = {c.key for c in checks}
    for key in thresholds:
        if key not in keys:
            raise DomainError(f"the gate has no criterion {key}; its criteria are {', '.join(sorted(keys))}",
                              field=f"thresholds.{key}")
    return [c.model_copy(update={"threshold": thresholds[c.key]}) if c.key in thresholds else c for c in checks]


def _evaluate(command: EvaluateGate) -> list[DomainEvent]:
    return [evaluation(command)]


def _decide(state: Plan, command: DecideGate) -> list[DomainEvent]:
    gate = gate_of(command.playbook, command.gate)
    latest = state.latest.get(gate.key)
    if latest is None:
        raise Conflict(f"gate {gate.key} has not been evaluated; evaluate it first", field="gate")
    evaluation = state.evaluations[latest]
    if evaluation.decision is not None:
        raise Conflict(f"evaluation {latest} of gate {gate.key} was already decided ({evaluation.decision}); "
                       "evaluate again to decide again", field="gate")
    if not command.rationale.strip():
        raise DomainError("rationale must say why", field="rationale")
    override = command.decision == "go" and not evaluation.passed
    reason = (command.override_reason or "").strip() or None
    if override and reason is None:
        raise DomainError(f"gate {gate.key} did not pass: a go needs override_reason", field="override_reason")
    events: list[DomainEvent] = [GateDecisionRecorded(
        program_id=command.program_id, gate=gate.key, evaluation_id=latest, decision=command.decision,
        rationale=command.rationale, override=override, override_reason=reason if override else None,
        decided_by=command.decided_by, decider_name=command.decided_by, decider_role=command.decider_role,
        decided_at=command.at,
    )]
    if command.decision == "no_go":
        review = timedelta(hours=command.playbook.rollback.incident_review_within_hours)
        events.append(DeploymentPaused(
            program_id=command.program_id, pause_id=command.pause_id, scope="program", wave=gate.to_wave,
            gate=gate.key, reason=f"no-go on gate {gate.key}: {command.rationale}", paused_at=command.at,
            review_due_at=command.at + review,
        ))
    return events


def decide(state: Plan, command: Command) -> list[DomainEvent]:
    """The events a gate command produces on the plan, or a `DomainError`."""
    match command:
        case EvaluateGate():
            return _evaluate(command)
        case DecideGate():
            return _decide(state, command)
        case RecordGoLive():
            return decide_plan(state, command)
    raise TypeError(f"unknown command {command!r}")


gates = Aggregate(initial=Plan, decide=decide, evolve=evolve)
