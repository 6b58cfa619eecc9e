"""The SoftSmile template carries the seed's numbers (seeds/000_361945fd31c2b602.txt, cited as Lnnn)."""

from __future__ import annotations

import pytest

from shared.playbooks import Conditional, PlaybookTemplate, get_template


@pytest.fixture(scope="module")
def softsmile() -> PlaybookTemplate:
    return get_template("softsmile-dso")


def conditions(rule: Conditional) -> list[tuple[str, str, object]]:
    return [(c.fact, c.op, c.value) for c in rule.all_of]


def test_identity_and_timeline(softsmile: PlaybookTemplate) -> None:
    assert (softsmile.vendor, softsmile.source) == ("SoftSmile", "000_361945fd31c2b602.txt")
    assert (softsmile.timeline.total_weeks_min, softsmile.timeline.total_weeks_max) == (20, 24)  # L26


def test_phases_follow_spec_weeks(softsmile: PlaybookTemplate) -> None:
    weeks = [(p.key, p.start_week, p.end_week) for p in softsmile.phases]
    assert weeks == [
        ("pre-implementation", 1, 2), ("wave-1", 3, 6), ("wave-2", 7, 12), ("wave-3", 13, 20), ("optimization", 21, 24),
    ]
    wave_1, wave_2 = softsmile.phase("wave-1").locations, softsmile.phase("wave-2").locations
    assert (wave_1.min, wave_1.max, wave_2.min, wave_2.max) == (2, 3, 5, 8)  # type: ignore[union-attr]
    assert softsmile.phase("wave-3").locations.scope == "remaining"  # type: ignore[union-attr]


def test_go_live_cadence_and_wave_1_plan(softsmile: PlaybookTemplate) -> None:
    wave_1, wave_2, wave_3 = (softsmile.wave(k) for k in ("wave-1", "wave-2", "wave-3"))
    assert [(s.key, s.start_week) for s in wave_1.weekly_plan] == [
        ("configuration", 3), ("soft-launch", 4), ("go-live", 5), ("stabilization", 6),
    ]
    soft_launch = wave_1.weekly_plan[1]
    assert (soft_launch.cases_min, soft_launch.cases_max) == (5, 10)  # L212
    cadence = wave_2.go_live
    assert (cadence.mode, cadence.start_week, cadence.end_week, cadence.per_week_min, cadence.per_week_max) == (
        "staggered", 9, 10, 2, 3,
    )  # L220
    assert (wave_3.go_live.per_week_min, wave_3.go_live.per_week_max) == (3, 5)  # L224


def test_it_rubric_row_4_text_and_conditions(softsmile: PlaybookTemplate) -> None:
    row = softsmile.readiness.factor("it_infrastructure").row(4)
    assert row.criteria == "50+ Mbps, hardware < 3 years old, PMS within 1 version of current"  # L136
    assert conditions(row) == [
        ("internet_down_mbps", ">=", 50), ("hardware_age_years", "<", 3), ("pms_versions_behind", "<=", 1),
    ]


def test_every_factor_has_five_rows_with_seed_text(softsmile: PlaybookTemplate) -> None:
    factors = softsmile.readiness.factors
    assert [f.key for f in factors] == [
        "it_infrastructure", "staff_adaptability", "patient_volume", "tech_stack", "champion",
    ]
    assert all(sorted(r.score for r in f.rows) == [1, 2, 3, 4, 5] for f in factors)
    champion_4 = softsmile.readiness.factor("champion").row(4)
    assert champion_4.criteria == "Strong provider champion OR strong OM champion"  # L167
    assert {c.fact for c in champion_4.any_of} == {"provider_champion", "om_champion"}


def test_composite_thresholds_follow_the_table_not_the_prose(softsmile: PlaybookTemplate) -> None:
    table = [(t.min, t.max, t.level, t.recommended_wave) for t in softsmile.readiness.thresholds]
    assert table == [
        (20, 25, "high", "wave-1"), (15, 19, "medium_high", "wave-2"),
        (12, 14, "medium", "wave-3"), (5, 11, "low", "remediation"),
    ]
    # The seed's sample matrix (L181-184): A 23, B 21 → Wave 1; C 16 → Wave 2; D 11 → remediate.
    readiness = softsmile.readiness
    picked = {e.name: readiness.threshold_for(e.composite).recommended_wave for e in readiness.examples}
    assert picked == {
        "Location A": "wave-1", "Location B": "wave-1", "Location C": "wave-2", "Location D": "remediation",
    }


def test_technical_requirements(softsmile: PlaybookTemplate) -> None:
    reqs = {r.key: (r.level, r.fact, r.op, r.threshold) for r in softsmile.technical_requirements}
    assert reqs["internet-down-min"] == ("required", "internet_down_mbps", ">=", 50)
    assert reqs["internet-down-recommended"] == ("recommended", "internet_down_mbps", ">=", 100)
    assert reqs["latency"] == ("required", "latency_ms", "<", 100)
    assert reqs["ram"][3] == 16 and reqs["cpu"][3] == 7
    assert reqs["dentrix-version"][3] == "7.3" and reqs["eaglesoft-version"][3] == "21"
    assert reqs["open-dental-version"] == ("recommended", "pms_version", ">=", "22.1")
    assert reqs["itero-version"][3] == "6.0" and reqs["trios-version"][3] == "2.0"
    assert reqs["os-family"][3] == ("windows", "macos") and reqs["browser"][3] == ("chrome", "edge")


def test_pilot_selection(softsmile: PlaybookTemplate) -> None:
    pilot = softsmile.pilot_selection
    assert (pilot.min_locations, pilot.max_locations, pilot.approver) == (2, 3, "Regional Manager")
    assert conditions(pilot.eligibility[0]) == [("composite_score", ">=", 20)]
    assert {e.key for e in pilot.eligibility} >= {"volunteered-provider-champion", "om-capacity", "no-major-change"}
    rules = {r.key for r in pilot.set_rules}
    assert rules == {"regions", "practice-types", "settings", "high-volume", "minor-challenges"}


def test_gate_wave_1_to_2(softsmile: PlaybookTemplate) -> None:
    gate = softsmile.gate("wave-1-to-wave-2")
    checks = {c.key: (c.metric, c.comparator, c.threshold, c.unit) for c in gate.criteria}
    assert checks["cases-without-critical-issues"] == ("cases_without_critical_issue_pct", ">=", 85, "percent")
    assert checks["provider-satisfaction"] == ("provider_satisfaction", ">=", 4, "score_1_5")
    assert checks["turnaround"] == ("plan_turnaround_hours", ">=", 30, "percent_change")
    assert checks["training-completion"][2] == 100 and checks["no-sev1-sev2"][2] == 0
    turnaround = gate.criteria[-1]
    relative = (turnaround.relative_to_baseline, turnaround.baseline, turnaround.change)
    assert relative == (True, "pre_go_live", "decrease")
    assert gate.evaluate_week == 6 and gate.decided_by == "executive"


def test_gate_wave_2_to_3_adds_to_the_first(softsmile: PlaybookTemplate) -> None:
    gate = softsmile.gate("wave-2-to-wave-3")
    assert gate.includes == ("wave-1-to-wave-2",)
    assert [c.key for c in gate.criteria] == ["champion-model", "support-tickets", "no-systemic-issues"]
    assert gate.criteria[0].threshold is True


def test_rollback_and_support(softsmile: PlaybookTemplate) -> None:
    deadlines = {c.key: c.deadline and (c.deadline.amount, c.deadline.unit) for c in softsmile.rollback.root_causes}
    assert deadlines == {
        "technical": (5, "business_days"), "training": (1, "weeks"), "change_management": (2, "weeks"), "vendor": None,
    }
    assert softsmile.rollback.incident_review_within_hours == 24
    slas = {c.key: c.response_hours for c in softsmile.support.contacts}
    assert slas == {"csm": 4, "technical-lead": 2, "tier-1": 1, "tier-2": 4, "vendor-executive": 24}


def test_training(softsmile: PlaybookTemplate) -> None:
    certification = softsmile.training.champion.certification
    assert certification is not None
    assert [m.hours for m in certification.modules] == [2, 2, 1.5, 1.5, 1]
    assert (certification.pass_assessment_min_pct, certification.hands_on_simulation_required) == (85, True)
    curricula = {c.role: c for c in softsmile.training.curricula}
    assert curricula["provider"].duration_minutes == 120 and len(curricula["provider"].outline) == 6
    assert curricula["hygienist"].duration_minutes == 30
    assert {"treatment_coordinator", "office_manager"} <= set(curricula)
    assert len(softsmile.training.champion.selection_criteria) == 6


def test_baseline_metric_set(softsmile: PlaybookTemplate) -> None:
    metrics = softsmile.metrics.baseline.metrics
    assert len(metrics) == 12 and {m.lookback_days for m in metrics} == {90}
    by_category = {cat: sum(m.category == cat for m in metrics) for cat in ("efficiency", "clinical", "financial")}
    assert by_category == {"efficiency": 4, "clinical": 4, "financial": 4}
    assert softsmile.metrics.roi_targets == ()  # the seed is cut off before its ROI section
