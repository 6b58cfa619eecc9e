"""The whole platform in one process: every real service behind the gateway, one NATS.

Readiness's events reach waves, which places the scored location in the programme's plan;
only HTTP goes in and only HTTP is read back."""

from __future__ import annotations

import asyncio

from services.gateway.app import create_app
from tests.conftest import bearer, serve

STRONG = {"it_infrastructure": 5, "staff_adaptability": 4, "patient_volume": 4, "tech_stack": 5, "champion": 5}


async def test_a_location_scored_in_readiness_appears_in_the_waves_plan(
    gateway_settings, service_urls, token, org
) -> None:
    admin = bearer(token(org))
    async with serve(create_app(gateway_settings(**service_urls))) as client:
        program = await client.post("/api/v1/programs", headers=admin,
                                    json={"name": "Rollout", "playbook": "softsmile-dso", "start_date": "2027-01-04"})
        assert program.status_code == 201, program.text
        program_id = program.json()["id"]
        location = await client.post("/api/v1/locations", headers=admin,
                                     json={"name": "Location A", "region": "north", "program_id": program_id})
        assert location.status_code == 201, location.text
        assessed = await client.put(f"/api/v1/locations/{location.json()['id']}/assessment", headers=admin,
                                    json={"scores": STRONG, "assessor": "regional manager"})
        assert assessed.status_code == 200, assessed.text

        placed: list[dict] = []
        for _ in range(200):  # the plan follows readiness's events asynchronously
            plan = await client.get(f"/api/v1/programs/{program_id}/plan", headers=admin)
            assert plan.status_code == 200, plan.text
            placed = plan.json()["locations"]
            if placed:
                break
            await asyncio.sleep(0.05)
    assert [(row["name"], row["wave"]) for row in placed] == [("Location A", "wave-1")]
