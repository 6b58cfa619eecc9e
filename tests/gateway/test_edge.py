"""The edge itself, with a stand-in transport where the services would be: auth, headers, limits, failures."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from services.gateway.app import create_app
from services.gateway.config import GatewaySettings
from shared.auth import issue_token
from shared.config import PlatformSettings
from tests.conftest import bearer, serve
from tests.gateway.conftest import Recorder

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"


async def test_no_or_bad_token_is_401_with_the_reason_and_nothing_is_forwarded(
    gateway_settings, token, org, platform: PlatformSettings, tmp_path: Path
) -> None:
    service = Recorder()
    other_key = PlatformSettings(var_dir=tmp_path / "someone-else")
    cases = {
        "missing bearer token": {},
        "token signature is invalid": bearer(issue_token(other_key, org=org, role="super_admin")),
        "token expired": bearer(issue_token(platform, org=org, role="super_admin", ttl_s=-120)),
        "token audience is not accepted": bearer(
            issue_token(platform.model_copy(update={"auth_audience": "another-app"}), org=org, role="super_admin")
        ),
        "token is invalid": bearer("not.a.jwt"),
    }
    async with serve(create_app(gateway_settings(), transport=service.transport())) as client:
        for reason, headers in cases.items():
            response = await client.get("/api/v1/readiness/matrix", headers=headers)
            assert response.status_code == 401, reason
            assert response.json()["error"]["code"] == "unauthenticated"
            assert reason in response.json()["error"]["message"]
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert (await client.get("/api/v1/readiness/matrix", headers=bearer(token(org)))).status_code == 200
    assert len(service.requests) == 1  # only the request with a valid token left the edge


async def test_named_headers_cross_the_edge_both_ways_and_nothing_else(gateway_settings, token, org) -> None:
    answer = {
        "Location": "/api/v1/locations/01JX",
        "X-Event-Position": "42",
        "Retry-After": "3",
        "Set-Cookie": "session=secret",
        "Server": "internal/1.0",
        "X-Internal": "leak",
    }
    service = Recorder(lambda _: httpx.Response(201, json={"id": "01JX"}, headers=answer))
    auth = bearer(token(org))
    sent = auth | {
        "Idempotency-Key": "k-1",
        "X-Request-Id": "req-42",
        "Last-Event-ID": "7",
        "Accept": "application/json",
        "traceparent": f"00-{TRACE_ID}-00f067aa0ba902b7-01",
        "Cookie": "mine=1",
        "X-Forwarded-Host": "evil",
    }
    async with serve(create_app(gateway_settings(), transport=service.transport())) as client:
        response = await client.put("/api/v1/locations/a%2Fb/assessment?x=1&y=%20z", json={"n": 1}, headers=sent)

    [outbound] = service.requests
    assert (outbound.method, outbound.url.raw_path) == ("PUT", b"/api/v1/locations/a%2Fb/assessment?x=1&y=%20z")
    assert outbound.content == b'{"n":1}'
    for name in ("Authorization", "Idempotency-Key", "Last-Event-ID", "Accept", "Content-Type"):
        assert outbound.headers[name] == sent.get(name, "application/json"), name
    assert outbound.headers["X-Request-Id"] == "req-42"
    # The trace continues: the caller's trace id, with the gateway's own span as the parent.
    version, trace_id, parent, _ = outbound.headers["traceparent"].split("-")
    assert (version, trace_id) == ("00", TRACE_ID) and parent != "00f067aa0ba902b7"
    assert "cookie" not in outbound.headers and "x-forwarded-host" not in outbound.headers

    assert response.status_code == 201 and response.json() == {"id": "01JX"}
    for name in ("Location", "X-Event-Position", "Retry-After"):
        assert response.headers[name] == answer[name]
    assert response.headers["X-Request-Id"] == "req-42"
    assert response.headers["Content-Type"] == "application/json"
    assert not {"set-cookie", "x-internal"} & set(response.headers)
    assert "internal" not in response.headers.get("server", "")


async def test_a_route_without_a_policy_is_404_and_a_wrong_method_405(gateway_settings, token, org) -> None:
    service = Recorder()
    paths = (
        "/api/v1/nonsense", "/api/v1/locationsX", "/api/v1/", "/api/v1/locations/%2E%2E/overview", "/api/v1/locations/"
    )
    async with serve(create_app(gateway_settings(), transport=service.transport())) as client:
        for path in paths:
            response = await client.get(path, headers=bearer(token(org)))
            assert response.status_code == 404, path
            assert response.json()["error"]["code"] == "not_found"
            assert "no route GET" in response.json()["error"]["message"]
        wrong = await client.delete("/api/v1/locations", headers=bearer(token(org)))
        anonymous = await client.get("/api/v1/nonsense")  # who asks comes first: no route list for strangers
    assert wrong.status_code == 405 and wrong.headers["Allow"] == "GET, POST"
    assert wrong.json()["error"]["code"] == "method_not_allowed"
    assert anonymous.status_code == 401
    assert service.requests == []


@pytest.fixture
def small_limit(gateway_settings) -> GatewaySettings:
    return gateway_settings(max_body_bytes=1024)


async def test_a_body_over_the_limit_is_413(gateway_settings, small_limit, token, org) -> None:
    assert gateway_settings().max_body_bytes == 1024 * 1024  # 1 MiB unless configured

    async def chunked() -> AsyncIterator[bytes]:  # no Content-Length: counted as it streams
        for _ in range(3):
            yield b"x" * 512

    service = Recorder()
    auth = bearer(token(org))
    async with serve(create_app(small_limit, transport=service.transport())) as client:
        declared = await client.post("/api/v1/locations", content=b"x" * 1025, headers=auth)
        streamed = await client.post("/api/v1/locations", content=chunked(), headers=auth)
        at_limit = await client.post("/api/v1/locations", content=b"x" * 1024, headers=auth)
    for response in (declared, streamed):
        assert response.status_code == 413
        assert response.json()["error"] == {
            "code": "payload_too_large",
            "message": "request body exceeds the gateway limit of 1024 bytes",
        }
    assert at_limit.status_code == 200 and len(service.requests) == 1


async def test_a_service_that_is_down_is_503_naming_it(gateway_settings, token, org) -> None:
    async with serve(create_app(gateway_settings())) as client:  # nothing listens at readiness' URL
        response = await client.get("/api/v1/readiness/matrix", headers=bearer(token(org)))
    assert response.status_code == 503 and response.headers["Retry-After"] == "1"
    error = response.json()["error"]
    assert (error["code"], error["service"]) == ("service_unavailable", "readiness")
    assert error["message"].startswith("readiness service is unavailable")


async def test_a_service_that_does_not_answer_in_time_is_504(gateway_settings, token, org) -> None:
    def too_slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    async with serve(create_app(gateway_settings(), transport=httpx.MockTransport(too_slow))) as client:
        response = await client.get("/api/v1/locations", headers=bearer(token(org)))
    assert response.status_code == 504
    error = response.json()["error"]
    assert (error["code"], error["service"]) == ("gateway_timeout", "readiness")
    assert "readiness service did not answer in time" in error["message"]


async def test_an_event_stream_is_relayed_as_it_comes(gateway_settings, token, org) -> None:
    events = b"id: 7\ndata: {}\n\nid: 8\ndata: {}\n\n"
    stream = Recorder(lambda _: httpx.Response(200, headers={"Content-Type": "text/event-stream"}, content=events))
    headers = bearer(token(org)) | {"Accept": "text/event-stream", "Last-Event-ID": "6"}
    async with serve(create_app(gateway_settings(), transport=stream.transport())) as client:
        response = await client.get("/api/v1/locations", headers=headers)
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/event-stream"
    assert response.content == events
    assert stream.requests[0].headers["Last-Event-ID"] == "6"
