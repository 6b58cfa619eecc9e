"""Conflicting commands and duplicate deliveries through the gateway, every real service behind it.

A hundred concurrent updates of one programme's plan aggregate (its checklist items): each is applied or
refused out loud, none is lost — the read model holds exactly the ones answered 200. The same command
sent three times with one Idempotency-Key has one effect.
"""

from __future__ import annotations

import asyncio
from collections import Counter

from services.gateway.app import create_app
from shared.playbooks import get_template
from tests.conftest import bearer, serve
from tests.gateway.test_training_through_gateway import eventually


async def test_a_hundred_concurrent_updates_of_one_aggregate_lose_nothing(
    gateway_settings, service_urls, token, org
) -> None:
    admin = bearer(token(org))
    # A burst above the set-up's requests plus the hundred: this is about conflicts, not the rate limit.
    async with serve(create_app(gateway_settings(**service_urls, rate_limit_burst=1000))) as client:
        created = await client.post("/api/v1/programs", headers=admin, json={
            "name": "Rollout", "playbook": "softsmile-dso", "start_date": "2027-01-04"})
        program = created.json()["id"]
        locations = []
        for index in range(12):
            made = await client.post("/api/v1/locations", headers=admin, json={
                "name": f"Practice {index}", "region": "north", "program_id": program})
            locations.append(made.json()["id"])
        url = f"/api/v1/programs/{program}/checklists"
        await eventually(lambda: client.get(url, headers=admin),
                         lambda r: len(next(c for c in r.json()["checklists"] if c["per"] == "location")["items"][0]
                                        ["locations"]) == 12, "the programme's locations in waves")
        template = get_template("softsmile-dso")
        updates = [(c.key, i.key, None) for c in template.checklists if c.per == "program" for i in c.items]
        validation = next(c for c in template.checklists if c.key == "integration-validation")
        updates += [(validation.key, i.key, loc) for loc in locations for i in validation.items]
        updates = updates[:100]
        assert len(updates) == 100

        async def tick(checklist: str, item: str, location: str | None) -> int:
            body = {"status": "done"} | ({"location_id": location} if location else {})
            response = await client.patch(f"{url}/{checklist}/items/{item}", headers=admin, json=body)
            return response.status_code

        codes = await asyncio.gather(*(tick(*u) for u in updates))
        answered = Counter(codes)
        assert set(answered) <= {200, 409, 503} and answered[200], answered  # applied, or refused out loud

        async def done() -> set[tuple[str, str, str | None]]:
            found = set()
            for checklist in (await client.get(url, headers=admin)).json()["checklists"]:
                for item in checklist["items"]:
                    if item["status"] == "done":
                        found.add((checklist["key"], item["key"], None))
                    found |= {(checklist["key"], item["key"], loc) for loc, s in item["locations"].items()
                              if s == "done"}
            return found

        # No lost update: exactly the commands answered 200 took effect.
        assert await done() == {u for u, code in zip(updates, codes, strict=True) if code == 200}
        # The refused ones, sent again, all apply: nothing is lost or doubled.
        retried = [await tick(*u) for u, code in zip(updates, codes, strict=True) if code != 200]
        assert set(retried) <= {200} and await done() == set(updates)


async def test_one_idempotency_key_three_times_is_one_incident(gateway_settings, service_urls, token, org) -> None:
    admin = bearer(token(org))
    async with serve(create_app(gateway_settings(**service_urls))) as client:
        program = (await client.post("/api/v1/programs", headers=admin, json={
            "name": "Rollout", "playbook": "softsmile-dso", "start_date": "2027-01-04"})).json()["id"]
        location = (await client.post("/api/v1/locations", headers=admin, json={
            "name": "Practice", "region": "north", "program_id": program})).json()["id"]
        url = f"/api/v1/programs/{program}/locations/{location}/incidents"
        body = {"severity": 2, "category": "pms-sync", "description": "ledger posts fail"}
        await eventually(lambda: client.post(url, headers=admin | {"Idempotency-Key": "probe"}, json=body),
                         lambda r: r.status_code == 201, "waves knowing the location")
        keyed = admin | {"Idempotency-Key": "incident-42"}
        answers = [await client.post(url, headers=keyed, json=body) for _ in range(3)]
        assert [a.status_code for a in answers] == [201, 201, 201]
        assert len({a.json()["incident_id"] for a in answers}) == 1
        listed = (await client.get(f"/api/v1/programs/{program}/incidents", headers=admin)).json()
        assert len(listed) == 2  # the probe and the one keyed incident
