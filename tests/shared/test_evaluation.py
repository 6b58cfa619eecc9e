"""The one evaluator: pass / fail / insufficient data, traced to value, window, n and source."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from shared.evaluation import Baseline, Evidence, Observation, evaluate, evaluate_one, passed
from shared.playbooks import get_template
from shared.playbooks.gates import MetricCheck

AT = datetime(2025, 2, 10, 12, tzinfo=UTC)
BEFORE = AT - timedelta(days=1)


def check(**fields: Any) -> MetricCheck:
    base: dict[str, Any] = {"key": "c", "label": "C", "metric": "platform_adoption_pct", "comparator": ">=",
                            "threshold": 80, "unit": "percent", "window": "since_go_live"}
    return MetricCheck.model_validate(base | fields)


def seen(metric: str, value: float | bool | None, *, n: int = 10, window: str = "since_go_live",
         as_of: datetime = BEFORE, source: tuple[str, ...] = ("metrics:1-10",), **extra: Any) -> Observation:
    return Observation.model_validate({"metric": metric, "value": value, "n": n, "window": window,
                                       "as_of": as_of, "source": source, **extra})


def baseline(metric: str, value: float | None, *, n: int = 20, kind: str = "pre_go_live") -> Baseline:
    return Baseline.model_validate({"metric": metric, "kind": kind, "value": value, "n": n,
                                    "as_of": AT - timedelta(days=60), "source": ("baseline-event-1",)})


def test_a_met_threshold_passes_with_its_evidence() -> None:
    result = evaluate_one(check(), Evidence(observations=(seen("platform_adoption_pct", 85.0, n=42),)), AT)
    assert result.status == "pass"
    assert (result.measured, result.threshold, result.comparator, result.n) == (85.0, 80, ">=", 42)
    assert result.window == "since_go_live" and result.source == ("metrics:1-10",)


def test_a_missed_threshold_fails() -> None:
    result = evaluate_one(check(), Evidence(observations=(seen("platform_adoption_pct", 79.9),)), AT)
    assert result.status == "fail" and result.measured == 79.9


def test_no_measurement_empty_sample_or_unknown_value_is_insufficient() -> None:
    assert evaluate_one(check(), Evidence(), AT).status == "insufficient_data"
    empty = Evidence(observations=(seen("platform_adoption_pct", 95.0, n=0),))
    assert evaluate_one(check(), empty, AT).status == "insufficient_data"
    unknown = Evidence(observations=(seen("platform_adoption_pct", None),))
    assert evaluate_one(check(), unknown, AT).status == "insufficient_data"


def test_another_window_does_not_count() -> None:
    evidence = Evidence(observations=(seen("platform_adoption_pct", 95.0, window="at_evaluation"),))
    assert evaluate_one(check(), evidence, AT).status == "insufficient_data"
    trailing = check(window="trailing_days", window_days=30)
    evidence = Evidence(observations=(seen("platform_adoption_pct", 95.0, window="trailing_days", window_days=7),))
    assert evaluate_one(trailing, evidence, AT).status == "insufficient_data"
    evidence = Evidence(observations=(seen("platform_adoption_pct", 95.0, window="trailing_days", window_days=30),))
    assert evaluate_one(trailing, evidence, AT).status == "pass"


def test_the_latest_measurement_known_at_evaluation_counts() -> None:
    old = seen("platform_adoption_pct", 50.0, as_of=AT - timedelta(days=5), source=("old",))
    new = seen("platform_adoption_pct", 90.0, as_of=AT - timedelta(days=1), source=("new",))
    future = seen("platform_adoption_pct", 10.0, as_of=AT + timedelta(days=1), source=("future",))
    result = evaluate_one(check(), Evidence(observations=(new, future, old)), AT)
    assert (result.status, result.measured, result.source) == ("pass", 90.0, ("new",))


def test_a_decrease_is_measured_as_positive_change() -> None:
    turnaround = check(metric="plan_turnaround_hours", comparator=">=", threshold=30, unit="percent_change",
                       relative_to_baseline=True, baseline="pre_go_live", change="decrease")
    evidence = Evidence(observations=(seen("plan_turnaround_hours", 60.0),),
                        baselines=(baseline("plan_turnaround_hours", 100.0),))
    result = evaluate_one(turnaround, evidence, AT)
    assert result.status == "pass" and result.measured == 40.0
    assert (result.current, result.baseline, result.baseline_kind) == (60.0, 100.0, "pre_go_live")
    assert result.source == ("metrics:1-10", "baseline-event-1")
    slower = Evidence(observations=(seen("plan_turnaround_hours", 80.0),), baselines=evidence.baselines)
    assert evaluate_one(turnaround, slower, AT).measured == 20.0


def test_an_increase_against_the_previous_wave() -> None:
    tickets = check(metric="support_tickets_per_location", comparator="<=", threshold=0, unit="percent_change",
                    relative_to_baseline=True, baseline="previous_wave", change="increase")
    more = Evidence(observations=(seen("support_tickets_per_location", 3.0),),
                    baselines=(baseline("support_tickets_per_location", 2.0, kind="previous_wave"),))
    assert evaluate_one(tickets, more, AT).status == "fail"
    fewer = Evidence(observations=(seen("support_tickets_per_location", 2.0),), baselines=more.baselines)
    assert evaluate_one(tickets, fewer, AT).status == "pass"


def test_a_relative_check_without_a_usable_baseline_is_insufficient() -> None:
    acceptance = check(metric="case_acceptance_rate_pct", comparator=">=", threshold=0, unit="percent_change",
                       relative_to_baseline=True, baseline="pre_go_live", change="increase")
    now = (seen("case_acceptance_rate_pct", 50.0),)
    assert evaluate_one(acceptance, Evidence(observations=now), AT).status == "insufficient_data"
    other_kind = (baseline("case_acceptance_rate_pct", 40.0, kind="previous_wave"),)
    assert evaluate_one(acceptance, Evidence(observations=now, baselines=other_kind), AT).status == "insufficient_data"
    zero = (baseline("case_acceptance_rate_pct", 0.0),)
    assert evaluate_one(acceptance, Evidence(observations=now, baselines=zero), AT).status == "insufficient_data"


def test_boolean_checks_accept_true_false_or_one_zero() -> None:
    champion = check(metric="champion_model_validated", comparator="==", threshold=True, unit="boolean",
                     window="at_evaluation")
    for value, status in ((True, "pass"), (1.0, "pass"), (False, "fail"), (0.0, "fail"), (0.5, "insufficient_data")):
        evidence = Evidence(observations=(seen("champion_model_validated", value, window="at_evaluation"),))
        assert evaluate_one(champion, evidence, AT).status == status, value


def test_a_gate_passes_only_when_every_criterion_passes() -> None:
    gate = get_template("spark-dso").gate("pilot-success")
    evidence = Evidence(
        observations=(
            seen("platform_adoption_pct", 85.0),
            seen("critical_blockers", 0, window="at_evaluation"),
            seen("clinician_satisfaction", 8.0, window="latest_survey"),
            seen("planning_time_minutes", 40.0),
        ),
        baselines=(baseline("planning_time_minutes", 60.0),),
    )
    results = evaluate(gate.criteria, evidence, AT)
    assert [r.status for r in results] == ["pass"] * 4 and passed(results)
    without_survey = Evidence(observations=evidence.observations[:2] + evidence.observations[3:],
                              baselines=evidence.baselines)
    results = evaluate(gate.criteria, without_survey, AT)
    assert [r.status for r in results] == ["pass", "pass", "insufficient_data", "pass"] and not passed(results)
    assert not passed([])


values = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True), st.integers(-1000, 1000))
comparators = st.sampled_from([">=", ">", "<=", "<", "=="])


@given(value=values, n=st.integers(0, 50), threshold=st.integers(0, 100), comparator=comparators)
def test_insufficient_data_never_passes(value: float | None, n: int, threshold: int, comparator: str) -> None:
    result = evaluate_one(check(unit="number", threshold=threshold, comparator=comparator),
                          Evidence(observations=(seen("platform_adoption_pct", value, n=n),)), AT)
    if n == 0 or value is None or value != value or value in (float("inf"), float("-inf")):
        assert result.status == "insufficient_data"
    else:
        expected = {">=": value >= threshold, ">": value > threshold, "<=": value <= threshold,
                    "<": value < threshold, "==": value == threshold}[comparator]
        assert result.status == ("pass" if expected else "fail")
        assert result.measured == value


@given(current=st.floats(0.1, 1e4), reference=st.floats(0.1, 1e4), threshold=st.integers(-100, 100))
def test_decrease_and_increase_are_mirror_images(current: float, reference: float, threshold: int) -> None:
    def relative(change: str) -> MetricCheck:
        return check(metric="plan_turnaround_hours", comparator=">=", threshold=threshold, unit="percent_change",
                     relative_to_baseline=True, baseline="pre_go_live", change=change)
    evidence = Evidence(observations=(seen("plan_turnaround_hours", current),),
                        baselines=(baseline("plan_turnaround_hours", reference),))
    up, down = evaluate_one(relative("increase"), evidence, AT), evaluate_one(relative("decrease"), evidence, AT)
    assert up.measured is not None and down.measured is not None
    assert up.measured == -down.measured
    assert (up.status == "pass") == (up.measured >= threshold)
    assert (current < reference) == (down.measured > 0)


@given(st.lists(st.tuples(st.floats(0, 100), st.integers(-10, 10), st.integers(0, 5)), min_size=1, max_size=8),
       st.randoms())
def test_order_of_evidence_and_later_facts_do_not_matter(
    entries: list[tuple[float, int, int]], random: Any
) -> None:
    observations = [seen("platform_adoption_pct", value, n=n, as_of=AT + timedelta(hours=hours), source=(str(i),))
                    for i, (value, hours, n) in enumerate(entries)]
    shuffled = observations[:]
    random.shuffle(shuffled)
    first = evaluate_one(check(), Evidence(observations=tuple(observations)), AT)
    assert evaluate_one(check(), Evidence(observations=tuple(shuffled)), AT) == first
    known = tuple(o for o in observations if o.as_of <= AT)
    assert evaluate_one(check(), Evidence(observations=known), AT) == first
