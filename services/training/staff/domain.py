"""The training side of a location: its roster, its champion (with history) and its last published status.

Pure: `decide(state, command) -> events`, `evolve(state, event) -> state`. Champion nomination
and the status publication decide on the same aggregate in their own features
(`champions/domain.py`, `completion/domain.py`); they share this state and `evolve`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from shared.aggregates import Aggregate
from shared.contracts.base import DomainEvent
from shared.contracts.training import (
    STAFF_ROLES,
    ChampionNominated,
    LocationTrainingStatusChanged,
    StaffMemberAdded,
    StaffMemberLeft,
)
from shared.errors import Conflict, DomainError, NotFound


@dataclass(frozen=True, slots=True)
class Member:
    staff_id: str
    name: str
    role: str
    start_date: date | None = None
    left_on: date | None = None
    capacity_hours: float | None = None

    def active_on(self, day: date) -> bool:
        """On the roster that day: not yet left (a leaving date is the first day away)."""
        return self.left_on is None or self.left_on > day


@dataclass(frozen=True, slots=True)
class Roster:
    location_id: str = ""
    staff: dict[str, Member] = field(default_factory=dict)
    champion: str | None = None
    champions: tuple[str, ...] = ()  # every champion the location had, oldest first
    status: LocationTrainingStatusChanged | None = None

    def member(self, staff_id: str, *, field: str = "staff_id") -> Member:
        found = self.staff.get(staff_id)
        if found is None:
            raise NotFound(f"staff member {staff_id} is not on location {self.location_id or '?'}'s roster",
                           field=field)
        return found


@dataclass(frozen=True, slots=True)
class AddStaffMember:
    location_id: str
    staff_id: str
    name: str
    role: str
    added_by: str
    start_date: date | None = None
    email: str | None = None
    capacity_hours: float | None = None
    login_subject: str | None = None


@dataclass(frozen=True, slots=True)
class MarkStaffLeft:
    location_id: str
    staff_id: str
    left_on: date
    recorded_by: str
    reason: str | None = None


Command = AddStaffMember | MarkStaffLeft


def added(command: AddStaffMember) -> StaffMemberAdded:
    """The roster fact of a new member, its fields checked (422 naming the field)."""
    if not command.name.strip():
        raise DomainError("name must not be empty", field="name")
    if command.role not in STAFF_ROLES:
        raise DomainError(f"role must be one of {', '.join(STAFF_ROLES)}", field="role")
    if command.capacity_hours is not None and command.capacity_hours < 0:
        raise DomainError("capacity_hours must be >= 0", field="capacity_hours")
    return StaffMemberAdded(
        location_id=command.location_id, staff_id=command.staff_id, name=command.name.strip(),
        role=command.role,  # type: ignore[arg-type]
        start_date=command.start_date, email=command.email, capacity_hours=command.capacity_hours,
        login_subject=command.login_subject, added_by=command.added_by,
    )


def decide(state: Roster, command: Command) -> list[DomainEvent]:
    match command:
        case AddStaffMember():
            if command.staff_id in state.staff:
                raise Conflict(f"staff member {command.staff_id} is already on the roster", field="staff_id")
            return [added(command)]
        case MarkStaffLeft():
            member = state.member(command.staff_id)
            if member.left_on is not None:
                raise Conflict(f"{member.name} already left on {member.left_on}", field="left_on")
            if member.start_date is not None and command.left_on < member.start_date:
                raise DomainError(f"left_on {command.left_on} is before start_date {member.start_date}",
                                  field="left_on")
            return [StaffMemberLeft(location_id=command.location_id, staff_id=command.staff_id,
                                    left_on=command.left_on, reason=command.reason,
                                    recorded_by=command.recorded_by)]
    raise TypeError(f"unknown command {command!r}")


def evolve(state: Roster, event: DomainEvent) -> Roster:
    match event:
        case StaffMemberAdded():
            member = Member(event.staff_id, event.name, event.role, event.start_date,
                            capacity_hours=event.capacity_hours)
            return replace(state, location_id=event.location_id, staff={**state.staff, event.staff_id: member})
        case StaffMemberLeft():
            staff = dict(state.staff)
            staff[event.staff_id] = replace(staff[event.staff_id], left_on=event.left_on)
            return replace(state, staff=staff)
        case ChampionNominated():
            return replace(state, location_id=event.location_id, champion=event.staff_id,
                           champions=(*state.champions, event.staff_id))
        case LocationTrainingStatusChanged():
            return replace(state, location_id=event.location_id, status=event)
    return state


roster = Aggregate(initial=Roster, decide=decide, evolve=evolve)


@dataclass(frozen=True, slots=True)
class Place:
    """Where a command acts, as training knows it from readiness: the location, its region and program."""

    location_id: str
    region: str
    program_id: str | None
