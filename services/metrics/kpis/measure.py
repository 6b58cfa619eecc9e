"""Live KPIs of one location from its cases, pure: each value with its n and window.

Window: since go-live when waves recorded one (cases submitted on or after that day), else all
cases. The window ends at the latest source time among its cases, so the same events always give
the same numbers (a rebuild or a replay measures the same). Definitions (`KPIS` words):

- plan_turnaround_hours: mean of approval - submission, over approved cases;
- planning_time_minutes: mean of approval - scan upload, over approved cases with a scan;
- revisions_per_case: mean revisions requested, over approved cases;
- case_acceptance_rate_pct: accepted ÷ decided, over approved cases the patient decided on; with the
  playbook's `acceptance_within_days`, an acceptance later than that after approval counts as not accepted;
- cases_without_critical_issue_pct: share of processed cases whose planning saw no critical issue;
- aligner_cases_per_month: cases submitted in the window ÷ its length in months (at least one month).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from statistics import fmean

from shared.contracts.metrics import KpiValue

MONTH_DAYS = 365.25 / 12


@dataclass(frozen=True, slots=True)
class CaseFacts:
    submitted_at: datetime | None
    scanned_at: datetime | None
    approved_at: datetime | None
    decision: str | None
    decided_at: datetime | None
    revisions: int
    processed: bool
    critical: bool | None


@dataclass(frozen=True, slots=True)
class Window:
    name: str
    start: datetime | None
    end: datetime | None


def window_of(cases: Sequence[CaseFacts], went_live: date | None) -> tuple[Window, list[CaseFacts]]:
    """The measurement window and the cases in it."""
    if went_live is not None:
        start: datetime | None = datetime.combine(went_live, time(), tzinfo=UTC)
        inside = [c for c in cases if c.submitted_at is not None and start is not None and c.submitted_at >= start]
        name = "since_go_live"
    else:
        inside = [c for c in cases if c.submitted_at is not None]
        start = min((c.submitted_at for c in inside if c.submitted_at), default=None)
        name = "all"
    times = [t for c in inside for t in (c.submitted_at, c.scanned_at, c.approved_at, c.decided_at) if t]
    return Window(name, start, max(times, default=None)), inside


def _value(values: Iterable[float], window: Window, scale: float = 1.0) -> KpiValue:
    found = list(values)
    mean = round(fmean(found) * scale, 2) if found else None
    return KpiValue(value=mean, n=len(found), window=window.name, window_start=window.start, window_end=window.end)


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    """Seconds from `start` to `end`, when both are known and in order."""
    if start is None or end is None or end < start:
        return None
    return (end - start).total_seconds()


def measure(cases: Sequence[CaseFacts], *, went_live: date | None,
            acceptance_within_days: int | None) -> dict[str, KpiValue]:
    """Every KPI this location's cases give, each with n and the window."""
    window, inside = window_of(cases, went_live)
    approved = [c for c in inside if c.approved_at is not None and c.submitted_at is not None]
    hours = [span / 3600 for c in approved if (span := _seconds(c.submitted_at, c.approved_at)) is not None]
    minutes = [span / 60 for c in approved if (span := _seconds(c.scanned_at, c.approved_at)) is not None]
    within = timedelta(days=acceptance_within_days) if acceptance_within_days else None

    def accepted(c: CaseFacts) -> float:
        if c.decision != "accepted" or c.decided_at is None or c.approved_at is None:
            return 0.0
        return 1.0 if within is None or c.decided_at - c.approved_at <= within else 0.0

    decided = [c for c in approved if c.decision is not None]
    processed = [c for c in inside if c.processed and c.critical is not None]
    span_days = (window.end - window.start).total_seconds() / 86400 if window.start and window.end else 0.0
    months = max(span_days / MONTH_DAYS, 1.0)
    volume = KpiValue(value=round(len(inside) / months, 2) if inside else None, n=len(inside), window=window.name,
                      window_start=window.start, window_end=window.end)
    return {
        "plan_turnaround_hours": _value(hours, window),
        "planning_time_minutes": _value(minutes, window),
        "revisions_per_case": _value((float(c.revisions) for c in approved), window),
        "case_acceptance_rate_pct": _value((accepted(c) for c in decided), window, scale=100),
        "cases_without_critical_issue_pct": _value((0.0 if c.critical else 1.0 for c in processed), window,
                                                   scale=100),
        "aligner_cases_per_month": volume,
    }
