"""Evidence rows folded from other services' contract events (and waves' own incidents), never their databases."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime
from sqlmodel import Field, SQLModel


class BaselineRow(SQLModel, table=True):
    """The latest `BaselineCaptured` of one metric at one location."""

    __tablename__ = "waves_baselines_v1"

    location_id: str = Field(primary_key=True)
    metric: str = Field(primary_key=True)
    org: str = Field(index=True)
    program_id: str | None = None
    value: float
    unit: str
    period_start: date
    period_end: date
    sample_size: int | None = None
    event_id: str
    captured_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class KpiRow(SQLModel, table=True):
    """The latest `LocationKpisMeasured` of a location: every KPI with its n and window."""

    __tablename__ = "waves_kpis_v1"

    location_id: str = Field(primary_key=True)
    org: str = Field(index=True)
    program_id: str | None = None
    as_of: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    values: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    first_sequence: int
    last_sequence: int
    event_id: str


class TrainingRow(SQLModel, table=True):
    """The latest `LocationTrainingStatusChanged` of a location."""

    __tablename__ = "waves_training_v1"

    location_id: str = Field(primary_key=True)
    org: str = Field(index=True)
    program_id: str | None = None
    staff_total: int
    staff_trained: int
    completion_pct: float | None = None
    as_of: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    event_id: str


class ChampionModelRow(SQLModel, table=True):
    """The latest `ChampionModelEvidenced` of a location: whether earlier-wave champions trained its staff."""

    __tablename__ = "waves_champion_model_v1"

    location_id: str = Field(primary_key=True)
    org: str = Field(index=True)
    program_id: str
    wave: str
    validated: bool
    staff_trained: int
    reason: str | None = None
    as_of: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    event_id: str


class IncidentRow(SQLModel, table=True):
    """An incident or ticket at a location, open until resolved."""

    __tablename__ = "waves_incidents_v2"

    incident_id: str = Field(primary_key=True)
    org: str = Field(index=True)
    program_id: str = Field(index=True)
    location_id: str = Field(index=True)
    kind: str
    severity: int
    category: str
    description: str
    opened_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    contact_tier: str | None = None
    response_due_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    acknowledged_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    resolved_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    event_id: str
