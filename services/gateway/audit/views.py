"""Audit queries, always within the caller's org."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from services.gateway.audit.models import AuditEntryPublic, AuditPage, AuditRow
from shared.errors import DomainError


@dataclass(frozen=True, slots=True)
class AuditFilter:
    actor: str | None = None
    path: str | None = None
    outcome: str | None = None
    status: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    before: int | None = None
    limit: int = 100


def _utc(moment: datetime | None) -> datetime | None:
    """A time given without a zone is UTC."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def search(engine: Engine, *, org: str, where: AuditFilter) -> AuditPage:
    """Entries of `org` matching every given filter, newest first, one page."""
    where = replace(where, since=_utc(where.since), until=_utc(where.until))
    if where.since and where.until and where.since >= where.until:
        raise DomainError("until must be later than since", field="until")
    query = select(AuditRow).where(AuditRow.org == org)
    if where.actor:
        query = query.where(AuditRow.actor == where.actor)
    if where.path:
        query = query.where(col(AuditRow.path).startswith(where.path, autoescape=True))
    if where.outcome:
        query = query.where(AuditRow.decision == where.outcome)
    if where.status:
        query = query.where(AuditRow.status == where.status)
    if where.since:
        query = query.where(AuditRow.time >= where.since)
    if where.until:
        query = query.where(AuditRow.time < where.until)
    if where.before:
        query = query.where(AuditRow.sequence < where.before)
    query = query.order_by(col(AuditRow.sequence).desc()).limit(where.limit + 1)
    with Session(engine) as session:
        rows = list(session.exec(query).all())
    more = len(rows) > where.limit
    rows = rows[: where.limit]
    entries = [AuditEntryPublic.model_validate(r, from_attributes=True) for r in rows]
    return AuditPage(entries=entries, next_before=rows[-1].sequence if more and rows else None)
