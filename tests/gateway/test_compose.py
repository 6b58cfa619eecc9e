"""Composed views: parts fetched in parallel with the caller's token, each with its own status, never a 500."""

from __future__ import annotations

import httpx

from services.gateway.app import create_app
from tests.conftest import bearer, serve
from tests.gateway.conftest import Recorder


async def test_a_location_overview_shows_what_is_there_and_why_the_rest_is_not(
    gateway_settings, readiness_url, token, org
) -> None:
    admin = bearer(token(org))
    async with serve(create_app(gateway_settings(readiness_url=readiness_url))) as client:
        created = await client.post("/api/v1/locations", json={"name": "Location A", "region": "north"}, headers=admin)
        location_id = created.json()["id"]
        overview = await client.get(f"/api/v1/locations/{location_id}/overview", headers=admin)
        unknown = await client.get("/api/v1/locations/01UNKNOWN/overview", headers=admin)
        outsider = await client.get(
            f"/api/v1/locations/{location_id}/overview", headers=bearer(token(org, "provider", locations=("other",)))
        )
    assert overview.status_code == 200
    view = overview.json()
    assert (view["id"], view["complete"]) == (location_id, False)
    readiness = view["parts"]["readiness"]
    assert readiness["status"] == "ok"
    assert (readiness["data"]["name"], readiness["data"]["region"]) == ("Location A", "north")
    for name, service in (("wave", "waves"), ("training", "training"), ("metrics", "metrics")):
        part = view["parts"][name]  # nothing listens where these services should be
        assert (part["status"], part["service"], part["data"]) == ("unavailable", service, None)
        assert part["error"].startswith(f"{service} is unavailable (ConnectError")
    assert unknown.status_code == 200
    assert unknown.json()["parts"]["readiness"]["status"] == "not_found"
    assert unknown.json()["parts"]["readiness"]["error"]["code"] == "not_found"
    assert outsider.status_code == 403  # the edge refuses before any part is fetched


def dashboard_services(request: httpx.Request) -> httpx.Response:
    """Waves knows the program but has no gates route yet; training hangs; metrics is broken; readiness answers."""
    path = request.url.path
    if path.endswith("/gates"):
        return httpx.Response(404, json={"error": {"code": "not_found", "message": "Not Found"}})
    if path.endswith("/training"):
        raise httpx.ReadTimeout("no answer", request=request)
    if path.endswith("/kpis"):
        return httpx.Response(500, text="Internal Server Error")
    if path == "/api/v1/readiness/matrix":
        return httpx.Response(200, json={"rows": [], "program_id": request.url.params["program_id"]})
    return httpx.Response(200, json={"program_id": "P1", "name": "SoftSmile rollout"})


async def test_a_program_dashboard_reports_each_part_on_its_own(gateway_settings, token, org) -> None:
    services = Recorder(dashboard_services)
    caller = bearer(token(org, "executive")) | {"X-Request-Id": "req-dash-1"}
    async with serve(create_app(gateway_settings(), transport=services.transport())) as client:
        response = await client.get("/api/v1/programs/P1/dashboard", headers=caller)
    assert response.status_code == 200
    parts = {name: part["status"] for name, part in response.json()["parts"].items()}
    assert parts == {
        "program": "ok", "gates": "not_found", "readiness": "ok", "training": "timeout", "metrics": "unavailable",
    }
    body = response.json()
    assert body["parts"]["program"]["data"]["name"] == "SoftSmile rollout"
    assert body["parts"]["readiness"]["data"]["program_id"] == "P1"
    assert body["parts"]["metrics"]["http_status"] == 500 and body["complete"] is False
    # Every part was asked at once, as the caller, under the caller's request id.
    assert len(services.requests) == 5
    assert {r.headers["authorization"] for r in services.requests} == {caller["Authorization"]}
    assert {r.headers["x-request-id"] for r in services.requests} == {"req-dash-1"}
