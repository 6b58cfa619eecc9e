"""The one evaluator of metric checks: gate criteria and day-N benchmarks alike.

Pure: `evaluate(criteria, evidence, at)` reads only its arguments. Evidence is a bag of
observations (a metric measured over a window, with its sample size and the events it came
from) and baselines; for each check the evaluator picks the latest observation of the check's
metric and window known at `at` and compares it. Missing, empty (n = 0) or undefined data is
`insufficient_data`, which never counts as a pass. Relative checks compare the % change vs
the baseline, measured in the check's `change` direction (positive = moved that way).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from shared.playbooks.gates import Comparator, MetricCheck, Window

Status = Literal["pass", "fail", "insufficient_data"]
BaselineKind = Literal["pre_go_live", "previous_wave", "previous_period"]
Measured = float | bool

_COMPARE: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt, "==": operator.eq,
}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Observation(_Frozen):
    """A metric measured over a window at `as_of`, from the events named in `source`."""

    metric: str
    value: float | bool | None
    n: int = Field(default=0, ge=0)
    window: Window
    window_days: int | None = None
    window_start: datetime | None = None
    window_end: datetime | None = None
    as_of: datetime
    source: tuple[str, ...] = ()


class Baseline(_Frozen):
    """The reference a relative check compares against (pre-go-live, the previous wave or period)."""

    metric: str
    kind: BaselineKind
    value: float | None
    n: int = Field(default=0, ge=0)
    as_of: datetime
    source: tuple[str, ...] = ()


class Evidence(_Frozen):
    """Everything known about one scope (a location, a wave): observations and baselines."""

    observations: tuple[Observation, ...] = ()
    baselines: tuple[Baseline, ...] = ()


class CriterionResult(_Frozen):
    """One check's verdict with everything needed to trace it: value, threshold, window, n, source."""

    key: str
    label: str
    metric: str
    status: Status
    measured: float | bool | None
    threshold: float | bool
    comparator: Comparator
    unit: str
    window: Window
    window_days: int | None = None
    window_start: datetime | None = None
    window_end: datetime | None = None
    n: int = 0
    current: float | bool | None = None
    baseline: float | None = None
    baseline_kind: BaselineKind | None = None
    change: Literal["increase", "decrease"] | None = None
    source: tuple[str, ...] = ()
    reason: str


_Dated = TypeVar("_Dated", Observation, Baseline)


def _latest(items: Sequence[_Dated], at: datetime) -> _Dated | None:
    known = [item for item in items if item.as_of <= at]
    # Ties on as_of resolve by source, so the result never depends on the evidence's order.
    return max(known, key=lambda item: (item.as_of, item.source), default=None)


def _observation(check: MetricCheck, evidence: Evidence, at: datetime) -> Observation | None:
    matching = [
        o for o in evidence.observations
        if o.metric == check.metric and o.window == check.window
        and (check.window != "trailing_days" or o.window_days == check.window_days)
    ]
    return _latest(matching, at)


def _baseline(check: MetricCheck, evidence: Evidence, at: datetime) -> Baseline | None:
    matching = [b for b in evidence.baselines if b.metric == check.metric and b.kind == check.baseline]
    return _latest(matching, at)


def _number(value: float | bool | None) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _boolean(value: float | bool | None) -> bool | None:
    if isinstance(value, bool):
        return value
    if value in (0, 1):
        return bool(value)
    return None


def _describe(check: MetricCheck) -> str:
    window = f"trailing {check.window_days} days" if check.window == "trailing_days" else check.window
    return f"{check.metric} {check.comparator} {check.threshold} ({check.unit}, {window})"


def _result(check: MetricCheck, status: Status, reason: str, **found: object) -> CriterionResult:
    return CriterionResult.model_validate({
        "key": check.key, "label": check.label, "metric": check.metric, "status": status,
        "threshold": check.threshold, "comparator": check.comparator, "unit": check.unit,
        "window": check.window, "window_days": check.window_days, "change": check.change,
        "baseline_kind": check.baseline, "reason": reason, "measured": None, **found,
    })


def _found(observation: Observation) -> dict[str, object]:
    return {
        "n": observation.n, "window_start": observation.window_start, "window_end": observation.window_end,
        "current": observation.value, "source": observation.source,
    }


def evaluate_one(check: MetricCheck, evidence: Evidence, at: datetime) -> CriterionResult:
    """One check against the evidence known at `at`."""
    observation = _observation(check, evidence, at)
    if observation is None:
        return _result(check, "insufficient_data", f"no {check.metric} measurement for window {check.window}")
    found = _found(observation)
    if observation.n == 0 or observation.value is None:
        return _result(check, "insufficient_data", f"no data behind {check.metric} (n = {observation.n})", **found)
    if check.unit == "boolean":
        flag = _boolean(observation.value)
        if flag is None:
            return _result(check, "insufficient_data", f"{check.metric} is not true/false", **found)
        ok = flag == check.threshold
        return _result(check, "pass" if ok else "fail", f"{check.metric} is {str(flag).lower()}",
                       measured=flag, **found)
    current = _number(observation.value)
    if current is None:
        return _result(check, "insufficient_data", f"{check.metric} is not a number", **found)
    measured = current
    if check.relative_to_baseline:
        baseline = _baseline(check, evidence, at)
        reference = _number(baseline.value) if baseline else None
        if baseline is None or reference is None or baseline.n == 0:
            return _result(check, "insufficient_data", f"no {check.baseline} baseline for {check.metric}", **found)
        found["baseline"] = reference
        found["source"] = observation.source + baseline.source
        if reference == 0:
            return _result(check, "insufficient_data", f"{check.metric} baseline is 0: no % change", **found)
        measured = (current - reference) / abs(reference) * 100
        if check.change == "decrease":
            measured = -measured
    ok = _COMPARE[check.comparator](measured, float(check.threshold))
    verdict = "met" if ok else "not met"
    return _result(check, "pass" if ok else "fail", f"{_describe(check)}: {measured:g} — {verdict}",
                   measured=measured, **found)


def evaluate(criteria: Sequence[MetricCheck], evidence: Evidence, at: datetime) -> list[CriterionResult]:
    """Each criterion's pass / fail / insufficient_data against the evidence known at `at`."""
    return [evaluate_one(check, evidence, at) for check in criteria]


def passed(results: Sequence[CriterionResult]) -> bool:
    """A gate passes only when it has criteria and every one of them passes."""
    return bool(results) and all(result.status == "pass" for result in results)
