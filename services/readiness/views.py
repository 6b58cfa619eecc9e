"""Read-side queries, always scoped to the caller's org and, below admins, region or locations."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from services.readiness.models import LocationRow
from shared.auth import Principal
from shared.errors import NotFound

ORG_WIDE_ROLES = {"super_admin", "executive"}


def _scoped(principal: Principal) -> SelectOfScalar[LocationRow]:
    query = select(LocationRow).where(LocationRow.org == principal.org)
    if principal.role in ORG_WIDE_ROLES:
        return query
    if principal.role == "regional_admin":
        return query.where(col(LocationRow.region).in_(principal.regions))
    return query.where(col(LocationRow.id).in_(principal.locations))


def get_location(engine: Engine, *, principal: Principal, location_id: str) -> LocationRow:
    with Session(engine) as session:
        row = session.exec(_scoped(principal).where(LocationRow.id == location_id)).first()
    if row is None:
        raise NotFound(f"location {location_id} not found", field="location_id")
    return row


def list_locations(engine: Engine, *, principal: Principal, region: str | None = None) -> list[LocationRow]:
    query = _scoped(principal).order_by(col(LocationRow.name), col(LocationRow.id))
    if region:
        query = query.where(LocationRow.region == region)
    with Session(engine) as session:
        return list(session.exec(query).all())
