"""A service's own port accepts only what the gateway forwarded: a user token alone is refused there."""

from __future__ import annotations

import time

import httpx

from services.gateway.app import create_app
from shared.auth import Principal, issue_token
from shared.internal_auth import HEADER, InternalCredentials, internal_key
from tests.conftest import bearer, serve
from tests.gateway.conftest import listening


async def test_a_user_token_straight_at_a_service_is_refused(gateway_settings, readiness_url, token, org) -> None:
    coordinator = bearer(token(org, "treatment_coordinator", locations=("loc-1",)))
    admin = bearer(token(org))
    async with httpx.AsyncClient(base_url=readiness_url) as direct:
        # The gateway says 403 to a treatment coordinator; the service port used to hand the CSV out.
        matrix = await direct.get("/api/v1/readiness/matrix.csv", headers=coordinator)
        assert matrix.status_code == 401, matrix.text
        assert "forwarded by the gateway" in matrix.json()["error"]["message"]
        # A super admin's write straight at the service would leave no audit entry: refused, nothing stored.
        write = await direct.post("/api/v1/locations", json={"name": "Unaudited", "region": "north"}, headers=admin)
        assert write.status_code == 401, write.text
        assert (await direct.get("/healthz")).status_code == 200
        assert (await direct.get("/readyz")).status_code == 200
    async with serve(create_app(gateway_settings(readiness_url=readiness_url))) as gateway:
        assert (await gateway.get("/api/v1/readiness/matrix.csv", headers=coordinator)).status_code == 403
        listed = await gateway.get("/api/v1/locations", headers=admin)
        assert listed.status_code == 200 and listed.json() == []


async def test_an_idle_session_cannot_go_around_the_gateway(gateway_settings, readiness_url, platform, org) -> None:
    # Issued 32 minutes ago and never used since: the gateway ends such a session (idle > 30 min).
    idle = issue_token(platform, org=org, role="super_admin", session_id="browser-1",
                       issued_at=int(time.time()) - 32 * 60)
    async with httpx.AsyncClient(base_url=readiness_url) as direct:
        assert (await direct.get("/api/v1/locations", headers=bearer(idle))).status_code == 401
    async with listening(create_app(gateway_settings(readiness_url=readiness_url))) as url, \
            httpx.AsyncClient(base_url=url) as gateway:
        refused = await gateway.get("/api/v1/locations", headers=bearer(idle))
        assert refused.status_code == 401 and "idle" in refused.json()["error"]["message"]


async def test_an_internal_credential_is_good_for_one_request_and_30_seconds(readiness_url, platform, org) -> None:
    credentials = InternalCredentials.of(platform)
    caller = Principal(subject="u1", org=org, role="super_admin")
    minted = credentials.mint(caller, method="GET", target="/api/v1/locations")
    async with httpx.AsyncClient(base_url=readiness_url) as direct:
        assert (await direct.get("/api/v1/locations", headers={HEADER: minted})).status_code == 200
        other_path = await direct.get("/api/v1/readiness/matrix.csv", headers={HEADER: minted})
        assert other_path.status_code == 401 and "another request" in other_path.json()["error"]["message"]
        other_method = await direct.post("/api/v1/locations", json={"name": "A", "region": "n"},
                                         headers={HEADER: minted})
        assert other_method.status_code == 401
        old = InternalCredentials(internal_key(platform), clock=lambda: time.time() - 60)
        expired = old.mint(caller, method="GET", target="/api/v1/locations")
        refused = await direct.get("/api/v1/locations", headers={HEADER: expired})
        assert refused.status_code == 401 and "expired" in refused.json()["error"]["message"]
        forged = InternalCredentials(b"k" * 32).mint(caller, method="GET", target="/api/v1/locations")
        assert (await direct.get("/api/v1/locations", headers={HEADER: forged})).status_code == 401
