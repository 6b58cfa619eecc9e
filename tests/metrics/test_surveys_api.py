"""Surveys over HTTP: the playbook's scale, one answer per person, results with n and distribution,
scoped; the latest survey's mean becomes the location's satisfaction KPI (published for the gates)."""

from __future__ import annotations

import asyncio
from datetime import date

from shared.eventstore.jetstream import JetStreamEventStore
from tests.conftest import bearer, serve
from tests.metrics.factories import create_program, rebuild_all, register_location, snapshot, went_live
from tests.metrics.test_kpis import kpis_ref


async def test_surveys_answers_results_and_the_satisfaction_kpi(app, token, org) -> None:
    admin = bearer(token(org))
    async with serve(app) as client:
        program = await create_program(app, org)  # SoftSmile: provider satisfaction on 1-5 (L231)
        north = await register_location(app, org, "North Smiles", "north", program)
        south = await register_location(app, org, "South Smiles", "south", program)
        await went_live(app, org, program, north, date(2026, 3, 2))
        await went_live(app, org, program, south, date(2026, 3, 2))

        url = f"/api/v1/programs/{program}/surveys"
        created = await client.post(url, headers=admin, json={"kind": "provider", "title": "Post-pilot",
                                                              "wave": "wave-1"})
        assert created.status_code == 201, created.text
        survey = created.json()
        assert (survey["scale_min"], survey["scale_max"], survey["responses"]) == (1, 5, 0)
        no_scale = await client.post(url, headers=admin, json={"kind": "clinician", "title": "Clinicians"})
        assert no_scale.status_code == 422 and no_scale.json()["error"]["field"] == "kind"
        office = bearer(token(org, "location_admin", locations=(north,)))
        assert (await client.post(url, headers=office, json={"kind": "provider", "title": "All"})).status_code == 403
        mine = await client.post(url, headers=office, json={"kind": "provider", "title": "Ours",
                                                           "location_id": north})
        assert mine.status_code == 201, mine.text

        theirs = await client.post(url, headers=admin, json={"kind": "provider", "title": "South only",
                                                             "location_id": south})
        assert theirs.status_code == 201, theirs.text
        seen = {s["title"] for s in (await client.get(url, headers=office)).json()}
        assert seen == {"Post-pilot", "Ours"}  # not the other location's survey
        answers = f"/api/v1/surveys/{survey['id']}/responses"
        for who, score, where in (("dr.a@dso", 5, north), ("dr.b@dso", 4, north), ("dr.c@dso", 3, south)):
            answered = await client.post(answers, headers=admin, json={"respondent": who, "score": score,
                                                                       "location_id": where})
            assert answered.status_code == 201, answered.text
        twice = await client.post(answers, headers=admin, json={"respondent": "DR.A@dso ", "score": 1,
                                                                 "location_id": north})
        assert twice.status_code == 409 and twice.json()["error"]["field"] == "respondent"
        off_scale = await client.post(answers, headers=admin, json={"respondent": "dr.d@dso", "score": 6,
                                                                    "location_id": north})
        assert off_scale.status_code == 422 and off_scale.json()["error"]["field"] == "score"
        nowhere = await client.post(answers, headers=admin, json={"respondent": "dr.d@dso", "score": 4})
        assert nowhere.status_code == 422 and nowhere.json()["error"]["field"] == "location_id"
        elsewhere = await client.post(answers, headers=office, json={"respondent": "dr.e@dso", "score": 4,
                                                                     "location_id": south})
        assert elsewhere.status_code == 404  # not a location the caller may see

        results = (await client.get(f"/api/v1/surveys/{survey['id']}/results", headers=admin)).json()
        assert (results["n"], results["mean"], results["distribution"]) == (3, 4.0, {"1": 0, "2": 0, "3": 1,
                                                                                   "4": 1, "5": 1})
        scoped = (await client.get(f"/api/v1/surveys/{survey['id']}/results", headers=office)).json()
        assert (scoped["n"], [loc["location_id"] for loc in scoped["locations"]]) == (2, [north])
        assert "dr.a" not in str(results)  # answers are kept under pseudonymous keys only

        kpis = (await client.get(f"/api/v1/locations/{north}/kpis", headers=admin)).json()
        assert kpis["values"]["provider_satisfaction"] | {"window_start": None, "window_end": None} == {
            "value": 4.5, "n": 2, "window": "latest_survey", "window_start": None, "window_end": None}
        store = JetStreamEventStore(app.state.runtime.nc)
        published = None
        for _ in range(200):
            events = (await store.load(kpis_ref(org, north))).events
            published = events[-1].data["values"].get("provider_satisfaction") if events else None
            if published and published["n"] == 2:
                break
            await asyncio.sleep(0.05)
        assert published and (published["value"], published["window"]) == (4.5, "latest_survey")

        before = snapshot(app.state.runtime.engine)
        await rebuild_all(app)
        assert snapshot(app.state.runtime.engine) == before
