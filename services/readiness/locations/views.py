"""Location queries, scoped to the caller's org and, below org-wide roles, its regions or locations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Engine, bindparam
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from services.readiness.locations.facts import rule_facts
from services.readiness.locations.models import LocationPublic, LocationRow
from services.readiness.locations.paging import ColumnsPage, columns_page
from services.readiness.pilots.candidates import Candidate
from services.readiness.scoring.domain import Entered
from shared.access import org_wide
from shared.auth import Principal
from shared.contracts.readiness import FACTORS
from shared.errors import NotFound

TABLE = LocationRow.__table__  # type: ignore[attr-defined]
PUBLIC_COLUMNS = [TABLE.c[name] for name in LocationPublic.model_fields]
SCOPED_BY = {"regions": TABLE.c.region, "locations": TABLE.c.id}  # the column each kind of scope limits


def within(principal: Principal) -> tuple[str | None, list[str]]:
    """Below its org, what the caller may see: None (the whole org), its "regions" or its "locations"."""
    if org_wide(principal):
        return None, []
    if principal.role == "regional_admin":
        return "regions", list(principal.regions)
    return "locations", list(principal.locations)


def scope(principal: Principal) -> list[ColumnElement[bool]]:
    """The conditions that keep a query to what the caller may see."""
    kind, allowed = within(principal)
    conditions = [col(LocationRow.org) == principal.org]
    if kind is not None:
        conditions.append(SCOPED_BY[kind].in_(allowed))
    return conditions


def _scoped(principal: Principal) -> SelectOfScalar[LocationRow]:
    return select(LocationRow).where(*scope(principal))


# One location's GET, prepared once per kind of scope (`within`): building and cache-keying the query
# per request cost more than running it.
_PUBLIC_KEYS = tuple(column.key for column in PUBLIC_COLUMNS)
_BY_ID = select(*PUBLIC_COLUMNS).where(TABLE.c.org == bindparam("org"), TABLE.c.id == bindparam("location_id"))
_BY_ID_WITHIN = {kind: _BY_ID.where(column.in_(bindparam("allowed", expanding=True)))
                 for kind, column in SCOPED_BY.items()}


def location_public(engine: Engine, *, principal: Principal, location_id: str) -> dict[str, Any]:
    """One location as its GET answers it: a Core query of the shown columns (no ORM identity map, no JSON
    it does not show), which costs a fraction of loading the row through a Session. A plain dict: the
    route's response model validates it once (a model built here was validated twice)."""
    kind, allowed = within(principal)
    query, params = _BY_ID, {"org": principal.org, "location_id": location_id, "allowed": allowed}
    if kind is not None:
        query = _BY_ID_WITHIN[kind]
    with engine.connect() as connection:
        row = connection.execute(query, params).first()
    if row is None:
        raise NotFound(f"location {location_id} not found", field="location_id")
    return dict(zip(_PUBLIC_KEYS, row, strict=True))


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


def conditions(principal: Principal, where: LocationFilter) -> list[ColumnElement[bool]]:
    """The caller's scope and the filters of `where`."""
    found = scope(principal)
    if where.region:
        found.append(col(LocationRow.region) == where.region)
    if where.program_id:
        found.append(col(LocationRow.program_id) == where.program_id)
    if where.wave:
        found.append(col(LocationRow.recommended_wave) == where.wave)
    return found


def filtered(principal: Principal, where: LocationFilter) -> SelectOfScalar[LocationRow]:
    """The caller's locations that match `where` (unordered)."""
    return select(LocationRow).where(*conditions(principal, where))


def list_public(
    engine: Engine, *, principal: Principal, where: LocationFilter, limit: int, cursor: str | None = None,
    columns: Sequence[ColumnElement[Any]] = PUBLIC_COLUMNS,
) -> ColumnsPage:
    """One page of `columns` of the caller's locations matching `where`, by name (a Core query)."""
    return columns_page(engine, columns, conditions(principal, where), limit=limit, cursor=cursor)


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


_NAMED = select(TABLE.c.id).where(TABLE.c.org == bindparam("org"), TABLE.c.name == bindparam("name"),
                                  TABLE.c.region == bindparam("region"))


def named(engine: Engine, *, org: str, name: str, region: str) -> str | None:
    """The id of the org's location of this name in this region, if there is one."""
    with engine.connect() as connection:
        return connection.execute(_NAMED, {"org": org, "name": name, "region": region}).scalar()


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
