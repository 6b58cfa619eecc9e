"""Baselines derived from the case events received before go-live, pure.

Each metric of the program's baseline set that the cases measure is taken over the window before
go-live (or before today, not yet live): the metric's own lookback (SoftSmile: 90 days), else a
week (Spark: week-1 benchmarks). Recorded as `BaselineCaptured` with source `derived` and the
number of cases behind the value as its sample size; metrics the cases cannot give (chairtime,
revenue) stay for a person to capture.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from services.metrics.baselines.domain import Entry
from services.metrics.kpis.measure import CaseFacts, measure
from shared.playbooks.metrics import BaselineMetric

WEEK_ONE_DAYS = 7
DEFAULT_LOOKBACK_DAYS = 90


def derived_entries(cases: Sequence[CaseFacts], metric_set: Sequence[BaselineMetric], *, until: date,
                    week_one: bool, acceptance_within_days: int | None) -> list[Entry]:
    """The baseline values the cases before `until` give, one per metric that has any."""
    found: list[Entry] = []
    by_lookback: dict[int, dict[str, object]] = {}
    for metric in metric_set:
        days = metric.lookback_days or (WEEK_ONE_DAYS if week_one else DEFAULT_LOOKBACK_DAYS)
        start = until - timedelta(days=days)
        if days not in by_lookback:
            inside = [c for c in cases if c.submitted_at is not None and start <= c.submitted_at.date() < until]
            by_lookback[days] = dict(measure(inside, went_live=None, acceptance_within_days=acceptance_within_days))
        kpi = by_lookback[days].get(metric.key)
        value = getattr(kpi, "value", None)
        if value is not None:
            found.append(Entry(metric.key, float(value), start, until - timedelta(days=1), getattr(kpi, "n", None)))
    return found
