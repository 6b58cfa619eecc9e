"""Gate criteria as metric checks: each names its metric, comparator, threshold, unit and window.

The waves service evaluates each check to pass / fail / insufficient data and shows all of
these fields as evidence; ROI benchmarks reuse the same check shape.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, StrictBool, StrictFloat, StrictInt, model_validator

from shared.playbooks.base import FieldError, Labeled, Model, Slug, Text, Week, ensure_unique

Unit = Literal[
    "percent", "percent_change", "score_1_5", "score_1_10", "count", "number",
    "minutes", "hours", "days", "currency", "boolean",
]
Comparator = Literal[">=", ">", "<=", "<", "=="]
Window = Literal["since_go_live", "at_evaluation", "latest_survey", "trailing_days"]
_RANGES: dict[str, tuple[float, float]] = {"percent": (0, 100), "score_1_5": (1, 5), "score_1_10": (1, 10)}


def _number_or_bool(value: object) -> object:
    """Refuse strings such as '85%' or '4/5' with one clear message."""
    if not isinstance(value, bool | int | float):
        raise ValueError(f"must be a number or boolean, got {value!r}")
    return value


Threshold = Annotated[StrictBool | StrictInt | StrictFloat, BeforeValidator(_number_or_bool)]


class MetricCheck(Labeled):
    """`metric comparator threshold` over a window; relative checks compare % change vs a baseline."""

    metric: Slug
    comparator: Comparator
    threshold: Threshold
    unit: Unit
    # Relative checks measure the % change in `change`'s direction (positive = moved that way).
    relative_to_baseline: bool = False
    baseline: Literal["pre_go_live", "previous_wave", "previous_period"] | None = None
    change: Literal["increase", "decrease"] | None = None
    window: Window
    window_days: int | None = Field(default=None, strict=True, ge=1)
    scope: Slug = "wave"

    @model_validator(mode="after")
    def _consistent(self) -> MetricCheck:
        self._check_threshold_type()
        if self.relative_to_baseline != (self.unit == "percent_change"):
            raise FieldError("unit", "relative_to_baseline checks use unit percent_change, and only they do")
        if self.relative_to_baseline and (self.baseline is None or self.change is None):
            raise FieldError("baseline", "a relative check needs baseline and change")
        if not self.relative_to_baseline and (self.baseline is not None or self.change is not None):
            raise FieldError("baseline", "baseline/change apply only when relative_to_baseline is true")
        if (self.window == "trailing_days") != (self.window_days is not None):
            raise FieldError("window_days", "window_days is required for, and only for, window trailing_days")
        return self

    def _check_threshold_type(self) -> None:
        value = self.threshold
        if self.unit == "boolean":
            if not isinstance(value, bool):
                raise FieldError("threshold", f"must be true or false for unit boolean, got {value!r}")
            if self.comparator != "==":
                raise FieldError("comparator", "boolean checks compare with ==")
            return
        if isinstance(value, bool):
            raise FieldError("threshold", f"must be a number for unit {self.unit}, got {value!r}")
        if self.unit == "count" and (not isinstance(value, int) or value < 0):
            raise FieldError("threshold", f"must be a whole number >= 0 for unit count, got {value!r}")
        low, high = _RANGES.get(self.unit, (float("-inf"), float("inf")))
        if not low <= value <= high:
            raise FieldError("threshold", f"{value} is outside {low:g}..{high:g} for unit {self.unit}")


class Gate(Model):
    """The go/no-go check between two waves; an executive decides, the system never advances alone."""

    key: Slug
    label: Text
    from_wave: Slug
    to_wave: Slug
    # None: evaluate at the end of the from-wave's phase.
    evaluate_week: Week | None = None
    includes: tuple[Slug, ...] = ()
    criteria: tuple[MetricCheck, ...]
    decided_by: Text = "executive"
    source: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Gate:
        ensure_unique(self.criteria, "criteria")
        if self.from_wave == self.to_wave:
            raise FieldError("to_wave", "a gate must lead to a different wave")
        if not self.criteria and not self.includes:
            raise FieldError("criteria", "a gate needs criteria or an included gate")
        return self


class Benchmark(Model):
    """Checks expected at a day after go-live (e.g. the 30/60/90-day benchmarks)."""

    day: int = Field(strict=True, ge=1)
    checks: tuple[MetricCheck, ...] = ()
    notes: tuple[str, ...] = ()
    source: str | None = None

    @model_validator(mode="after")
    def _unique(self) -> Benchmark:
        ensure_unique(self.checks, "checks")
        return self
