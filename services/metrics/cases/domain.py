"""The case aggregate: an aligner case's lifecycle from source-stamped events, in any arrival order.

Pure. Every step carries `occurred_at`, the source's time; the facts that KPIs use (submitted,
scanned, approved, decided) are read by source time, never by arrival, so a late or out-of-order
delivery folds to the same case. The same step delivered again (type, time and source id) records
nothing. `CaseProcessed` marks the case through planning (its plan approved) with the critical issues
seen up to the approval; a late delivery that changes that verdict records it again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from shared.aggregates import Aggregate
from shared.contracts.base import DomainEvent
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
from shared.errors import Conflict, DomainError, NotFound

STEPS: dict[str, type[DomainEvent]] = {cls.event_type(): cls for cls in (
    ScanUploaded, PlanGenerated, PlanModified, RevisionRequested, PlanApproved, PatientAccepted, PatientDeclined,
    RefinementStarted, ProcedurePosted, AlignersDelivered, LabExportFailed,
)}
CDT_CODE = re.compile(r"^D\d{4}$")
SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")


@dataclass(frozen=True, slots=True)
class Step:
    type: str
    occurred_at: datetime
    source_event_id: str | None
    critical_issue: str | None


@dataclass(frozen=True, slots=True)
class Verdict:
    critical_issues: tuple[str, ...]
    submitted_at: datetime | None
    approved_at: datetime


@dataclass(frozen=True, slots=True)
class Case:
    id: str = ""
    location_id: str = ""
    program_id: str | None = None
    submitted_at: datetime | None = None
    created_issue: str | None = None
    steps: tuple[Step, ...] = ()
    verdict: Verdict | None = None

    @property
    def created(self) -> bool:
        return bool(self.id)


@dataclass(frozen=True, slots=True)
class OpenCase:
    """A case submitted for planning; the patient only as its pseudonymous key."""

    case_id: str
    location_id: str
    program_id: str | None
    patient_key: str
    submitted_at: datetime
    now: datetime
    max_skew: timedelta
    recorded_by: str
    source: str = "manual"
    provider_id: str | None = None
    external_case_id: str | None = None
    region: str = ""


@dataclass(frozen=True, slots=True)
class RecordStep:
    """One lifecycle step at the source's time; `details` are the step's own fields (code, fee, reason...)."""

    case_id: str
    type: str
    occurred_at: datetime
    now: datetime
    max_skew: timedelta
    recorded_by: str
    source: str = "manual"
    source_event_id: str | None = None
    critical_issue: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    region: str = ""


Command = OpenCase | RecordStep


def _check_time(at: datetime, now: datetime, skew: timedelta, name: str) -> None:
    if at.tzinfo is None:
        raise DomainError(f"{name} needs a time zone (e.g. 2026-03-01T10:00:00Z)", field=name)
    if at > now + skew:
        raise DomainError(f"{name} {at.isoformat()} is in the future", field=name)


def _check_source(source: str) -> None:
    if not SLUG.match(source):
        raise DomainError(f"source {source!r} must be a lower-case slug", field="source")


def _open(state: Case, command: OpenCase) -> list[DomainEvent]:
    if state.created:
        raise Conflict(f"case {command.case_id} already exists", field="case_id")
    _check_time(command.submitted_at, command.now, command.max_skew, "submitted_at")
    _check_source(command.source)
    return [CaseCreated(
        case_id=command.case_id, location_id=command.location_id, program_id=command.program_id,
        occurred_at=command.submitted_at, source=command.source, recorded_by=command.recorded_by,
        patient_key=command.patient_key, provider_id=command.provider_id, external_case_id=command.external_case_id,
    )]


def _details(command: RecordStep) -> dict[str, Any]:
    details = dict(command.details)
    if command.type == ProcedurePosted.event_type():
        code = str(details.get("code") or "")
        if not CDT_CODE.match(code):
            raise DomainError(f"code must be a CDT code such as D8090, got {code!r}", field="code")
        if details.get("fee") is not None and details["fee"] < 0:
            raise DomainError("fee must not be negative", field="fee")
    if details.get("review_minutes") is not None and details["review_minutes"] < 0:
        raise DomainError("review_minutes must not be negative", field="review_minutes")
    return details


def _record(state: Case, command: RecordStep) -> list[DomainEvent]:
    cls = STEPS.get(command.type)
    if cls is None:
        raise DomainError(f"type must be one of {', '.join(STEPS)}; got {command.type!r}", field="type")
    _check_time(command.occurred_at, command.now, command.max_skew, "occurred_at")
    _check_source(command.source)
    if command.critical_issue is not None and not SLUG.match(command.critical_issue):
        raise DomainError("critical_issue must be a lower-case slug such as scan_import_failed",
                          field="critical_issue")
    step = Step(command.type, command.occurred_at, command.source_event_id, command.critical_issue)
    if step in state.steps:
        return []  # delivered again: recorded once
    fields = {k: v for k, v in _details(command).items() if k in cls.model_fields and v is not None}
    event = cls.model_validate(fields | {
        "case_id": state.id, "location_id": state.location_id, "program_id": state.program_id,
        "occurred_at": command.occurred_at, "source": command.source, "source_event_id": command.source_event_id,
        "recorded_by": command.recorded_by, "critical_issue": command.critical_issue,
    })
    after = evolve(state, event)
    verdict = verdict_of(after)
    if verdict is None or verdict == state.verdict:
        return [event]
    return [event, CaseProcessed(
        case_id=state.id, location_id=state.location_id, program_id=state.program_id,
        occurred_at=verdict.approved_at, source=command.source, recorded_by=command.recorded_by,
        critical=bool(verdict.critical_issues), critical_issues=list(verdict.critical_issues),
        submitted_at=verdict.submitted_at, approved_at=verdict.approved_at,
    )]


def verdict_of(state: Case) -> Verdict | None:
    """Through planning once a plan is approved: the earliest approval, and the critical issues up to it."""
    approvals = [s.occurred_at for s in state.steps if s.type == PlanApproved.event_type()]
    if not approvals:
        return None
    approved_at = min(approvals)
    issues = {s.critical_issue for s in state.steps if s.critical_issue and s.occurred_at <= approved_at}
    if state.created_issue:
        issues.add(state.created_issue)
    return Verdict(tuple(sorted(issues)), state.submitted_at, approved_at)


def decide(state: Case, command: Command) -> list[DomainEvent]:
    if isinstance(command, OpenCase):
        return _open(state, command)
    if not state.created:
        raise NotFound(f"case {command.case_id} not found", field="case_id")
    return _record(state, command)


def evolve(state: Case, event: DomainEvent) -> Case:
    match event:
        case CaseCreated():
            return Case(id=event.case_id, location_id=event.location_id, program_id=event.program_id,
                        submitted_at=event.occurred_at, created_issue=event.critical_issue)
        case CaseProcessed():
            return replace(state, verdict=Verdict(tuple(event.critical_issues), event.submitted_at, event.approved_at))
    if event.event_type() in STEPS:
        step = Step(event.event_type(), event.occurred_at, event.source_event_id,  # type: ignore[attr-defined]
                    event.critical_issue)  # type: ignore[attr-defined]
        return replace(state, steps=(*state.steps, step))
    return state


case = Aggregate(initial=Case, decide=decide, evolve=evolve)
