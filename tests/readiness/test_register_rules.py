"""Registering over HTTP follows the import's rule: one name per region of an org (a 409 naming `name`)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from tests.conftest import bearer, serve


async def test_a_name_is_registered_once_per_region_like_the_import_says(app: FastAPI, token: Any, org: str) -> None:
    auth = bearer(token(org))
    async with serve(app) as client:
        first = await client.post("/api/v1/locations", json={"name": "Elm Street", "region": "north"}, headers=auth)
        assert first.status_code == 201, first.text
        again = await client.post("/api/v1/locations", json={"name": "Elm Street", "region": "north"}, headers=auth)
        assert (again.status_code, again.json()["error"]["field"]) == (409, "name"), again.text
        assert "already exists" in again.json()["error"]["message"]
        elsewhere = await client.post("/api/v1/locations", json={"name": "Elm Street", "region": "south"},
                                      headers=auth)
        assert elsewhere.status_code == 201, "the same name in another region is another location"
        names = [(loc["name"], loc["region"]) for loc in (await client.get("/api/v1/locations", headers=auth)).json()]
        assert sorted(names) == [("Elm Street", "north"), ("Elm Street", "south")]
        imported = await client.post("/api/v1/locations/import", content="name,region\nElm Street,north\n",
                                     headers=auth | {"Content-Type": "text/csv"})
        assert imported.status_code == 422
        assert imported.json()["error"]["rejected"][0]["errors"][0]["message"] == again.json()["error"]["message"]
