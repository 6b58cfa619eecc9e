"""Gates and pauses, pure: decisions need an evaluation, once; overrides are explicit; restarts need every criterion."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.waves.evidence.build import support_tickets
from services.waves.evidence.models import IncidentRow
from services.waves.gates.domain import DecideGate, EvaluateGate, criteria, gates
from services.waves.pauses.domain import (
    MeetRestartCriterion,
    RecordReview,
    RecordRootCause,
    ResumeDeployment,
    add_business_days,
    pauses,
)
from services.waves.plan.domain import Plan, RecordGoLive, baseline_metrics
from shared.contracts.waves import DeploymentPaused, GateDecisionRecorded, GateEvaluated
from shared.errors import Conflict, DomainError, NotFound
from shared.evaluation import Evidence, evaluate
from shared.playbooks import get_template

SOFTSMILE = get_template("softsmile-dso")
AT = datetime(2025, 10, 10, 9, tzinfo=UTC)  # a Friday


def run(state: Plan, command: object) -> tuple[Plan, list]:  # type: ignore[type-arg]
    decide = pauses.decide if type(command).__module__.endswith("pauses.domain") else gates.decide
    events = decide(state, command)  # type: ignore[arg-type]
    for event in events:
        state = gates.evolve(state, event)
    return state, events


def evaluated(state: Plan, evaluation_id: str = "e1") -> Plan:
    command = EvaluateGate("p", "wave-1-to-wave-2", SOFTSMILE, Evidence(), {"loc": Evidence()}, AT, evaluation_id,
                           "rm")
    state, [event] = run(state, command)
    assert isinstance(event, GateEvaluated) and not event.passed
    assert {r.status for r in event.results} == {"insufficient_data"}  # no evidence never passes
    return state


def decision(kind: str = "go", override: str | None = None) -> DecideGate:
    return DecideGate("p", "wave-1-to-wave-2", SOFTSMILE, kind, "why", override, "cfo", "executive", AT,  # type: ignore[arg-type]
                      pause_id="pause-1")


def test_wave_2_to_3_includes_every_wave_1_criterion_plus_its_own() -> None:
    keys = [c.key for c in criteria(SOFTSMILE, SOFTSMILE.gate("wave-2-to-wave-3"))]
    assert keys[:6] == [c.key for c in SOFTSMILE.gate("wave-1-to-wave-2").criteria]
    assert keys[6:] == ["champion-model", "support-tickets", "no-systemic-issues"]
    assert baseline_metrics(SOFTSMILE, "wave-1") == ["case_acceptance_rate_pct", "plan_turnaround_hours"]
    assert baseline_metrics(get_template("spark-dso"), "wave-1") == ["planning_time_minutes"]


def test_a_decision_needs_an_evaluation_and_is_made_once() -> None:
    with pytest.raises(Conflict, match="not been evaluated"):
        run(Plan(), decision())
    state = evaluated(Plan())
    with pytest.raises(DomainError, match="override_reason"):
        run(state, decision())
    state, [event] = run(state, decision(override="accepted risk"))
    assert isinstance(event, GateDecisionRecorded) and event.override and event.override_reason == "accepted risk"
    with pytest.raises(Conflict, match="already decided"):
        run(state, decision())
    state = evaluated(state, "e2")
    state, [_, paused] = run(state, decision("no_go"))
    assert isinstance(paused, DeploymentPaused) and paused.review_due_at is not None
    assert (paused.review_due_at - paused.paused_at).total_seconds() == 86400
    with pytest.raises(NotFound):
        run(state, DecideGate("p", "nope", SOFTSMILE, "go", "x", None, "cfo", "executive", AT, "p2"))


def test_a_pause_resumes_only_after_review_root_cause_and_every_restart_criterion() -> None:
    state, _ = run(evaluated(Plan()), decision("no_go"))
    go_live = RecordGoLive("p", "loc", "wave-1", AT.date(), SOFTSMILE,
                           frozenset({"case_acceptance_rate_pct", "plan_turnaround_hours"}), "admin")
    with pytest.raises(DomainError, match="paused"):
        run(state, go_live)
    with pytest.raises(Conflict, match="incident review, root cause, root-cause-resolved"):
        run(state, ResumeDeployment("p", "pause-1", SOFTSMILE, AT, "cfo"))
    state, _ = run(state, RecordReview("p", "pause-1", "held", AT, "rm"))
    state, [cause] = run(state, RecordRootCause("p", "pause-1", "training", "skipped modules", SOFTSMILE, AT, "rm"))
    assert cause.remediation == "remedial training" and (cause.remediation_due_at - AT).days == 7  # L250
    for key in ("root-cause-resolved", "preventive-measures", "executive-approval"):
        state, _ = run(state, MeetRestartCriterion("p", "pause-1", key, "done", SOFTSMILE, AT, "rm"))
    with pytest.raises(Conflict, match="already met"):
        run(state, MeetRestartCriterion("p", "pause-1", "executive-approval", "again", SOFTSMILE, AT, "rm"))
    state, [resumed] = run(state, ResumeDeployment("p", "pause-1", SOFTSMILE, AT, "cfo"))
    assert resumed.criteria == ["executive-approval", "preventive-measures", "root-cause-resolved"]
    state, [live] = run(state, go_live)
    assert live.wave == "wave-1"
    with pytest.raises(Conflict, match="already been resumed"):
        run(state, RecordReview("p", "pause-1", "late", AT, "rm"))


def test_business_days_skip_weekends() -> None:
    # Technical root causes: 5 business days (L249) from a Friday is the next Friday.
    assert add_business_days(AT, 5) == datetime(2025, 10, 17, 9, tzinfo=UTC)
    assert add_business_days(datetime(2025, 10, 8, tzinfo=UTC), 3) == datetime(2025, 10, 13, tzinfo=UTC)


def test_support_tickets_per_location_compare_with_the_previous_wave() -> None:
    """SoftSmile L239: no increase in support tickets per location vs the previous wave."""
    at = datetime(2027, 3, 29, tzinfo=UTC)

    def ticket(location: str, day: int) -> IncidentRow:
        return IncidentRow(incident_id=f"{location}-{day}", org="o", program_id="p", location_id=location,
                           kind="ticket", severity=3, category="how-to", description="question",
                           opened_at=datetime(2027, 3, day, tzinfo=UTC), event_id=f"e-{location}-{day}")

    wave_1 = {"a": date(2027, 3, 1), "b": date(2027, 3, 1)}  # four weeks live at `at`
    wave_2 = {"c": date(2027, 3, 15)}  # two weeks live
    incidents = [ticket("a", 2), ticket("a", 9), ticket("b", 3), ticket("c", 16)]
    observations, baselines = support_tickets(incidents, wave_2, wave_1, at)
    [now], [before] = observations, baselines
    assert (now.value, now.n, before.value, before.n, before.kind) == (0.5, 1, 0.375, 2, "previous_wave")
    assert "event:e-c-16" in now.source
    check = next(c for c in get_template("softsmile-dso").gate("wave-2-to-wave-3").criteria
                 if c.metric == "support_tickets_per_location")
    [result] = evaluate([check], Evidence(observations=tuple(observations), baselines=tuple(baselines)), at)
    assert result.status == "fail" and round(result.measured, 1) == 33.3  # +33 % tickets per location
    calmer = [ticket("a", 2), ticket("a", 9), ticket("b", 3), ticket("b", 10)]
    observations, baselines = support_tickets(calmer, wave_2, wave_1, at)
    [result] = evaluate([check], Evidence(observations=tuple(observations), baselines=tuple(baselines)), at)
    assert result.status == "pass" and result.current == 0.0
