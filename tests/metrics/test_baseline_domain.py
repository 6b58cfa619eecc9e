"""The baseline aggregate, pure: values checked against the program's metric set, refused naming the field."""

from __future__ import annotations

from datetime import date

import pytest

from services.metrics.baselines.domain import Baseline, CaptureBaseline, Entry, baseline, decide
from shared.contracts.metrics import BaselineCaptured
from shared.errors import DomainError
from shared.playbooks import get_template

SOFTSMILE = get_template("softsmile-dso").metrics.baseline.metrics
SPARK = get_template("spark-dso").metrics.baseline.metrics
TODAY = date(2026, 3, 31)
Q1 = (date(2026, 1, 1), date(2026, 3, 31))


def capture(*entries: Entry, metric_set=SOFTSMILE) -> CaptureBaseline:
    return CaptureBaseline("loc-1", "prog-1", entries, metric_set, source="manual", captured_by="analyst",
                           today=TODAY)


def test_a_capture_records_each_metric_with_the_playbooks_unit() -> None:
    events = decide(Baseline(), capture(Entry("plan_turnaround_hours", 72, *Q1, sample_size=40),
                                        Entry("case_acceptance_rate_pct", 61.5, *Q1)))
    assert [(e.metric, e.value, e.unit, e.sample_size) for e in events if isinstance(e, BaselineCaptured)] == [
        ("plan_turnaround_hours", 72, "hours", 40), ("case_acceptance_rate_pct", 61.5, "percent", None)]


def test_the_same_value_again_records_nothing_and_a_new_value_records_again() -> None:
    first = decide(Baseline(), capture(Entry("revisions_per_case", 2.5, *Q1)))
    state = baseline.evolve(Baseline(), first[0])
    assert decide(state, capture(Entry("revisions_per_case", 2.5, *Q1))) == []
    assert len(decide(state, capture(Entry("revisions_per_case", 2.0, *Q1)))) == 1


@pytest.mark.parametrize(("entry", "metric_set", "field", "reason"), [
    (Entry("happiness", 1, *Q1), SOFTSMILE, "metrics[1].metric", "is not a baseline metric"),
    (Entry("case_acceptance_rate_pct", 120, *Q1), SOFTSMILE, "metrics[1].value", "must be 0-100"),
    (Entry("clinician_satisfaction", 11, date(2026, 3, 1), date(2026, 3, 7)), SPARK, "metrics[1].value",
     "must be 1-10"),
    (Entry("plan_turnaround_hours", -3, *Q1), SOFTSMILE, "metrics[1].value", "must not be negative"),
    (Entry("plan_turnaround_hours", 3, date(2026, 3, 1), date(2026, 2, 1)), SOFTSMILE, "metrics[1].period_end",
     "is before period_start"),
    (Entry("plan_turnaround_hours", 3, date(2026, 3, 1), date(2026, 4, 30)), SOFTSMILE, "metrics[1].period_end",
     "is in the future"),
    (Entry("plan_turnaround_hours", 3, date(2025, 10, 1), date(2026, 3, 31)), SOFTSMILE, "metrics[1].period_start",
     "90-day lookback"),
])
def test_a_bad_value_is_refused_naming_its_field(entry, metric_set, field, reason) -> None:
    good = Entry(metric_set[0].key, 10, date(2026, 3, 1), date(2026, 3, 7))
    with pytest.raises(DomainError) as refused:
        decide(Baseline(), capture(good, entry, metric_set=metric_set))
    assert refused.value.field == field and reason in refused.value.message


def test_a_metric_twice_in_one_capture_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        decide(Baseline(), capture(Entry("revisions_per_case", 2, *Q1), Entry("revisions_per_case", 3, *Q1)))
    assert refused.value.field == "metrics[1].metric"
