"""Completion figures of a location, from its roster, what each person completed, and the playbook's curricula.

A person needs every curriculum that trains their role (`Curriculum.trains`); a role no
curriculum trains needs nothing and is left out of the figures. Staff who left before the
day drop out; a new hire needs training until their curricula are completed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from services.training.staff.domain import Roster, evolve
from shared.aggregates import Aggregate
from shared.contracts.base import DomainEvent
from shared.contracts.training import LocationTrainingStatusChanged, MissingTraining, RoleCompletion
from shared.playbooks.training import Curriculum


def pct(trained: int, total: int) -> float | None:
    return round(100.0 * trained / total, 1) if total else None


def needed(curricula: Sequence[Curriculum], role: str) -> list[str]:
    """The curriculum keys a person in `role` takes."""
    return [c.role for c in curricula if c.trains(role)]


def status(
    state: Roster, completed: Mapping[str, set[str]], curricula: Sequence[Curriculum], *,
    program_id: str | None, as_of: datetime,
) -> LocationTrainingStatusChanged:
    """The location's figures as of `as_of`: overall, by role, and the people still missing curricula."""
    totals: dict[str, list[int]] = {}
    missing: list[MissingTraining] = []
    for member in sorted(state.staff.values(), key=lambda m: (m.name, m.staff_id)):
        required = needed(curricula, member.role)
        if not member.active_on(as_of.date()) or not required:
            continue
        lacking = [c for c in required if c not in completed.get(member.staff_id, set())]
        counts = totals.setdefault(member.role, [0, 0])
        counts[0] += 1
        counts[1] += 0 if lacking else 1
        if lacking:
            missing.append(MissingTraining(staff_id=member.staff_id, name=member.name, role=member.role,
                                           curricula=lacking))
    total, trained = sum(t for t, _ in totals.values()), sum(d for _, d in totals.values())
    return LocationTrainingStatusChanged(
        location_id=state.location_id, program_id=program_id, staff_total=total, staff_trained=trained,
        completion_pct=pct(trained, total), missing=missing, as_of=as_of,
        by_role={role: RoleCompletion(total=t, trained=d, completion_pct=pct(d, t)) for role, (t, d) in
                 sorted(totals.items())},
    )


def figures(event: LocationTrainingStatusChanged | None) -> dict[str, object] | None:
    """What a status says, without its time: two statuses with equal figures are no change."""
    return None if event is None else event.model_dump(mode="json", exclude={"as_of"})


@dataclass(frozen=True, slots=True)
class PublishStatus:
    """Publish the location's status computed on the latest roster, unless its figures are those last published."""

    location_id: str
    program_id: str | None
    curricula: Sequence[Curriculum]
    completed: Mapping[str, set[str]]
    as_of: datetime


def decide(state: Roster, command: PublishStatus) -> list[DomainEvent]:
    fresh = status(replace(state, location_id=command.location_id), command.completed, command.curricula,
                   program_id=command.program_id, as_of=command.as_of)
    if state.status is None and fresh.staff_total == 0:
        return []  # nothing to say about a location without staff who need training
    return [] if figures(state.status) == figures(fresh) else [fresh]


location_status = Aggregate(initial=Roster, decide=decide, evolve=evolve)
