"""Read-model rows of ROI: each program's money assumptions as last set."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime
from sqlmodel import Field, SQLModel


class RoiAssumptionsRow(SQLModel, table=True):
    __tablename__ = "metrics_roi_assumptions_v1"

    org: str = Field(primary_key=True)
    program_id: str = Field(primary_key=True)
    provider_hourly_rate: float | None = None
    platform_cost_per_plan: float | None = None
    revenue_per_case: float | None = None
    cost_per_plan: float | None = None
    set_by: str
    set_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
