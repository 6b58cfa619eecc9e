"""Baseline queries: a location's captured values, and which of a program's locations lack which metric."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from services.metrics.baselines.models import BaselineRow


def values_of(engine: Engine, *, org: str, location_ids: list[str]) -> dict[str, dict[str, BaselineRow]]:
    """location -> metric -> the value that stands."""
    found: dict[str, dict[str, BaselineRow]] = {i: {} for i in location_ids}
    with Session(engine) as session:
        query = select(BaselineRow).where(BaselineRow.org == org, col(BaselineRow.location_id).in_(location_ids))
        for row in session.exec(query).all():
            found[row.location_id][row.metric] = row
    return found
