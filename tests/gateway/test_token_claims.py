"""Signed is not enough: every claim the gateway acts on has an exact type and bounds, else 401 naming it."""

from __future__ import annotations

import time
from typing import Any

import jwt

from services.gateway.app import create_app
from shared.auth import ensure_dev_keypair
from shared.config import PlatformSettings
from tests.conftest import bearer, serve
from tests.gateway.conftest import Recorder


def signed(platform: PlatformSettings, **claims: Any) -> str:
    """A token signed with the real development key: only its claims are wrong."""
    now = int(time.time())
    base = {"iss": platform.auth_issuer, "aud": platform.auth_audience, "sub": "u-1", "iat": now, "nbf": now,
            "exp": now + 600, "org": "acme", "role": "regional_admin", "regions": ["north"], "locations": []}
    payload = {k: v for k, v in (base | claims).items() if v is not None}
    return jwt.encode(payload, ensure_dev_keypair(platform.key_dir())[0].read_bytes(), algorithm="RS256")


async def test_tokens_with_missing_mistyped_or_unbounded_claims_are_refused_with_the_claim_named(
    gateway_settings, platform: PlatformSettings
) -> None:
    now = int(time.time())
    cases = [
        ("token claim org: Field required", signed(platform, org=None)),
        ("token claim org: Input should be a valid string", signed(platform, org=123)),
        ("token claim regions: Input should be a valid list", signed(platform, regions="north")),
        ("token claim locations: Input should be a valid list", signed(platform, locations={"L1": True})),
        ("token claim exp: Input should be a valid integer", signed(platform, exp=1e30)),
        ("token claim exp: Input should be a valid integer", signed(platform, exp=str(now + 600))),
        ("token claim exp: more than 86400 s in the future", signed(platform, exp=now + 30 * 86400)),
        ("token claim sub: String should have at least 1 character", signed(platform, sub="")),
        ("token is larger than 8192 bytes", signed(platform, padding="x" * 9000)),
    ]
    service = Recorder()
    async with serve(create_app(gateway_settings(), transport=service.transport())) as client:
        answers = [
            (reason, await client.get("/api/v1/readiness/matrix", headers=bearer(token))) for reason, token in cases
        ]
        fine = await client.get("/api/v1/readiness/matrix", headers=bearer(signed(platform)))

    for reason, answer in answers:
        assert answer.status_code == 401, (reason, answer.text)
        assert answer.json()["error"]["message"].startswith(reason), (reason, answer.text)
    assert fine.status_code == 200
    assert len(service.requests) == 1  # none of the refused tokens reached a service
