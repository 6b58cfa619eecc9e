"""The baseline aggregate (one per location): metric values captured over a period, checked against the playbook.

Pure: the program's baseline metric set travels in the command, so deciding reads nothing.
A value is refused naming its field (`metrics[1].value`) when the playbook does not know
the metric, the value leaves the unit's range, or the period is empty, in the future or
longer than the metric's lookback. Capturing the same value again records nothing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from shared.aggregates import Aggregate
from shared.contracts.base import DomainEvent
from shared.contracts.metrics import BaselineCaptured
from shared.errors import DomainError
from shared.playbooks import BaselineMetric

RANGES: dict[str, tuple[float, float]] = {"percent": (0, 100), "score_1_5": (1, 5), "score_1_10": (1, 10)}
SOURCE = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")


@dataclass(frozen=True, slots=True)
class Entry:
    """One metric's value over a period, as entered (HTTP or a CSV row)."""

    metric: str
    value: float
    period_start: date
    period_end: date
    sample_size: int | None = None


@dataclass(frozen=True, slots=True)
class Captured:
    value: float
    period_start: date
    period_end: date
    source: str


@dataclass(frozen=True, slots=True)
class Baseline:
    location_id: str = ""
    values: dict[str, Captured] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CaptureBaseline:
    """Values of the location's program's baseline metrics; `today` bounds the periods (no future baselines)."""

    location_id: str
    program_id: str | None
    entries: Sequence[Entry]
    metric_set: Sequence[BaselineMetric]
    source: str
    captured_by: str
    today: date
    region: str = ""


def problems(entry: Entry, metric_set: Sequence[BaselineMetric], today: date) -> list[tuple[str, str]]:
    """Every (field, reason) wrong with one entry; empty when it may be captured."""
    known = {m.key: m for m in metric_set}
    metric = known.get(entry.metric)
    found: list[tuple[str, str]] = []
    if metric is None:
        return [("metric", f"{entry.metric!r} is not a baseline metric of this program's playbook "
                           f"(one of {', '.join(sorted(known))})")]
    if not math.isfinite(entry.value):
        found.append(("value", "must be a finite number"))
    elif metric.unit in RANGES and not RANGES[metric.unit][0] <= entry.value <= RANGES[metric.unit][1]:
        low, high = RANGES[metric.unit]
        found.append(("value", f"must be {low:g}-{high:g} ({metric.unit}), got {entry.value:g}"))
    elif metric.unit not in ("percent_change", "number") and entry.value < 0:
        found.append(("value", f"must not be negative ({metric.unit}), got {entry.value:g}"))
    if entry.period_end < entry.period_start:
        found.append(("period_end", f"{entry.period_end} is before period_start {entry.period_start}"))
    elif entry.period_end > today:
        found.append(("period_end", f"{entry.period_end} is in the future; a baseline measures the past"))
    elif metric.lookback_days and (entry.period_end - entry.period_start).days + 1 > metric.lookback_days:
        found.append(("period_start", f"the period is longer than the metric's {metric.lookback_days}-day lookback"))
    if entry.sample_size is not None and entry.sample_size < 0:
        found.append(("sample_size", "must not be negative"))
    return found


def _capture(state: Baseline, command: CaptureBaseline) -> list[DomainEvent]:
    if not command.entries:
        raise DomainError("give at least one metric", field="metrics")
    if not SOURCE.match(command.source):
        raise DomainError(f"source {command.source!r} must be a lower-case slug", field="source")
    units = {m.key: m.unit for m in command.metric_set}
    seen: set[str] = set()
    events: list[DomainEvent] = []
    for index, entry in enumerate(command.entries):
        for name, reason in problems(entry, command.metric_set, command.today):
            raise DomainError(f"metrics[{index}].{name} {reason}", field=f"metrics[{index}].{name}")
        if entry.metric in seen:
            raise DomainError(f"metrics[{index}].metric {entry.metric} appears twice",
                              field=f"metrics[{index}].metric")
        seen.add(entry.metric)
        captured = Captured(entry.value, entry.period_start, entry.period_end, command.source)
        if state.values.get(entry.metric) == captured:
            continue  # the same value again: nothing new
        events.append(BaselineCaptured(
            location_id=command.location_id, program_id=command.program_id, metric=entry.metric, value=entry.value,
            unit=units[entry.metric], period_start=entry.period_start, period_end=entry.period_end,
            source=command.source, captured_by=command.captured_by, sample_size=entry.sample_size,
        ))
    return events


def decide(state: Baseline, command: CaptureBaseline) -> list[DomainEvent]:
    return _capture(state, command)


def evolve(state: Baseline, event: DomainEvent) -> Baseline:
    if isinstance(event, BaselineCaptured):
        captured = Captured(event.value, event.period_start, event.period_end, event.source)
        return replace(state, location_id=event.location_id, values=state.values | {event.metric: captured})
    return state


baseline = Aggregate(initial=Baseline, decide=decide, evolve=evolve)
