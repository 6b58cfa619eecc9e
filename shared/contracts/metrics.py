"""Events published by the metrics service: baselines, cases, KPI measurements, surveys, integrations.

Patient identity never travels in an event: a case carries `patient_key`, an HMAC of the
patient's identifiers under a per-org key, so events can be matched without being readable
as a person. Every case event carries `occurred_at`, the source's own timestamp: lifecycle
rules and KPIs use it, never the arrival time, so late and out-of-order deliveries fold right.
Additive changes only: fields added later carry defaults.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.base import DomainEvent, register

BaselineSource = str  # "manual" | "csv" | "derived" | an integration source ("open_dental", "itero", ...)
SurveyKind = Literal["provider", "clinician", "patient"]


# --- baselines -------------------------------------------------------------------------------------------


class BaselineCaptured(DomainEvent):
    """A baseline value of one metric of the program's playbook for one location, over a period."""

    service: ClassVar[str] = "metrics"
    aggregate: ClassVar[str] = "baseline"

    location_id: str
    program_id: str | None = None
    metric: str
    value: float
    unit: str
    period_start: date
    period_end: date
    source: BaselineSource
    captured_by: str
    sample_size: int | None = None


# --- KPI measurements ------------------------------------------------------------------------------------


class KpiValue(BaseModel):
    """One KPI of a location: its value (None: no data yet), how many cases or answers, and over which window."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    value: float | None
    n: int
    window: str
    window_start: datetime | None = None
    window_end: datetime | None = None


class LocationKpisMeasured(DomainEvent):
    """The location's live KPIs as computed from the metrics stream up to `last_sequence` (coalesced)."""

    service: ClassVar[str] = "metrics"
    aggregate: ClassVar[str] = "location"

    location_id: str
    program_id: str | None = None
    as_of: datetime
    values: dict[str, KpiValue]
    first_sequence: int
    last_sequence: int


# --- integrations ----------------------------------------------------------------------------------------


class _IntegrationEvent(DomainEvent):
    service: ClassVar[str] = "metrics"
    aggregate: ClassVar[str] = "integration"

    integration_id: str


class IntegrationRegistered(_IntegrationEvent):
    """A PMS or scanner integration of the org: its source, clinic/site ids mapped to locations, its secret's id.

    The signing secret itself is never in an event; `secret_id` and `fingerprint` name it (the secret
    derives from the platform's webhook key and these ids: `shared/webhooks.py`).
    """

    source: str
    name: str
    clinic_map: dict[str, str] = Field(default_factory=dict, description="source clinic/site id -> location_id")
    secret_id: str
    fingerprint: str
    registered_by: str
    time_zone: str = Field("UTC", description="the IANA zone of the source's local timestamps (Open Dental's)")


class IntegrationClinicsMapped(_IntegrationEvent):
    """The integration's clinic/site ids mapped to locations: the whole map, replacing the one before."""

    clinic_map: dict[str, str]
    mapped_by: str


class IntegrationSecretRotated(_IntegrationEvent):
    """A new signing secret; the previous one stays valid until `previous_valid_until` (the overlap)."""

    secret_id: str
    fingerprint: str
    previous_secret_id: str
    previous_valid_until: datetime
    rotated_by: str


# --- webhook deliveries -----------------------------------------------------------------------------------

ParkReason = Literal["malformed", "unmapped_clinic", "unmatched_patient", "ambiguous_patient", "case_not_created",
                     "unknown_integration", "refused"]


class _DeliveryEvent(DomainEvent):
    """What became of one verified webhook delivery (`WebhookReceived` at `intake_sequence` of DSO_INTAKE)."""

    service: ClassVar[str] = "metrics"
    aggregate: ClassVar[str] = "delivery"

    delivery_id: str
    integration_id: str
    source: str
    webhook_id: str
    intake_sequence: int


class DeliveryParked(_DeliveryEvent):
    """Not turned into case events, kept with the reason (no PHI in it); re-processable after a fix."""

    reason: ParkReason
    detail: str
    field: str | None = None
    clinic_id: str | None = None
    location_id: str | None = None
    waiting_for_case: str | None = Field(default=None, description="re-processed when this case is created")


class DeliveryProcessed(_DeliveryEvent):
    """Turned into case or patient events (or nothing new: a repeat, or a kind we do not track)."""

    location_id: str
    outcome: Literal["recorded", "repeat", "ignored"]
    case_id: str | None = None
    detail: str | None = None


class PatientSynced(DomainEvent):
    """A PMS patient record reached us: when the PMS stamped it and when it arrived (integration health)."""

    service: ClassVar[str] = "metrics"
    aggregate: ClassVar[str] = "patient"

    location_id: str
    patient_key: str
    integration_id: str
    source: str
    occurred_at: datetime
    received_at: datetime


PatientMatching = Literal["name_dob_chart", "chart", "fuzzy"]


class LocationIntakeConfigured(DomainEvent):
    """How a location's deliveries are read: patient matching, its procedure-code mapping and fee schedule."""

    service: ClassVar[str] = "metrics"
    aggregate: ClassVar[str] = "intake_settings"

    location_id: str
    patient_matching: PatientMatching = "name_dob_chart"
    fuzzy_threshold: float = Field(90.0, description="name similarity 0-100 needed by `fuzzy` (with an equal DOB)")
    procedure_codes: dict[str, str] = Field(default_factory=dict, description="PMS procedure code -> CDT code")
    fee_schedule: dict[str, float] = Field(default_factory=dict, description="CDT code -> fee")
    configured_by: str


# --- cases -----------------------------------------------------------------------------------------------


class _CaseEvent(DomainEvent):
    """A lifecycle fact of one aligner case, stamped with the source's time."""

    service: ClassVar[str] = "metrics"
    aggregate: ClassVar[str] = "case"

    case_id: str
    location_id: str
    program_id: str | None = None
    occurred_at: datetime
    source: str = "manual"
    source_event_id: str | None = None
    recorded_by: str | None = None
    critical_issue: str | None = Field(default=None, description="a critical issue seen at this step, if any")
    provider_id: str | None = Field(default=None, description="the provider as the source names them")


class CaseCreated(_CaseEvent):
    """A case was submitted for planning (its `occurred_at` is the submission time)."""

    patient_key: str = Field(description="HMAC-SHA256 of the patient's identifiers under the org's key")
    external_case_id: str | None = None


class ScanUploaded(_CaseEvent):
    """The patient's intraoral scan reached the platform."""

    scanner: str | None = None


class PlanGenerated(_CaseEvent):
    """The (AI) treatment plan was generated."""


class PlanModified(_CaseEvent):
    """A provider changed the plan (tooth movements)."""

    review_minutes: float | None = None


class RevisionRequested(_CaseEvent):
    """The plan went back to design."""

    reason: str | None = None


class PlanApproved(_CaseEvent):
    """A clinician approved the plan: it goes to production and is presented to the patient."""

    approved_by: str | None = None
    review_minutes: float | None = None


class PatientAccepted(_CaseEvent):
    """The patient accepted the treatment."""


class PatientDeclined(_CaseEvent):
    """The patient declined the treatment."""

    reason: str | None = None


class RefinementStarted(_CaseEvent):
    """A refinement (mid-course correction) began."""


class AlignersDelivered(_CaseEvent):
    """The lab's aligners arrived at the practice (lab turnaround ends)."""


class LabExportFailed(_CaseEvent):
    """Exporting the case to the lab failed (lab integration stability)."""

    reason: str | None = None


class ProcedurePosted(_CaseEvent):
    """The procedure was posted to the PMS with its CDT code and fee."""

    code: str
    fee: float | None = None


class CaseProcessed(_CaseEvent):
    """The case is through planning (its plan approved); whether a critical issue occurred, and which.

    Recorded again when a late delivery changes the verdict: the latest one stands.
    """

    critical: bool
    critical_issues: list[str] = Field(default_factory=list)
    submitted_at: datetime | None = None
    approved_at: datetime


# --- surveys ---------------------------------------------------------------------------------------------


class _SurveyEvent(DomainEvent):
    service: ClassVar[str] = "metrics"
    aggregate: ClassVar[str] = "survey"

    survey_id: str


class SurveyCreated(_SurveyEvent):
    """A satisfaction survey for a program, a wave or a location, on a scale (providers 1-5, clinicians 1-10)."""

    kind: SurveyKind
    title: str
    scale_min: int
    scale_max: int
    program_id: str | None = None
    wave: str | None = None
    location_id: str | None = None
    created_by: str


class SurveyResponseRecorded(_SurveyEvent):
    """One person's answer (pseudonymous `respondent_key`), at most one per person per survey."""

    respondent_key: str
    score: int
    location_id: str | None = None
    recorded_at: datetime


# --- ROI ----------------------------------------------------------------------------------------------------


class RoiAssumptionsSet(DomainEvent):
    """The money assumptions of a program's ROI, as an executive set them (None: back to the default)."""

    service: ClassVar[str] = "metrics"
    aggregate: ClassVar[str] = "roi"

    program_id: str
    provider_hourly_rate: float | None = None
    platform_cost_per_plan: float | None = None
    revenue_per_case: float | None = None
    cost_per_plan: float | None = None
    set_by: str


CASE_EVENTS: tuple[type[_CaseEvent], ...] = (
    CaseCreated, ScanUploaded, PlanGenerated, PlanModified, RevisionRequested, PlanApproved, PatientAccepted,
    PatientDeclined, RefinementStarted, ProcedurePosted, CaseProcessed, AlignersDelivered, LabExportFailed,
)

register(
    BaselineCaptured,
    LocationKpisMeasured,
    IntegrationRegistered,
    IntegrationSecretRotated,
    IntegrationClinicsMapped,
    DeliveryParked,
    DeliveryProcessed,
    PatientSynced,
    LocationIntakeConfigured,
    *CASE_EVENTS,
    SurveyCreated,
    SurveyResponseRecorded,
    RoiAssumptionsSet,
)
