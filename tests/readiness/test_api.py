"""The readiness slice through HTTP, against a real NATS server and both databases."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from services.readiness.app import create_app
from services.readiness.config import ReadinessSettings
from shared.config import PlatformSettings
from shared.contracts.readiness import FACTORS
from tests.conftest import bearer, serve

SAMPLE = {  # SoftSmile seed §3, sample assessment matrix
    "Location A": ((5, 4, 4, 5, 5), 23, "high", "wave-1"),
    "Location B": ((4, 4, 5, 4, 4), 21, "high", "wave-1"),
    "Location C": ((3, 3, 3, 4, 3), 16, "medium_high", "wave-2"),
    "Location D": ((2, 2, 2, 3, 2), 11, "low", "remediation"),
}


def scores(values: tuple[int, ...]) -> dict[str, int]:
    return dict(zip(FACTORS, values, strict=True))


@pytest.fixture
def app(platform: PlatformSettings, database_url: str, tmp_path: Path):
    settings = ReadinessSettings(**platform.model_dump(), database_url=database_url)
    return create_app(settings)


async def test_sample_matrix_comes_out_exactly(app, token, org) -> None:
    auth = bearer(token(org))
    async with serve(app) as client:
        for name, (values, composite, level, wave) in SAMPLE.items():
            created = await client.post("/api/v1/locations", json={"name": name, "region": "north"}, headers=auth)
            assert created.status_code == 201, created.text
            location_id = created.json()["id"]
            assessed = await client.put(
                f"/api/v1/locations/{location_id}/assessment",
                json={"scores": scores(values), "assessor": "regional manager"},
                headers=auth,
            )
            assert assessed.status_code == 200, assessed.text
            body = assessed.json()
            assert (body["composite"], body["level"], body["recommended_wave"]) == (composite, level, wave)

        matrix = (await client.get("/api/v1/readiness/matrix", headers=auth)).json()["rows"]
    got = {r["name"]: (tuple(r[f] for f in FACTORS), r["composite"], r["recommended_wave"]) for r in matrix}
    assert got == {name: (v, c, w) for name, (v, c, _, w) in SAMPLE.items()}


async def test_location_round_trip_and_errors(app, token, org) -> None:
    auth = bearer(token(org))
    async with serve(app) as client:
        created = await client.post("/api/v1/locations", json={"name": "Elm St", "region": "south"}, headers=auth)
        location_id = created.json()["id"]
        assert created.headers["Location"] == f"/api/v1/locations/{location_id}"

        fetched = await client.get(f"/api/v1/locations/{location_id}", headers=auth)
        assert fetched.status_code == 200
        assert fetched.json()["name"] == "Elm St" and fetched.json()["composite"] is None

        out_of_range = await client.put(
            f"/api/v1/locations/{location_id}/assessment",
            json={"scores": scores((6, 4, 4, 4, 4)), "assessor": "x"}, headers=auth,
        )
        assert out_of_range.status_code == 422
        assert out_of_range.json()["error"]["field"] == "scores.it_infrastructure"
        assert "less than or equal to 5" in out_of_range.json()["error"]["message"]

        partial = dict(scores((4, 4, 4, 4, 4)))
        del partial["champion"]
        missing = await client.put(
            f"/api/v1/locations/{location_id}/assessment", json={"scores": partial, "assessor": "x"}, headers=auth
        )
        assert missing.status_code == 422 and missing.json()["error"]["field"] == "scores.champion"

        unknown = await client.put(
            "/api/v1/locations/01JUNKNOWNLOCATION0000000/assessment",
            json={"scores": scores((4, 4, 4, 4, 4)), "assessor": "x"}, headers=auth,
        )
        assert unknown.status_code == 404
        assert (await client.get("/api/v1/locations/01JUNKNOWN", headers=auth)).status_code == 404

        # Nothing was half-written by the refused commands.
        assert (await client.get(f"/api/v1/locations/{location_id}", headers=auth)).json()["version"] == 1


async def test_requests_without_valid_token_are_401(app, token, org) -> None:
    async with serve(app) as client:
        none = await client.get("/api/v1/readiness/matrix")
        assert none.status_code == 401 and "forwarded by the gateway" in none.json()["error"]["message"]
        garbage = await client.get("/api/v1/readiness/matrix", headers=bearer("not.a.jwt"))
        assert garbage.status_code == 401
        forged = token(org)[:-4] + "AAAA"
        assert (await client.get("/api/v1/readiness/matrix", headers=bearer(forged))).status_code == 401


async def test_one_org_never_sees_another(app, token) -> None:
    async with serve(app) as client:
        acme, globex = bearer(token("acme")), bearer(token("globex"))
        created = await client.post("/api/v1/locations", json={"name": "Acme 1", "region": "n"}, headers=acme)
        location_id = created.json()["id"]
        assert (await client.get(f"/api/v1/locations/{location_id}", headers=globex)).status_code == 404
        assert (await client.get("/api/v1/readiness/matrix", headers=globex)).json()["rows"] == []
        steal = await client.put(
            f"/api/v1/locations/{location_id}/assessment",
            json={"scores": scores((5, 5, 5, 5, 5)), "assessor": "x"}, headers=globex,
        )
        assert steal.status_code == 404
        assert (await client.get(f"/api/v1/locations/{location_id}", headers=acme)).json()["composite"] is None


async def test_one_location_is_read_within_the_callers_regions_or_locations(app, token, org) -> None:
    async with serve(app) as client:
        admin = bearer(token(org))
        ids = {}
        for name, region in (("North 1", "north"), ("South 1", "south")):
            created = await client.post("/api/v1/locations", json={"name": name, "region": region}, headers=admin)
            ids[name] = created.json()["id"]
        callers = {
            "regional admin of north": bearer(token(org, "regional_admin", regions=("north",))),
            "provider of North 1": bearer(token(org, "provider", locations=(ids["North 1"],))),
            "regional admin of north elsewhere": bearer(token("globex", "regional_admin", regions=("north",))),
        }
        answers = {who: [(await client.get(f"/api/v1/locations/{ids[name]}", headers=auth)).status_code
                         for name in ("North 1", "South 1")] for who, auth in callers.items()}
        # A location-bound role is refused by the route's policy before the read (403); the query's own scope
        # answers the others as if the location did not exist (404).
        assert answers == {"regional admin of north": [200, 404], "provider of North 1": [200, 403],
                           "regional admin of north elsewhere": [404, 404]}


async def test_concurrent_assessments_never_lose_an_update(app, token, org) -> None:
    auth = bearer(token(org))
    async with serve(app) as client:
        location_id = (await client.post("/api/v1/locations", json={"name": "L", "region": "r"}, headers=auth)).json()[
            "id"
        ]
        bodies = [{"scores": scores((v, v, v, v, v)), "assessor": f"a{v}"} for v in (2, 3, 4, 5)]
        results = await asyncio.gather(
            *(client.put(f"/api/v1/locations/{location_id}/assessment", json=b, headers=auth) for b in bodies)
        )
        statuses = sorted(r.status_code for r in results)
        assert set(statuses) <= {200, 409}
        applied = [r.json() for r in results if r.status_code == 200]
        final = (await client.get(f"/api/v1/locations/{location_id}", headers=auth)).json()
        # Every applied assessment is one version; the last version's scores are what we read.
        assert final["version"] == 1 + len(applied)
        last = max(applied, key=lambda a: a["version"])
        assert final["composite"] == last["composite"]


async def test_idempotency_key_makes_a_retry_a_no_op(app, token, org) -> None:
    auth = bearer(token(org)) | {"Idempotency-Key": "create-elm-1"}
    async with serve(app) as client:
        first = await client.post("/api/v1/locations", json={"name": "Elm", "region": "r"}, headers=auth)
        again = await client.post("/api/v1/locations", json={"name": "Elm", "region": "r"}, headers=auth)
        assert first.status_code == again.status_code == 201
        assert first.json()["id"] == again.json()["id"]
        listed = (await client.get("/api/v1/locations", headers=bearer(token(org)))).json()
        assert [loc["name"] for loc in listed] == ["Elm"]
