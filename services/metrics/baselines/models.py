"""Read-model rows of baselines: the latest captured value per (location, metric)."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel


class BaselineRow(SQLModel, table=True):
    """The value that stands for one metric of one location, with who captured it, when, from what."""

    __tablename__ = "metrics_baselines"

    org: str = Field(primary_key=True)
    location_id: str = Field(primary_key=True)
    metric: str = Field(primary_key=True)
    program_id: str | None = Field(default=None, index=True)
    value: float
    unit: str
    period_start: date
    period_end: date
    source: str
    captured_by: str
    sample_size: int | None = None
    captured_at: datetime
    event_id: str
