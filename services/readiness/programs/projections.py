"""Folds waves' program events into `readiness_programs`: each program's effective playbook.

Readiness never reads the waves database: `ProgramCreated` carries the whole template and
each `PlaybookOverridden` one change, so the effective playbook is a fold of events.
"""

from __future__ import annotations

from sqlmodel import Session, SQLModel

from services.readiness.programs.models import ProgramRow
from shared.contracts.base import parse
from shared.contracts.waves import PlaybookOverridden, ProgramCreated
from shared.events import RecordedEvent
from shared.playbooks.overrides import apply_override

HANDLED = {ProgramCreated.event_type(), PlaybookOverridden.event_type()}


class ProgramsProjection:
    """One row per program (org, id) with its effective playbook JSON."""

    name = "readiness-programs"
    stream = "waves"
    tables: tuple[type[SQLModel], ...] = (ProgramRow,)

    def apply(self, session: Session, event: RecordedEvent) -> None:
        # The waves stream carries waves, gates and more; only program events matter here.
        if event.ref.aggregate != "program" or event.type not in HANDLED:
            return
        match parse(event):
            case ProgramCreated() as created:
                session.add(ProgramRow(
                    org=event.ref.org, id=created.program_id, name=created.name, playbook_id=created.playbook_id,
                    playbook=dict(created.playbook), created_at=event.time, updated_at=event.time,
                ))
                session.flush()
            case PlaybookOverridden() as overridden:
                row = session.get(ProgramRow, (event.ref.org, overridden.program_id))
                if row is None:
                    raise LookupError(f"PlaybookOverridden for unknown program {overridden.program_id}")
                row.playbook = apply_override(row.playbook, overridden.path, overridden.value)
                row.override_version, row.updated_at = overridden.override_version, event.time
