"""What an adapter turns one delivery's JSON into: a patient record, a case fact, or nothing we track.

Pure. Adapters hold no state and see no database: the processor maps clinics to locations,
matches patients and runs the commands.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo


class Malformed(Exception):
    """The payload is not what the source's adapter reads; `field` names the part that is wrong."""

    def __init__(self, reason: str, *, field: str | None = None) -> None:
        super().__init__(reason)
        self.reason, self.field = reason, field


@dataclass(frozen=True, slots=True)
class PatientFields:
    """Who a payload says the patient is (PHI: only ever held in memory and in the intake stream)."""

    last_name: str | None = None
    first_name: str | None = None
    birth_date: date | None = None
    chart_number: str | None = None


@dataclass(frozen=True, slots=True)
class PatientRecord:
    """A PMS patient record (created or changed at `occurred_at`, the PMS's time)."""

    clinic_id: str
    patient_ref: str
    patient: PatientFields
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class CaseFact:
    """One case lifecycle step (`type`: a case event type) of the source's case `external_case_id`.

    The patient is named by fields (scanners) or by the PMS's own patient id (`patient_ref`); a PMS
    procedure names no case and is attached to the patient's latest case at the location.
    """

    clinic_id: str
    type: str
    occurred_at: datetime
    external_case_id: str | None = None
    patient: PatientFields | None = None
    patient_ref: str | None = None
    provider_id: str | None = None
    critical_issue: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class NotTracked:
    """A valid payload of a kind that changes nothing here (a procedure only treatment-planned)."""

    clinic_id: str
    detail: str


Item = PatientRecord | CaseFact | NotTracked
Adapter = Callable[[Any, ZoneInfo], Item]


def text(payload: Mapping[str, Any], name: str, *, required: bool = True) -> str | None:
    value = payload.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise Malformed(f"{name} is required", field=name)
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise Malformed(f"{name} must be a string or an integer", field=name)
    return str(value).strip()


def timestamp(value: Any, zone: ZoneInfo, name: str) -> datetime:
    """ISO 8601 with an offset, or the source's local time (no offset) in the integration's zone."""
    if not isinstance(value, str) or not value.strip():
        raise Malformed(f"{name} is required (ISO 8601 date and time)", field=name)
    try:
        at = datetime.fromisoformat(value.strip())
    except ValueError:
        raise Malformed(f"{name} must be an ISO 8601 date and time; got {value!r}", field=name) from None
    if at.tzinfo is None:
        at = at.replace(tzinfo=zone)
    return at.astimezone(UTC)


def birth_date(value: Any, name: str) -> date | None:
    if value in (None, "", "0001-01-01"):  # Open Dental's "unknown"
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise Malformed(f"{name} must be a date (YYYY-MM-DD); got {value!r}", field=name) from None


def number(value: Any, name: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise Malformed(f"{name} must be a number; got {value!r}", field=name) from None


def mapping(payload: Any, name: str = "body") -> Mapping[str, Any]:
    if not isinstance(payload, dict):
        raise Malformed(f"{name} must be a JSON object", field=name)
    return payload
