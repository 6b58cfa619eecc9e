"""Program queries: the org's programs and their effective playbooks (from waves' events)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from services.readiness.pilots.models import PilotSetRow
from services.readiness.programs.models import ProgramRow
from services.readiness.programs.playbooks import ProgramPlaybooks
from shared.errors import NotFound
from shared.playbooks.effective import effective_playbook


def playbooks_of(engine: Engine, *, org: str, program_ids: Iterable[str]) -> ProgramPlaybooks:
    """The named programs of the org that readiness knows (None: the default playbook).

    Only override versions are read first; a playbook's JSON is loaded and validated only
    when this process has not validated that version yet.
    """
    wanted = set(program_ids)
    if not wanted:
        return ProgramPlaybooks({})
    known = select(ProgramRow.id, ProgramRow.override_version).where(
        ProgramRow.org == org, col(ProgramRow.id).in_(wanted)
    )
    templates = {}
    with Session(engine) as session:
        for program_id, version in session.exec(known).all():
            templates[program_id] = effective_playbook(org, program_id, version,
                                                      partial(_document, session, org, program_id))
    return ProgramPlaybooks(templates)


def _document(session: Session, org: str, program_id: str) -> dict[str, object]:
    row = session.get(ProgramRow, (org, program_id))
    assert row is not None
    return row.playbook


def get_program(engine: Engine, *, org: str, program_id: str) -> ProgramRow:
    with Session(engine) as session:
        row = session.get(ProgramRow, (org, program_id))
    if row is None:
        raise NotFound(f"program {program_id} not found", field="program_id")
    return row


def pilot_set(engine: Engine, *, org: str, program_id: str) -> PilotSetRow | None:
    with Session(engine) as session:
        return session.get(PilotSetRow, (org, program_id))
