"""Session queries: a location's sessions, newest first."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from services.training.sessions.models import PlannedSessionPublic, PlannedSessionRow, SessionPublic, SessionRow


def sessions_of(engine: Engine, *, org: str, location_id: str) -> list[SessionPublic]:
    query = select(SessionRow).where(SessionRow.org == org, SessionRow.location_id == location_id)
    with Session(engine) as session:
        rows = session.exec(query.order_by(col(SessionRow.held_on).desc(), col(SessionRow.id))).all()
    return [SessionPublic.model_validate(r, from_attributes=True) for r in rows]


def get_session(engine: Engine, *, org: str, session_id: str) -> SessionPublic | None:
    with Session(engine) as session:
        row = session.get(SessionRow, (org, session_id))
    return None if row is None else SessionPublic.model_validate(row, from_attributes=True)


def planned_of(engine: Engine, *, org: str, location_id: str) -> list[PlannedSessionPublic]:
    with Session(engine) as session:
        rows = session.exec(select(PlannedSessionRow).where(
            PlannedSessionRow.org == org, PlannedSessionRow.location_id == location_id)
            .order_by(col(PlannedSessionRow.planned_on), col(PlannedSessionRow.id))).all()
    return [PlannedSessionPublic.model_validate(r, from_attributes=True) for r in rows]
