"""The plan aggregate of a program (aggregate "plan", id = program_id): go-lives, gates, decisions, pauses.

Pure: `evolve` folds every plan event; `decide` here records go-lives, the gates feature
decides on the same state. A go-live is a recorded fact, refused while the location lacks a
baseline its gate compares against, while its wave (or it) is paused, or before a go on the
gate into its wave.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from services.waves.checklists.domain import UpdateChecklistItem, update_item
from services.waves.plan.assign import Placement
from services.waves.plan.cadence import check_go_live_date
from shared.aggregates import Aggregate
from shared.contracts.base import DomainEvent
from shared.contracts.waves import (
    DeploymentPaused,
    DeploymentResumed,
    GateDecisionRecorded,
    GateEvaluated,
    GoLiveScheduled,
    IncidentReviewRecorded,
    LocationReverted,
    LocationWaveAssigned,
    LocationWentLive,
    RestartCriterionMet,
    RootCauseRecorded,
)
from shared.errors import Conflict, DomainError
from shared.playbooks import PlaybookTemplate


@dataclass(frozen=True, slots=True)
class Pause:
    pause_id: str
    scope: str
    wave: str | None
    location_id: str | None
    reason: str
    paused_at: datetime
    resumed: bool = False
    reviewed: bool = False
    root_cause: str | None = None
    met: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Evaluation:
    evaluation_id: str
    gate: str
    passed: bool
    decision: str | None = None


@dataclass(frozen=True, slots=True)
class Plan:
    program_id: str = ""
    live: dict[str, tuple[str, date]] = field(default_factory=dict)
    reverted: frozenset[str] = frozenset()
    evaluations: dict[str, Evaluation] = field(default_factory=dict)
    latest: dict[str, str] = field(default_factory=dict)  # gate -> latest evaluation id
    pauses: dict[str, Pause] = field(default_factory=dict)
    assigned: dict[str, tuple[str | None, str]] = field(default_factory=dict)  # location -> (wave, reason)

    def gate_decision(self, gate: str) -> str | None:
        """The decision on the gate's latest decided evaluation (None: never decided)."""
        decided = [e for e in self.evaluations.values() if e.gate == gate and e.decision is not None]
        return decided[-1].decision if decided else None

    def blocking_pauses(self, *, wave: str, location_id: str) -> list[Pause]:
        """Active pauses that stop a go-live of `location_id` in `wave`."""
        return [
            p for p in self.pauses.values()
            if not p.resumed and (p.scope == "program" or (p.scope == "wave" and p.wave == wave)
                                  or (p.scope == "location" and p.location_id == location_id))
        ]


@dataclass(frozen=True, slots=True)
class RecordGoLive:
    """Record that a location went live; `wave` and `baselines` as the read model has them."""

    program_id: str
    location_id: str
    wave: str | None
    date: date
    playbook: PlaybookTemplate
    baselines: frozenset[str]
    recorded_by: str
    holds: tuple[str, ...] = ()  # open incidents holding the location or its wave (plan.holds)
    unfinished: tuple[str, ...] = ()  # gating checklist items not done (a wave-1 go-live waits for them)


@dataclass(frozen=True, slots=True)
class ScheduleGoLive:
    """Set or move a location's planned go-live date; `others` are the wave's other planned dates."""

    program_id: str
    location_id: str
    wave: str | None
    reason: str
    date: dt.date
    playbook: PlaybookTemplate
    start: dt.date
    others: tuple[dt.date, ...]
    set_by: str


def _schedule(state: Plan, command: ScheduleGoLive) -> list[DomainEvent]:
    if command.wave is None:
        raise DomainError(f"location {command.location_id} is not scheduled in a wave ({command.reason})",
                          field="location_id")
    if command.location_id in state.live and command.location_id not in state.reverted:
        raise Conflict(f"location {command.location_id} is already live", field="location_id")
    check_go_live_date(command.playbook, command.start, command.wave, command.date, list(command.others))
    return [GoLiveScheduled(program_id=command.program_id, location_id=command.location_id, wave=command.wave,
                            date=command.date, set_by=command.set_by)]


@dataclass(frozen=True, slots=True)
class AssignWaves:
    """Publish the placements that changed since the plan last said (from readiness's events)."""

    program_id: str
    placements: tuple[Placement, ...]


@dataclass(frozen=True, slots=True)
class RevertLocation:
    """Take a live location back to its old workflow (the playbook may demand a patient script first)."""

    program_id: str
    location_id: str
    date: date
    reason: str
    patient_script_ready: bool
    playbook: PlaybookTemplate
    recorded_by: str


def _revert(state: Plan, command: RevertLocation) -> list[DomainEvent]:
    rollback = command.playbook.rollback
    if not rollback.revert_allowed:
        raise DomainError("the playbook does not allow reverting a location", field="location_id")
    if command.location_id not in state.live or command.location_id in state.reverted:
        raise Conflict(f"location {command.location_id} is not live", field="location_id")
    if rollback.revert_needs_patient_script and not command.patient_script_ready:
        raise DomainError("reverting needs the patient-communication script ready", field="patient_script_ready")
    if not command.reason.strip():
        raise DomainError("reason must say why the location reverts", field="reason")
    return [LocationReverted(program_id=command.program_id, location_id=command.location_id, date=command.date,
                             patient_script_ready=command.patient_script_ready, reason=command.reason.strip(),
                             recorded_by=command.recorded_by)]


def _assign(state: Plan, command: AssignWaves) -> list[DomainEvent]:
    return [
        LocationWaveAssigned(program_id=command.program_id, location_id=p.location_id, wave=p.wave, reason=p.reason,
                             composite=p.composite, blocking_scores=p.blocking_scores)
        for p in command.placements if state.assigned.get(p.location_id) != (p.wave, p.reason)
    ]


def baseline_metrics(playbook: PlaybookTemplate, wave: str) -> list[str]:
    """Metrics the wave's gate (and the gates it includes) compares against a pre-go-live baseline."""
    metrics: list[str] = []
    for gate in (g for g in playbook.gates if g.from_wave == wave):
        checks = [c for key in gate.includes for c in playbook.gate(key).criteria] + list(gate.criteria)
        metrics += [c.metric for c in checks if c.baseline == "pre_go_live" and c.metric not in metrics]
    return metrics


def _go_live(state: Plan, command: RecordGoLive) -> list[DomainEvent]:
    if command.wave is None:
        raise DomainError(f"location {command.location_id} has no wave in the plan", field="location_id")
    if command.location_id in state.live and command.location_id not in state.reverted:
        raise Conflict(f"location {command.location_id} is already live", field="location_id")
    problems: list[tuple[str, str]] = []
    missing = [m for m in baseline_metrics(command.playbook, command.wave) if m not in command.baselines]
    if missing:
        problems.append(("baselines", f"no baseline captured for {', '.join(missing)}"))
    for pause in state.blocking_pauses(wave=command.wave, location_id=command.location_id):
        problems.append(("wave", f"deployment is paused ({pause.scope}): {pause.reason}"))
    problems += [("location_id", f"held: {reason}") for reason in command.holds]
    if command.wave == command.playbook.waves[0].key and command.unfinished:
        problems.append(("checklists", f"gating pre-implementation items not done: {'; '.join(command.unfinished)}"))
    into = [g.key for g in command.playbook.gates if g.to_wave == command.wave]
    for key in (k for k in into if state.gate_decision(k) != "go"):
        problems.append(("wave", f"gate {key} into {command.wave} has no go decision"))
    if problems:
        raise DomainError("; ".join(message for _, message in problems), field=problems[0][0])
    return [LocationWentLive(program_id=command.program_id, location_id=command.location_id, wave=command.wave,
                             date=command.date, recorded_by=command.recorded_by)]


def decide(state: Plan, command: RecordGoLive | AssignWaves | RevertLocation | ScheduleGoLive | UpdateChecklistItem,
           ) -> list[DomainEvent]:
    """The events a plan command produces, or a `DomainError`."""
    if isinstance(command, UpdateChecklistItem):
        return update_item(command)
    if isinstance(command, AssignWaves):
        return _assign(state, command)
    if isinstance(command, ScheduleGoLive):
        return _schedule(state, command)
    if isinstance(command, RevertLocation):
        return _revert(state, command)
    return _go_live(state, command)


def _pause(state: Plan, pause_id: str, **changes: Any) -> Plan:
    return replace(state, pauses={**state.pauses, pause_id: replace(state.pauses[pause_id], **changes)})


def evolve(state: Plan, event: DomainEvent) -> Plan:
    """The plan after one of its events."""
    match event:
        case LocationWaveAssigned():
            return replace(state, program_id=event.program_id,
                           assigned={**state.assigned, event.location_id: (event.wave, event.reason)})
        case LocationWentLive():
            return replace(state, program_id=event.program_id, live={**state.live, event.location_id: (
                event.wave, event.date)}, reverted=state.reverted - {event.location_id})
        case LocationReverted():
            return replace(state, reverted=state.reverted | {event.location_id})
        case GateEvaluated():
            evaluation = Evaluation(event.evaluation_id, event.gate, event.passed)
            return replace(state, program_id=event.program_id,
                           evaluations={**state.evaluations, event.evaluation_id: evaluation},
                           latest={**state.latest, event.gate: event.evaluation_id})
        case GateDecisionRecorded():
            decided = replace(state.evaluations[event.evaluation_id], decision=event.decision)
            return replace(state, evaluations={**state.evaluations, event.evaluation_id: decided})
        case DeploymentPaused():
            pause = Pause(event.pause_id, event.scope, event.wave, event.location_id, event.reason, event.paused_at)
            return replace(state, pauses={**state.pauses, event.pause_id: pause})
        case IncidentReviewRecorded():
            return _pause(state, event.pause_id, reviewed=True)
        case RootCauseRecorded():
            return _pause(state, event.pause_id, root_cause=event.category)
        case RestartCriterionMet():
            return _pause(state, event.pause_id, met=state.pauses[event.pause_id].met | {event.criterion})
        case DeploymentResumed():
            resumed = replace(state.pauses[event.pause_id], resumed=True)
            return replace(state, pauses={**state.pauses, event.pause_id: resumed})
    return state


plan = Aggregate(initial=Plan, decide=decide, evolve=evolve)
