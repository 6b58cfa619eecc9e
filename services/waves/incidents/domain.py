"""The incident aggregate: an incident or support ticket at a location, opened and resolved.

Pure. The vendor contact tier comes from the playbook's `support.contacts`, and its
`response_hours` set when a response is due.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from shared.aggregates import Aggregate
from shared.contracts.base import DomainEvent
from shared.contracts.waves import IncidentAcknowledged, IncidentOpened, IncidentResolved
from shared.errors import Conflict, DomainError, NotFound
from shared.playbooks import PlaybookTemplate


@dataclass(frozen=True, slots=True)
class Incident:
    incident_id: str = ""
    program_id: str = ""
    location_id: str = ""
    acknowledged: bool = False
    resolved: bool = False

    @property
    def opened(self) -> bool:
        return bool(self.incident_id)


@dataclass(frozen=True, slots=True)
class OpenIncident:
    incident_id: str
    program_id: str
    location_id: str
    kind: Literal["incident", "ticket"]
    severity: int
    category: str
    description: str
    contact_tier: str | None
    playbook: PlaybookTemplate
    at: datetime
    opened_by: str


@dataclass(frozen=True, slots=True)
class ResolveIncident:
    incident_id: str
    resolution: str
    at: datetime
    resolved_by: str


@dataclass(frozen=True, slots=True)
class AcknowledgeIncident:
    incident_id: str
    note: str | None
    at: datetime
    acknowledged_by: str


Command = OpenIncident | AcknowledgeIncident | ResolveIncident


def _acknowledge(state: Incident, command: AcknowledgeIncident) -> list[DomainEvent]:
    if not state.opened:
        raise NotFound(f"incident {command.incident_id} not found", field="incident_id")
    if state.resolved or state.acknowledged:
        what = "resolved" if state.resolved else "acknowledged"
        raise Conflict(f"incident {command.incident_id} is already {what}", field="incident_id")
    return [IncidentAcknowledged(incident_id=state.incident_id, program_id=state.program_id,
                                 location_id=state.location_id, acknowledged_at=command.at,
                                 acknowledged_by=command.acknowledged_by, note=command.note)]


def _open(state: Incident, command: OpenIncident) -> list[DomainEvent]:
    if state.opened:
        raise Conflict(f"incident {command.incident_id} already exists", field="incident_id")
    if not command.description.strip() or not command.category.strip():
        raise DomainError("category and description must not be empty", field="description")
    due = None
    if command.contact_tier is not None:
        contacts = {c.key: c for c in command.playbook.support.contacts}
        contact = contacts.get(command.contact_tier)
        if contact is None:
            raise DomainError(f"contact_tier must be one of {', '.join(contacts)}", field="contact_tier")
        due = command.at + timedelta(hours=contact.response_hours)
    return [IncidentOpened(
        incident_id=command.incident_id, program_id=command.program_id, location_id=command.location_id,
        kind=command.kind, severity=command.severity, category=command.category.strip(),
        description=command.description.strip(), opened_at=command.at, contact_tier=command.contact_tier,
        response_due_at=due, opened_by=command.opened_by,
    )]


def _resolve(state: Incident, command: ResolveIncident) -> list[DomainEvent]:
    if not state.opened:
        raise NotFound(f"incident {command.incident_id} not found", field="incident_id")
    if state.resolved:
        raise Conflict(f"incident {command.incident_id} is already resolved", field="incident_id")
    if not command.resolution.strip():
        raise DomainError("resolution must say what was done", field="resolution")
    return [IncidentResolved(incident_id=state.incident_id, program_id=state.program_id,
                             location_id=state.location_id, resolved_at=command.at,
                             resolution=command.resolution.strip(), resolved_by=command.resolved_by)]


def decide(state: Incident, command: Command) -> list[DomainEvent]:
    """The events an incident command produces, or a `DomainError`."""
    match command:
        case OpenIncident():
            return _open(state, command)
        case AcknowledgeIncident():
            return _acknowledge(state, command)
        case ResolveIncident():
            return _resolve(state, command)
    raise TypeError(f"unknown command {command!r}")


def evolve(state: Incident, event: DomainEvent) -> Incident:
    """The incident after one of its events."""
    match event:
        case IncidentOpened():
            return Incident(event.incident_id, event.program_id, event.location_id)
        case IncidentAcknowledged():
            return replace(state, acknowledged=True)
        case IncidentResolved():
            return replace(state, resolved=True)
    return state


incident = Aggregate(initial=Incident, decide=decide, evolve=evolve)
