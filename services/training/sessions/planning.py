"""Planning a session ahead, pure: against the playbook's curricula, the roster and the wave's calendar.

Staff training is complete by go-live (SoftSmile L213 "staff training complete" in the go-live
week; Spark's on-site training precedes its go-live Monday), so a session for a location in a
wave is planned between the program's start and the wave's last go-live day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from services.training.staff.domain import Roster
from shared.aggregates import Aggregate
from shared.contracts.base import DomainEvent
from shared.contracts.training import CHAMPION_CERTIFICATION, TrainingSessionPlanned
from shared.errors import Conflict, DomainError
from shared.playbooks import PlaybookTemplate
from shared.playbooks.schedule import calendar


def complete_by(playbook: PlaybookTemplate, start: date, wave: str) -> date | None:
    """The wave's last go-live day on the program's calendar (None: the playbook has no such wave)."""
    phase = next((p for p in calendar(playbook, start).phases if p.key == wave and p.go_live), None)
    if phase is None or phase.go_live is None or not phase.go_live.weeks:
        return None
    last = phase.go_live.weeks[-1]
    return last.go_live_date or last.end_date


@dataclass(frozen=True, slots=True)
class PlanSession:
    session_id: str
    location_id: str
    program_id: str | None
    curriculum: str
    curricula: Sequence[str]
    planned_on: date
    planned_by: str
    roster: Roster
    duration_minutes: int | None = None
    trainer_staff_id: str | None = None
    attendee_staff_ids: Sequence[str] = ()
    wave: str | None = None
    program_start: date | None = None
    complete_by: date | None = None


def decide(state: TrainingSessionPlanned | None, command: PlanSession) -> list[DomainEvent]:
    if state is not None:
        raise Conflict(f"session {command.session_id} is already planned", field="session_id")
    known = [*command.curricula, CHAMPION_CERTIFICATION]
    if command.curriculum not in known:
        raise DomainError(f"curriculum must be one of {', '.join(known)}", field="curriculum")
    if command.duration_minutes is not None and not 1 <= command.duration_minutes <= 24 * 60:
        raise DomainError("duration_minutes must be between 1 and 1440", field="duration_minutes")
    for index, staff_id in enumerate(command.attendee_staff_ids):
        if staff_id not in command.roster.staff:
            raise DomainError(f"staff member {staff_id} is not on the location's roster",
                              field=f"attendee_staff_ids[{index}]")
    if command.program_start and command.planned_on < command.program_start:
        raise DomainError(f"planned_on {command.planned_on} is before the program starts on "
                          f"{command.program_start}", field="planned_on")
    if command.complete_by and command.planned_on > command.complete_by:
        raise DomainError(f"planned_on {command.planned_on} is after {command.wave}'s last go-live day "
                          f"{command.complete_by}: staff training is complete by go-live", field="planned_on")
    return [TrainingSessionPlanned(
        session_id=command.session_id, location_id=command.location_id, program_id=command.program_id,
        wave=command.wave, curriculum=command.curriculum, planned_on=command.planned_on,
        duration_minutes=command.duration_minutes, trainer_staff_id=command.trainer_staff_id,
        attendee_staff_ids=list(command.attendee_staff_ids), complete_by=command.complete_by,
        planned_by=command.planned_by,
    )]


def evolve(state: TrainingSessionPlanned | None, event: DomainEvent) -> TrainingSessionPlanned | None:
    return event if isinstance(event, TrainingSessionPlanned) else state


planned_session = Aggregate(initial=lambda: None, decide=decide, evolve=evolve)
