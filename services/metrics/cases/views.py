"""Case queries: one case, and the cases of some locations (for KPIs)."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from services.metrics.cases.models import CaseRow
from services.metrics.cases.projections import utc

TIMES = ("submitted_at", "scanned_at", "generated_at", "approved_at", "decided_at", "delivered_at")


def _aware(row: CaseRow) -> CaseRow:
    for name in TIMES:
        setattr(row, name, utc(getattr(row, name)))
    return row


def find(engine: Engine, *, org: str, case_id: str) -> CaseRow | None:
    with Session(engine) as session:
        row = session.get(CaseRow, (org, case_id))
        if row is not None:
            session.expunge(row)
    return _aware(row) if row is not None else None


def cases_of(engine: Engine, *, org: str, location_ids: list[str]) -> dict[str, list[CaseRow]]:
    """location -> its cases, oldest submission first."""
    found: dict[str, list[CaseRow]] = {i: [] for i in location_ids}
    with Session(engine) as session:
        query = select(CaseRow).where(CaseRow.org == org, col(CaseRow.location_id).in_(location_ids))
        for row in session.exec(query.order_by(col(CaseRow.submitted_at), col(CaseRow.id))).all():
            session.expunge(row)
            found[row.location_id].append(_aware(row))
    return found


def latest_of_patient(engine: Engine, *, org: str, location_id: str, patient_key: str) -> CaseRow | None:
    """The patient's most recently submitted case at the location (a PMS procedure names no case)."""
    with Session(engine) as session:
        row = session.exec(select(CaseRow).where(
            CaseRow.org == org, CaseRow.location_id == location_id, CaseRow.patient_key == patient_key,
        ).order_by(col(CaseRow.submitted_at).desc(), col(CaseRow.id).desc()).limit(1)).first()
        if row is not None:
            session.expunge(row)
    return _aware(row) if row is not None else None
