"""Two organisations side by side: nothing one reads, lists, searches, exports, audits or streams is the other's.

The org comes only from the verified token: it scopes every query of every service
and the subjects of every event stream (`dso.<org>.>`), so the same names, regions
and roles in two orgs never meet.
"""

from __future__ import annotations

import httpx

from services.gateway.app import create_app
from tests.conftest import bearer
from tests.gateway.conftest import listening
from tests.gateway.sse import messages, take


async def test_no_view_of_one_org_returns_the_others_data(gateway_settings, readiness_url, token, org) -> None:
    orgs = {"acme": org, "other": f"{org}b"}
    admins = {name: bearer(token(tenant)) for name, tenant in orgs.items()}
    ids: dict[str, list[str]] = {name: [] for name in orgs}
    async with (
        listening(create_app(gateway_settings(readiness_url=readiness_url))) as url,
        httpx.AsyncClient(base_url=url, timeout=10) as client,
    ):

        async def register(name: str, location: str, region: str) -> str:
            headers = admins[name] | {"X-Request-Id": f"{name}-{location}-{region}"}
            created = await client.post("/api/v1/locations", json={"name": location, "region": region}, headers=headers)
            assert created.status_code == 201, created.text
            ids[name].append(created.json()["id"])
            return ids[name][-1]

        for name in orgs:  # the same names and regions in both orgs
            await register(name, "Location A", "north")
            await register(name, "Location B", "south")

        acme_a, other_a = ids["acme"][0], ids["other"][0]
        other = admins["other"]
        read = await client.get(f"/api/v1/locations/{acme_a}", headers=other)
        listed = await client.get("/api/v1/locations", headers=other)
        searched = await client.get("/api/v1/locations", params={"region": "north"}, headers=other)
        exported = await client.get("/api/v1/readiness/matrix", headers=other)
        overview = await client.get(f"/api/v1/locations/{acme_a}/overview", headers=other)
        audit = await client.get("/api/v1/audit", headers=other, params={"limit": 1000})
        from_start = {"Last-Event-ID": "readiness:0"}
        async with client.stream("GET", "/api/v1/events/stream", headers=other | from_start) as sse:
            stream = messages(sse)
            replayed = await take(stream, 2)
            await register("acme", "Location C", "north")  # stored first ...
            own = await register("other", "Location C", "north")  # ... so it would arrive first if it leaked
            [live] = await take(stream, 1)
        async with client.stream("GET", "/api/v1/events/stream", headers=admins["acme"] | from_start) as sse:
            acme_stream = await take(messages(sse), 3)  # and the other way round

    assert read.status_code == 404
    assert sorted(row["id"] for row in listed.json()) == sorted(ids["other"][:2])
    assert [row["id"] for row in searched.json()] == [other_a]
    assert sorted(row["location_id"] for row in exported.json()["rows"]) == sorted(ids["other"][:2])
    assert overview.json()["parts"]["readiness"]["status"] == "not_found"
    entries = audit.json()["entries"]
    assert entries and {e["org"] for e in entries} == {orgs["other"]}
    assert not [e["request_id"] for e in entries if e["request_id"].startswith("acme-")]
    streamed = [*replayed, live]
    assert {m.data["orgid"] for m in streamed} == {orgs["other"]}
    assert [m.data["subject"] for m in streamed] == [*ids["other"][:2], own]
    assert [m.data["subject"] for m in acme_stream] == ids["acme"]
    assert {m.data["orgid"] for m in acme_stream} == {orgs["acme"]}
