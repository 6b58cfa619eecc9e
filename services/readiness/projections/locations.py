"""Folds location events into `readiness_locations_v2`: facts, entered scores, the latest scoring."""

from __future__ import annotations

from sqlmodel import Session, SQLModel

from services.readiness.domain.scorings import entered_of
from services.readiness.models import LocationRow
from shared.contracts.base import parse
from shared.contracts.readiness import (
    FACTORS,
    LocationProfileUpdated,
    LocationRegistered,
    LocationScored,
    LocationScoreWithdrawn,
)
from shared.events import RecordedEvent


def _row(session: Session, location_id: str) -> LocationRow:
    row = session.get(LocationRow, location_id)
    if row is None:
        raise LookupError(f"event for unknown location {location_id}")
    return row


class LocationsProjection:
    """One row per location: facts, five scores, composite, level, wave and how they were reached."""

    name = "readiness-locations-v2"
    service = "readiness"
    tables: tuple[type[SQLModel], ...] = (LocationRow,)

    def apply(self, session: Session, event: RecordedEvent) -> None:
        if event.ref.aggregate != "location":
            return
        match parse(event):
            case LocationRegistered() as registered:
                session.add(LocationRow(
                    id=registered.location_id, org=event.ref.org, name=registered.name, region=registered.region,
                    program_id=registered.program_id, facts=dict(registered.facts), registered_at=event.time,
                    version=event.version,
                ))
                # Later events of the same batch must find the row (the runner's session does not autoflush).
                session.flush()
            case LocationProfileUpdated() as updated:
                row = _row(session, updated.location_id)
                facts = dict(row.facts)
                for fact, value in updated.changes.items():
                    if fact == "region":
                        row.region = value
                    elif value is None:
                        facts.pop(fact, None)
                    else:
                        facts[fact] = value
                row.facts = facts
                row.program_id = updated.program_id or row.program_id
                row.updated_at, row.version = event.time, event.version
            case LocationScored() as scored:
                row = _row(session, scored.location_id)
                for factor in FACTORS:
                    setattr(row, factor, scored.scores.get(factor))
                row.composite, row.level, row.recommended_wave = scored.composite, scored.level, scored.recommended_wave
                row.assessor, row.method, row.scored_at = scored.assessor, scored.method, event.time
                row.factors = {f: d.model_dump(mode="json") for f, d in scored.factors.items()}
                row.entered = {f: {"score": e.score, "assessor": e.assessor, "reason": e.reason}
                               for f, e in entered_of(scored).items()}
                row.version = event.version
            case LocationScoreWithdrawn() as withdrawn:
                row = _row(session, withdrawn.location_id)
                for factor in FACTORS:
                    setattr(row, factor, None)
                row.composite = row.level = row.recommended_wave = row.method = None
                row.factors, row.scored_at, row.version = {}, None, event.version
