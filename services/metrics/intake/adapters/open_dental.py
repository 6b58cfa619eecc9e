"""Open Dental, as its API publishes records (PascalCase): patients and procedures.

- a patient (`PatNum` with `LName`): `LName`, `FName`, `Birthdate` (0001-01-01 = unknown),
  `ChartNumber`, `ClinicNum`, `DateTStamp` (the PMS's local time, no offset);
- a procedure (`ProcNum` or `ProcCode`): `PatNum`, `ProcCode`, `ProcStatus` (`C` = complete, i.e.
  posted; `TP`, `TPi`, `EO`, `EC`, `R`, `Cn`, `D` are not), `ProcFee`, `ProvNum`, `ClinicNum`,
  `DateTStamp`. A posted procedure becomes `ProcedurePosted` on the patient's latest case.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from services.metrics.intake.adapters.base import (
    CaseFact,
    Item,
    Malformed,
    NotTracked,
    PatientFields,
    PatientRecord,
    birth_date,
    mapping,
    number,
    text,
    timestamp,
)

POSTED = "C"


def _clinic(payload: dict[str, Any]) -> str:
    return text(payload, "ClinicNum", required=False) or "0"  # 0: Open Dental without clinics


def parse(body: Any, zone: ZoneInfo) -> Item:
    payload = dict(mapping(body))
    if "ProcNum" in payload or "ProcCode" in payload:
        clinic = _clinic(payload)
        status = text(payload, "ProcStatus")
        if status != POSTED:
            return NotTracked(clinic, f"procedure status {status} is not posted (C)")
        return CaseFact(
            clinic_id=clinic, type="ProcedurePosted", occurred_at=timestamp(payload.get("DateTStamp"), zone,
                                                                            "DateTStamp"),
            patient_ref=text(payload, "PatNum"), provider_id=text(payload, "ProvNum", required=False),
            details={"code": text(payload, "ProcCode"), "fee": number(payload.get("ProcFee"), "ProcFee")},
        )
    if "PatNum" in payload and "LName" in payload:
        return PatientRecord(
            clinic_id=_clinic(payload), patient_ref=str(text(payload, "PatNum")),
            patient=PatientFields(
                last_name=text(payload, "LName"), first_name=text(payload, "FName"),
                birth_date=birth_date(payload.get("Birthdate"), "Birthdate"),
                chart_number=text(payload, "ChartNumber", required=False),
            ),
            occurred_at=timestamp(payload.get("DateTStamp"), zone, "DateTStamp"),
        )
    raise Malformed("an Open Dental patient (PatNum, LName) or procedure (ProcNum, ProcCode) is expected",
                    field="body")
