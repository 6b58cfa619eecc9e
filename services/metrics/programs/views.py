"""Program queries: a program's effective playbook and the go-live dates metrics knows."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from services.metrics.programs.models import GoLiveRow, ProgramRow
from shared.playbooks import PlaybookTemplate
from shared.playbooks.effective import effective_playbook


def playbook_of(engine: Engine, *, org: str, program_id: str) -> PlaybookTemplate | None:
    """The program's effective playbook, or None if metrics does not know the program."""
    with Session(engine) as session:
        row = session.get(ProgramRow, (org, program_id))
        if row is None:
            return None
        document = dict(row.playbook)
        return effective_playbook(org, program_id, row.override_version, lambda: document)


def go_lives(engine: Engine, *, org: str, location_ids: list[str]) -> dict[str, GoLiveRow]:
    with Session(engine) as session:
        query = select(GoLiveRow).where(GoLiveRow.org == org, col(GoLiveRow.location_id).in_(location_ids))
        return {row.location_id: row for row in session.exec(query).all()}
