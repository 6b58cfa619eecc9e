"""Recording an objection, pure: the person (when named) is on the location's roster in the role given."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.training.staff.domain import Roster
from shared.aggregates import Aggregate
from shared.contracts.base import DomainEvent
from shared.contracts.training import ObjectionOutcome, ObjectionRecorded, StaffRole
from shared.errors import Conflict, DomainError


@dataclass(frozen=True, slots=True)
class RecordObjection:
    objection_id: str
    location_id: str
    program_id: str | None
    role: StaffRole
    objection: str
    outcome: ObjectionOutcome
    raised_on: date
    recorded_by: str
    roster: Roster
    staff_id: str | None = None
    response_used: str | None = None
    note: str | None = None


def decide(state: ObjectionRecorded | None, command: RecordObjection) -> list[DomainEvent]:
    if state is not None:
        raise Conflict(f"objection {command.objection_id} is already recorded", field="objection_id")
    if command.staff_id is not None:
        member = command.roster.staff.get(command.staff_id)
        if member is None:
            raise DomainError(f"staff member {command.staff_id} is not on the location's roster", field="staff_id")
        if member.role != command.role:
            raise DomainError(f"staff member {command.staff_id} is a {member.role}, not a {command.role}",
                              field="role")
    if command.outcome == "resolved" and not command.response_used:
        raise DomainError("a resolved objection names the response that resolved it", field="response_used")
    return [ObjectionRecorded(
        objection_id=command.objection_id, location_id=command.location_id, program_id=command.program_id,
        role=command.role, staff_id=command.staff_id, objection=command.objection,
        response_used=command.response_used, outcome=command.outcome, raised_on=command.raised_on,
        note=command.note, recorded_by=command.recorded_by,
    )]


def evolve(state: ObjectionRecorded | None, event: DomainEvent) -> ObjectionRecorded | None:
    return event if isinstance(event, ObjectionRecorded) else state


objection = Aggregate(initial=lambda: None, decide=decide, evolve=evolve)
