"""Read-model rows of cases: per case the facts KPIs are computed from, each by the source's time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime
from sqlmodel import Field, SQLModel

from shared.rowfields import json_list


def _at(index: bool = False) -> datetime | None:
    return Field(default=None, sa_column=Column(DateTime(timezone=True), index=index))  # type: ignore[no-any-return]


class CaseRow(SQLModel, table=True):
    """One case: when it was submitted, scanned, planned, approved, decided; revisions; the planning verdict."""

    __tablename__ = "metrics_cases_v2"  # v2: the procedure's provider, patient key indexed

    org: str = Field(primary_key=True)
    id: str = Field(primary_key=True)
    location_id: str = Field(index=True)
    program_id: str | None = None
    patient_key: str = Field(index=True)
    provider_id: str | None = None
    source: str
    submitted_at: datetime | None = _at(index=True)
    scanned_at: datetime | None = _at()
    generated_at: datetime | None = _at()
    approved_at: datetime | None = _at()
    decision: str | None = None
    decided_at: datetime | None = _at()
    revisions: int = 0
    modifications: int = 0
    refinements: int = 0
    review_minutes: float | None = None
    procedure_code: str | None = None
    procedure_fee: float | None = None
    procedure_provider_id: str | None = None
    delivered_at: datetime | None = _at()
    lab_export_failures_at: list[str] = json_list()
    processed: bool = False
    critical: bool | None = None
    critical_issues: list[str] = json_list()
    first_sequence: int = 0
    last_sequence: int = 0
