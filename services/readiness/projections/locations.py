"""Folds location events into `readiness_locations_v2`: facts, entered scores, the latest scoring.

A batch is folded in memory, row by row as plain dicts, and written with one bulk
INSERT and one bulk UPDATE: a replay of 100k events costs a few statements per
batch instead of a SELECT and an UPDATE per event. `apply` is the same fold for one.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, insert, select, update
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

TABLE = LocationRow.__table__  # type: ignore[attr-defined]
COLUMNS = [c.name for c in TABLE.columns]
_LOAD_CHUNK = 500


def _fold(rows: dict[str, dict[str, Any]], event: RecordedEvent) -> None:
    """Apply one event to the in-memory rows of its batch."""
    fact = parse(event)
    if isinstance(fact, LocationRegistered):
        rows[fact.location_id] = dict.fromkeys(COLUMNS) | {
            "id": fact.location_id, "org": event.ref.org, "name": fact.name, "region": fact.region,
            "program_id": fact.program_id, "facts": dict(fact.facts), "entered": {}, "factors": {},
            "registered_at": event.time, "version": event.version,
        }
        return
    row = rows.get(event.ref.id)
    if row is None:
        raise LookupError(f"{event.type} for unknown location {event.ref.id}")
    match fact:
        case LocationProfileUpdated():
            facts = dict(row["facts"] or {})
            for name, value in fact.changes.items():
                if name == "region":
                    row["region"] = value
                elif value is None:
                    facts.pop(name, None)
                else:
                    facts[name] = value
            row["facts"] = facts
            row["program_id"] = fact.program_id or row["program_id"]
            row["updated_at"] = event.time
        case LocationScored():
            row.update({f: fact.scores.get(f) for f in FACTORS})
            row.update(composite=fact.composite, level=fact.level, recommended_wave=fact.recommended_wave,
                       assessor=fact.assessor, method=fact.method, scored_at=event.time)
            row["factors"] = {f: d.model_dump(mode="json") for f, d in fact.factors.items()}
            row["entered"] = {f: {"score": e.score, "assessor": e.assessor, "reason": e.reason}
                              for f, e in entered_of(fact).items()}
        case LocationScoreWithdrawn():
            row.update(dict.fromkeys((*FACTORS, "composite", "level", "recommended_wave", "method", "scored_at")))
            row["factors"] = {}
    row["version"] = event.version


class LocationsProjection:
    """One row per location: facts, five scores, composite, level, wave and how they were reached."""

    name = "readiness-locations-v2"
    service = "readiness"
    tables: tuple[type[SQLModel], ...] = (LocationRow,)

    def apply(self, session: Session, event: RecordedEvent) -> None:
        self.apply_many(session, [event])

    def apply_many(self, session: Session, events: list[RecordedEvent]) -> None:
        events = [e for e in events if e.ref.aggregate == "location"]
        born = {e.ref.id for e in events if e.type == LocationRegistered.event_type()}
        existing = list({e.ref.id for e in events} - born)
        connection = session.connection()
        rows: dict[str, dict[str, Any]] = {}
        for start in range(0, len(existing), _LOAD_CHUNK):
            chunk = existing[start : start + _LOAD_CHUNK]
            for loaded in connection.execute(select(TABLE).where(TABLE.c.id.in_(chunk))).mappings():
                rows[loaded["id"]] = dict(loaded)
        stored = set(rows)
        for event in events:
            _fold(rows, event)
        inserts = [row for key, row in rows.items() if key not in stored]
        # The UPDATE sets every column named in the parameters; `key` is only the WHERE.
        updates = [{c: v for c, v in row.items() if c != "id"} | {"key": key} for key, row in rows.items() if key in stored]
        if inserts:
            connection.execute(insert(TABLE), inserts)
        if updates:
            connection.execute(update(TABLE).where(TABLE.c.id == bindparam("key")), updates)
