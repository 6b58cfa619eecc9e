"""The wave plan through HTTP: readiness events place locations; go-lives are recorded facts."""

from __future__ import annotations

from datetime import date
from typing import Any

import icalendar
import pytest

from services.waves.plan.cadence import check_go_live_date
from services.waves.plan.reactions import AssignWavesOnReadiness
from shared.errors import DomainError
from shared.events import AggregateRef
from shared.eventstore.jetstream import JetStreamEventStore
from shared.playbooks import get_template
from tests.conftest import serve
from tests.waves.factories import (
    as_role,
    baseline,
    confirm_pilot,
    create_program,
    incident,
    pre_implementation_done,
    scored_location,
)


async def wave_assignments(app, org: str, program: str) -> dict[str, tuple[str | None, str]]:
    """The plan's published placements, once the reaction has handled every readiness event so far."""
    runtime = app.state.runtime
    store = JetStreamEventStore(runtime.nc)
    readiness_end = (await runtime.nc.jetstream().stream_info("DSO_READINESS")).state.last_seq
    await runtime.reactors[AssignWavesOnReadiness.name].wait_for(readiness_end)
    history = await store.load(AggregateRef(org, "waves", "plan", program))
    latest = {}
    for event in history.events:
        if event.type == "LocationWaveAssigned":
            latest[event.data["location_id"]] = (event.data["wave"], event.data["reason"])
    return latest


async def test_plan_places_locations_and_a_go_live_needs_baselines_and_scope(app, token, org) -> None:
    executive = as_role(token, org, "executive")
    async with serve(app) as client:
        program = await create_program(client, executive)
        ids = {name: await scored_location(app, org, program, name, composite)
               for name, composite in (("A", 23), ("B", 21), ("E", 20), ("F", 22), ("C", 16), ("D", 11))}
        plan = (await client.get(f"/api/v1/programs/{program}/plan", headers=executive)).json()
        where = {loc["name"]: (loc["wave"], loc["planned_week"]) for loc in plan["locations"]}
        # Wave 1 holds 3 (L196): the lowest of four high scorers waits for wave 2, with the reason.
        assert where == {"A": ("wave-1", 5), "F": ("wave-1", 5), "B": ("wave-1", 5), "E": ("wave-2", 9),
                         "C": ("wave-2", 9)}
        waiting = next(loc for loc in plan["locations"] if loc["name"] == "E")
        assert waiting["reason"] == "wave-1 full (capacity 3): composite 20 waits for wave-2"
        [remediation] = plan["unscheduled"]
        assert remediation["name"] == "D" and remediation["blocking_scores"]
        assert "below 12" in remediation["reason"]
        assert [w["capacity"] for w in plan["waves"]] == [3, 8, None]

        # Each placement is published as `LocationWaveAssigned` (the latest per location is the plan's).
        assigned = await wave_assignments(app, org, program)
        assert assigned[ids["E"]] == ("wave-2", "wave-1 full (capacity 3): composite 20 waits for wave-2")
        assert assigned[ids["D"]][0] is None and {assigned[ids[n]][0] for n in "ABF"} == {"wave-1"}

        # The confirmed pilot set is wave 1.
        await confirm_pilot(app, org, program, [ids["A"], ids["C"]])
        assigned = await wave_assignments(app, org, program)
        assert {loc for loc, (wave, _) in assigned.items() if wave == "wave-1"} == {ids["A"], ids["C"]}
        assert assigned[ids["B"]] == ("wave-2", "recommended wave-1, not in the confirmed pilot set")
        plan = (await client.get(f"/api/v1/programs/{program}/plan", headers=executive)).json()
        assert {loc["name"] for loc in plan["locations"] if loc["wave"] == "wave-1"} == {"A", "C"}

        url = f"/api/v1/programs/{program}/locations/{ids['A']}/go-live"
        admin_a = as_role(token, org, "location_admin", locations=(ids["A"],))
        refused = await client.post(url, json={"date": "2025-09-29"}, headers=admin_a)
        assert refused.status_code == 422, refused.text
        assert "case_acceptance_rate_pct" in refused.text and "plan_turnaround_hours" in refused.text
        assert "vendor-onboarding: license-agreement" in refused.text  # gating pre-implementation items
        await pre_implementation_done(client, as_role(token, org, "super_admin"), program)
        await baseline(app, org, program, ids["A"], "case_acceptance_rate_pct", 55.0)
        await baseline(app, org, program, ids["A"], "plan_turnaround_hours", 72.0)
        other_region = as_role(token, org, "regional_admin", regions=("south",))
        assert (await client.post(url, json={"date": "2025-09-29"}, headers=other_region)).status_code == 403
        provider = as_role(token, org, "provider", locations=(ids["A"],))
        assert (await client.post(url, json={"date": "2025-09-29"}, headers=provider)).status_code == 403
        live = await client.post(url, json={"date": "2025-09-29"}, headers=admin_a)
        assert live.status_code == 200, live.text
        a = next(loc for loc in live.json()["locations"] if loc["location_id"] == ids["A"])
        assert (a["went_live_on"], a["planned_go_live"]) == ("2025-09-29", "2025-09-29")
        again = await client.post(url, json={"date": "2025-09-30"}, headers=admin_a)
        assert again.status_code == 409

        # Revert to the old workflow needs the patient script (L247); a re-launch is a new go-live.
        revert = f"/api/v1/programs/{program}/locations/{ids['A']}/revert"
        unready = await client.post(revert, json={"date": "2025-10-02", "reason": "scanner outage"}, headers=admin_a)
        assert unready.status_code == 422 and "patient_script_ready" in unready.text
        reverted = await client.post(revert, json={"date": "2025-10-02", "reason": "scanner outage",
                                                   "patient_script_ready": True}, headers=admin_a)
        assert reverted.status_code == 200, reverted.text
        a = next(loc for loc in reverted.json()["locations"] if loc["location_id"] == ids["A"])
        assert a["reverted_on"] == "2025-10-02"
        assert (await client.post(revert, json={"date": "2025-10-03", "reason": "again",
                                                "patient_script_ready": True}, headers=admin_a)).status_code == 409
        relaunch = await client.post(url, json={"date": "2025-10-06"}, headers=admin_a)
        assert relaunch.status_code == 200, relaunch.text
        a = next(loc for loc in relaunch.json()["locations"] if loc["location_id"] == ids["A"])
        assert (a["went_live_on"], a["reverted_on"]) == ("2025-10-06", None)

        # Wave 2 waits for a go on the wave-1 gate.
        regional = as_role(token, org, "regional_admin", regions=("north",))
        early = await client.post(f"/api/v1/programs/{program}/locations/{ids['E']}/go-live",
                                  json={"date": "2025-10-27"}, headers=regional)
        assert early.status_code == 422 and "wave-1-to-wave-2" in early.text
        # A location role sees only its own location.
        mine = (await client.get(f"/api/v1/programs/{program}/plan", headers=admin_a)).json()
        assert [loc["location_id"] for loc in mine["locations"] + mine["unscheduled"]] == [ids["A"]]


async def test_plan_ics_imports_with_a_real_parser(app, token, org) -> None:
    executive = as_role(token, org, "executive")
    async with serve(app) as client:
        program = await create_program(client, executive, playbook="spark-dso", start="2025-09-03")
        ids = [await scored_location(app, org, program, f"Clinic, {n}; \\ long name " + "x" * 60, 22) for n in "AB"]
        await confirm_pilot(app, org, program, ids)
        answer = await client.get(f"/api/v1/programs/{program}/plan.ics", headers=executive)
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/calendar")
    parsed = icalendar.Calendar.from_ical(answer.content)
    events = {str(e["UID"]): e for e in parsed.walk("VEVENT")}
    # Spark: the whole pilot on the Monday of week 5, after configuration and on-site training (L32-41, L51).
    for location_id in ids:
        event = events[f"go-live-{program}-{location_id}@dso-rollout"]
        assert event.decoded("DTSTART") == date(2025, 10, 6)
        assert str(event["SUMMARY"]).startswith("Clinic, ") and "planned go-live (wave-1)" in str(event["SUMMARY"])
    # The pilot-success gate at the end of week 6 (L42).
    assert events[f"gate-{program}-pilot-success@dso-rollout"].decoded("DTSTART") == date(2025, 10, 14)
    assert all(len(line) <= 75 for line in answer.content.split(b"\r\n"))


async def test_what_if_plan_under_other_capacities_moves_and_pilots(app, token, org) -> None:
    executive = as_role(token, org, "executive")
    async with serve(app) as client:
        program = await create_program(client, executive)
        ids = {name: await scored_location(app, org, program, name, composite)
               for name, composite in (("A", 23), ("B", 21), ("E", 20), ("F", 22), ("C", 16), ("D", 11))}
        url = f"/api/v1/programs/{program}/plan/simulate"
        # Wave 1 with room for four: E no longer waits.
        roomy = await client.post(url, headers=executive, json={"capacity": {"wave-1": 4}})
        assert roomy.status_code == 200, roomy.text
        body = roomy.json()
        assert body["by_wave"] == {"wave-1": 4, "wave-2": 1, "wave-3": 0} and body["moved"] == [ids["E"]]
        # D moved into wave 3 and a two-location pilot of A and C.
        other = (await client.post(url, headers=executive, json={
            "waves": {ids["D"]: "wave-3"}, "pilot_location_ids": [ids["A"], ids["C"]]})).json()
        where = {p["location_id"]: (p["wave"], p["current_wave"]) for p in other["placements"]}
        assert where[ids["D"]] == ("wave-3", None) and where[ids["C"]] == ("wave-1", "wave-2")
        assert where[ids["B"]][0] == "wave-2"
        # A regional admin elsewhere sees the programme-wide counts but none of these locations.
        south = as_role(token, org, "regional_admin", regions=("south",))
        theirs = (await client.post(url, headers=south, json={"capacity": {"wave-1": 4}})).json()
        assert theirs["by_wave"] == body["by_wave"] and theirs["placements"] == []
        # Nothing was recorded: the plan is as it was.
        plan = (await client.get(f"/api/v1/programs/{program}/plan", headers=executive)).json()
        assert {loc["name"] for loc in plan["locations"] if loc["wave"] == "wave-1"} == {"A", "B", "F"}
        bad = await client.post(url, headers=executive, json={"capacity": {"wave-9": 2}})
        assert bad.status_code == 422 and bad.json()["error"]["field"] == "capacity.wave-9"
        bad = await client.post(url, headers=executive, json={"waves": {ids["A"]: "wave-7"}})
        assert bad.status_code == 422 and bad.json()["error"]["field"] == f"waves.{ids['A']}"
        provider = as_role(token, org, "provider", locations=(ids["A"],))
        assert (await client.post(url, headers=provider, json={})).status_code == 403


def test_a_go_live_date_follows_the_cadence() -> None:
    softsmile, spark, start = get_template("softsmile-dso"), get_template("spark-dso"), date(2025, 9, 1)
    assert check_go_live_date(softsmile, start, "wave-2", date(2025, 11, 5), []) == 10
    full = [date(2025, 11, 3), date(2025, 11, 4), date(2025, 11, 6)]  # three already in week 10 (max 3, L219)
    with pytest.raises(DomainError, match="week 10 already has 3 go-lives") as refused:
        check_go_live_date(softsmile, start, "wave-2", date(2025, 11, 5), full)
    assert refused.value.field == "date"
    with pytest.raises(DomainError, match="together in week 5"):
        check_go_live_date(softsmile, start, "wave-1", date(2025, 10, 7), [])
    pilot = spark.waves[0].key
    assert check_go_live_date(spark, start, pilot, date(2025, 9, 29), []) == 5
    with pytest.raises(DomainError, match="on a monday; 2025-09-30 is a tuesday"):
        check_go_live_date(spark, start, pilot, date(2025, 9, 30), [])


async def test_a_regional_admin_sets_a_go_live_date_within_the_cadence(app, token, org) -> None:
    executive = as_role(token, org, "executive")
    regional = as_role(token, org, "regional_admin", regions=("north",))
    async with serve(app) as client:
        program = await create_program(client, executive)
        ids = {name: await scored_location(app, org, program, name, composite)
               for name, composite in (("A", 23), ("C", 16), ("G", 15), ("D", 11))}
        url = f"/api/v1/programs/{program}/locations/{{}}/go-live-date"
        moved = await client.put(url.format(ids["C"]), headers=regional, json={"date": "2025-11-05"})
        assert moved.status_code == 200, moved.text
        where = {loc["name"]: (loc["planned_week"], loc["planned_go_live"]) for loc in moved.json()["locations"]}
        assert where["C"] == (10, "2025-11-05") and where["G"] == (9, "2025-10-27")
        late = await client.put(url.format(ids["C"]), headers=regional, json={"date": "2025-11-19"})
        assert late.status_code == 422 and late.json()["error"]["field"] == "date"
        assert "weeks 9-10" in late.json()["error"]["message"]
        unscheduled = await client.put(url.format(ids["D"]), headers=regional, json={"date": "2025-11-05"})
        assert unscheduled.status_code == 422 and unscheduled.json()["error"]["field"] == "location_id"
        assert "remediation" in unscheduled.json()["error"]["message"]
        south = as_role(token, org, "regional_admin", regions=("south",))
        assert (await client.put(url.format(ids["C"]), headers=south, json={"date": "2025-11-05"})).status_code == 403
        admin = as_role(token, org, "location_admin", locations=(ids["C"],))
        assert (await client.put(url.format(ids["C"]), headers=admin, json={"date": "2025-11-05"})).status_code == 403
        ics = (await client.get(f"/api/v1/programs/{program}/plan.ics", headers=executive)).text
        assert "20251105" in ics


async def test_an_incident_holds_its_location_and_a_systemic_one_its_wave(app, token, org) -> None:
    executive = as_role(token, org, "executive")
    async with serve(app) as client:
        program = await create_program(client, executive)
        ids = {name: await scored_location(app, org, program, name, composite)
               for name, composite in (("A", 23), ("B", 21), ("F", 22), ("C", 16))}
        regional = as_role(token, org, "regional_admin", regions=("north",))
        await pre_implementation_done(client, regional, program)
        for name in "ABF":
            await baseline(app, org, program, ids[name], "case_acceptance_rate_pct", 55.0)
            await baseline(app, org, program, ids[name], "plan_turnaround_hours", 72.0)

        def go_live(name: str) -> Any:
            return client.post(f"/api/v1/programs/{program}/locations/{ids[name]}/go-live",
                               json={"date": "2025-09-29"}, headers=regional)

        # A severity-2 incident at A holds A only (L253); B goes live.
        await incident(app, org, program, ids["A"], 2, category="scanner")
        held = await go_live("A")
        assert held.status_code == 422 and "severity-2 scanner incident" in held.text
        assert held.json()["error"]["field"] == "location_id"
        assert (await go_live("B")).status_code == 200
        # The same category open at a second location is systemic: the whole wave is held, with the reason.
        await incident(app, org, program, ids["C"], 3, category="scanner")
        systemic = await go_live("F")
        assert systemic.status_code == 422 and "systemic scanner issue open at 2 locations" in systemic.text
        plan = (await client.get(f"/api/v1/programs/{program}/plan", headers=executive)).json()
        waves = {w["key"]: w for w in plan["waves"]}
        assert waves["wave-1"]["paused"] and waves["wave-2"]["paused"]
        where = {loc["name"]: loc["holds"] for loc in plan["locations"]}
        assert where["B"] == [] and len(where["A"]) == 2
        assert where["F"] == ["systemic scanner issue open at 2 locations"]
