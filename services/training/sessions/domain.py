"""A training session (its own aggregate) and each person's record of completed curricula ("staff" aggregate).

A session is refused whole (422 naming the field) when its curriculum is not the playbook's,
its trainer is not a certified champion, an attendee is not on the location's roster on the
day, or a score is outside 0-100: nothing is half-recorded. Each attendee who was present
(and reached the playbook's pass mark, where it sets one) completes the curriculum.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time

from services.training.staff.domain import Roster
from shared.aggregates import Aggregate
from shared.contracts.base import DomainEvent
from shared.contracts.training import AttendeeResult, TrainingCompleted, TrainingSessionRecorded
from shared.errors import Conflict, DomainError
from shared.playbooks.training import Curriculum


@dataclass(frozen=True, slots=True)
class Trainer:
    """Who delivered the session: a staff member (champion or not) or someone outside the roster (a vendor)."""

    staff_id: str | None
    name: str | None
    location_id: str | None
    certified_champion: bool
    # Why this trainer may not deliver training (None: they may).
    refusal: str | None = None


@dataclass(frozen=True, slots=True)
class Attendance:
    staff_id: str
    present: bool = True
    score: float | None = None


@dataclass(frozen=True, slots=True)
class RecordSession:
    session_id: str
    location_id: str
    program_id: str | None
    curriculum: str
    curricula: Sequence[Curriculum]
    trainer: Trainer
    held_on: date
    duration_minutes: int
    attendees: Sequence[Attendance]
    recorded_by: str
    roster: Roster = field(default_factory=Roster)  # the location's roster, as the handler loads it
    pass_min_pct: float | None = None


@dataclass(frozen=True, slots=True)
class Session:
    id: str = ""
    recorded: TrainingSessionRecorded | None = None


def _result(index: int, attendance: Attendance, command: RecordSession) -> AttendeeResult:
    where = f"attendees[{index}]"
    member = command.roster.staff.get(attendance.staff_id)
    if member is None:
        raise DomainError(f"{where}.staff_id {attendance.staff_id} is not on location {command.location_id}'s roster",
                          field=f"{where}.staff_id")
    if not member.active_on(command.held_on):
        raise DomainError(f"{where}.staff_id {member.name} left on {member.left_on}, before {command.held_on}",
                          field=f"{where}.staff_id")
    score = attendance.score
    if score is not None and not 0 <= score <= 100:
        raise DomainError(f"{where}.score must be between 0 and 100", field=f"{where}.score")
    reason = None
    if not attendance.present:
        reason = "absent"
    elif command.pass_min_pct is not None and (score is None or score < command.pass_min_pct):
        reason = f"knowledge check {score} below the pass mark {command.pass_min_pct:g}"
    return AttendeeResult(staff_id=member.staff_id, name=member.name, role=member.role, present=attendance.present,
                          score=score, completed=reason is None, reason=reason)


def _record(state: Session, command: RecordSession) -> list[DomainEvent]:
    if state.recorded is not None:
        raise Conflict(f"session {command.session_id} is already recorded", field="session_id")
    keys = [c.role for c in command.curricula]
    if command.curriculum not in keys:
        raise DomainError(f"curriculum must be one of the playbook's curricula: {', '.join(keys)}",
                          field="curriculum")
    if command.trainer.refusal:
        raise DomainError(command.trainer.refusal, field="trainer_staff_id")
    if command.duration_minutes <= 0:
        raise DomainError("duration_minutes must be positive", field="duration_minutes")
    if not command.attendees:
        raise DomainError("a session needs at least one attendee", field="attendees")
    seen: set[str] = set()
    for index, attendance in enumerate(command.attendees):
        if attendance.staff_id in seen:
            raise DomainError(f"attendees[{index}].staff_id {attendance.staff_id} is listed twice",
                              field=f"attendees[{index}].staff_id")
        seen.add(attendance.staff_id)
    results = [_result(i, a, command) for i, a in enumerate(command.attendees)]
    trainer = command.trainer
    return [TrainingSessionRecorded(
        session_id=command.session_id, location_id=command.location_id, program_id=command.program_id,
        curriculum=command.curriculum, trainer_staff_id=trainer.staff_id, trainer_name=trainer.name,
        trainer_location_id=trainer.location_id, trainer_certified_champion=trainer.certified_champion,
        held_on=command.held_on, duration_minutes=command.duration_minutes, attendees=results,
        recorded_by=command.recorded_by,
    )]


def _evolve_session(state: Session, event: DomainEvent) -> Session:
    if isinstance(event, TrainingSessionRecorded):
        return Session(id=event.session_id, recorded=event)
    return state


session = Aggregate(initial=Session, decide=_record, evolve=_evolve_session)


@dataclass(frozen=True, slots=True)
class StaffRecord:
    """The curricula one person completed, and in which sessions."""

    staff_id: str = ""
    completed: dict[str, tuple[str, ...]] = field(default_factory=dict)  # curriculum -> session ids

    @property
    def curricula(self) -> set[str]:
        return set(self.completed)


@dataclass(frozen=True, slots=True)
class CompleteTraining:
    """One attendee's completion of a recorded session's curriculum."""

    session: TrainingSessionRecorded
    attendee: AttendeeResult


def completed_at(held_on: date) -> datetime:
    return datetime.combine(held_on, time(0), tzinfo=UTC)


def _complete(state: StaffRecord, command: CompleteTraining) -> list[DomainEvent]:
    recorded, attendee = command.session, command.attendee
    if recorded.session_id in state.completed.get(recorded.curriculum, ()):
        return []
    return [TrainingCompleted(
        location_id=recorded.location_id, staff_id=attendee.staff_id, role=attendee.role,
        curriculum=recorded.curriculum, session_id=recorded.session_id, trainer_staff_id=recorded.trainer_staff_id,
        trainer_location_id=recorded.trainer_location_id,
        trainer_certified_champion=recorded.trainer_certified_champion, score=attendee.score,
        completed_at=completed_at(recorded.held_on), program_id=recorded.program_id,
    )]


def _evolve_record(state: StaffRecord, event: DomainEvent) -> StaffRecord:
    if isinstance(event, TrainingCompleted):
        sessions = (*state.completed.get(event.curriculum, ()), event.session_id)
        return replace(state, staff_id=event.staff_id, completed={**state.completed, event.curriculum: sessions})
    return state


staff_record = Aggregate(initial=StaffRecord, decide=_complete, evolve=_evolve_record)
