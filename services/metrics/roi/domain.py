"""ROI per metric, pure: baseline vs current vs target, and how far the current value has come.

The baseline is the one measured at the program's locations before go-live (captured baselines,
n-weighted) where there is one, else the playbook's reference baseline (Spark's table, L64-68).
The current value is the n-weighted mean of the live locations' KPIs. Progress is the share of the
way from baseline to target covered; `met` once the current value reaches the target.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from pydantic import BaseModel

from shared.aggregates import Aggregate
from shared.contracts.base import DomainEvent
from shared.contracts.metrics import KpiValue, RoiAssumptionsSet
from shared.playbooks.metrics import RoiTarget


@dataclass(frozen=True, slots=True)
class Weighted:
    value: float
    n: int


def weighted(values: Sequence[Weighted]) -> Weighted | None:
    """The n-weighted mean of `values` (None when there is nothing to weigh)."""
    total = sum(v.n for v in values)
    if not total:
        return None
    return Weighted(round(sum(v.value * v.n for v in values) / total, 2), total)


class MetricRoi(BaseModel):
    metric: str
    label: str
    unit: str
    target: float
    horizon_days: int
    baseline: float | None
    baseline_source: str  # "measured" (captured at the locations) or "playbook"
    baseline_n: int
    current: float | None
    current_n: int
    progress_pct: float | None
    met: bool | None


def roi_of(target: RoiTarget, measured_baselines: Sequence[Weighted], kpis: Sequence[KpiValue]) -> MetricRoi:
    measured = weighted(measured_baselines)
    baseline = measured.value if measured else target.baseline
    current = weighted([Weighted(float(k.value), k.n) for k in kpis
                        if isinstance(k.value, int | float) and not isinstance(k.value, bool) and k.n])
    progress, met = None, None
    if current is not None:
        lower_is_better = baseline is not None and target.target < baseline
        met = current.value <= target.target if lower_is_better else current.value >= target.target
        if baseline is not None and target.target != baseline:
            progress = round(100.0 * (current.value - baseline) / (target.target - baseline), 1)
    return MetricRoi(
        metric=target.metric, label=target.label, unit=target.unit, target=target.target,
        horizon_days=target.horizon_days, baseline=baseline, baseline_source="measured" if measured else "playbook",
        baseline_n=measured.n if measured else 0, current=current.value if current else None,
        current_n=current.n if current else 0, progress_pct=progress, met=met,
    )


@dataclass(frozen=True, slots=True)
class SetRoiAssumptions:
    """Set a program's money assumptions; each one left None returns to its default."""

    program_id: str
    set_by: str
    provider_hourly_rate: float | None = None
    platform_cost_per_plan: float | None = None
    revenue_per_case: float | None = None
    cost_per_plan: float | None = None


def decide(state: RoiAssumptionsSet | None, command: SetRoiAssumptions) -> list[DomainEvent]:
    fresh = RoiAssumptionsSet(**asdict(command))
    return [] if state is not None and state.model_dump() == fresh.model_dump() else [fresh]


def evolve(state: RoiAssumptionsSet | None, event: DomainEvent) -> RoiAssumptionsSet | None:
    return event if isinstance(event, RoiAssumptionsSet) else state


roi_assumptions = Aggregate(initial=lambda: None, decide=decide, evolve=evolve)
