"""Phase checklists through HTTP: the playbook's items per program and per location, gating wave-1 go-lives."""

from __future__ import annotations

from typing import Any

from services.waves.app import projections
from shared.playbooks import get_template
from tests.conftest import serve
from tests.rebuild import rebuilt_alike
from tests.waves.factories import as_role, baseline, create_program, scored_location


def checklist(view: dict[str, Any], key: str) -> dict[str, Any]:
    return next(c for c in view["checklists"] if c["key"] == key)


async def test_gating_items_hold_wave_1_until_done_and_progress_per_phase(app, token, org) -> None:
    regional = as_role(token, org, "regional_admin", regions=("north",))
    async with serve(app) as client:
        program = await create_program(client, as_role(token, org, "executive"))
        a = await scored_location(app, org, program, "A", 23)
        b = await scored_location(app, org, program, "B", 21)
        for location in (a, b):
            await baseline(app, org, program, location, "case_acceptance_rate_pct", 55.0)
            await baseline(app, org, program, location, "plan_turnaround_hours", 72.0)
        url = f"/api/v1/programs/{program}/checklists"
        view = (await client.get(url, headers=regional)).json()
        onboarding = checklist(view, "vendor-onboarding")
        assert (onboarding["gates_wave_1"], onboarding["due_date"], onboarding["done"]) == (True, "2025-09-07", 0)
        dentrix = checklist(view, "dentrix-setup")
        assert (dentrix["hours"], dentrix["per"], dentrix["total"]) == (2.0, "location", 9 * 2)
        assert view["phases"][0]["phase"] == "pre-implementation" and view["phases"][0]["done"] == 0

        go_live = f"/api/v1/programs/{program}/locations/{a}/go-live"
        held = await client.post(go_live, json={"date": "2025-09-29"}, headers=regional)
        assert held.status_code == 422 and held.json()["error"]["field"] == "checklists"
        assert "vendor-onboarding: license-agreement" in held.text and "access-control" in held.text

        # Program items are the central team's; a location admin ticks only its own location's items.
        admin_a = as_role(token, org, "location_admin", locations=(a,))
        item = f"{url}/vendor-onboarding/items/license-agreement"
        assert (await client.patch(item, json={"status": "done"}, headers=admin_a)).status_code == 403
        wrong = await client.patch(item, json={"status": "done", "location_id": a}, headers=regional)
        assert wrong.status_code == 422 and wrong.json()["error"]["field"] == "location_id"
        unknown = await client.patch(f"{url}/vendor-onboarding/items/handshake", json={"status": "done"},
                                     headers=regional)
        assert unknown.status_code == 404 and unknown.json()["error"]["field"] == "item"
        bad_link = await client.patch(item, json={"status": "done", "evidence_url": "not a link"}, headers=regional)
        assert bad_link.status_code == 422 and bad_link.json()["error"]["field"] == "evidence_url"
        own = await client.patch(f"{url}/dentrix-setup/items/version", headers=admin_a,
                                 json={"status": "not_applicable", "location_id": a, "note": "Open Dental here"})
        assert own.status_code == 200, own.text
        assert checklist(own.json(), "dentrix-setup")["items"][0]["locations"] == {a: "not_applicable"}
        other = await client.patch(f"{url}/dentrix-setup/items/version", headers=admin_a,
                                   json={"status": "done", "location_id": b})
        assert other.status_code == 403
        needs_location = await client.patch(f"{url}/dentrix-setup/items/version", headers=regional,
                                            json={"status": "done"})
        assert needs_location.status_code == 422 and needs_location.json()["error"]["field"] == "location_id"

        gating = [c for c in get_template("softsmile-dso").checklists if c.gates_wave_1]
        for kept in gating:
            for entry in kept.items:
                done = await client.patch(f"{url}/{kept.key}/items/{entry.key}", headers=regional, json={
                    "status": "done", "evidence_url": "https://intranet.example/rollout/evidence"})
                assert done.status_code == 200, done.text
        view = done.json()
        assert checklist(view, "vendor-onboarding")["items"][0]["updated_by"]
        pre = view["phases"][0]
        assert pre["done"] == sum(len(c.items) for c in gating) + 1  # and the location's not-applicable item
        live = await client.post(go_live, json={"date": "2025-09-29"}, headers=regional)
        assert live.status_code == 200, live.text
        # Reopening an item holds the next wave-1 go-live again.
        await client.patch(item, json={"status": "open"}, headers=regional)
        again = await client.post(f"/api/v1/programs/{program}/locations/{b}/go-live", json={"date": "2025-09-29"},
                                  headers=regional)
        assert again.status_code == 422 and "license-agreement" in again.text
        # Every waves read model (checklists, plan, evidence, incidents) rebuilt from the streams is the same.
        rows = await rebuilt_alike(app, projections())
        assert rows["waves_checklist_items_v1"] and rows["waves_go_lives_v1"]
