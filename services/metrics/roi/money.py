"""ROI money per location and month, pure: every figure from a named assumption or a measurement.

- revenue from acceptance uplift = (acceptance now - at baseline) x cases per month x revenue per case;
- design-fee savings = (cost per plan at baseline - the platform's cost per plan) x cases per month;
- labour savings = (planning minutes at baseline - now) / 60 x cases per month x provider hourly rate.

Revenue per case and cost per plan default to the location's captured baselines (SoftSmile L118-119);
the provider rate and the platform's cost per plan are not in the seeds, so a part that needs one
stays uncomputed (and says which assumption it lacks) until the programme sets it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import BaseModel


@dataclass(frozen=True, slots=True)
class Assumptions:
    provider_hourly_rate: float | None = None
    platform_cost_per_plan: float | None = None
    revenue_per_case: float | None = None
    cost_per_plan: float | None = None


class Money(BaseModel):
    location_id: str
    revenue_uplift: float | None
    design_fee_savings: float | None
    labour_savings: float | None
    total: float
    missing: list[str] = []


def per_month(location_id: str, *, baselines: Mapping[str, float], current: Mapping[str, float],
              assumptions: Assumptions) -> Money:
    """A live location's money per month; `baselines` captured before go-live, `current` its KPIs now."""
    missing: list[str] = []

    def need(name: str, value: float | None) -> float | None:
        if value is None:
            missing.append(name)
        return value

    cases = need("aligner_cases_per_month (KPI)", current.get("aligner_cases_per_month"))
    revenue = need("revenue_per_case", assumptions.revenue_per_case or baselines.get("revenue_per_case"))
    accepted_then = need("case_acceptance_rate_pct (baseline)", baselines.get("case_acceptance_rate_pct"))
    accepted_now = need("case_acceptance_rate_pct (KPI)", current.get("case_acceptance_rate_pct"))
    uplift = None
    if None not in (cases, revenue, accepted_then, accepted_now):
        uplift = round((accepted_now - accepted_then) / 100 * cases * revenue, 2)  # type: ignore[operator]
    fee = need("cost_per_plan", assumptions.cost_per_plan or baselines.get("cost_per_plan"))
    platform = need("platform_cost_per_plan", assumptions.platform_cost_per_plan)
    design = round((fee - platform) * cases, 2) if None not in (fee, platform, cases) else None  # type: ignore[operator]
    minutes_then = need("planning_time_minutes (baseline)", baselines.get("planning_time_minutes"))
    minutes_now = need("planning_time_minutes (KPI)", current.get("planning_time_minutes"))
    rate = need("provider_hourly_rate", assumptions.provider_hourly_rate)
    labour = None
    if None not in (minutes_then, minutes_now, rate, cases):
        labour = round((minutes_then - minutes_now) / 60 * cases * rate, 2)  # type: ignore[operator]
    total = round(sum(x for x in (uplift, design, labour) if x is not None), 2)
    return Money(location_id=location_id, revenue_uplift=uplift, design_fee_savings=design, labour_savings=labour,
                 total=total, missing=sorted(set(missing)))
