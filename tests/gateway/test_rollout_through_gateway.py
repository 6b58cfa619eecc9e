"""Whole rollouts through the gateway: a 30-location SoftSmile programme and a 12-location Spark one.

Every real service runs behind the real gateway; the test drives them over HTTP, and publishes
metrics' and training's contract events (KPI measurements, training status) the way those
services do, as the evidence the gates read. Dates follow the seeds' weeks from a Monday start.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import httpx
import nats

from services.gateway.app import create_app
from shared.contracts.base import DomainEvent
from shared.contracts.metrics import KpiValue, LocationKpisMeasured
from shared.contracts.training import LocationTrainingStatusChanged
from shared.events import AggregateRef, Metadata
from shared.eventstore.jetstream import JetStreamEventStore
from tests.conftest import bearer, serve
from tests.gateway.test_training_through_gateway import eventually
from tests.waves.factories import pre_implementation_done

START = "2027-01-04"  # a Monday
SCORES = {  # composite -> the five factor scores (SoftSmile rubric L174-177)
    23: (5, 5, 5, 4, 4), 17: (4, 4, 3, 3, 3), 13: (3, 3, 3, 2, 2), 9: (2, 2, 2, 2, 1),
}
FACTORS = ("it_infrastructure", "staff_adaptability", "patient_volume", "tech_stack", "champion")
GOOD_SOFTSMILE = {"cases_without_critical_issue_pct": (92.0, 40, "since_go_live"),
                  "provider_satisfaction": (4.4, 5, "latest_survey"),
                  "case_acceptance_rate_pct": (58.0, 40, "since_go_live"),
                  "plan_turnaround_hours": (40.0, 40, "since_go_live")}


class Rollout:
    """One programme driven over the gateway, with the producers' evidence published on NATS."""

    def __init__(self, client: httpx.AsyncClient, store: JetStreamEventStore, org: str, token: Any) -> None:
        self.client, self.store, self.org = client, store, org
        self.admin = bearer(token(org))
        self.executive = bearer(token(org, "executive"))
        self.program = ""
        self.published: list[str] = []

    async def call(self, method: str, url: str, expect: int = 200, **kwargs: Any) -> Any:
        response = await self.client.request(method, url, headers=kwargs.pop("headers", self.admin), **kwargs)
        assert response.status_code == expect, f"{method} {url}: {response.status_code} {response.text}"
        return response.json()

    async def start(self, playbook: str, composites: list[int]) -> list[str]:
        body = {"name": f"{playbook} rollout", "playbook": playbook, "start_date": START}
        self.program = (await self.call("POST", "/api/v1/programs", 201, json=body, headers=self.executive))["id"]
        ids = []
        for index, composite in enumerate(composites):
            created = await self.call("POST", "/api/v1/locations", 201, json={
                "name": f"Practice {index:02d}", "region": ("north", "south")[index % 2], "program_id": self.program})
            await self.call("PUT", f"/api/v1/locations/{created['id']}/assessment", json={
                "scores": dict(zip(FACTORS, SCORES[composite], strict=True)), "assessor": "regional manager"})
            ids.append(created["id"])
        return ids

    async def plan(self) -> dict[str, Any]:
        return await self.call("GET", f"/api/v1/programs/{self.program}/plan")

    async def waves(self, expected: dict[str, int]) -> dict[str, list[str]]:
        """The plan once it places `expected` locations per wave (it follows readiness's events)."""
        async def counted() -> dict[str, Any]:
            return await self.plan()

        plan = await eventually(counted, lambda p: {w["key"]: w["locations"] for w in p["waves"]} == expected,
                                "wave placement")
        found: dict[str, list[str]] = {}
        for location in plan["locations"]:
            found.setdefault(location["wave"], []).append(location["location_id"])
        return found

    async def publish(self, service: str, location_id: str, event: DomainEvent) -> None:
        ref = AggregateRef(self.org, service, "location", location_id)
        stored = await self.store.append(ref, [event.to_new_event()], expected=(await self.store.load(ref)).revision,
                                         meta=Metadata(actor=f"system:{service}-test"))
        self.published += [e.id for e in stored]

    async def evidence(self, locations: list[str], kpis: dict[str, tuple[Any, int, str]]) -> None:
        for location_id in locations:
            await self.publish("metrics", location_id, LocationKpisMeasured(
                location_id=location_id, program_id=self.program, as_of=datetime.now(UTC), first_sequence=1,
                last_sequence=50, values={k: KpiValue(value=v, n=n, window=w) for k, (v, n, w) in kpis.items()}))
            await self.publish("training", location_id, LocationTrainingStatusChanged(
                location_id=location_id, program_id=self.program, staff_total=6, staff_trained=6,
                completion_pct=100.0, as_of=datetime.now(UTC)))

    async def baselines(self, locations: list[str], values: dict[str, float]) -> None:
        for location_id in locations:
            await self.call("PUT", f"/api/v1/locations/{location_id}/baseline", json={"metrics": [
                {"metric": m, "value": v, "period_start": "2026-09-01", "period_end": "2026-11-15", "sample_size": 40}
                for m, v in values.items()]})

    async def go_live(self, location_id: str, day: str, expect: int = 200) -> Any:
        return await self.call("POST", f"/api/v1/programs/{self.program}/locations/{location_id}/go-live", expect,
                               json={"date": day})

    async def evaluate(self, gate: str, until: Any) -> dict[str, Any]:
        url = f"/api/v1/programs/{self.program}/gates/{gate}/evaluate"
        return await eventually(lambda: self.call("POST", url), until, f"evaluation of {gate}")

    async def decide(self, gate: str, decision: str) -> dict[str, Any]:
        return await self.call("POST", f"/api/v1/programs/{self.program}/gates/{gate}/decision",
                               json={"decision": decision, "rationale": f"{decision} after review"},
                               headers=self.executive)

    async def incident(self, location_id: str, severity: int, category: str) -> str:
        opened = await self.call("POST", f"/api/v1/programs/{self.program}/locations/{location_id}/incidents", 201,
                                 json={"severity": severity, "category": category, "description": "scans fail"})
        return str(opened["incident_id"])

    async def resolve(self, incident_id: str) -> None:
        await self.call("POST", f"/api/v1/programs/{self.program}/incidents/{incident_id}/resolve",
                        json={"resolution": "vendor patch"})


def statuses(gate: dict[str, Any]) -> dict[str, str]:
    return {r["key"]: r["status"] for r in gate["evaluation"]["results"]}


@asynccontextmanager
async def rollout(gateway_settings: Any, service_urls: dict[str, str], platform: Any, token: Any,
                  org: str) -> AsyncIterator[Rollout]:
    nc = await nats.connect(platform.nats_url)
    try:
        async with serve(create_app(gateway_settings(**service_urls))) as client:
            yield Rollout(client, JetStreamEventStore(nc), org, token)
    finally:
        await nc.close()


async def test_a_30_location_softsmile_rollout_through_every_gate(
    gateway_settings, service_urls, platform, token, org
) -> None:
    async with rollout(gateway_settings, service_urls, platform, token, org) as run:
        await run.start("softsmile-dso", [23] * 3 + [17] * 8 + [13] * 17 + [9] * 2)
        waves = await run.waves({"wave-1": 3, "wave-2": 8, "wave-3": 17})
        assert len((await run.plan())["unscheduled"]) == 2  # remediation, with the blocking scores
        pilot, second, third = waves["wave-1"], waves["wave-2"], waves["wave-3"]
        await run.baselines(pilot + second, {"case_acceptance_rate_pct": 50.0, "plan_turnaround_hours": 72.0})

        # Wave 1 waits for the gating pre-implementation checklists, then goes live together in week 5 (L213).
        refused = await run.go_live(pilot[0], "2027-02-01", 422)
        assert refused["error"]["field"] == "checklists"
        await pre_implementation_done(run.client, run.admin, run.program)
        for location_id in pilot:
            await run.go_live(location_id, "2027-02-01")

        # Gate 1 -> 2 with no measurements yet: insufficient data, never a pass.
        empty = await run.evaluate("wave-1-to-wave-2", lambda g: g["evaluation"] is not None)
        assert not empty["evaluation"]["passed"] and "insufficient_data" in statuses(empty).values()
        await run.evidence(pilot, GOOD_SOFTSMILE)
        passing = await run.evaluate("wave-1-to-wave-2", lambda g: g["evaluation"]["passed"])
        cases = next(r for r in passing["evaluation"]["results"] if r["key"] == "cases-without-critical-issues")
        assert cases["n"] == 120 and {s.removeprefix("event:") for s in cases["source"]} & set(run.published)
        assert (await run.decide("wave-1-to-wave-2", "go"))["decision"]["decision"] == "go"

        # A severity-2 incident holds only its own location; the rest of wave 2 goes live in weeks 9-10.
        held = await run.incident(second[0], 2, "pms-sync")
        assert (await run.go_live(second[0], "2027-03-01", 422))["error"]["field"] == "location_id"
        for index, location_id in enumerate(second[1:]):
            await run.go_live(location_id, ("2027-03-01", "2027-03-08")[index % 2])
        await run.resolve(held)
        await run.go_live(second[0], "2027-03-08")

        # The same category open at two wave-3 locations is systemic: wave 3 is held, with the reason.
        systemic = [await run.incident(location_id, 3, "scanner-import") for location_id in third[:2]]
        plan = await run.plan()
        wave_3 = next(w for w in plan["waves"] if w["key"] == "wave-3")
        assert wave_3["paused"] and "systemic scanner-import issue open at 2 locations" in wave_3["pause_reasons"]
        await run.resolve(systemic[0])
        assert not next(w for w in (await run.plan())["waves"] if w["key"] == "wave-3")["paused"]

        # Gate 2 -> 3 fails (provider satisfaction 3.2 < 4): no-go, pause, review, root cause, restart, resume.
        await run.evidence(second, GOOD_SOFTSMILE | {"provider_satisfaction": (3.2, 8, "latest_survey")})
        failing = await run.evaluate("wave-2-to-wave-3",
                                     lambda g: statuses(g).get("provider-satisfaction") == "fail")
        assert not failing["evaluation"]["passed"]
        await run.decide("wave-2-to-wave-3", "no_go")
        assert (await run.go_live(third[2], "2027-04-05", 422))["error"]["field"] == "wave"
        [pause] = await run.call("GET", f"/api/v1/programs/{run.program}/pauses")
        pauses = f"/api/v1/programs/{run.program}/pauses/{pause['pause_id']}"
        await run.call("POST", f"{pauses}/review", json={"summary": "providers distrust the AI plans"})
        cause = await run.call("POST", f"{pauses}/root-cause", json={"category": "training",
                                                                     "description": "provider training too short"})
        assert cause["remediation"] == "remedial training" and cause["remediation_due_at"]
        blocked = await run.client.post(f"{pauses}/resume", headers=run.executive)
        assert blocked.status_code == 409 and "root-cause-resolved" in blocked.text
        for criterion in ("root-cause-resolved", "preventive-measures", "executive-approval"):
            await run.call("POST", f"{pauses}/criteria/{criterion}", json={"note": "done"}, headers=run.executive)
        assert (await run.call("POST", f"{pauses}/resume", headers=run.executive))["resumed_at"]

        # A live location reverts to the old workflow with the patient script ready.
        reverted = await run.call("POST", f"/api/v1/programs/{run.program}/locations/{pilot[0]}/revert", json={
            "date": "2027-03-15", "reason": "scanner outage", "patient_script_ready": True})
        assert next(loc for loc in reverted["locations"] if loc["location_id"] == pilot[0])["reverted_on"]
        board = await run.call("GET", f"/api/v1/programs/{run.program}/gates")
        assert [g["decision"]["decision"] for g in board] == ["go", "no_go"]


async def test_a_12_location_spark_rollout_through_its_pilot_gate(
    gateway_settings, service_urls, platform, token, org
) -> None:
    async with rollout(gateway_settings, service_urls, platform, token, org) as run:
        await run.start("spark-dso", [23] * 3 + [17] * 5 + [13] * 4)
        waves = await run.waves({"wave-1": 3, "wave-2": 5, "wave-3": 4})
        pilot = waves["wave-1"]
        # Spark's pilot goes live on the Monday of week 5, after configuration and on-site training (weeks 3-4).
        planned = {loc["planned_go_live"] for loc in (await run.plan())["locations"] if loc["wave"] == "wave-1"}
        assert planned == {"2027-02-01"}
        tuesday = await run.call("PUT", f"/api/v1/programs/{run.program}/locations/{pilot[0]}/go-live-date", 422,
                                 json={"date": "2027-02-02"})
        assert "monday" in tuesday["error"]["message"]
        await run.baselines(pilot, {"planning_time_minutes": 20.0})
        await pre_implementation_done(run.client, run.admin, run.program, "spark-dso")
        for location_id in pilot:
            await run.go_live(location_id, "2027-02-01")
        await run.evidence(pilot, {"platform_adoption_pct": (86.0, 50, "since_go_live"),
                                   "clinician_satisfaction": (8.1, 9, "latest_survey"),
                                   "planning_time_minutes": (14.0, 50, "since_go_live")})
        gate = await run.evaluate("pilot-success", lambda g: g["evaluation"]["passed"])
        planning = next(r for r in gate["evaluation"]["results"] if r["key"] == "planning-time")
        assert (planning["baseline"], planning["current"], round(planning["measured"])) == (20.0, 14.0, 30)
        await run.decide("pilot-success", "go")
        await run.go_live(waves["wave-2"][0], "2027-03-01")
