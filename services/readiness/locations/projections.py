"""Folds location events into `readiness_locations_v2`: facts, entered scores, the latest scoring.

A batch is folded in memory, row by row as plain dicts, and written with one bulk
INSERT and one bulk UPDATE: a replay of 100k events costs a few statements per
batch instead of a SELECT and an UPDATE per event. `apply` is the same fold for one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlmodel import Session, SQLModel

from services.readiness.locations.models import LocationRow
from services.readiness.scoring.domain import entered_of
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


def _fold(rows: dict[str, dict[str, Any]], event: RecordedEvent, load: Callable[[str], dict[str, Any]]) -> None:
    """Apply one event to the batch's rows: full rows for new locations, changed columns for others."""
    fact = parse(event)
    if isinstance(fact, LocationRegistered):
        rows[fact.location_id] = dict.fromkeys(COLUMNS) | {
            "id": fact.location_id, "org": event.ref.org, "name": fact.name, "region": fact.region,
            "program_id": fact.program_id, "facts": dict(fact.facts), "entered": {}, "factors": {},
            "registered_at": event.time, "version": event.version,
        }
        return
    row = rows.setdefault(event.ref.id, {})
    match fact:
        case LocationProfileUpdated():
            if "facts" not in row:
                row.update(load(event.ref.id))  # the only event that needs what is stored
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
    stream = "readiness"
    tables: tuple[type[SQLModel], ...] = (LocationRow,)

    def apply(self, session: Session, event: RecordedEvent) -> None:
        self.apply_many(session, [event])

    def apply_many(self, session: Session, events: list[RecordedEvent]) -> None:
        connection = session.connection()

        def load(location_id: str) -> dict[str, Any]:
            stored = connection.execute(select(TABLE).where(TABLE.c.id == location_id)).mappings().first()
            if stored is None:
                raise LookupError(f"event for unknown location {location_id}")
            return dict(stored)

        rows: dict[str, dict[str, Any]] = {}
        for event in events:
            if event.ref.aggregate == "location":
                _fold(rows, event, load)
        born = {e.ref.id for e in events if e.type == LocationRegistered.event_type()}
        if born:
            connection.execute(insert(TABLE), [rows[key] for key in born])
        # Rows already stored get only the columns this batch changed, grouped so each
        # group is one executemany; a missing row means an event for an unknown location.
        groups: dict[frozenset[str], list[dict[str, Any]]] = defaultdict(list)
        for key, row in rows.items():
            if key not in born:
                row.pop("id", None)
                row["key"] = key
                groups[frozenset(row)].append(row)
        for params in groups.values():
            statement = update(TABLE).where(TABLE.c.id == bindparam("key"))
            updated = connection.execute(statement, params).rowcount
            if updated != len(params):
                raise LookupError(f"{len(params) - updated} event(s) for unknown locations in this batch")
