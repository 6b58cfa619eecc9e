"""Integration bodies. Secrets appear in exactly two answers: registration and rotation, once."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from services.metrics.integrations.health import CheckResult
from shared.contracts.metrics import PatientMatching
from shared.text import PlainText

ClinicMap = dict[str, str]


class IntegrationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str = Field(min_length=1, max_length=40,
                        description="open_dental, dentrix, eaglesoft, itero, trios, medit, generic")
    name: PlainText = Field(min_length=1, max_length=120)
    clinic_map: ClinicMap = Field(default_factory=dict, max_length=500,
                                  description="the source's clinic/site id -> our location id")
    time_zone: str = Field("UTC", max_length=64, description="IANA zone of the source's local timestamps")


class ClinicsMap(BaseModel):
    model_config = ConfigDict(extra="forbid")

    clinic_map: ClinicMap = Field(max_length=500)


class SecretRotation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    overlap_hours: float = Field(24.0, description="how long the previous secret stays valid (0-720)")


class IntegrationOut(BaseModel):
    id: str
    source: str
    name: str
    time_zone: str
    clinic_map: ClinicMap
    webhook_url: str = Field(description="where the source posts, relative to the gateway")
    secret_fingerprint: str
    previous_secret_valid_until: datetime | None = None
    registered_by: str
    registered_at: datetime


class IntegrationWithSecret(IntegrationOut):
    secret: str = Field(description="the signing secret (whsec_...): shown once, store it in the source")


class IntakeSettingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    patient_matching: PatientMatching = "name_dob_chart"
    fuzzy_threshold: float = 90.0
    procedure_codes: dict[str, str] = Field(default_factory=dict, max_length=200)
    fee_schedule: dict[str, float] = Field(default_factory=dict, max_length=200)


class IntakeSettingsOut(IntakeSettingsIn):
    location_id: str


class DeliveryOut(BaseModel):
    id: str
    integration_id: str
    source: str
    webhook_id: str
    status: str
    reason: str | None
    detail: str | None
    field: str | None
    clinic_id: str | None
    location_id: str | None
    case_id: str | None
    waiting_for_case: str | None
    attempts: int
    first_seen_at: datetime
    updated_at: datetime


class ReprocessOut(BaseModel):
    reprocessed: int
    processed: int
    still_parked: int
    expired: int
    deliveries: list[DeliveryOut]


class IntegrationHealthOut(BaseModel):
    location_id: str
    program_id: str | None
    passing: int
    failing: int
    checks: list[CheckResult]
