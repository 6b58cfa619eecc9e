"""The case aggregate, pure: source timestamps, not arrival, decide; repeats record once; the planning verdict."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.metrics.cases.domain import Case, OpenCase, RecordStep, case, decide
from shared.contracts.metrics import CaseCreated, CaseProcessed, PlanApproved
from shared.errors import DomainError, NotFound

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NOW = T0 + timedelta(days=30)
SKEW = timedelta(minutes=5)


def opened() -> Case:
    [created] = decide(Case(), OpenCase("c1", "loc", "prog", "key", T0, NOW, SKEW, "tc"))
    assert isinstance(created, CaseCreated)
    return case.evolve(Case(), created)


def step(kind: str, hours: float, **extra) -> RecordStep:
    return RecordStep("c1", kind, T0 + timedelta(hours=hours), NOW, SKEW, "tc", **extra)


def run(state: Case, *commands: RecordStep) -> tuple[Case, list]:
    events = []
    for command in commands:
        decided = decide(state, command)
        for event in decided:
            state = case.evolve(state, event)
        events += decided
    return state, events


def test_a_late_earlier_approval_and_a_late_issue_correct_the_verdict() -> None:
    # Arrival: approval at +30h, an issue seen at +2h, then the earlier approval at +20h.
    issue = step("PlanGenerated", 2, critical_issue="scan_import_failed")
    state, events = run(opened(), step("PlanApproved", 30), issue, step("PlanApproved", 20))
    verdicts = [e for e in events if isinstance(e, CaseProcessed)]
    assert [(v.approved_at - T0, v.critical_issues) for v in verdicts] == [
        (timedelta(hours=30), []), (timedelta(hours=30), ["scan_import_failed"]),
        (timedelta(hours=20), ["scan_import_failed"])]
    assert state.verdict is not None and state.verdict.approved_at == T0 + timedelta(hours=20)


def test_an_issue_after_approval_does_not_change_the_planning_verdict() -> None:
    state, _ = run(opened(), step("PlanApproved", 10))
    _, events = run(state, step("RefinementStarted", 200, critical_issue="lab_export_failed"))
    assert [type(e).__name__ for e in events] == ["RefinementStarted"]


def test_the_same_step_delivered_again_records_nothing() -> None:
    state, first = run(opened(), step("PlanApproved", 10, source_event_id="evt-1"))
    assert [type(e) for e in first] == [PlanApproved, CaseProcessed]
    assert decide(state, step("PlanApproved", 10, source_event_id="evt-1")) == []


@pytest.mark.parametrize(("command", "field"), [
    (step("PlanShredded", 1), "type"),
    (step("CaseProcessed", 1), "type"),
    (RecordStep("c1", "PlanApproved", NOW + timedelta(hours=1), NOW, SKEW, "tc"), "occurred_at"),
    (RecordStep("c1", "PlanApproved", datetime(2026, 3, 2, 9), NOW, SKEW, "tc"), "occurred_at"),
    (step("ProcedurePosted", 40, details={"code": "8090", "fee": 5200}), "code"),
    (step("ProcedurePosted", 40, details={"code": "D8090", "fee": -1}), "fee"),
    (step("PlanGenerated", 1, critical_issue="Scan failed!"), "critical_issue"),
])
def test_a_bad_step_is_refused_naming_its_field(command, field) -> None:
    with pytest.raises(DomainError) as refused:
        decide(opened(), command)
    assert refused.value.field == field


def test_a_step_of_an_unknown_case_is_not_found() -> None:
    with pytest.raises(NotFound):
        decide(Case(), step("PlanApproved", 1))
