"""Folds pilot-set events into `readiness_pilot_sets_v2`: the latest proposal and confirmation per program."""

from __future__ import annotations

from sqlmodel import Session, SQLModel

from services.readiness.pilots.models import PilotSetRow
from shared.contracts.base import parse
from shared.contracts.readiness import PilotSetConfirmed, PilotSetProposed
from shared.events import RecordedEvent


class PilotSetsProjection:
    name = "readiness-pilot-sets-v2"
    stream = "readiness"
    tables: tuple[type[SQLModel], ...] = (PilotSetRow,)

    def apply(self, session: Session, event: RecordedEvent) -> None:
        if event.ref.aggregate != "pilotset":
            return
        parsed = parse(event)
        if not isinstance(parsed, PilotSetProposed | PilotSetConfirmed):
            return
        row = session.get(PilotSetRow, (event.ref.org, parsed.program_id))
        if row is None:
            row = PilotSetRow(org=event.ref.org, program_id=parsed.program_id)
            session.add(row)
        if isinstance(parsed, PilotSetProposed):
            row.proposed, row.proposed_by = list(parsed.location_ids), parsed.proposed_by
            row.proposed_at = event.time
        else:
            row.confirmed, row.confirmed_by = list(parsed.location_ids), parsed.confirmed_by
            row.confirmed_at = event.time
            row.note, row.differs_from_proposal = parsed.note, parsed.differs_from_proposal
            row.unmet_rules = list(parsed.unmet_rules)
            row.confirmed_against = list(parsed.proposed_location_ids)
        row.version = event.version
        session.flush()
