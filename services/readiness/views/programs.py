"""Programme queries: the org's programmes and their effective playbooks (from waves' events)."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, select

from services.readiness.models import PilotSetRow, ProgramRow
from services.readiness.programs import ProgramPlaybooks
from shared.errors import NotFound


def playbooks_of(engine: Engine, *, org: str) -> ProgramPlaybooks:
    """Every programme of the org by id (None: the default playbook)."""
    with Session(engine) as session:
        rows = session.exec(select(ProgramRow).where(ProgramRow.org == org)).all()
    return ProgramPlaybooks({row.id: row.playbook for row in rows})


def get_program(engine: Engine, *, org: str, program_id: str) -> ProgramRow:
    with Session(engine) as session:
        row = session.get(ProgramRow, (org, program_id))
    if row is None:
        raise NotFound(f"programme {program_id} not found", field="program_id")
    return row


def pilot_set(engine: Engine, *, org: str, program_id: str) -> PilotSetRow | None:
    with Session(engine) as session:
        return session.get(PilotSetRow, (org, program_id))
