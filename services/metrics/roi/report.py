"""The monthly per-location report (Spark's monthly report: adoption, case volume, planning time; the same
KPIs for SoftSmile), pure: each location's cases submitted in the month, measured like the live KPIs."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from services.metrics.kpis.measure import CaseFacts, measure

COLUMNS = ("location_id", "location", "region", "went_live", "month", "case_volume", "plans_approved",
           "planning_time_minutes", "plan_turnaround_hours", "revisions_per_case", "case_acceptance_rate_pct",
           "cases_without_critical_issue_pct")
KPI_COLUMNS = COLUMNS[7:]


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The first instant of the month and of the next one (UTC)."""
    start = datetime.combine(month.replace(day=1), time(), tzinfo=UTC)
    following = (month.replace(day=28) + (date(2000, 1, 31) - date(2000, 1, 1))).replace(day=1)
    return start, datetime.combine(following, time(), tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class LocationMonth:
    location_id: str
    name: str
    region: str
    went_live: date | None
    cases: Sequence[CaseFacts]


def report_rows(month: date, locations: Sequence[LocationMonth], *,
                acceptance_within_days: int | None) -> Iterator[list[Any]]:
    start, end = month_bounds(month)
    for place in locations:
        inside = [c for c in place.cases if c.submitted_at is not None and start <= c.submitted_at < end]
        values = measure(inside, went_live=None, acceptance_within_days=acceptance_within_days)
        approved = sum(1 for c in inside if c.approved_at is not None)
        yield [place.location_id, place.name, place.region, place.went_live, month.strftime("%Y-%m"), len(inside),
               approved, *(values[k].value if k in values else None for k in KPI_COLUMNS)]
