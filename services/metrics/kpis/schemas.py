"""KPI bodies: a location's KPIs, a program's per location."""

from __future__ import annotations

from pydantic import BaseModel

from shared.contracts.metrics import KpiValue


class LocationKpis(BaseModel):
    location_id: str
    name: str
    program_id: str | None
    went_live: str | None
    values: dict[str, KpiValue]
    first_sequence: int
    last_sequence: int


class ProgramKpis(BaseModel):
    program_id: str
    locations: list[LocationKpis]
