"""Folds `ChecklistItemUpdated` into `waves_checklist_items_v1`."""

from __future__ import annotations

from sqlmodel import Session, SQLModel

from services.waves.checklists.models import ChecklistItemRow
from shared.contracts.base import parse
from shared.contracts.waves import ChecklistItemUpdated
from shared.events import RecordedEvent


class ChecklistsProjection:
    """The latest status of every checklist item of every program (and location)."""

    name = "waves-checklists"
    stream = "waves"
    tables: tuple[type[SQLModel], ...] = (ChecklistItemRow,)

    def apply(self, session: Session, event: RecordedEvent) -> None:
        if event.type != ChecklistItemUpdated.event_type():
            return
        fact = parse(event)
        assert isinstance(fact, ChecklistItemUpdated)
        session.merge(ChecklistItemRow(
            program_id=fact.program_id, checklist=fact.checklist, item=fact.item, location_id=fact.location_id or "",
            org=event.ref.org, status=fact.status, note=fact.note, evidence_url=fact.evidence_url,
            updated_by=fact.updated_by, updated_at=fact.updated_at,
        ))
