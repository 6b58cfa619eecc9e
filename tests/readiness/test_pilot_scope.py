"""Pilots apply the caller's scope where the data is: a regional admin is proposed, and may confirm,
pilots of its own regions only, and learns nothing of the others' locations."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from tests.conftest import bearer, serve
from tests.readiness.factories import SAMPLE_FACTS, create_program

PILOT = {"provider_champion": True, "champion_volunteered": True, "om_has_capacity": True,
         "near_regional_manager": True, "ongoing_major_change": False, "monthly_aligner_starts": 60}


async def test_a_regional_admin_sees_and_confirms_pilots_of_its_regions_only(
    app: FastAPI, token: Any, org: str
) -> None:
    admin = bearer(token(org))
    north = bearer(token(org, "regional_admin", regions=("north",)))
    async with serve(app) as client:
        program = await create_program(app, org)
        ids = {}
        for name, region, base in (("North A", "north", "Location A"), ("North B", "north", "Location B"),
                                   ("South A", "south", "Location A"), ("South B", "south", "Location B")):
            body = {"name": name, "region": region, "program_id": program, "facts": SAMPLE_FACTS[base] | PILOT}
            created = await client.post("/api/v1/locations", json=body, headers=admin)
            assert created.status_code == 201, created.text
            ids[name] = created.json()["id"]
        south = {ids["South A"], ids["South B"]}

        proposal = (await client.get(f"/api/v1/programs/{program}/pilot-proposal", headers=north)).json()
        assert not south & {p["location_id"] for p in proposal["pilots"]}, "south locations proposed to north"
        assert not any(i in rule["detail"] for rule in proposal["rules"] for i in south)

        url = f"/api/v1/programs/{program}/pilot-set"
        refused = await client.post(url, json={"location_ids": [ids["North A"], ids["South A"]]}, headers=north)
        assert (refused.status_code, refused.json()["error"]["field"]) == (422, "location_ids[1]")
        # The same answer as for an id that does not exist: nothing says the location is there.
        assert refused.json()["error"]["message"].endswith(f"is not a location of program {program}")
        assert (await client.get(f"/api/v1/locations/{ids['South A']}", headers=north)).status_code == 404
        after = (await client.get(f"/api/v1/programs/{program}/pilot-proposal", headers=admin)).json()
        assert after["confirmed"] is None, "nothing was recorded"

        mine = await client.post(url, json={"location_ids": [ids["North A"], ids["North B"]]}, headers=north)
        assert mine.status_code == 201, mine.text
        assert mine.json()["location_ids"] == [ids["North A"], ids["North B"]]
