"""The playbook's day-N benchmarks (Spark's 30/60/90 days, L70-72), per live location, pure.

Day N counts from each location's own go-live. A check applies to a location when its scope is the
program or the location's wave. The evidence is the location's KPIs over the cases submitted from its
go-live up to day N (so a benchmark due in the past keeps the figures it had then), and its captured
baselines as the pre-go-live reference; the verdict is the gates' own evaluator (pass, fail,
insufficient_data). A benchmark not yet due is shown as `pending` with the figures so far.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from pydantic import BaseModel

from services.metrics.kpis.measure import CaseFacts, measure
from shared.evaluation import Baseline, CriterionResult, Evidence, Observation, evaluate
from shared.playbooks.gates import Benchmark


@dataclass(frozen=True, slots=True)
class LiveLocation:
    location_id: str
    wave: str | None
    went_live: date
    cases: Sequence[CaseFacts]
    baselines: Mapping[str, tuple[float, int]]  # metric -> (value, sample size)


class BenchmarkResult(BaseModel):
    location_id: str
    day: int
    due_on: date
    status: str  # "due" (evaluated at day N) or "pending" (figures so far)
    passed: bool
    results: list[CriterionResult]


def evidence_at(place: LiveLocation, cutoff: datetime, *, acceptance_within_days: int | None) -> Evidence:
    cases = [c for c in place.cases if c.submitted_at is None or c.submitted_at < cutoff]
    values = measure(cases, went_live=place.went_live, acceptance_within_days=acceptance_within_days)
    observations = tuple(
        Observation(metric=metric, value=kpi.value, n=kpi.n, window="since_go_live", window_start=kpi.window_start,
                    window_end=kpi.window_end, as_of=cutoff, source=(f"metrics:location:{place.location_id}",))
        for metric, kpi in values.items())
    baselines = tuple(Baseline(metric=metric, kind="pre_go_live", value=value, n=n,
                               as_of=datetime.combine(place.went_live, time(), tzinfo=UTC),
                               source=(f"metrics:baseline:{place.location_id}:{metric}",))
                      for metric, (value, n) in place.baselines.items())
    return Evidence(observations=observations, baselines=baselines)


def benchmark_results(benchmarks: Sequence[Benchmark], places: Sequence[LiveLocation], *, now: datetime,
                      acceptance_within_days: int | None) -> list[BenchmarkResult]:
    found = []
    for place in places:
        for benchmark in benchmarks:
            checks = [c for c in benchmark.checks if c.scope in ("program", place.wave)]
            if not checks:
                continue
            due_on = place.went_live + timedelta(days=benchmark.day)
            cutoff = min(now, datetime.combine(due_on, time(), tzinfo=UTC))
            results = evaluate(checks, evidence_at(place, cutoff, acceptance_within_days=acceptance_within_days),
                               cutoff)
            found.append(BenchmarkResult(location_id=place.location_id, day=benchmark.day, due_on=due_on,
                                         status="due" if cutoff < now else "pending",
                                         passed=all(r.status == "pass" for r in results), results=results))
    return found
