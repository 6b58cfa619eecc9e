"""Folds readiness events into the `readiness_locations` read model."""

from __future__ import annotations

from sqlmodel import Session

from services.readiness.models import LocationRow
from shared.contracts.base import parse
from shared.contracts.readiness import FACTORS, LocationRegistered, LocationScored
from shared.events import RecordedEvent


class LocationsProjection:
    """One row per location: facts, five scores, composite, level, wave."""

    name = "readiness-locations"
    service = "readiness"
    tables = (LocationRow,)

    def apply(self, session: Session, event: RecordedEvent) -> None:
        match parse(event):
            case LocationRegistered() as registered:
                session.add(
                    LocationRow(
                        id=registered.location_id,
                        org=event.ref.org,
                        name=registered.name,
                        region=registered.region,
                        program_id=registered.program_id,
                        facts=dict(registered.facts),
                        registered_at=event.time,
                        version=event.version,
                    )
                )
            case LocationScored() as scored:
                row = session.get(LocationRow, scored.location_id)
                if row is None:
                    raise LookupError(f"LocationScored for unknown location {scored.location_id}")
                for factor in FACTORS:
                    setattr(row, factor, scored.scores[factor])
                row.composite = scored.composite
                row.level = scored.level
                row.recommended_wave = scored.recommended_wave
                row.assessor = scored.assessor
                row.scored_at = event.time
                row.version = event.version
