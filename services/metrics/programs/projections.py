"""Folds waves' program events into `metrics_programs`, and go-lives into `metrics_go_lives`.

Metrics never reads the waves database: `ProgramCreated` carries the whole template and each
`PlaybookOverridden` one change. `LocationWentLive` is read by its contract's field names
(`program_id`, `location_id`, `wave`, `date`) until its class lands in `shared.contracts.waves`.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict
from sqlmodel import Session, SQLModel

from services.metrics.programs.models import GoLiveRow, ProgramRow
from shared.contracts.base import parse
from shared.contracts.waves import PlaybookOverridden, ProgramCreated
from shared.events import RecordedEvent
from shared.playbooks.overrides import apply_override

WENT_LIVE = "LocationWentLive"
HANDLED = {ProgramCreated.event_type(), PlaybookOverridden.event_type()}


class WentLive(BaseModel):
    """The fields of waves' `LocationWentLive` that metrics reads."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    program_id: str
    location_id: str
    wave: str | None = None
    date: date


class ProgramsProjection:
    """One row per program (effective playbook JSON) and one per live location (its go-live date)."""

    name = "metrics-programs"
    stream = "waves"
    tables: tuple[type[SQLModel], ...] = (ProgramRow, GoLiveRow)

    def apply(self, session: Session, event: RecordedEvent) -> None:
        if event.type == WENT_LIVE:
            live = WentLive.model_validate(event.data)
            session.merge(GoLiveRow(org=event.ref.org, location_id=live.location_id, program_id=live.program_id,
                                    wave=live.wave, date=live.date, recorded_at=event.time))
            session.flush()
            return
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
                session.add(row)
