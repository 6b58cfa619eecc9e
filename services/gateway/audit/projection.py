"""Folds DSO_AUDIT into the `gateway_audit` table (rebuildable from the stream like any read model)."""

from __future__ import annotations

from sqlmodel import Session, SQLModel

from services.gateway.audit.models import AuditRow
from shared.contracts.gateway import SERVICE, AuditRecorded
from shared.contracts.base import parse
from shared.events import RecordedEvent


class AuditProjection:
    """One row per entry, keyed by stream sequence."""

    name = "gateway-audit"
    service = SERVICE
    tables: tuple[type[SQLModel], ...] = (AuditRow,)

    def apply(self, session: Session, event: RecordedEvent) -> None:
        self.apply_many(session, [event])

    def apply_many(self, session: Session, events: list[RecordedEvent]) -> None:
        rows = []
        for event in events:
            entry = parse(event)
            if isinstance(entry, AuditRecorded):
                rows.append(AuditRow(sequence=event.sequence, org=event.ref.org, **entry.model_dump(exclude={"org"})))
        session.add_all(rows)
