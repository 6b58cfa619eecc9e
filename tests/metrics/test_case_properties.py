"""Properties of the case aggregate (hypothesis): any steps, in any order, delivered any number of times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from services.metrics.cases.domain import Case, OpenCase, RecordStep, decide, evolve, verdict_of
from shared.contracts.metrics import CaseProcessed

START = datetime(2026, 3, 2, 9, tzinfo=UTC)
NOW = START + timedelta(days=30)
STEP_TYPES = ("ScanUploaded", "PlanGenerated", "PlanModified", "RevisionRequested", "PlanApproved",
              "PatientAccepted", "RefinementStarted", "AlignersDelivered")

steps = st.lists(st.tuples(st.sampled_from(STEP_TYPES), st.integers(0, 60 * 24 * 20),
                           st.sampled_from([None, "scan_import_failed", "missing_teeth"])), min_size=1, max_size=12)


def command(step: tuple[str, int, str | None]) -> RecordStep:
    kind, minutes, issue = step
    return RecordStep("case-1", kind, START + timedelta(minutes=minutes), NOW, timedelta(minutes=5), "user:x",
                      source="itero", source_event_id=f"{kind}-{minutes}", critical_issue=issue)


def opened() -> Case:
    [created] = decide(Case(), OpenCase("case-1", "loc-1", "prog-1", "key", START, NOW, timedelta(minutes=5),
                                        "user:x", source="itero"))
    return evolve(Case(), created)


def run(state: Case, commands: list[RecordStep]) -> tuple[Case, list[object]]:
    decided: list[object] = []
    for each in commands:
        events = decide(state, each)
        for event in events:
            state = evolve(state, event)
        decided += events
    return state, decided


@settings(max_examples=200, deadline=None)
@given(steps, st.randoms(use_true_random=False))
def test_any_order_and_any_repeat_give_the_same_case(chosen, rng) -> None:  # type: ignore[no-untyped-def]
    commands = [command(step) for step in chosen]
    in_order, _ = run(opened(), commands)
    shuffled = commands * 2  # every delivery twice, in any order
    rng.shuffle(shuffled)
    any_order, decided = run(opened(), shuffled)
    assert set(any_order.steps) == set(in_order.steps), "the same steps, whatever the order"
    assert len(any_order.steps) == len(set(any_order.steps)), "a repeated delivery is recorded once"
    assert verdict_of(any_order) == verdict_of(in_order), "the planning verdict does not depend on arrival order"
    processed = [e for e in decided if isinstance(e, CaseProcessed)]
    if verdict_of(any_order) is None:
        assert processed == []
    else:  # the last verdict published is the case's verdict, and the fold keeps it
        last = processed[-1]
        assert (tuple(last.critical_issues), last.approved_at) == (verdict_of(any_order).critical_issues,
                                                                   verdict_of(any_order).approved_at)
        assert any_order.verdict == verdict_of(any_order)


@settings(max_examples=200, deadline=None)
@given(steps)
def test_deciding_again_what_was_applied_decides_nothing(chosen) -> None:  # type: ignore[no-untyped-def]
    commands = [command(step) for step in chosen]
    state, _ = run(opened(), commands)
    assert all(decide(state, each) == [] for each in commands)
