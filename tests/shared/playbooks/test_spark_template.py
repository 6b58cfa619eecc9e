"""The Spark template carries the seed's numbers (seeds/002_2083ae242a1dcf2d.txt, cited as Lnn)."""

from __future__ import annotations

import pytest

from shared.playbooks import PlaybookTemplate, get_template


@pytest.fixture(scope="module")
def spark() -> PlaybookTemplate:
    return get_template("spark-dso")


def test_sixteen_weeks_and_wave_weeks(spark: PlaybookTemplate) -> None:
    assert (spark.timeline.total_weeks_min, spark.timeline.total_weeks_max) == (16, 16)  # L7
    assert (spark.timeline.locations_min, spark.timeline.locations_max) == (10, 15)
    weeks = [(p.key, p.start_week, p.end_week) for p in spark.phases]
    assert weeks == [("pre-implementation", 1, 2), ("wave-1", 3, 6), ("wave-2", 7, 10), ("wave-3", 11, 14)]


def test_every_wave_goes_live_together_on_a_monday(spark: PlaybookTemplate) -> None:
    assert {(w.go_live.mode, w.go_live.weekday) for w in spark.waves} == {("simultaneous", "monday")}  # L51


def test_rubric_is_borrowed_and_says_so(spark: PlaybookTemplate) -> None:
    assert any("borrowed" in note.lower() or "no readiness rubric" in note for note in spark.readiness.notes)
    assert spark.readiness.factor("tech_stack").row(5).criteria.startswith("Spark-certified scanner")
    assert [t.min for t in spark.readiness.thresholds] == [20, 15, 12, 5]


def test_pilot_success_gate(spark: PlaybookTemplate) -> None:
    gate = spark.gate("pilot-success")
    checks = {c.key: (c.metric, c.comparator, c.threshold, c.unit) for c in gate.criteria}
    assert checks == {
        "adoption": ("platform_adoption_pct", ">=", 80, "percent"),  # L43
        "critical-blockers": ("critical_blockers", "==", 0, "count"),  # L44
        "clinician-satisfaction": ("clinician_satisfaction", ">=", 7, "score_1_10"),  # L45
        "planning-time": ("planning_time_minutes", ">=", 20, "percent_change"),  # L46
    }
    assert gate.evaluate_week == 6


def test_technical_requirements(spark: PlaybookTemplate) -> None:
    reqs = {r.key: (r.fact, r.op, r.threshold) for r in spark.technical_requirements}
    assert reqs["internet-down-min"] == ("internet_down_mbps", ">=", 10)  # L10
    assert reqs["clinician-devices"] == ("devices_per_clinician", ">=", 1)  # L11
    assert reqs["shared-device"] == ("shared_devices", ">=", 1)


def test_pilot_slots_and_exclusion(spark: PlaybookTemplate) -> None:
    pilot = spark.pilot_selection
    assert [(s.key, s.required) for s in pilot.slots] == [("flagship", True), ("mid-size", True), ("satellite", False)]
    assert pilot.slots[0].prefer[0].fact == "monthly_aligner_starts"
    assert [(e.kind, e.fact) for e in pilot.exclusions] == [("lowest", "ops_strength")]  # L31


def test_roi_targets(spark: PlaybookTemplate) -> None:
    targets = {t.metric: (t.baseline, t.target) for t in spark.metrics.roi_targets}
    assert targets == {
        "planning_time_minutes": (20, 14),
        "case_acceptance_rate_pct": (65, 76),
        "lab_turnaround_days": (8, 7),
        "clinician_satisfaction": (6.5, 8.5),
        "monthly_active_users_pct": (None, 90),
    }
    assert {t.horizon_days for t in spark.metrics.roi_targets} == {90}


def test_benchmarks(spark: PlaybookTemplate) -> None:
    days = {b.day: {c.key: c for c in b.checks} for b in spark.metrics.benchmarks}
    assert set(days) == {30, 60, 90}
    assert days[30]["plans-per-clinician"].threshold == 10 and days[30]["pilot-acceptance"].threshold == 72
    assert days[60]["planning-time-reduction"].threshold == 25
    assert days[60]["lab-integration-stable"].window_days == 14


def test_support_and_training(spark: PlaybookTemplate) -> None:
    assert [(c.key, c.response_hours) for c in spark.support.contacts] == [("priority-support", 2)]  # L58
    tickets = spark.support.expected_tickets
    assert tickets is not None and (tickets.min, tickets.max, tickets.within_weeks) == (20, 30, 8)
    events = {e.key: e for e in spark.training.events}
    assert (events["onsite-training"].minutes, events["onsite-training"].per) == (240, "location")  # L38
    assert (events["power-user-call"].start_week, events["power-user-call"].minutes) == (5, 60)  # L40
    assert [c.role for c in spark.training.curricula] == ["clinician", "treatment_coordinator", "administrator"]
    assert spark.training.champion.certification is None
