"""Folds case events into `metrics_cases_v2`: each fact by the source's time, so arrival order does not matter.

Scanned, generated and approved are the earliest such step; the patient's decision is the latest
by source time; the planning verdict is the latest `CaseProcessed`. Idempotent per event: the
domain records a step once, and each fact is a min/max or a count of recorded steps.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import tuple_
from sqlmodel import Session, SQLModel, col, select

from services.metrics.cases.models import CaseRow
from shared.contracts.base import parse
from shared.contracts.metrics import (
    AlignersDelivered,
    CaseCreated,
    CaseProcessed,
    LabExportFailed,
    PatientAccepted,
    PatientDeclined,
    PlanApproved,
    PlanGenerated,
    PlanModified,
    ProcedurePosted,
    RefinementStarted,
    RevisionRequested,
    ScanUploaded,
)
from shared.events import RecordedEvent


def utc(at: datetime | None) -> datetime | None:
    """A stored time as an aware UTC time (SQLite gives naive ones back)."""
    if at is None:
        return None
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def earliest(current: datetime | None, at: datetime) -> datetime:
    stored = utc(current)
    return at if stored is None or at < stored else stored


class CasesProjection:
    name = "metrics-cases-v2"
    stream = "metrics"
    tables: tuple[type[SQLModel], ...] = (CaseRow,)

    @staticmethod
    def wants(event: RecordedEvent) -> bool:
        return event.ref.aggregate == "case"

    def apply(self, session: Session, event: RecordedEvent) -> None:
        self.apply_many(session, [event])

    def apply_many(self, session: Session, events: list[RecordedEvent]) -> None:
        """A batch's cases read in one query, not one per event (the intake's hottest read-model write)."""
        cases = [event for event in events if self.wants(event)]
        if not cases:
            return
        keys = {(event.ref.org, event.ref.id) for event in cases}
        query = select(CaseRow).where(tuple_(col(CaseRow.org), col(CaseRow.id)).in_(keys))
        rows = {(row.org, row.id): row for row in session.exec(query)}
        for event in cases:
            self._apply(session, event, rows)

    def _apply(self, session: Session, event: RecordedEvent, rows: dict[tuple[str, str], CaseRow]) -> None:
        fact = parse(event)
        if isinstance(fact, CaseCreated):
            created = CaseRow(
                org=event.ref.org, id=fact.case_id, location_id=fact.location_id, program_id=fact.program_id,
                patient_key=fact.patient_key, provider_id=fact.provider_id, source=fact.source,
                submitted_at=fact.occurred_at, first_sequence=event.sequence, last_sequence=event.sequence,
            )
            if (event.ref.org, event.ref.id) in rows:
                raise ValueError(f"case {event.ref.id} created twice")
            rows[(event.ref.org, event.ref.id)] = created
            session.add(created)
            return
        row = rows.get((event.ref.org, event.ref.id))
        if row is None:
            raise LookupError(f"{event.type} for unknown case {event.ref.id}")
        match fact:
            case ScanUploaded():
                row.scanned_at = earliest(row.scanned_at, fact.occurred_at)
            case PlanGenerated():
                row.generated_at = earliest(row.generated_at, fact.occurred_at)
            case PlanModified():
                row.modifications += 1
                row.review_minutes = _add(row.review_minutes, fact.review_minutes)
            case RevisionRequested():
                row.revisions += 1
            case PlanApproved():
                row.approved_at = earliest(row.approved_at, fact.occurred_at)
                row.review_minutes = _add(row.review_minutes, fact.review_minutes)
            case PatientAccepted() | PatientDeclined():
                decided = utc(row.decided_at)
                if decided is None or fact.occurred_at >= decided:
                    row.decision = "accepted" if isinstance(fact, PatientAccepted) else "declined"
                    row.decided_at = fact.occurred_at
            case RefinementStarted():
                row.refinements += 1
            case AlignersDelivered():
                row.delivered_at = earliest(row.delivered_at, fact.occurred_at)
            case LabExportFailed():
                row.lab_export_failures_at = sorted({*row.lab_export_failures_at, fact.occurred_at.isoformat()})
            case ProcedurePosted():
                row.procedure_code, row.procedure_fee = fact.code, fact.fee
                row.procedure_provider_id = fact.provider_id
            case CaseProcessed():
                row.processed, row.critical, row.critical_issues = True, fact.critical, list(fact.critical_issues)
        row.last_sequence = event.sequence
        session.add(row)


def _add(total: float | None, minutes: float | None) -> float | None:
    if minutes is None:
        return total
    return (total or 0.0) + minutes
