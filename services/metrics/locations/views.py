"""Location queries, scoped to the caller's org and, below org-wide roles, its regions or locations."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from services.metrics.locations.models import LocationRow
from shared.access import org_wide
from shared.auth import Principal


def scoped(principal: Principal) -> SelectOfScalar[LocationRow]:
    """The caller's locations: the org's, its regions' or its own."""
    query = select(LocationRow).where(LocationRow.org == principal.org)
    if org_wide(principal):
        return query
    if principal.role == "regional_admin":
        return query.where(col(LocationRow.region).in_(principal.regions))
    return query.where(col(LocationRow.id).in_(principal.locations))


def find(engine: Engine, *, org: str, location_id: str) -> LocationRow | None:
    with Session(engine) as session:
        return session.get(LocationRow, (org, location_id))


def program_locations(engine: Engine, *, principal: Principal, program_id: str) -> list[LocationRow]:
    """The program's locations in the caller's scope, by name."""
    query = scoped(principal).where(LocationRow.program_id == program_id)
    with Session(engine) as session:
        return list(session.exec(query.order_by(col(LocationRow.name), col(LocationRow.id))).all())


def by_ids(engine: Engine, *, org: str, ids: set[str]) -> dict[str, LocationRow]:
    with Session(engine) as session:
        rows = session.exec(select(LocationRow).where(LocationRow.org == org, col(LocationRow.id).in_(ids))).all()
    return {row.id: row for row in rows}


def visible_ids(engine: Engine, *, principal: Principal) -> set[str] | None:
    """The ids of the caller's locations (None: org-wide, every location)."""
    if org_wide(principal):
        return None
    with Session(engine) as session:
        return {row.id for row in session.exec(scoped(principal)).all()}


def ids_of_org(engine: Engine, *, org: str) -> set[str]:
    with Session(engine) as session:
        return set(session.exec(select(LocationRow.id).where(LocationRow.org == org)).all())
