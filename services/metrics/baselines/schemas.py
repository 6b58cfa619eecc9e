"""Baseline bodies: values to capture, a location's baseline, a program's completeness, the import report."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from shared.playbooks import BaselineMetric


class BaselineValueIn(BaseModel):
    metric: str = Field(description="a baseline metric key of the location's program's playbook")
    value: float
    period_start: date
    period_end: date
    sample_size: int | None = None


class BaselineCapture(BaseModel):
    """One or more metrics' values; `source` says how they were measured (default manual)."""

    metrics: list[BaselineValueIn] = Field(min_length=1, max_length=100)
    source: str = Field(default="manual", max_length=64)


class BaselineValue(BaseModel):
    metric: str
    value: float
    unit: str
    period_start: date
    period_end: date
    source: str
    captured_by: str
    sample_size: int | None = None
    captured_at: datetime


class MetricDefinition(BaseModel):
    """A metric of the playbook's baseline set: its definition, unit, better direction, lookback, source, owner."""

    key: str
    label: str
    category: str
    definition: str
    unit: str
    better: str | None = None
    lookback_days: int | None = None
    data_source: str | None = None
    owner: str | None = None

    @classmethod
    def of(cls, metric: BaselineMetric) -> MetricDefinition:
        return cls.model_validate(metric.model_dump(include=set(cls.model_fields)))


class LocationBaseline(BaseModel):
    location_id: str
    program_id: str | None
    capture: str = Field(description="when the playbook captures baselines: before_go_live or week_1")
    metrics: list[MetricDefinition]
    values: list[BaselineValue]
    missing: list[str]
    complete: bool


class LocationCompleteness(BaseModel):
    location_id: str
    name: str
    captured: list[str]
    missing: list[str]
    complete: bool


class ProgramBaselines(BaseModel):
    program_id: str
    metrics: list[MetricDefinition]
    locations: list[LocationCompleteness]
    complete_locations: int
    total_locations: int


class ImportedBaseline(BaseModel):
    line: int
    location_id: str
    metric: str


class BaselineImportReport(BaseModel):
    imported: int
    rows: list[ImportedBaseline]
