"""The edge's own checks over HTTP: OIDC tokens via JWKS, idle browser sessions, rate limits, CORS, crashes."""

from __future__ import annotations

import time

import httpx

from services.gateway.access.ratelimit import TokenBuckets
from services.gateway.app import create_app
from shared.auth import issue_token
from shared.config import PlatformSettings
from shared.events import new_id
from tests.conftest import bearer, serve
from tests.gateway.conftest import Clock, Recorder, listening
from tests.gateway.identity import AUDIENCE, ISSUER, running_provider

MATRIX = "/api/v1/readiness/matrix"


async def test_oidc_tokens_are_checked_against_the_providers_jwks(gateway_settings) -> None:
    with running_provider(("ec-1", "ES256"), ("rsa-1", "RS256")) as idp:
        settings = gateway_settings(auth_jwks_url=idp.url, auth_issuer=ISSUER, auth_audience=AUDIENCE)
        service = Recorder()
        async with serve(create_app(settings, transport=service.transport())) as client:
            idp.up = False
            down = await client.get(MATRIX, headers=bearer(idp.token("ec-1")))
            idp.up = True
            es256 = await client.get(MATRIX, headers=bearer(idp.token("ec-1", role="executive")))
            rs256 = await client.get(MATRIX, headers=bearer(idp.token("rsa-1")))
            expired = await client.get(MATRIX, headers=bearer(idp.token("rsa-1", exp=int(time.time()) - 600)))
            foreign = await client.get(MATRIX, headers=bearer(idp.token("ec-1", aud="api://other")))
    assert down.status_code == 503 and down.json()["error"]["code"] == "auth_unavailable"
    assert down.headers["Retry-After"] == "5"
    assert es256.status_code == rs256.status_code == 200
    assert expired.status_code == foreign.status_code == 401
    assert expired.json()["error"] == {"code": "unauthenticated", "message": "token expired"}
    assert 'error_description="token audience is not accepted"' in foreign.headers["WWW-Authenticate"]
    assert len(service.requests) == 2


async def test_a_browser_session_idle_30_minutes_ends_on_every_replica(
    gateway_settings, platform: PlatformSettings, org
) -> None:
    clock, service = Clock(), Recorder()
    settings = gateway_settings()
    assert (settings.session_idle_s, settings.session_touch_s) == (1800, 60)

    def signed(session: str | None, *, minutes_ago: float = 0, role: str = "executive") -> dict[str, str]:
        issued = int(clock.now - minutes_ago * 60)
        return bearer(issue_token(platform, org=org, role=role, session_id=session, issued_at=issued))

    session = new_id()
    replica_a = create_app(settings, transport=service.transport(), clock=clock)
    replica_b = create_app(settings, transport=service.transport(), clock=clock)
    async with serve(replica_a) as a, serve(replica_b) as b:
        login = signed(session)
        assert (await a.get(MATRIX, headers=login)).status_code == 200  # minute 0
        clock.advance(25)
        assert (await a.get(MATRIX, headers=login)).status_code == 200  # minute 25, written to the shared bucket
        clock.advance(25)
        assert (await b.get(MATRIX, headers=login)).status_code == 200  # minute 50: B saw nothing, the bucket did
        clock.advance(31)
        idle = await a.get(MATRIX, headers=login)  # minute 81: 31 minutes since B's request
        refreshed = await b.get(MATRIX, headers=signed(session))  # a silently refreshed token cannot revive it
        new_login = await b.get(MATRIX, headers=signed(new_id()))
        never_used = await a.get(MATRIX, headers=signed(new_id(), minutes_ago=31))
        integration = await a.get(MATRIX, headers=signed(None, minutes_ago=120))  # no sid: not a browser session
        audit = await a.get("/api/v1/audit", headers=signed(new_id(), role="super_admin"), params={"status": 401})
    for response in (idle, refreshed, never_used):
        assert response.status_code == 401, response.text
        assert response.json()["error"]["message"].startswith("session idle timeout")
    assert "no activity for 31 minutes (limit 30)" in idle.json()["error"]["message"]
    assert "log in again" in refreshed.json()["error"]["message"]
    assert new_login.status_code == integration.status_code == 200
    denied = [(e["decision"], e["reason"][:20]) for e in audit.json()["entries"]]
    assert denied == [("deny", "session idle timeout")] * 3


async def test_each_caller_has_its_own_rate_limit(gateway_settings, platform: PlatformSettings, org) -> None:
    settings = gateway_settings(rate_limit_per_s=0.5, rate_limit_burst=2)
    busy = bearer(issue_token(platform, org=org, role="provider", subject="busy"))
    calm = bearer(issue_token(platform, org=org, role="provider", subject="calm"))
    async with serve(create_app(settings, transport=Recorder().transport())) as client:
        answers = [await client.get(MATRIX, headers=busy) for _ in range(3)]
        other = await client.get(MATRIX, headers=calm)
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].headers["Retry-After"] == "2"  # one token back at 0.5/s
    assert answers[2].json()["error"] == {
        "code": "rate_limited",
        "message": "rate limit of 0.5 requests/s (burst 2) exceeded",
    }
    assert other.status_code == 200


async def test_a_callers_limit_is_shared_by_the_replicas_alive(gateway_settings, platform: PlatformSettings,
                                                                org) -> None:
    settings = gateway_settings(rate_limit_per_s=0.5, rate_limit_burst=4)
    busy = bearer(issue_token(platform, org=org, role="provider", subject="busy"))
    first, second = create_app(settings, transport=Recorder().transport()), create_app(
        settings, transport=Recorder().transport())
    async with serve(first) as one, serve(second) as two:
        await first.state.replica_share.beat()  # the first saw itself alone when it started
        assert (first.state.replica_share.replicas, second.state.replica_share.replicas) == (2, 2)
        answers = [await one.get(MATRIX, headers=busy) for _ in range(3)]
        answers += [await two.get(MATRIX, headers=busy) for _ in range(3)]
        # Each replica enforces half: the caller gets the burst of 4 overall, not 4 per replica.
        assert [a.status_code for a in answers] == [200, 200, 429, 200, 200, 429]
        assert answers[2].json()["error"]["message"] == "rate limit of 0.5 requests/s (burst 4) exceeded"
    async with serve(create_app(settings, transport=Recorder().transport())) as alone:
        # The two left the count when they stopped: a replica alone enforces the whole limit.
        answers = [await alone.get(MATRIX, headers=busy) for _ in range(5)]
        assert [a.status_code for a in answers] == [200, 200, 200, 200, 429]


def test_a_token_bucket_refills_at_its_rate() -> None:
    now = [0.0]
    buckets = TokenBuckets(rate=2, burst=3, clock=lambda: now[0])
    assert [buckets.take("a") for _ in range(4)] == [0, 0, 0, 1]
    now[0] += 0.5  # one token back
    assert (buckets.take("a"), buckets.take("a")) == (0, 1)
    now[0] += 10  # never more than the burst
    assert [buckets.take("a") for _ in range(4)] == [0, 0, 0, 1]
    assert TokenBuckets(rate=0, burst=1).take("a") == 0  # rate 0: limiting off


async def test_cors_admits_the_configured_frontends_only(gateway_settings, token, org) -> None:
    app_origin, evil = "https://app.dso.example", "https://evil.example"
    preflight = {
        "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization, content-type"
    }
    settings = gateway_settings(cors_origins=[app_origin])
    async with serve(create_app(settings, transport=Recorder().transport())) as client:
        allowed = await client.options("/api/v1/locations", headers=preflight | {"Origin": app_origin})
        refused = await client.options("/api/v1/locations", headers=preflight | {"Origin": evil})
        read = await client.get(MATRIX, headers=bearer(token(org)) | {"Origin": app_origin})
        unauthenticated = await client.get(MATRIX, headers={"Origin": app_origin})
        foreign = await client.get(MATRIX, headers=bearer(token(org)) | {"Origin": evil})
    async with serve(create_app(gateway_settings(), transport=Recorder().transport())) as client:
        closed = await client.get(MATRIX, headers=bearer(token(org)) | {"Origin": app_origin})
    assert allowed.status_code == 200 and allowed.headers["Access-Control-Allow-Origin"] == app_origin
    assert {"authorization", "content-type"} <= set(allowed.headers["Access-Control-Allow-Headers"].lower().split(", "))
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "cors_rejected"
    assert read.headers["Access-Control-Allow-Origin"] == app_origin
    assert "x-request-id" in read.headers["Access-Control-Expose-Headers"]
    assert unauthenticated.status_code == 401 and unauthenticated.headers["Access-Control-Allow-Origin"] == app_origin
    assert "access-control-allow-origin" not in foreign.headers and foreign.status_code == 200
    assert "access-control-allow-origin" not in closed.headers


async def test_a_crash_is_a_500_with_the_error_body_and_is_audited(gateway_settings, token, org) -> None:
    def broken(_: httpx.Request) -> httpx.Response:
        raise RuntimeError("bug in a stand-in")

    app = create_app(gateway_settings(), transport=httpx.MockTransport(broken))
    async with listening(app) as url, httpx.AsyncClient(base_url=url) as client:
        crashed = await client.get(MATRIX, headers=bearer(token(org)) | {"X-Request-Id": "req-crash-1"})
        audit = await client.get("/api/v1/audit", headers=bearer(token(org)), params={"status": 500})
    assert crashed.status_code == 500 and crashed.headers["X-Request-Id"] == "req-crash-1"
    assert crashed.json() == {
        "error": {"code": "internal_error", "message": "internal error; quote request id req-crash-1 when reporting it"}
    }
    [entry] = audit.json()["entries"]
    assert (entry["request_id"], entry["decision"], entry["path"]) == ("req-crash-1", "allow", MATRIX)
