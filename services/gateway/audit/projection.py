"""Folds DSO_AUDIT into the audit table (rebuildable from the stream like any read model).

Only genuine entries become rows: the keyed hash must verify, the org and recorder
must be the ones the subject names, and an (org, recorder, index) already stored is a
replayed copy. Anything else is skipped with a warning, never dead-lettered or
retried: a forged message must neither appear in `GET /api/v1/audit` nor stall it.
`rollout audit verify` reports what was skipped.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select
from sqlmodel import Session, SQLModel

from services.gateway.audit.chain import forgery
from services.gateway.audit.models import AuditRow
from services.gateway.audit.verify import chain_of
from shared.contracts.gateway import SERVICE, AuditRecorded
from shared.events import RecordedEvent

log = logging.getLogger(__name__)
TABLE = AuditRow.__table__  # type: ignore[attr-defined]
COLUMNS = {c.name for c in TABLE.columns}


class AuditProjection:
    """One row per genuine entry, keyed by stream sequence."""

    name = "gateway-audit-v2"  # v2: keyed entries with a phase; a new name replays the stream into the new table
    stream = SERVICE
    tables: tuple[type[SQLModel], ...] = (AuditRow,)
    # Every request leaves an entry: applied one by one under steady traffic, the gateway spent a
    # quarter of its CPU on transactions here. Audit queries wait for their own entries anyway.
    linger_s = 0.05

    def __init__(self, key: bytes) -> None:
        self.key = key

    def apply(self, session: Session, event: RecordedEvent) -> None:
        self.apply_many(session, [event])

    def apply_many(self, session: Session, events: list[RecordedEvent]) -> None:
        rows: dict[tuple[str, str, int], dict[str, Any]] = {}
        for event in events:
            org, recorder = chain_of(event.subject)
            reason = forgery(event.data, self.key, org=org, recorder=recorder)
            if reason is None and event.type != AuditRecorded.event_type():
                reason = f"event type {event.type} is not an audit entry"
            if reason is not None:
                log.warning("audit message at stream sequence %s skipped: %s", event.sequence, reason)
                continue
            entry = AuditRecorded.model_validate(event.data)
            place = (org, recorder, entry.index)
            if place not in rows:
                fields = entry.model_dump(include=COLUMNS)
                rows[place] = fields | {"sequence": event.sequence, "org": org}
        connection = session.connection()
        for place in _stored(connection, list(rows)):
            log.warning("audit entry %s of %s/%s replayed; skipped", place[2], place[0], place[1])
            del rows[place]
        if rows:
            # Plain rows in one executemany: building a table model per entry cost more than storing it.
            connection.execute(insert(TABLE), list(rows.values()))


# Which indexes of one chain are stored already (the replay check), prepared once.
_STORED = select(TABLE.c.index).where(TABLE.c.org == bindparam("org"), TABLE.c.recorder == bindparam("recorder"),
                                      TABLE.c.index.in_(bindparam("indexes", expanding=True)))


def _stored(connection: Connection, places: list[tuple[str, str, int]]) -> list[tuple[str, str, int]]:
    """Which of these (org, recorder, index) already have a row."""
    found = []
    for org, recorder in {(o, r) for o, r, _ in places}:
        indexes = [i for o, r, i in places if (o, r) == (org, recorder)]
        stored = connection.execute(_STORED, {"org": org, "recorder": recorder, "indexes": indexes}).scalars()
        found += [(org, recorder, index) for index in stored]
    return found
