"""Gates through HTTP: evidence from training, metrics and incident events; executives decide; rebuilds agree."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import nats
from sqlalchemy import Engine
from sqlmodel import Session, SQLModel, select

from services.waves.plan.models import GateDecisionRow, GateEvaluationRow, GoLiveRow, PauseRow
from services.waves.plan.projections import PlanProjection
from shared.contracts.training import ChampionModelEvidenced
from shared.db import make_engine
from shared.projections import store as read_store
from shared.projections.runner import ProjectionRunner
from tests.conftest import serve
from tests.waves.factories import (
    as_role,
    baseline,
    confirm_pilot,
    create_program,
    incident,
    kpis,
    publish,
    scored_location,
    training,
)

GATE = "wave-1-to-wave-2"
TABLES: tuple[type[SQLModel], ...] = (GoLiveRow, GateEvaluationRow, GateDecisionRow, PauseRow)


def snapshot(engine: Engine) -> list[list[dict[str, Any]]]:
    with Session(engine) as session:
        return [sorted((r.model_dump() for r in session.exec(select(t)).all()), key=repr) for t in TABLES]


async def replay(engine: Engine, nats_url: str, position: int) -> None:
    nc = await nats.connect(nats_url)
    runner = ProjectionRunner(nc=nc, engine=engine, projection=PlanProjection())
    try:
        await runner.start()
        await runner.wait_for(position)
    finally:
        await runner.stop()
        await nc.close()


def statuses(gate: dict[str, Any]) -> dict[str, str]:
    return {r["key"]: r["status"] for r in gate["evaluation"]["results"]}


async def pilot(app: Any, client: Any, token: Any, org: str) -> tuple[str, list[str]]:
    program = await create_program(client, as_role(token, org, "executive"))
    ids = [await scored_location(app, org, program, name, composite) for name, composite in (("A", 23), ("B", 21))]
    await confirm_pilot(app, org, program, ids)
    return program, ids


async def good_evidence(app: Any, org: str, program: str, ids: list[str]) -> None:
    """SoftSmile wave 1 -> 2 (L230-235) met at both pilot locations."""
    for index, location_id in enumerate(ids):
        await baseline(app, org, program, location_id, "case_acceptance_rate_pct", 50.0)
        await baseline(app, org, program, location_id, "plan_turnaround_hours", 72.0)
        await kpis(app, org, program, location_id, {
            "cases_without_critical_issue_pct": (90.0 + index, 30, "since_go_live"),
            "provider_satisfaction": (4.5, 4, "latest_survey"),
            "case_acceptance_rate_pct": (55.0, 30, "since_go_live"),
            "plan_turnaround_hours": (40.0, 30, "since_go_live"),
        }, sequences=(10 * index + 1, 10 * index + 9))
        await training(app, org, program, location_id, 12, 12)


async def test_gate_insufficient_then_passing_then_decided_once_by_an_executive(
    app, token, org, database_url, nats_server
) -> None:
    executive, planner = as_role(token, org, "executive"), as_role(token, org, "regional_admin", regions=("north",))
    async with serve(app) as client:
        program, ids = await pilot(app, client, token, org)
        gates = f"/api/v1/programs/{program}/gates"
        decide = f"{gates}/{GATE}/decision"
        early = await client.post(decide, json={"decision": "go", "rationale": "looks fine"}, headers=executive)
        assert early.status_code == 409 and "not been evaluated" in early.text

        # No evidence yet: every measured criterion is insufficient; the gate does not pass.
        empty = (await client.post(f"{gates}/{GATE}/evaluate", headers=planner)).json()
        assert statuses(empty) == {
            "cases-without-critical-issues": "insufficient_data", "provider-satisfaction": "insufficient_data",
            "no-sev1-sev2": "pass", "training-completion": "insufficient_data",
            "case-acceptance": "insufficient_data", "turnaround": "insufficient_data",
        }
        assert not empty["evaluation"]["passed"] and "awaiting an executive decision" in empty["blocking"]

        await good_evidence(app, org, program, ids)
        passing = await client.post(f"{gates}/{GATE}/evaluate", headers=planner)
        assert passing.status_code == 200, passing.text
        gate = passing.json()
        assert gate["evaluation"]["passed"] and set(statuses(gate).values()) == {"pass"}
        results = {r["key"]: r for r in gate["evaluation"]["results"]}
        # n-weighted over both locations: (90 * 30 + 91 * 30) / 60; traced to both KPI events' stream ranges.
        cases = results["cases-without-critical-issues"]
        assert (cases["measured"], cases["n"], cases["window"]) == (90.5, 60, "since_go_live")
        assert {"metrics:1-9", "metrics:11-19"} <= set(cases["source"])
        turnaround = results["turnaround"]
        assert (turnaround["baseline"], turnaround["current"]) == (72.0, 40.0)
        assert round(turnaround["measured"], 2) == 44.44 and turnaround["threshold"] == 30
        assert len(gate["evaluation"]["locations"]) == 2
        assert all(loc["passed"] for loc in gate["evaluation"]["locations"])

        provider = as_role(token, org, "provider", locations=(ids[0],))
        body = {"decision": "go", "rationale": "pilot criteria met"}
        assert (await client.post(decide, json=body, headers=provider)).status_code == 403
        assert (await client.post(decide, json=body, headers=planner)).status_code == 403
        go = await client.post(decide, json=body, headers=executive)
        assert go.status_code == 200, go.text
        assert go.json()["decision"] | {"decided_at": None} == {
            "evaluation_id": gate["evaluation"]["evaluation_id"], "decision": "go", "rationale": "pilot criteria met",
            "override": False, "override_reason": None, "decided_by": go.json()["decision"]["decided_by"],
            "decider_role": "executive", "decided_at": None,
        }
        assert go.json()["blocking"] == []
        twice = await client.post(decide, json=body, headers=executive)
        assert twice.status_code == 409 and "already decided" in twice.text
        board = (await client.get(gates, headers=provider)).json()
        assert [g["key"] for g in board] == [GATE, "wave-2-to-wave-3"]
        assert board[0]["evaluate_on"] == "2025-10-12" and board[1]["blocking"] == ["not evaluated"]
        position = int(go.headers["X-Event-Position"])

    engine = make_engine(database_url)
    try:
        before = snapshot(engine)
        assert [len(rows) for rows in before] == [0, 2, 1, 0]
        await asyncio.to_thread(read_store.reset, engine, PlanProjection())
        assert snapshot(engine) == [[], [], [], []]
        await replay(engine, nats_server.url, position)
        assert snapshot(engine) == before
    finally:
        engine.dispose()


async def test_a_failing_gate_needs_an_override_for_go_and_a_no_go_pauses_go_lives(app, token, org) -> None:
    executive = as_role(token, org, "executive")
    async with serve(app) as client:
        program, ids = await pilot(app, client, token, org)
        await good_evidence(app, org, program, ids)
        await incident(app, org, program, ids[0], severity=2)
        gates = f"/api/v1/programs/{program}/gates"
        failed = (await client.post(f"{gates}/{GATE}/evaluate", headers=executive)).json()
        assert statuses(failed)["no-sev1-sev2"] == "fail" and not failed["evaluation"]["passed"]
        by_location = {loc["location_id"]: loc["passed"] for loc in failed["evaluation"]["locations"]}
        assert by_location == {ids[0]: False, ids[1]: True}
        assert any("No unresolved Severity 1" in b for b in failed["blocking"])

        decide = f"{gates}/{GATE}/decision"
        bare = await client.post(decide, json={"decision": "go", "rationale": "ship it"}, headers=executive)
        assert bare.status_code == 422 and "override_reason" in bare.text
        no_go = await client.post(decide, json={"decision": "no_go", "rationale": "sev-2 open at A"},
                                  headers=executive)
        assert no_go.status_code == 200, no_go.text
        assert no_go.json()["decision"]["decision"] == "no_go"
        plan = (await client.get(f"/api/v1/programs/{program}/plan", headers=executive)).json()
        assert all(w["paused"] for w in plan["waves"])
        assert plan["waves"][0]["pause_reasons"] == [f"no-go on gate {GATE}: sev-2 open at A"]
        # Deployment to new locations is paused: B's go-live is refused, naming the pause.
        live = await client.post(f"/api/v1/programs/{program}/locations/{ids[1]}/go-live",
                                 json={"date": "2025-09-29"}, headers=as_role(token, org, "super_admin"))
        assert live.status_code == 422 and "paused" in live.text

        # The no-go path: review due within 24 h, root cause sets the remediation deadline, restart checklist.
        [pause] = (await client.get(f"/api/v1/programs/{program}/pauses", headers=executive)).json()
        assert pause["gate"] == GATE and pause["review_due_at"] and not pause["review_overdue"]
        paused_at, due = datetime.fromisoformat(pause["paused_at"]), datetime.fromisoformat(pause["review_due_at"])
        assert due - paused_at == timedelta(hours=24)
        pauses = f"/api/v1/programs/{program}/pauses/{pause['pause_id']}"
        early = await client.post(f"{pauses}/resume", headers=executive)
        assert early.status_code == 409
        assert "incident review, root cause, root-cause-resolved, preventive-measures, executive-approval" in early.text
        planner = as_role(token, org, "regional_admin", regions=("north",))
        assert (await client.post(f"{pauses}/review", json={"summary": "vendor bug in import"},
                                  headers=planner)).status_code == 200
        wrong = await client.post(f"{pauses}/root-cause", json={"category": "weather", "description": "x"},
                                  headers=planner)
        assert wrong.status_code == 422 and "technical" in wrong.text
        cause = (await client.post(f"{pauses}/root-cause", json={"category": "technical",
                                                                  "description": "scanner import"},
                                   headers=planner)).json()
        # Technical: vendor fix within 5 business days (L249).
        assert cause["remediation"] == "vendor fix"
        recorded = datetime.fromisoformat(cause["remediation_due_at"])
        assert recorded.weekday() < 5 and timedelta(days=5) <= recorded - paused_at <= timedelta(days=7, hours=1)
        for criterion in ("root-cause-resolved", "preventive-measures"):
            met = await client.post(f"{pauses}/criteria/{criterion}", json={"note": "verified"}, headers=planner)
            assert met.status_code == 200, met.text
        missing = await client.post(f"{pauses}/resume", headers=executive)
        assert missing.status_code == 409 and "executive-approval" in missing.text
        await client.post(f"{pauses}/criteria/executive-approval", json={"note": "approved"}, headers=executive)
        assert (await client.post(f"{pauses}/resume", headers=planner)).status_code == 403
        resumed = await client.post(f"{pauses}/resume", headers=executive)
        assert resumed.status_code == 200, resumed.text
        assert resumed.json()["resumed_at"] and resumed.json()["missing_criteria"] == []
        plan = (await client.get(f"/api/v1/programs/{program}/plan", headers=executive)).json()
        assert not any(w["paused"] for w in plan["waves"])

        # A new evaluation may be decided with an explicit override, marked as such.
        await client.post(f"{gates}/{GATE}/evaluate", headers=executive)
        override = await client.post(decide, json={"decision": "go", "rationale": "vendor fix deployed",
                                                   "override_reason": "sev-2 has a workaround"}, headers=executive)
        assert override.status_code == 200, override.text
        assert override.json()["decision"]["override"] is True


async def test_an_unknown_gate_is_404(app, token, org) -> None:
    executive = as_role(token, org, "executive")
    async with serve(app) as client:
        program, _ = await pilot(app, client, token, org)
        missing = await client.post(f"/api/v1/programs/{program}/gates/nope/evaluate", headers=executive)
        assert missing.status_code == 404 and "nope" in missing.text


async def champion_model(app: Any, org: str, program: str, location_id: str, validated: bool) -> None:
    await publish(app, org, "training", "location", location_id, ChampionModelEvidenced(
        location_id=location_id, program_id=program, wave="wave-2", validated=validated, staff_trained=6,
        trained_by_certified_champions=6, trained_by_earlier_wave_champions=2 if validated else 0,
        reason=None if validated else "no one here was trained by a certified champion of an earlier wave",
        as_of=datetime.now(UTC)), projection="waves-evidence-champion-model")


async def test_the_champion_model_criterion_reads_trainings_evidence(app, token, org) -> None:
    """SoftSmile wave 2 -> 3 (L238): insufficient without training's evidence, fails until every wave-2 location
    was validated, and names the evidence event it came from."""
    planner = as_role(token, org, "regional_admin", regions=("north",))
    async with serve(app) as client:
        program, _ = await pilot(app, client, token, org)
        second = [await scored_location(app, org, program, name, 16) for name in ("C", "D")]
        evaluate = f"/api/v1/programs/{program}/gates/wave-2-to-wave-3/evaluate"

        def champion(gate: dict[str, Any]) -> dict[str, Any]:
            return next(r for r in gate["evaluation"]["results"] if r["key"] == "champion-model")

        assert champion((await client.post(evaluate, headers=planner)).json())["status"] == "insufficient_data"
        await champion_model(app, org, program, second[0], True)
        assert champion((await client.post(evaluate, headers=planner)).json())["status"] == "insufficient_data"
        await champion_model(app, org, program, second[1], False)
        failing = champion((await client.post(evaluate, headers=planner)).json())
        assert (failing["status"], failing["measured"]) == ("fail", False)
        await champion_model(app, org, program, second[1], True)
        passing = champion((await client.post(evaluate, headers=planner)).json())
        assert (passing["status"], passing["measured"], passing["n"]) == ("pass", True, 12)
        assert len(passing["source"]) == 2 and all(s.startswith("event:") for s in passing["source"])


async def test_what_if_thresholds_and_locations_record_nothing(app, token, org) -> None:
    planner = as_role(token, org, "regional_admin", regions=("north",))
    async with serve(app) as client:
        program, ids = await pilot(app, client, token, org)
        await good_evidence(app, org, program, ids)
        gates = f"/api/v1/programs/{program}/gates"
        recorded = (await client.post(f"{gates}/{GATE}/evaluate", headers=planner)).json()
        assert recorded["evaluation"]["passed"]

        # Providers' satisfaction is 4.5: a bar of 4.8 would fail the gate; nothing is recorded.
        stricter = await client.post(f"{gates}/{GATE}/simulate", headers=planner,
                                     json={"thresholds": {"provider-satisfaction": 4.8}})
        assert stricter.status_code == 200, stricter.text
        what_if = stricter.json()
        assert not what_if["passed"] and what_if["evaluation_id"] == "what-if"
        result = next(r for r in what_if["results"] if r["key"] == "provider-satisfaction")
        assert (result["status"], result["threshold"], result["measured"]) == ("fail", 4.8, 4.5)
        # One location alone: the same evaluator over its evidence only.
        alone = (await client.post(f"{gates}/{GATE}/simulate", headers=planner,
                                   json={"location_ids": [ids[0]]})).json()
        assert [loc["location_id"] for loc in alone["locations"]] == [ids[0]] and alone["passed"]
        cases = next(r for r in alone["results"] if r["key"] == "cases-without-critical-issues")
        assert (cases["measured"], cases["n"]) == (90.0, 30)

        unknown = await client.post(f"{gates}/{GATE}/simulate", headers=planner, json={"thresholds": {"vibes": 3}})
        assert unknown.status_code == 422 and unknown.json()["error"]["field"] == "thresholds.vibes"
        stranger = await client.post(f"{gates}/{GATE}/simulate", headers=planner, json={"location_ids": ["nope"]})
        assert stranger.status_code == 422 and stranger.json()["error"]["field"] == "location_ids[0]"
        provider = as_role(token, org, "provider", locations=(ids[0],))
        assert (await client.post(f"{gates}/{GATE}/simulate", headers=provider, json={})).status_code == 403
        board = (await client.get(gates, headers=planner)).json()
        assert board[0]["evaluation"]["evaluation_id"] == recorded["evaluation"]["evaluation_id"]
