"""Folds readiness' location events into `metrics_locations`: name, region and program, nothing else."""

from __future__ import annotations

from sqlmodel import Session, SQLModel

from services.metrics.locations.models import LocationRow
from shared.contracts.base import parse
from shared.contracts.readiness import LocationProfileUpdated, LocationRegistered
from shared.events import RecordedEvent

HANDLED = {LocationRegistered.event_type(), LocationProfileUpdated.event_type()}


class LocationsProjection:
    """One row per readiness location."""

    name = "metrics-locations"
    stream = "readiness"
    tables: tuple[type[SQLModel], ...] = (LocationRow,)

    def apply(self, session: Session, event: RecordedEvent) -> None:
        if event.ref.aggregate != "location" or event.type not in HANDLED:
            return
        match parse(event):
            case LocationRegistered() as registered:
                session.add(LocationRow(org=event.ref.org, id=registered.location_id, name=registered.name,
                                        region=registered.region, program_id=registered.program_id,
                                        registered_at=event.time))
                session.flush()
            case LocationProfileUpdated() as updated:
                row = session.get(LocationRow, (event.ref.org, updated.location_id))
                if row is None:
                    raise LookupError(f"LocationProfileUpdated for unknown location {updated.location_id}")
                if updated.changes.get("region"):
                    row.region = updated.changes["region"]
                if updated.program_id:
                    row.program_id = updated.program_id
                session.add(row)
