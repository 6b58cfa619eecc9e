"""Live KPIs: pure measurement with n and window, and over HTTP the published `LocationKpisMeasured`,
the go-live window, the program view and a rebuild to the same rows — real NATS, SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from services.metrics.kpis.handlers import kpis_ref
from services.metrics.kpis.measure import CaseFacts, measure
from shared.eventstore.jetstream import JetStreamEventStore
from tests.conftest import bearer, serve
from tests.metrics.factories import create_program, rebuild_all, register_location, snapshot, went_live

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def facts(submitted_h: float, approved_h: float | None, *, scanned_h: float | None = None, revisions: int = 0,
          decision: str | None = None, decided_h: float | None = None, critical: bool | None = None) -> CaseFacts:
    def at(h: float | None) -> datetime | None:
        return None if h is None else T0 + timedelta(hours=h)
    return CaseFacts(at(submitted_h), at(scanned_h), at(approved_h), decision, at(decided_h), revisions,
                     approved_h is not None, critical if approved_h is not None else None)


def test_each_kpi_carries_n_and_the_window() -> None:
    cases = [facts(0, 24, scanned_h=-0.5, revisions=1, decision="accepted", decided_h=48, critical=False),
             facts(10, 58, revisions=3, decision="accepted", decided_h=58 + 24 * 8, critical=True),
             facts(20, None)]
    values = measure(cases, went_live=None, acceptance_within_days=7)
    assert (values["plan_turnaround_hours"].value, values["plan_turnaround_hours"].n) == (36.0, 2)
    assert (values["planning_time_minutes"].value, values["planning_time_minutes"].n) == (1470.0, 1)
    assert (values["revisions_per_case"].value, values["revisions_per_case"].n) == (2.0, 2)
    assert (values["case_acceptance_rate_pct"].value, values["case_acceptance_rate_pct"].n) == (50.0, 2)
    assert (values["cases_without_critical_issue_pct"].value, values["cases_without_critical_issue_pct"].n) == (50, 2)
    assert (values["aligner_cases_per_month"].value, values["aligner_cases_per_month"].n) == (3.0, 3)
    assert {v.window for v in values.values()} == {"all", "trailing_30_days", "trailing_14_days"}
    # Without an acceptance window (SoftSmile) the late acceptance counts.
    assert measure(cases, went_live=None, acceptance_within_days=None)["case_acceptance_rate_pct"].value == 100.0
    # Since go-live: only cases submitted from that day on.
    live = measure(cases, went_live=date(2026, 3, 3), acceptance_within_days=7)
    assert live["plan_turnaround_hours"].n == 0 and live["plan_turnaround_hours"].value is None
    assert (live["aligner_cases_per_month"].n, live["aligner_cases_per_month"].window) == (1, "since_go_live")


def test_workload_people_and_lab_kpis() -> None:
    def case(submitted_h: float, approved_h: float | None, provider: str, **extra: object) -> CaseFacts:
        base = facts(submitted_h, approved_h, decision=extra.pop("decision", None),  # type: ignore[arg-type]
                     decided_h=extra.pop("decided_h", None))  # type: ignore[arg-type]
        return replace(base, provider_id=provider, **extra)  # type: ignore[arg-type]

    day = 24.0
    cases = [
        case(0, 5, "dr-a", review_minutes=12.0, decision="accepted", decided_h=30, refinements=2,
             delivered_at=T0 + timedelta(days=8), procedure_posted=True),
        case(1, 9, "dr-a", review_minutes=18.0, decision="declined", decided_h=40),
        case(2, 7, "dr-b", decision="accepted", decided_h=50, refinements=0,
             lab_export_failures_at=(T0 + timedelta(days=40), T0 + timedelta(days=2))),
        case(40 * day, None, "dr-b"),
        case(41 * day, None, "dr-c"),
    ]
    values = measure(cases, went_live=None, acceptance_within_days=None, outside_platform=3)
    assert (values["provider_review_minutes"].value, values["provider_review_minutes"].n) == (15.0, 2)
    assert (values["refinements_per_case"].value, values["refinements_per_case"].n) == (1.0, 2)
    assert (values["case_backlog"].value, values["case_backlog"].n) == (2, 5)
    assert (values["plans_per_clinician_min"].value, values["plans_per_clinician_min"].n) == (0, 3)  # dr-c: none
    # Active in the last 30 days of the window (which ends on day 41): dr-b and dr-c of three.
    assert (values["monthly_active_users_pct"].value, values["monthly_active_users_pct"].n) == (66.67, 3)
    assert (values["lab_turnaround_days"].value, values["lab_turnaround_days"].n) == (8.0, 1)
    assert values["lab_export_failures"].value == 1  # the day-2 failure is older than 14 days
    assert (values["platform_adoption_pct"].value, values["platform_adoption_pct"].n) == (25.0, 4)
    assert measure(cases, went_live=None, acceptance_within_days=None)["platform_adoption_pct"].value == 100.0
    assert measure([], went_live=None, acceptance_within_days=None)["platform_adoption_pct"].n == 0


async def test_kpis_are_measured_published_windowed_and_rebuilt(app, token, org) -> None:
    admin = bearer(token(org))
    async with serve(app) as client:
        program = await create_program(app, org, "spark-dso")
        location = await register_location(app, org, "North Smiles", "north", program)

        async def case(patient: str, submitted_h: float, steps: list[tuple[str, float]]) -> None:
            created = await client.post(f"/api/v1/locations/{location}/cases", headers=admin, json={
                "patient": {"chart_number": patient}, "submitted_at": (T0 + timedelta(hours=submitted_h)).isoformat()})
            assert created.status_code == 201, created.text
            for kind, hours in steps:
                answer = await client.post(f"/api/v1/cases/{created.json()['id']}/events", headers=admin, json={
                    "type": kind, "occurred_at": (T0 + timedelta(hours=hours)).isoformat()})
                assert answer.status_code == 200, answer.text

        # Delivered out of order: approvals before the scans they follow.
        await case("A", 0, [("PlanApproved", 20), ("ScanUploaded", -1), ("PatientAccepted", 30)])
        await case("B", 48, [("RevisionRequested", 50), ("PlanApproved", 88), ("PatientDeclined", 90)])

        kpis = (await client.get(f"/api/v1/locations/{location}/kpis", headers=admin)).json()
        values = kpis["values"]
        assert (values["plan_turnaround_hours"]["value"], values["plan_turnaround_hours"]["n"]) == (30.0, 2)
        assert (values["revisions_per_case"]["value"], values["case_acceptance_rate_pct"]["value"]) == (0.5, 50.0)
        assert values["cases_without_critical_issue_pct"] == values["cases_without_critical_issue_pct"] | {
            "value": 100.0, "n": 2, "window": "all"}
        assert values["planning_time_minutes"]["n"] == 1 and kpis["went_live"] is None

        # Published: the latest LocationKpisMeasured carries the same values (coalesced, so poll for it).
        store = JetStreamEventStore(app.state.runtime.nc)
        for _ in range(200):
            events = (await store.load(kpis_ref(org, location))).events
            if events and events[-1].data["values"]["plan_turnaround_hours"]["n"] == 2:
                break
            await asyncio.sleep(0.05)
        latest = events[-1]
        assert latest.type == "LocationKpisMeasured"
        assert latest.data["values"]["plan_turnaround_hours"]["value"] == 30.0
        assert latest.data["last_sequence"] == kpis["last_sequence"]

        # After go-live (the day B was submitted) the window is since go-live: only B.
        await went_live(app, org, program, location, date(2026, 3, 4))
        live = (await client.get(f"/api/v1/locations/{location}/kpis", headers=admin)).json()
        turnaround = live["values"]["plan_turnaround_hours"]
        assert (turnaround["value"], turnaround["n"], turnaround["window"]) == (40.0, 1, "since_go_live")
        assert turnaround["window_start"].startswith("2026-03-04") and live["went_live"] == "2026-03-04"

        view = (await client.get(f"/api/v1/programs/{program}/kpis", headers=admin)).json()
        assert [loc["location_id"] for loc in view["locations"]] == [location]
        assert (await client.get("/api/v1/programs/nope/kpis", headers=admin)).status_code == 404

        before = snapshot(app.state.runtime.engine)
        await rebuild_all(app)
        assert snapshot(app.state.runtime.engine) == before
