"""Case bodies: a case submitted over HTTP, a lifecycle step, and a case as the read model has it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field


class PatientIn(BaseModel):
    """Who the patient is: turned into a pseudonymous key at once and never stored."""

    chart_number: str | None = Field(default=None, max_length=64)
    last_name: str | None = Field(default=None, max_length=200)
    first_name: str | None = Field(default=None, max_length=200)
    birth_date: date | None = None


class CaseCreate(BaseModel):
    patient: PatientIn
    submitted_at: datetime = Field(description="when the case was submitted, by the source's clock")
    source: str = Field(default="manual", max_length=64)
    provider_id: str | None = Field(default=None, max_length=128)
    external_case_id: str | None = Field(default=None, max_length=128)


class StepIn(BaseModel):
    """A lifecycle step: ScanUploaded, PlanGenerated, PlanModified, RevisionRequested, PlanApproved,
    PatientAccepted, PatientDeclined, RefinementStarted or ProcedurePosted, at the source's time."""

    type: str
    occurred_at: datetime
    source: str = Field(default="manual", max_length=64)
    source_event_id: str | None = Field(default=None, max_length=200)
    critical_issue: str | None = Field(default=None, max_length=64)
    code: str | None = Field(default=None, description="ProcedurePosted: the CDT code, e.g. D8090")
    fee: float | None = None
    reason: str | None = Field(default=None, max_length=500)
    review_minutes: float | None = None
    approved_by: str | None = Field(default=None, max_length=128)
    scanner: str | None = Field(default=None, max_length=64)

    def details(self) -> dict[str, Any]:
        return self.model_dump(include={"code", "fee", "reason", "review_minutes", "approved_by", "scanner"})


class CaseEventOut(BaseModel):
    version: int
    type: str
    occurred_at: datetime | None
    recorded_at: datetime
    data: dict[str, Any]


class CasePublic(BaseModel):
    id: str
    location_id: str
    program_id: str | None
    patient_key: str
    provider_id: str | None
    source: str
    submitted_at: datetime | None
    scanned_at: datetime | None
    generated_at: datetime | None
    approved_at: datetime | None
    decision: str | None
    decided_at: datetime | None
    revisions: int
    refinements: int
    procedure_code: str | None
    procedure_fee: float | None
    processed: bool
    critical: bool | None
    critical_issues: list[str]
    turnaround_hours: float | None = None
    events: list[CaseEventOut] = []
