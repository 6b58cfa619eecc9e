"""Baseline metric set, ROI targets and day-N benchmarks.

Baselines come first: a location cannot go live without a baseline for the metrics
its gates compare against, so the template says which metrics, how measured and by whom.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from shared.playbooks.base import Model, Slug, Text, ensure_unique
from shared.playbooks.gates import Benchmark, Unit


class BaselineMetric(Model):
    """A metric captured before go-live, with its calculation, window, source and owner."""

    key: Slug
    label: Text
    category: Literal["efficiency", "clinical", "financial", "experience"]
    definition: Text
    unit: Unit
    better: Literal["higher", "lower"] | None = None
    lookback_days: int | None = Field(default=None, strict=True, ge=1)
    data_source: str | None = None
    owner: str | None = None
    source: str | None = None


class BaselinePlan(Model):
    """When and where baselines are captured, and the metric set."""

    capture: Literal["before_go_live", "week_1"]
    scope: Text
    metrics: tuple[BaselineMetric, ...]
    notes: tuple[str, ...] = ()
    source: str | None = None

    @model_validator(mode="after")
    def _unique(self) -> BaselinePlan:
        ensure_unique(self.metrics, "metrics")
        return self


class RoiTarget(Model):
    """Baseline → target for one metric at `horizon_days` after go-live (baseline None: not tracked)."""

    metric: Slug
    label: Text
    baseline: float | None = Field(default=None, strict=True)
    target: float = Field(strict=True)
    unit: Unit
    horizon_days: int = Field(strict=True, ge=1)
    owner: Text
    source: str | None = None


class Metrics(Model):
    """Baselines, ROI targets and benchmarks of a template."""

    baseline: BaselinePlan
    # A case counts as accepted only if the patient accepts within this many days of the plan's
    # presentation (its approval); None: whenever the patient accepts.
    acceptance_within_days: int | None = Field(default=None, strict=True, ge=1)
    acceptance_source: str | None = None
    roi_targets: tuple[RoiTarget, ...] = ()
    benchmarks: tuple[Benchmark, ...] = ()
    notes: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _unique(self) -> Metrics:
        ensure_unique(self.roi_targets, "roi_targets", attr="metric")
        ensure_unique(self.benchmarks, "benchmarks", attr="day")
        return self

    @property
    def baseline_keys(self) -> set[str]:
        """Keys of the baseline metric set."""
        return {metric.key for metric in self.baseline.metrics}

