"""Training through HTTP on real NATS, SQLite and PostgreSQL: roster, champion certification, sessions, completion."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI

from services.training.app import projections
from tests import rebuild
from tests.conftest import bearer, serve
from tests.training.factories import create_program, register_location

MODULES = ["platform-fundamentals", "clinical-workflow", "integration-troubleshooting", "training-delivery",
           "certification-assessment"]


async def add(client: httpx.AsyncClient, auth: dict[str, str], location_id: str, name: str, role: str,
              **extra: Any) -> str:
    response = await client.post(f"/api/v1/locations/{location_id}/staff", headers=auth,
                                 json={"name": name, "role": role, **extra})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def test_certification_sessions_and_completion(app, token, org) -> None:
    auth = bearer(token(org))
    async with serve(app) as client:
        program = await create_program(app, org)
        location = await register_location(app, org, program)
        tc = await add(client, auth, location, "Tess Coordinator", "treatment_coordinator", capacity_hours=6)
        dr = await add(client, auth, location, "Dana Provider", "provider")
        om = await add(client, auth, location, "Olive Manager", "office_manager")
        hy = await add(client, auth, location, "Hal Hygienist", "hygienist")

        status = (await client.get(f"/api/v1/locations/{location}/training", headers=auth)).json()
        assert (status["staff_total"], status["staff_trained"], status["completion_pct"]) == (4, 0, 0.0)

        # Nominated with a criterion not met and capacity below the playbook's 8 h: recorded, with warnings.
        nominated = await client.put(f"/api/v1/locations/{location}/champion", headers=auth, json={
            "staff_id": tc, "criteria": {"tech-comfort": {"met": True, "note": "peer nominated"},
                                         "respected": {"met": False, "note": "new to the team"}}})
        assert nominated.status_code == 200, nominated.text
        body = nominated.json()
        assert {c["key"]: c["met"] for c in body["criteria"]}["tech-comfort"] is True
        assert any("capacity 6 h is below" in w for w in body["warnings"])
        assert any("respected not met" in w for w in body["warnings"])

        # An uncertified champion cannot deliver training: 422 naming what is missing.
        session = {"curriculum": "provider", "trainer_staff_id": tc, "held_on": "2025-02-03", "duration_minutes": 120,
                   "attendees": [{"staff_id": dr, "score": 90}]}
        refused = await client.post(f"/api/v1/locations/{location}/training/sessions", headers=auth, json=session)
        assert refused.status_code == 422
        assert "platform-fundamentals" in refused.text and "trainer_staff_id" in refused.text

        base = f"/api/v1/locations/{location}/champions/{tc}"
        for module in MODULES:
            assert (await client.post(f"{base}/modules", headers=auth, json={"module": module})).status_code == 200
        failed = await client.post(f"{base}/assessments", headers=auth, json={"score": 80})
        assert failed.json()["certified_at"] is None
        await client.post(f"{base}/simulation", headers=auth, json={})
        still = (await client.post(f"/api/v1/locations/{location}/training/sessions", headers=auth, json=session))
        assert still.status_code == 422 and "assessment score 80 below 85" in still.text
        retake = (await client.post(f"{base}/assessments", headers=auth, json={"score": 92})).json()
        assert [a["passed"] for a in retake["attempts"]] == [False, True]
        assert retake["certified_at"] is not None and retake["assessment_score"] == 92

        # A person who is not on the roster: refused whole, naming the attendee.
        stranger = session | {"attendees": [{"staff_id": dr, "score": 90}, {"staff_id": "nobody", "score": 70}]}
        bad = await client.post(f"/api/v1/locations/{location}/training/sessions", headers=auth, json=stranger)
        assert bad.status_code == 422 and "attendees[1].staff_id" in bad.text
        out_of_range = session | {"attendees": [{"staff_id": dr, "score": 101}]}
        bad = await client.post(f"/api/v1/locations/{location}/training/sessions", headers=auth, json=out_of_range)
        assert bad.status_code == 422 and "attendees[0].score" in bad.text
        assert (await client.get(f"/api/v1/locations/{location}/training/sessions", headers=auth)).json() == []

        keyed = auth | {"Idempotency-Key": "provider-session-1"}
        first = await client.post(f"/api/v1/locations/{location}/training/sessions", headers=keyed, json=session)
        again = await client.post(f"/api/v1/locations/{location}/training/sessions", headers=keyed, json=session)
        assert first.status_code == 201, first.text
        assert first.json()["id"] == again.json()["id"]
        assert first.json()["trainer_certified_champion"] is True

        status = (await client.get(f"/api/v1/locations/{location}/training", headers=auth)).json()
        assert (status["staff_total"], status["staff_trained"]) == (4, 1)
        assert {m["name"]: m["curricula"] for m in status["missing"]} == {
            "Hal Hygienist": ["hygienist"], "Olive Manager": ["office_manager"],
            "Tess Coordinator": ["treatment_coordinator"]}
        assert status["by_role"]["provider"] == {"total": 1, "trained": 1, "completion_pct": 100.0}

        for curriculum, who in (("hygienist", hy), ("treatment_coordinator", tc)):
            done = await client.post(f"/api/v1/locations/{location}/training/sessions", headers=auth, json=session | {
                "curriculum": curriculum, "attendees": [{"staff_id": who, "score": 88}]})
            assert done.status_code == 201, done.text
        # The office manager leaves: she drops out and the location is complete.
        left = await client.patch(f"/api/v1/locations/{location}/staff/{om}", headers=auth,
                                  json={"left_on": "2025-01-31"})
        assert left.json()["active"] is False
        status = (await client.get(f"/api/v1/locations/{location}/training", headers=auth)).json()
        assert (status["staff_total"], status["staff_trained"], status["completion_pct"]) == (3, 3, 100.0)
        assert status["missing"] == []

        # A new hire needs training again.
        await add(client, auth, location, "Nina Newhire", "provider")
        status = (await client.get(f"/api/v1/locations/{location}/training", headers=auth)).json()
        assert status["completion_pct"] == 75.0 and status["missing"][0]["name"] == "Nina Newhire"
        report = (await client.get(f"/api/v1/programs/{program}/training", headers=auth)).json()
        assert report["staff_total"] == 4 and [x["location_id"] for x in report["locations"]] == [location]
        # The certified champion of this location trains a provider at another location: the lineage shows it.
        other = await register_location(app, org, program)
        far = await add(client, auth, other, "Finn Faraway", "provider")
        remote = await client.post(f"/api/v1/locations/{other}/training/sessions", headers=auth, json=session | {
            "attendees": [{"staff_id": far, "score": 95}, ]})
        assert remote.status_code == 201 and remote.json()["trainer_location_id"] == location
        tree = (await client.get(f"/api/v1/programs/{program}/training/lineage", headers=auth)).json()
        [node] = tree["trainers"]
        assert (node["staff_id"], node["certified_champion"], node["current_champion"]) == (tc, True, True)
        assert {(t["name"], t["location_id"]) for t in node["trained"]} >= {("Finn Faraway", other),
                                                                             ("Dana Provider", location)}
        # Replacing the champion keeps the history; a provider of the other location cannot read this one.
        replaced = await client.put(f"/api/v1/locations/{location}/champion", headers=auth,
                                    json={"staff_id": dr, "reason": "Tess moves to coordination full time"})
        assert replaced.json()["replaces"] == tc
        history = (await client.get(f"/api/v1/locations/{location}/champions", headers=auth)).json()
        assert [(c["staff_id"], c["current"]) for c in history] == [(dr, True), (tc, False)]
        outsider = bearer(token(org, "provider", locations=(other,)))
        assert (await client.get(f"/api/v1/locations/{location}/training", headers=outsider)).status_code == 403
        mine = await client.get(f"/api/v1/locations/{other}/training", headers=outsider)
        assert mine.json()["completion_pct"] == 100.0

        before = await rebuilt_alike(app)
        assert len(before["training_completions_v1"]) == 4 and len(before["training_staff_v2"]) == 6


async def rebuilt_alike(app: FastAPI) -> dict[str, list[dict[str, Any]]]:
    """Every training read model rebuilt from the streams gives the same rows (which it returns)."""
    return await rebuild.rebuilt_alike(app, projections())



async def test_unknown_location_and_scope(app, token, org) -> None:
    async with serve(app) as client:
        missing = await client.get("/api/v1/locations/nowhere/staff", headers=bearer(token(org)))
        assert missing.status_code == 404
        program = await create_program(app, org)
        location = await register_location(app, org, program, region="south")
        north = bearer(token(org, "regional_admin", regions=("north",)))
        refused = await client.post(f"/api/v1/locations/{location}/staff", headers=north,
                                    json={"name": "X", "role": "provider"})
        assert refused.status_code == 403
        bad_role = await client.post(f"/api/v1/locations/{location}/staff", headers=bearer(token(org)),
                                     json={"name": "X", "role": "dentist"})
        assert bad_role.status_code == 422 and "role" in bad_role.text


async def test_roster_import_is_all_or_nothing(app, token, org) -> None:
    auth, csv_type = bearer(token(org)), {"Content-Type": "text/csv"}
    async with serve(app) as client:
        location = await register_location(app, org, await create_program(app, org))
        url = f"/api/v1/locations/{location}/staff/import"
        bad = ("name,role,start_date,capacity_hours\n"
               "Ann Provider,provider,2025-01-06,\n"
               "Bob,dentist,2025-13-01,\n"
               "Cy Coordinator,treatment_coordinator,,lots\n")
        refused = await client.post(url, content=bad.encode(), headers=auth | csv_type)
        assert refused.status_code == 422, refused.text
        error = refused.json()["error"]
        assert error["message"] == "2 of 3 rows rejected; nothing was imported"
        assert [(r["line"], [e["field"] for e in r["errors"]]) for r in error["rejected"]] == [
            (3, ["role", "start_date"]), (4, ["capacity_hours"])]
        assert (await client.get(f"/api/v1/locations/{location}/staff", headers=auth)).json() == []

        good = "name,role,email\nAnn Provider,provider,ann@example.com\nHal Hygienist,hygienist,\n"
        imported = await client.post(url, content=good.encode(), headers=auth | csv_type)
        assert imported.status_code == 201, imported.text
        assert sorted(m["name"] for m in imported.json()) == ["Ann Provider", "Hal Hygienist"]
        status = (await client.get(f"/api/v1/locations/{location}/training", headers=auth)).json()
        assert (status["staff_total"], status["completion_pct"]) == (2, 0.0)
        again = await client.post(url, content=good.encode(), headers=auth | csv_type)
        assert again.status_code == 422 and "already on the roster" in again.text


async def test_a_person_reads_their_own_training_record(app, token, org) -> None:
    manager = bearer(token(org))
    async with serve(app) as client:
        location = await register_location(app, org, await create_program(app, org))
        dana = await add(client, manager, location, "Dana Provider", "provider", login_subject="dana@idp")
        await add(client, manager, location, "Pat Provider", "provider", login_subject="pat@idp")
        row = b"name,role,login_subject\nTess Coordinator,treatment_coordinator,tess@idp\n"
        imported = await client.post(f"/api/v1/locations/{location}/staff/import", content=row,
                                     headers=manager | {"Content-Type": "text/csv"})
        assert imported.status_code == 201, imported.text

        mine = bearer(token(org, "provider", locations=(location,), subject="dana@idp"))
        [record] = (await client.get("/api/v1/me/training", headers=mine)).json()
        assert (record["staff_id"], record["required"], record["missing"], record["completed"]) == (
            dana, ["provider"], ["provider"], [])
        # Only their own: a provider's token reads no one else's record through this route.
        tess = bearer(token(org, "treatment_coordinator", locations=(location,), subject="tess@idp"))
        [other] = (await client.get("/api/v1/me/training", headers=tess)).json()
        assert other["name"] == "Tess Coordinator" and other["missing"] == ["treatment_coordinator"]
        nobody = bearer(token(org, "provider", locations=(location,), subject="nobody@idp"))
        assert (await client.get("/api/v1/me/training", headers=nobody)).json() == []
        stranger = bearer(token("another-org", "provider", subject="dana@idp"))
        assert (await client.get("/api/v1/me/training", headers=stranger)).json() == []


async def test_the_resistance_log_per_location_and_program(app, token, org) -> None:
    admin = bearer(token(org))
    async with serve(app) as client:
        program = await create_program(app, org)
        here, there = await register_location(app, org, program), await register_location(app, org, program, "south")
        dana = await add(client, admin, here, "Dana Provider", "provider")
        url = f"/api/v1/locations/{here}/training/objections"
        entry = {"role": "provider", "staff_id": dana, "objection": "I don't trust AI to do my treatment planning",
                 "response_used": "The AI creates a starting point. You review, modify, and approve.",
                 "outcome": "resolved", "raised_on": "2025-02-03"}
        recorded = await client.post(url, headers=admin, json=entry)
        assert recorded.status_code == 201, recorded.text
        assert recorded.json()["outcome"] == "resolved" and recorded.json()["recorded_by"]
        # Bad input names the field; nothing is recorded.
        wrong_role = await client.post(url, headers=admin, json=entry | {"role": "hygienist"})
        assert wrong_role.status_code == 422 and wrong_role.json()["error"]["field"] == "role"
        unanswered = await client.post(url, headers=admin, json=entry | {"response_used": None})
        assert unanswered.status_code == 422 and unanswered.json()["error"]["field"] == "response_used"
        stranger = await client.post(url, headers=admin, json=entry | {"staff_id": "nobody"})
        assert stranger.status_code == 422 and stranger.json()["error"]["field"] == "staff_id"
        bad_outcome = await client.post(url, headers=admin, json=entry | {"outcome": "forgotten"})
        assert bad_outcome.status_code == 422 and bad_outcome.json()["error"]["field"] == "outcome"
        assert len((await client.get(url, headers=admin)).json()) == 1

        await client.post(f"/api/v1/locations/{there}/training/objections", headers=admin, json={
            "role": "hygienist", "objection": "This doesn't affect me", "outcome": "unresolved",
            "raised_on": "2025-02-04"})
        summary = (await client.get(f"/api/v1/programs/{program}/training/objections", headers=admin)).json()
        assert summary["by_role"]["provider"]["resolved"] == 1 and summary["by_role"]["hygienist"]["unresolved"] == 1
        north = bearer(token(org, "regional_admin", regions=("north",)))
        scoped = (await client.get(f"/api/v1/programs/{program}/training/objections", headers=north)).json()
        assert [o["location_id"] for o in scoped["objections"]] == [here]
        provider = bearer(token(org, "provider", locations=(there,)))
        refused = await client.post(url, headers=provider, json=entry)
        assert refused.status_code == 403
        rows = await rebuilt_alike(app)
        assert len(rows["training_objections_v1"]) == 2
