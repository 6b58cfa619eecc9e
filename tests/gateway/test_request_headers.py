"""Headers the gateway reads or forwards: a non-ASCII or unbounded value is a 400 naming the header, never a 500."""

from __future__ import annotations

import httpx
import pytest

from services.gateway.app import create_app
from services.gateway.forwarding.forward import new_client
from tests.conftest import bearer, serve
from tests.gateway.conftest import Recorder


@pytest.mark.parametrize("header", ["X-Request-Id", "Idempotency-Key", "Accept", "Content-Type", "Last-Event-ID"])
async def test_a_non_ascii_header_is_a_400_naming_it_and_nothing_is_forwarded(
    gateway_settings, token, org, header: str
) -> None:
    service = Recorder()
    async with serve(create_app(gateway_settings(), transport=service.transport())) as client:
        answers = [
            await client.request(method, "/api/v1/locations", content=b"{}",
                                 headers=bearer(token(org)) | {header: "caf\u00e9 \u2603".encode()})
            for method in ("GET", "POST")
        ]
    for answer in answers:
        assert answer.status_code == 400, answer.text
        assert answer.json()["error"] == {
            "code": "invalid_header", "message": f"{header} must be visible ASCII characters only", "field": header,
        }
    assert service.requests == []


async def test_a_client_request_id_is_bounded_before_it_is_echoed_logged_or_audited(
    gateway_settings, token, org
) -> None:
    service = Recorder()
    admin = bearer(token(org))
    async with serve(create_app(gateway_settings(), transport=service.transport())) as client:
        too_long = await client.get("/api/v1/readiness/matrix", headers=admin | {"X-Request-Id": "r" * 8000})
        tabbed = await client.get("/api/v1/readiness/matrix", headers=admin | {"X-Request-Id": "a\tb"})
        kept = await client.get("/api/v1/readiness/matrix", headers=admin | {"X-Request-Id": "req-42 retry/1"})
        audit = (await client.get("/api/v1/audit", headers=admin)).json()["entries"]

    for refused in (too_long, tabbed):
        assert refused.status_code == 400 and refused.json()["error"]["field"] == "X-Request-Id"
        assert len(refused.headers["X-Request-Id"]) == 26  # the gateway's own id, not the caller's
    assert kept.status_code == 200 and kept.headers["X-Request-Id"] == "req-42 retry/1"
    assert [e["request_id"] for e in audit] == ["req-42 retry/1"]
    assert [r.headers["X-Request-Id"] for r in service.requests if r.url.path.startswith("/api")] == ["req-42 retry/1"]


async def test_a_cookie_one_service_sets_never_reaches_the_caller_or_another_callers_request(
    gateway_settings, token, org
) -> None:
    service = Recorder(lambda _: httpx.Response(200, json={"ok": True}, headers={"Set-Cookie": "sid=first-caller"}))
    first, second = bearer(token(org)), bearer(token(f"{org}b"))
    async with serve(create_app(gateway_settings(), transport=service.transport())) as client:
        answers = [await client.get("/api/v1/readiness/matrix", headers=caller) for caller in (first, second)]

    assert [a.status_code for a in answers] == [200, 200]
    assert all("set-cookie" not in a.headers for a in answers)
    forwarded = [r for r in service.requests if r.url.path.startswith("/api")]
    assert len(forwarded) == 2 and all("cookie" not in r.headers for r in forwarded)


async def test_the_gateways_own_client_keeps_no_cookie_either(gateway_settings) -> None:
    # Health checks, composed views and the live stream's scope call services for many callers on one client.
    service = Recorder(lambda _: httpx.Response(200, json={}, headers={"Set-Cookie": "sid=someone; Path=/"}))
    async with new_client(gateway_settings(), service.transport()) as client:
        await client.get("http://127.0.0.1:8001/api/v1/readiness/matrix")
        await client.get("http://127.0.0.1:8001/api/v1/readiness/matrix")
    assert len(client.cookies.jar) == 0
    assert [r.headers.get("cookie") for r in service.requests] == [None, None]
