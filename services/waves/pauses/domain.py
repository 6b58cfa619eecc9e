"""After a no-go: the incident review, the categorised root cause with its remediation deadline, the restart
criteria, and resuming deployment only once every criterion is met.

Pure, on the program's plan aggregate. Deadlines and criteria come from the playbook's `rollback`
section; business days skip Saturdays and Sundays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from services.waves.plan.domain import Pause, Plan, evolve
from shared.aggregates import Aggregate
from shared.contracts.base import DomainEvent
from shared.contracts.waves import DeploymentResumed, IncidentReviewRecorded, RestartCriterionMet, RootCauseRecorded
from shared.errors import Conflict, DomainError, NotFound
from shared.playbooks import PlaybookTemplate
from shared.playbooks.operations import Duration


@dataclass(frozen=True, slots=True)
class RecordReview:
    program_id: str
    pause_id: str
    summary: str
    at: datetime
    recorded_by: str


@dataclass(frozen=True, slots=True)
class RecordRootCause:
    program_id: str
    pause_id: str
    category: str
    description: str
    playbook: PlaybookTemplate
    at: datetime
    recorded_by: str


@dataclass(frozen=True, slots=True)
class MeetRestartCriterion:
    program_id: str
    pause_id: str
    criterion: str
    note: str
    playbook: PlaybookTemplate
    at: datetime
    recorded_by: str


@dataclass(frozen=True, slots=True)
class ResumeDeployment:
    program_id: str
    pause_id: str
    playbook: PlaybookTemplate
    at: datetime
    resumed_by: str


Command = RecordReview | RecordRootCause | MeetRestartCriterion | ResumeDeployment


def add_business_days(start: datetime, days: int) -> datetime:
    """`days` working days (Monday-Friday) after `start`."""
    moment, left = start, days
    while left > 0:
        moment += timedelta(days=1)
        if moment.weekday() < 5:
            left -= 1
    return moment


def deadline(start: datetime, duration: Duration) -> datetime:
    """When a remediation of `duration` from `start` is due."""
    match duration.unit:
        case "business_days":
            return add_business_days(start, round(duration.amount))
        case "weeks":
            return start + timedelta(weeks=duration.amount)
        case "days":
            return start + timedelta(days=duration.amount)
    return start + timedelta(hours=duration.amount)


def _open(state: Plan, pause_id: str) -> Pause:
    pause = state.pauses.get(pause_id)
    if pause is None:
        raise NotFound(f"pause {pause_id} not found", field="pause_id")
    if pause.resumed:
        raise Conflict(f"pause {pause_id} has already been resumed", field="pause_id")
    return pause


def _text(value: str, field: str) -> str:
    if not value.strip():
        raise DomainError(f"{field} must not be empty", field=field)
    return value.strip()


def missing_criteria(playbook: PlaybookTemplate, pause: Pause) -> list[str]:
    """Restart criteria of the playbook not yet met for `pause`."""
    return [c.key for c in playbook.rollback.restart_criteria if c.key not in pause.met]


def decide(state: Plan, command: Command) -> list[DomainEvent]:
    """The events a pause command produces, or a `DomainError`."""
    pause = _open(state, command.pause_id)
    match command:
        case RecordReview():
            return [IncidentReviewRecorded(program_id=command.program_id, pause_id=pause.pause_id, held_at=command.at,
                                           summary=_text(command.summary, "summary"), recorded_by=command.recorded_by)]
        case RecordRootCause():
            causes = {c.key: c for c in command.playbook.rollback.root_causes}
            cause = causes.get(command.category)
            if cause is None:
                raise DomainError(f"category must be one of {', '.join(causes)}", field="category")
            return [RootCauseRecorded(
                program_id=command.program_id, pause_id=pause.pause_id, category=cause.key,
                description=_text(command.description, "description"), remediation=cause.remediation,
                remediation_due_at=deadline(command.at, cause.deadline) if cause.deadline else None,
                recorded_by=command.recorded_by, recorded_at=command.at,
            )]
        case MeetRestartCriterion():
            known = [c.key for c in command.playbook.rollback.restart_criteria]
            if command.criterion not in known:
                raise DomainError(f"criterion must be one of {', '.join(known)}", field="criterion")
            if command.criterion in pause.met:
                raise Conflict(f"restart criterion {command.criterion} is already met", field="criterion")
            return [RestartCriterionMet(program_id=command.program_id, pause_id=pause.pause_id,
                                        criterion=command.criterion, note=_text(command.note, "note"),
                                        recorded_by=command.recorded_by, recorded_at=command.at)]
        case ResumeDeployment():
            missing = missing_criteria(command.playbook, pause)
            if not pause.reviewed:
                missing.insert(0, "incident review")
            if pause.root_cause is None:
                missing.insert(1 if not pause.reviewed else 0, "root cause")
            if missing:
                raise Conflict(f"restart criteria not met: {', '.join(missing)}", field="criteria")
            return [DeploymentResumed(program_id=command.program_id, pause_id=pause.pause_id,
                                      criteria=sorted(pause.met), resumed_by=command.resumed_by,
                                      resumed_at=command.at)]
    raise TypeError(f"unknown command {command!r}")


pauses = Aggregate(initial=Plan, decide=decide, evolve=evolve)
