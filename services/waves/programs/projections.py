"""Folds program events into the `waves_programs` and `waves_playbook_overrides` read models."""

from __future__ import annotations

from sqlmodel import Session, SQLModel

from services.waves.programs.models import OverrideRow, ProgramRow
from shared.contracts.base import parse
from shared.contracts.waves import PlaybookOverridden, ProgramCreated
from shared.events import RecordedEvent
from shared.playbooks.overrides import apply_override


class ProgramsProjection:
    """One row per program (effective playbook, override count) and one per override."""

    name = "waves-programs"
    stream = "waves"
    tables: tuple[type[SQLModel], ...] = (ProgramRow, OverrideRow)

    def apply(self, session: Session, event: RecordedEvent) -> None:
        match parse(event):
            case ProgramCreated() as created:
                session.add(
                    ProgramRow(
                        id=created.program_id,
                        org=event.ref.org,
                        name=created.name,
                        playbook_id=created.playbook_id,
                        playbook_version=created.playbook_version,
                        start_date=created.start_date,
                        playbook=created.playbook,
                        created_by=created.created_by,
                        created_at=event.time,
                        updated_at=event.time,
                        version=event.version,
                    )
                )
                # Flush, so an override later in the same batch finds the row whatever the autoflush setting.
                session.flush()
            case PlaybookOverridden() as overridden:
                row = session.get(ProgramRow, overridden.program_id)
                if row is None:
                    raise LookupError(f"PlaybookOverridden for unknown program {overridden.program_id}")
                # A new dict (copied along the path), so the ORM sees the JSON column change.
                row.playbook = apply_override(row.playbook, overridden.path, overridden.value)
                row.override_count = overridden.override_version
                row.updated_at = event.time
                row.version = event.version
                session.add(row)
                session.add(
                    OverrideRow(
                        event_id=event.id,
                        program_id=overridden.program_id,
                        org=event.ref.org,
                        override_version=overridden.override_version,
                        path=overridden.path,
                        value=overridden.value,
                        previous=overridden.previous,
                        reason=overridden.reason,
                        overridden_by=overridden.overridden_by,
                        overridden_at=event.time,
                    )
                )
