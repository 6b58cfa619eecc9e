"""The documented JSON shape for sources without an adapter of their own (Dentrix, Eaglesoft, scanners).

    {"type": "case.created", "occurred_at": "2027-03-01T10:00:00Z", "clinic_id": "site-7",
     "case_id": "EXT-123", "provider_id": "dr-lee", "critical_issue": null,
     "patient": {"id": "p-9", "last_name": "Lee", "first_name": "Ann", "birth_date": "1990-02-01",
                 "chart_number": "C-1001"},
     "details": {"review_minutes": 12, "code": "D8090", "fee": 5200, "reason": "..."}}

`type` is one of TYPES; `patient.updated` is a PMS patient record (`patient.id` its PMS id); every
other type is a case step of `case_id`. Times without an offset are in the integration's zone.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from services.metrics.intake.adapters.base import (
    CaseFact,
    Item,
    Malformed,
    PatientFields,
    PatientRecord,
    birth_date,
    mapping,
    text,
    timestamp,
)

TYPES = {
    "scan.uploaded": "ScanUploaded", "case.created": "CaseCreated", "plan.generated": "PlanGenerated",
    "plan.modified": "PlanModified", "revision.requested": "RevisionRequested", "plan.approved": "PlanApproved",
    "patient.accepted": "PatientAccepted", "patient.declined": "PatientDeclined",
    "refinement.started": "RefinementStarted", "procedure.posted": "ProcedurePosted",
    "aligners.delivered": "AlignersDelivered", "lab_export.failed": "LabExportFailed",
}
PATIENT = "patient.updated"


def _patient(value: Any) -> PatientFields:
    patient = mapping(value, "patient")
    return PatientFields(
        last_name=text(patient, "last_name", required=False), first_name=text(patient, "first_name", required=False),
        birth_date=birth_date(patient.get("birth_date"), "patient.birth_date"),
        chart_number=text(patient, "chart_number", required=False),
    )


def parse(body: Any, zone: ZoneInfo) -> Item:
    payload = mapping(body)
    kind = text(payload, "type")
    clinic = str(text(payload, "clinic_id"))
    occurred_at = timestamp(payload.get("occurred_at"), zone, "occurred_at")
    if kind == PATIENT:
        ref = text(mapping(payload.get("patient"), "patient"), "id")
        return PatientRecord(clinic, str(ref), _patient(payload["patient"]), occurred_at)
    if kind not in TYPES:
        raise Malformed(f"type must be {PATIENT} or one of {', '.join(TYPES)}; got {kind!r}", field="type")
    details = mapping(payload.get("details") or {}, "details")
    patient = payload.get("patient")
    return CaseFact(
        clinic_id=clinic, type=TYPES[kind], occurred_at=occurred_at,
        external_case_id=text(payload, "case_id", required=kind != "procedure.posted"),
        patient=_patient(patient) if patient is not None else None,
        patient_ref=text(mapping(patient, "patient"), "id", required=False) if patient is not None else None,
        provider_id=text(payload, "provider_id", required=False),
        critical_issue=text(payload, "critical_issue", required=False),
        details=dict(details),
    )
