"""Resistance-log queries: a location's entries; a program's over the caller's locations, counted."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from services.training.objections.models import ObjectionPublic, ObjectionRow
from services.training.objections.schemas import OutcomeCounts, ProgramObjections
from services.training.places.views import visible_locations
from shared.auth import Principal


def _public(rows: list[ObjectionRow]) -> list[ObjectionPublic]:
    return [ObjectionPublic.model_validate(r, from_attributes=True) for r in rows]


def location_objections(engine: Engine, *, org: str, location_id: str) -> list[ObjectionPublic]:
    with Session(engine) as session:
        rows = session.exec(select(ObjectionRow).where(ObjectionRow.org == org, ObjectionRow.location_id == location_id)
                            .order_by(col(ObjectionRow.raised_on).desc(), col(ObjectionRow.id))).all()
    return _public(list(rows))


def get_objection(engine: Engine, *, org: str, objection_id: str) -> ObjectionPublic | None:
    with Session(engine) as session:
        row = session.get(ObjectionRow, (org, objection_id))
    return None if row is None else ObjectionPublic.model_validate(row, from_attributes=True)


def program_objections(engine: Engine, *, principal: Principal, program_id: str) -> ProgramObjections:
    with Session(engine) as session:
        visible = visible_locations(session, principal, program_id)
        rows = list(session.exec(select(ObjectionRow).where(
            ObjectionRow.org == principal.org, col(ObjectionRow.location_id).in_(visible))
            .order_by(col(ObjectionRow.raised_on).desc(), col(ObjectionRow.id))).all())
    counts: dict[str, OutcomeCounts] = {}
    for row in rows:
        tally = counts.setdefault(row.role, OutcomeCounts())
        setattr(tally, row.outcome, getattr(tally, row.outcome) + 1)
    return ProgramObjections(program_id=program_id, by_role=dict(sorted(counts.items())), objections=_public(rows))
