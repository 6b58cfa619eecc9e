"""Read-model rows of integrations, location intake settings, parked deliveries and patient syncs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime
from sqlmodel import Field, SQLModel

from shared.rowfields import json_dict


class IntegrationRow(SQLModel, table=True):
    """An integration: source, clinic map and which secret ids are valid (never the secrets)."""

    __tablename__ = "metrics_integrations_v1"

    org: str = Field(primary_key=True)
    id: str = Field(primary_key=True)
    source: str
    name: str
    time_zone: str = "UTC"
    clinic_map: dict[str, str] = json_dict()
    secret_id: str
    fingerprint: str
    previous_secret_id: str | None = None
    previous_valid_until: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    registered_by: str
    registered_at: datetime


class IntakeSettingsRow(SQLModel, table=True):
    """How a location's deliveries are read (absent: name + DOB + chart, no code mapping, no fee schedule)."""

    __tablename__ = "metrics_intake_settings_v1"

    org: str = Field(primary_key=True)
    location_id: str = Field(primary_key=True)
    patient_matching: str = "name_dob_chart"
    fuzzy_threshold: float = 90.0
    procedure_codes: dict[str, str] = json_dict()
    fee_schedule: dict[str, float] = json_dict()


class DeliveryRow(SQLModel, table=True):
    """The latest outcome of one delivery: parked (with the reason) or processed."""

    __tablename__ = "metrics_deliveries_v1"

    org: str = Field(primary_key=True)
    id: str = Field(primary_key=True)
    integration_id: str = Field(index=True)
    source: str
    webhook_id: str
    intake_sequence: int
    status: str = Field(index=True)  # parked | recorded | repeat | ignored
    reason: str | None = None
    detail: str | None = None
    field_name: str | None = None
    clinic_id: str | None = None
    location_id: str | None = Field(default=None, index=True)
    case_id: str | None = None
    waiting_for_case: str | None = Field(default=None, index=True)
    attempts: int = 0
    first_seen_at: datetime = Field(sa_column=Column(DateTime(timezone=True)))
    updated_at: datetime = Field(sa_column=Column(DateTime(timezone=True)))


class PatientSyncRow(SQLModel, table=True):
    """One PMS patient record's arrival: source time and our time (integration health)."""

    __tablename__ = "metrics_patient_syncs_v1"

    org: str = Field(primary_key=True)
    sequence: int = Field(primary_key=True)
    location_id: str = Field(index=True)
    patient_key: str
    occurred_at: datetime = Field(sa_column=Column(DateTime(timezone=True)))
    received_at: datetime = Field(sa_column=Column(DateTime(timezone=True)))
