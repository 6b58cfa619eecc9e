"""Incidents of a program, scoped to the caller's regions and locations."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from services.waves.evidence.build import utc
from services.waves.evidence.models import IncidentRow
from services.waves.incidents.schemas import IncidentView
from services.waves.plan.models import CandidateRow
from services.waves.plan.views import program_row
from shared.access import in_scope
from shared.auth import Principal


def regions(engine: Engine, *, principal: Principal, location_ids: list[str] | None = None) -> dict[str, str]:
    """location id -> region, as readiness last said."""
    with Session(engine) as session:
        query = select(CandidateRow.location_id, CandidateRow.region).where(CandidateRow.org == principal.org)
        if location_ids is not None:
            query = query.where(col(CandidateRow.location_id).in_(location_ids))
        return dict(session.exec(query).all())


def _view(row: IncidentRow, now: datetime) -> IncidentView:
    due = utc(row.response_due_at) if row.response_due_at else None
    # The response SLA counts to the first response: an acknowledgement, else the resolution, else now.
    responded = row.acknowledged_at or row.resolved_at
    ended = utc(responded) if responded else now
    return IncidentView(
        incident_id=row.incident_id, location_id=row.location_id, kind=row.kind, severity=row.severity,
        category=row.category, description=row.description, opened_at=utc(row.opened_at),
        contact_tier=row.contact_tier, response_due_at=due,
        acknowledged_at=utc(row.acknowledged_at) if row.acknowledged_at else None,
        resolved_at=utc(row.resolved_at) if row.resolved_at else None,
        sla_breached=due is not None and ended > due,
    )


def incidents(engine: Engine, *, principal: Principal, program_id: str) -> list[IncidentView]:
    """The program's incidents the caller may see, newest first."""
    now = datetime.now(UTC)
    where = regions(engine, principal=principal)
    with Session(engine) as session:
        program_row(session, principal, program_id)
        rows = session.exec(select(IncidentRow).where(IncidentRow.org == principal.org,
                                                      IncidentRow.program_id == program_id)
                            .order_by(col(IncidentRow.opened_at).desc())).all()
    return [_view(r, now) for r in rows
            if in_scope(principal, region=where.get(r.location_id, ""), location_id=r.location_id)]


def incident(engine: Engine, *, principal: Principal, program_id: str, incident_id: str) -> IncidentView:
    """One incident."""
    return next(i for i in incidents(engine, principal=principal, program_id=program_id)
                if i.incident_id == incident_id)
