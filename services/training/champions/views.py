"""Champion queries: a location's champions, current first, then past ones by nomination time."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from services.training.champions.models import ChampionPublic, ChampionRow


def champions_of(engine: Engine, *, org: str, location_id: str) -> list[ChampionPublic]:
    query = select(ChampionRow).where(ChampionRow.org == org, ChampionRow.location_id == location_id)
    with Session(engine) as session:
        rows = session.exec(query.order_by(col(ChampionRow.current).desc(), col(ChampionRow.nominated_at).desc())).all()
    return [ChampionPublic.model_validate(r, from_attributes=True) for r in rows]
