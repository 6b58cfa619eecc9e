"""Who may see and change programs: org isolation and roles, through HTTP on real NATS and both databases."""

from __future__ import annotations

from tests.conftest import bearer, serve

PROGRAMS = "/api/v1/programs"
READERS = ("regional_admin", "location_admin", "provider", "treatment_coordinator")


async def test_orgs_are_isolated_and_only_leaders_change_programs(app, token) -> None:
    acme, globex = bearer(token("acme", "executive")), bearer(token("globex", "executive"))
    body = {"name": "Acme rollout", "playbook": "spark-dso", "start_date": "2025-09-01"}
    async with serve(app) as client:
        assert (await client.get(PROGRAMS)).status_code == 401
        program_id = (await client.post(PROGRAMS, json=body, headers=acme)).json()["id"]
        patch = {"overrides": [{"path": "phases[1].name", "value": "Pilot"}], "reason": "rename"}

        assert (await client.get(PROGRAMS, headers=globex)).json() == []
        for path in (f"{PROGRAMS}/{program_id}", f"{PROGRAMS}/{program_id}/playbook/history"):
            assert (await client.get(path, headers=globex)).status_code == 404
        assert (await client.patch(f"{PROGRAMS}/{program_id}/playbook", json=patch, headers=globex)).status_code == 404

        for role in READERS:
            reader = bearer(token("acme", role, regions=("north",), locations=("L1",)))
            assert (await client.post(PROGRAMS, json=body, headers=reader)).status_code == 403, role
            denied = await client.patch(f"{PROGRAMS}/{program_id}/playbook", json=patch, headers=reader)
            assert denied.status_code == 403 and "programs:override-playbook" in denied.json()["error"]["message"]
            assert [p["id"] for p in (await client.get(PROGRAMS, headers=reader)).json()] == [program_id]
            assert (await client.get(f"{PROGRAMS}/{program_id}", headers=reader)).status_code == 200
            assert (await client.get(f"{PROGRAMS}/{program_id}/playbook/history", headers=reader)).status_code == 200
            assert (await client.get("/api/v1/playbooks", headers=reader)).status_code == 200

        admin = bearer(token("acme", "super_admin"))
        assert (await client.patch(f"{PROGRAMS}/{program_id}/playbook", json=patch, headers=admin)).status_code == 200
        assert (await client.post(PROGRAMS, json=body, headers=admin)).status_code == 201
        history = (await client.get(f"{PROGRAMS}/{program_id}/playbook/history", headers=acme)).json()
        assert [(h["path"], h["value"]) for h in history] == [("phases[1].name", "Pilot")]
        assert len((await client.get(PROGRAMS, headers=acme)).json()) == 2
        assert (await client.get(PROGRAMS, headers=globex)).json() == []
