"""Roster queries (the route's line already checked the caller's scope on the location)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from services.training.staff.models import StaffPublic, StaffRow


def public(row: StaffRow) -> StaffPublic:
    today = datetime.now(UTC).date()
    return StaffPublic.model_validate(row.model_dump() | {"active": row.left_on is None or row.left_on > today})


def roster_of(engine: Engine, *, org: str, location_id: str, include_left: bool = True) -> list[StaffPublic]:
    query = select(StaffRow).where(StaffRow.org == org, StaffRow.location_id == location_id)
    with Session(engine) as session:
        rows = session.exec(query.order_by(col(StaffRow.name), col(StaffRow.id))).all()
    found = [public(r) for r in rows]
    return found if include_left else [s for s in found if s.active]
