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
- aligner_cases_per_month: cases submitted in the window ÷ its length in months (at least one month);
- provider_review_minutes: mean provider minutes over approved cases that recorded them;
- refinements_per_case: mean refinements over accepted cases;
- case_backlog: cases submitted and not approved (n: the same count);
- plans_per_clinician_min: approved plans of the least active provider (n: providers);
- monthly_active_users_pct: providers with a case in the window's last 30 days ÷ providers seen in
  the window (the platform sees its users through their cases; licences are not an event);
- lab_turnaround_days: mean aligner arrival - submission, over delivered cases;
- lab_export_failures: failed lab exports in the window's last 14 days (Spark's day-60 check);
- platform_adoption_pct: aligner procedures posted on a platform case ÷ all the PMS posted here,
  those without a platform case included (`outside_platform`: the PMS procedures no case took).
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
    provider_id: str | None = None
    review_minutes: float | None = None
    refinements: int = 0
    delivered_at: datetime | None = None
    lab_export_failures_at: tuple[datetime, ...] = ()
    procedure_posted: bool = False


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
    times = [t for c in inside for t in (c.submitted_at, c.scanned_at, c.approved_at, c.decided_at, c.delivered_at,
                                         *c.lab_export_failures_at) if t]
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


ACTIVE_DAYS = 30
LAB_FAILURE_DAYS = 14


def _count(count: int | None, n: int, window: Window) -> KpiValue:
    return KpiValue(value=count, n=n, window=window.name, window_start=window.start, window_end=window.end)


def _work(inside: Sequence[CaseFacts], approved: Sequence[CaseFacts], window: Window,
          outside_platform: int) -> dict[str, KpiValue]:
    """Workload, people and lab KPIs of the window's cases."""
    end = window.end
    providers = {c.provider_id for c in inside if c.provider_id}
    plans = {p: sum(1 for c in approved if c.provider_id == p) for p in providers}
    recent = {c.provider_id for c in inside if c.provider_id and end is not None and c.submitted_at is not None
              and c.submitted_at >= end - timedelta(days=ACTIVE_DAYS)}
    failures = [t for c in inside for t in c.lab_export_failures_at
                if end is not None and t >= end - timedelta(days=LAB_FAILURE_DAYS)]
    posted = sum(1 for c in inside if c.procedure_posted)
    return {
        "provider_review_minutes": _value((c.review_minutes for c in approved if c.review_minutes is not None),
                                          window),
        "refinements_per_case": _value((float(c.refinements) for c in approved if c.decision == "accepted"),
                                       window),
        "case_backlog": _count(sum(1 for c in inside if c.approved_at is None), len(inside), window),
        "plans_per_clinician_min": _count(min(plans.values()) if plans else None, len(plans), window),
        "monthly_active_users_pct": KpiValue(
            value=round(100 * len(recent) / len(providers), 2) if providers else None, n=len(providers),
            window=f"trailing_{ACTIVE_DAYS}_days", window_start=end - timedelta(days=ACTIVE_DAYS) if end else None,
            window_end=end),
        "lab_turnaround_days": _value((span / 86400 for c in inside
                                       if (span := _seconds(c.submitted_at, c.delivered_at)) is not None), window),
        "lab_export_failures": KpiValue(value=len(failures), n=len(inside), window=f"trailing_{LAB_FAILURE_DAYS}_days",
                                        window_start=end - timedelta(days=LAB_FAILURE_DAYS) if end else None,
                                        window_end=end),
        "platform_adoption_pct": _count(None, 0, window) if posted + outside_platform == 0 else KpiValue(
            value=round(100 * posted / (posted + outside_platform), 2), n=posted + outside_platform,
            window=window.name, window_start=window.start, window_end=window.end),
    }


def measure(cases: Sequence[CaseFacts], *, went_live: date | None,
            acceptance_within_days: int | None, outside_platform: int = 0) -> dict[str, KpiValue]:
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
        **_work(inside, approved, window, outside_platform),
    }
