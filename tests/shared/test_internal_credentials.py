"""The internal credential's memory at both ends: reuse at the gateway, verified tokens at a service."""

from __future__ import annotations

import pytest
from joserfc import jwt
from joserfc.jwk import OctKey

from shared.auth import AuthError, Principal
from shared.internal_auth import AUDIENCE, ISSUER, REUSE_S, TTL_S, InternalCredentials

KEY = b"internal-test-key-" + b"k" * 32
CALLER = Principal(subject="u1", org="acme", role="regional_manager", regions=("north",))


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_the_gateway_reuses_a_credential_only_for_the_same_caller_and_request_within_reuse_s() -> None:
    clock = Clock()
    credentials = InternalCredentials(KEY, clock=clock)
    first = credentials.mint(CALLER, method="get", target="/api/v1/locations/L1")
    assert credentials.mint(CALLER, method="GET", target="/api/v1/locations/L1") == first
    assert credentials.mint(CALLER, method="GET", target="/api/v1/locations/L2") != first
    assert credentials.mint(CALLER, method="DELETE", target="/api/v1/locations/L1") != first
    other = Principal(subject="u2", org="acme", role="regional_manager", regions=("north",))
    assert credentials.mint(other, method="GET", target="/api/v1/locations/L1") != first
    narrower = Principal(subject="u1", org="acme", role="regional_manager", regions=("south",))
    assert credentials.mint(narrower, method="GET", target="/api/v1/locations/L1") != first
    clock.now += REUSE_S
    renewed = credentials.mint(CALLER, method="GET", target="/api/v1/locations/L1")
    assert renewed != first
    # A reused credential still has at least TTL_S - REUSE_S to live at the service.
    assert InternalCredentials(KEY, clock=clock).verify(renewed, method="GET", target="/api/v1/locations/L1") == CALLER


def test_a_remembered_credential_still_names_its_one_request_and_ends_at_its_exp() -> None:
    clock = Clock()
    token = InternalCredentials(KEY, clock=clock).mint(CALLER, method="GET", target="/api/v1/locations/L1")
    service = InternalCredentials(KEY, clock=clock)
    assert service.verify(token, method="GET", target="/api/v1/locations/L1") == CALLER
    assert service.verify(token, method="GET", target="/api/v1/locations/L1") == CALLER  # remembered
    with pytest.raises(AuthError, match="another request"):
        service.verify(token, method="GET", target="/api/v1/locations/L2")
    with pytest.raises(AuthError, match="another request"):
        service.verify(token, method="POST", target="/api/v1/locations/L1")
    clock.now += TTL_S + 6  # past exp and the 5 s leeway: forgotten and refused
    with pytest.raises(AuthError, match="expired"):
        service.verify(token, method="GET", target="/api/v1/locations/L1")


@pytest.mark.parametrize("tamper", [
    lambda t: t[:-4] + ("AAAA" if not t.endswith("AAAA") else "BBBB"),  # signature
    lambda t: t.split(".")[0] + "." + t.split(".")[1][:-2] + "xx." + t.split(".")[2],  # claims
    lambda t: "",
    lambda t: "not.a.token",
])
def test_a_tampered_credential_is_refused_even_after_the_genuine_one_was_remembered(tamper) -> None:
    clock = Clock()
    token = InternalCredentials(KEY, clock=clock).mint(CALLER, method="GET", target="/x")
    service = InternalCredentials(KEY, clock=clock)
    service.verify(token, method="GET", target="/x")
    with pytest.raises(AuthError):
        service.verify(tamper(token), method="GET", target="/x")


def test_a_credential_of_another_key_or_too_long_a_life_is_refused() -> None:
    clock = Clock()
    forged = InternalCredentials(b"another-key-" + b"x" * 32, clock=clock).mint(CALLER, method="GET", target="/x")
    with pytest.raises(AuthError, match="invalid"):
        InternalCredentials(KEY, clock=clock).verify(forged, method="GET", target="/x")
    now = int(clock.now)
    claims = {"iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + TTL_S * 2, "sub": "u1", "org": "acme",
              "role": "super_admin", "method": "GET", "path": "/x"}
    long_lived = jwt.encode({"alg": "HS256"}, claims, OctKey.import_key(KEY))
    with pytest.raises(AuthError, match="longer than"):
        InternalCredentials(KEY, clock=clock).verify(long_lived, method="GET", target="/x")
