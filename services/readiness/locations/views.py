"""Location queries, scoped to the caller's org and, below org-wide roles, its regions or locations."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from services.readiness.locations.facts import rule_facts
from services.readiness.locations.models import LocationRow
from services.readiness.locations.paging import Page, page
from services.readiness.pilots.candidates import Candidate
from services.readiness.scoring.domain import Entered
from shared.access import org_wide
from shared.auth import Principal
from shared.contracts.readiness import FACTORS
from shared.errors import NotFound


def _scoped(principal: Principal) -> SelectOfScalar[LocationRow]:
    query = select(LocationRow).where(LocationRow.org == principal.org)
    if org_wide(principal):
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


@dataclass(frozen=True, slots=True)
class LocationFilter:
    """What a list narrows to, within the caller's scope."""

    region: str | None = None
    program_id: str | None = None
    wave: str | None = None


def filtered(principal: Principal, where: LocationFilter) -> SelectOfScalar[LocationRow]:
    """The caller's locations that match `where` (unordered)."""
    query = _scoped(principal)
    if where.region:
        query = query.where(LocationRow.region == where.region)
    if where.program_id:
        query = query.where(LocationRow.program_id == where.program_id)
    if where.wave:
        query = query.where(LocationRow.recommended_wave == where.wave)
    return query


def list_locations(
    engine: Engine, *, principal: Principal, where: LocationFilter, limit: int, cursor: str | None = None
) -> Page:
    """One page of the caller's locations matching `where`, by name."""
    return page(engine, filtered(principal, where), limit=limit, cursor=cursor)


def rows_by_id(engine: Engine, *, org: str, ids: list[str]) -> dict[str, LocationRow]:
    """Rows of the org's locations by id (those the read model has)."""
    with Session(engine) as session:
        rows = session.exec(select(LocationRow).where(LocationRow.org == org, col(LocationRow.id).in_(ids))).all()
    return {row.id: row for row in rows}


def program_of(engine: Engine, *, org: str, location_id: str) -> str | None:
    """The program a location belongs to, as the read model has it (None: none, or not known)."""
    with Session(engine) as session:
        query = select(LocationRow.program_id).where(LocationRow.org == org, LocationRow.id == location_id)
        return session.exec(query).first()


def named(engine: Engine, *, org: str, name: str, region: str) -> str | None:
    """The id of the org's location of this name in this region, if there is one."""
    query = select(LocationRow.id).where(LocationRow.org == org, LocationRow.name == name, LocationRow.region == region)
    with Session(engine) as session:
        return session.exec(query).first()


def names_in_use(engine: Engine, *, org: str) -> set[tuple[str, str]]:
    """(name, region) of every location of the org, to refuse importing one twice."""
    with Session(engine) as session:
        rows = session.exec(select(LocationRow.name, LocationRow.region).where(LocationRow.org == org)).all()
    return {(name, region) for name, region in rows}


def scores(row: LocationRow) -> dict[str, int] | None:
    """The five recorded scores, or None unless all five are there."""
    values = {f: getattr(row, f) for f in FACTORS}
    return values if all(v is not None for v in values.values()) else None  # type: ignore[return-value]


def entered(row: LocationRow) -> dict[str, Entered]:
    return {f: Entered(e["score"], e["assessor"], e.get("reason")) for f, e in (row.entered or {}).items()}


def candidate(row: LocationRow) -> Candidate:
    """A location as pilot rules see it: its facts, region and (complete) recorded scores."""
    return Candidate(row.id, row.name, rule_facts(row.facts, region=row.region, scores=scores(row)))


def program_candidates(engine: Engine, *, principal: Principal, program_id: str) -> list[Candidate]:
    """The program's locations in the caller's scope, as pilot rules see them."""
    query = _scoped(principal).where(LocationRow.program_id == program_id)
    with Session(engine) as session:
        rows = session.exec(query.order_by(col(LocationRow.name), col(LocationRow.id))).all()
    return [candidate(row) for row in rows]
