"""The published KPIs of a location: a `LocationKpisMeasured` only when the values changed.

Pure. The values are computed elsewhere (`measure`) from the read model at a stream position;
this aggregate remembers what was last published so a repeat measurement records nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from shared.aggregates import Aggregate
from shared.contracts.base import DomainEvent
from shared.contracts.metrics import KpiValue, LocationKpisMeasured


@dataclass(frozen=True, slots=True)
class PublishedKpis:
    location_id: str = ""
    values: Mapping[str, KpiValue] = field(default_factory=dict)
    last_sequence: int = 0


@dataclass(frozen=True, slots=True)
class MeasureKpis:
    location_id: str
    program_id: str | None
    values: Mapping[str, KpiValue]
    first_sequence: int
    last_sequence: int
    as_of: datetime


def decide(state: PublishedKpis, command: MeasureKpis) -> list[DomainEvent]:
    if dict(state.values) == dict(command.values) or command.last_sequence < state.last_sequence:
        return []  # nothing new, or an older measurement than the one published
    return [LocationKpisMeasured(
        location_id=command.location_id, program_id=command.program_id, as_of=command.as_of,
        values=dict(command.values), first_sequence=command.first_sequence, last_sequence=command.last_sequence,
    )]


def evolve(state: PublishedKpis, event: DomainEvent) -> PublishedKpis:
    if isinstance(event, LocationKpisMeasured):
        return replace(state, location_id=event.location_id, values=dict(event.values),
                       last_sequence=event.last_sequence)
    return state


published = Aggregate(initial=PublishedKpis, decide=decide, evolve=evolve)
