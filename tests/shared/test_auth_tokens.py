"""OIDC bearer tokens verified against a real JWKS endpoint (RS256 and ES256), the way Azure AD or Okta serve it.

The identity provider here is a small HTTP server on a free port serving the key
set (tests/gateway/identity.py); tokens are signed with its private keys, as the provider would.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from shared.auth import AuthError, AuthUnavailable, TokenVerifier
from shared.config import PlatformSettings
from tests.gateway.identity import AUDIENCE, ISSUER, IdentityProvider, running_provider


@pytest.fixture(scope="module")
def idp() -> Iterator[IdentityProvider]:
    with running_provider(("rsa-1", "RS256"), ("ec-1", "ES256")) as provider:
        yield provider


def verifier(idp: IdentityProvider, **settings: Any) -> TokenVerifier:
    return TokenVerifier(
        PlatformSettings(auth_jwks_url=idp.url, auth_issuer=ISSUER, auth_audience=AUDIENCE, **settings)
    )


@pytest.mark.parametrize("kid", ["rsa-1", "ec-1"])
def test_a_token_signed_by_the_providers_key_proves_who_calls(idp: IdentityProvider, kid: str) -> None:
    principal = verifier(idp).verify(idp.token(kid))
    assert (principal.subject, principal.org, principal.role, principal.regions) == (
        "user-1", "acme", "regional_admin", ("north",)
    )
    assert principal.session_id == "session-1" and principal.issued_at is not None
    assert verifier(idp).fetches_keys


def test_every_bad_token_is_refused_with_its_reason(idp: IdentityProvider) -> None:
    now = int(time.time())
    other_rsa = rsa.generate_private_key(65537, 2048)
    cases = {
        "token expired": idp.token("rsa-1", exp=now - 120),
        "token audience is not accepted": idp.token("ec-1", aud="api://someone-else"),
        "token issuer is not accepted": idp.token("rsa-1", iss="https://evil.example"),
        "token signature is invalid": idp.token("rsa-1", signer=other_rsa),
        "token is invalid: The token is not yet valid": idp.token("ec-1", nbf=now + 600),
        "token is invalid: Token is missing the \"exp\" claim": idp.token("rsa-1", exp=None),
        "token role must be exactly one of": idp.token("rsa-1", role="janitor"),
        "token claim org: String should match pattern": idp.token("rsa-1", org="acme.*"),
        "token algorithm is not accepted": jwt.encode(
            {"iss": ISSUER, "aud": AUDIENCE, "sub": "x", "exp": now + 60}, "a-shared-secret-of-32-bytes-long!",
            algorithm="HS256", headers={"kid": "rsa-1"},
        ),
    }
    check = verifier(idp)
    for reason, token in cases.items():
        with pytest.raises(AuthError) as refused:
            check.verify(token)
        assert reason in str(refused.value), (reason, str(refused.value))


def test_clock_skew_is_tolerated_up_to_the_configured_leeway(idp: IdentityProvider) -> None:
    just_expired = idp.token("ec-1", exp=int(time.time()) - 10)
    assert verifier(idp, auth_leeway_s=30).verify(just_expired).subject == "user-1"
    with pytest.raises(AuthError, match="token expired"):
        verifier(idp, auth_leeway_s=0).verify(just_expired)


def test_a_rotated_key_is_fetched_and_an_unknown_one_refused(idp: IdentityProvider) -> None:
    check = verifier(idp, auth_jwks_cooldown_s=0)
    check.verify(idp.token("rsa-1"))
    fetched = idp.fetches
    check.verify(idp.token("ec-1"))
    assert idp.fetches == fetched  # the key set is cached
    idp.add_key("rsa-2", "RS256")  # the provider rotates its keys
    assert check.verify(idp.token("rsa-2")).subject == "user-1"
    assert idp.fetches == fetched + 1
    forged = jwt.encode({"sub": "x"}, rsa.generate_private_key(65537, 2048), algorithm="RS256", headers={"kid": "nope"})
    with pytest.raises(AuthError, match="token signing key is unknown"):
        check.verify(forged)


def test_unknown_key_ids_cannot_make_us_flood_the_provider(idp: IdentityProvider) -> None:
    check = verifier(idp)  # default cooldown: one forced refetch per 30 s at most
    check.verify(idp.token("rsa-1"))
    fetched = idp.fetches
    for n in range(5):
        forged = jwt.encode({"sub": "x"}, "k" * 32, algorithm="HS256", headers={"kid": f"junk-{n}"})
        with pytest.raises(AuthError):
            check.verify(forged)
    assert idp.fetches == fetched


def test_an_unreachable_provider_is_not_the_callers_fault(idp: IdentityProvider) -> None:
    idp.up = False
    try:
        with pytest.raises(AuthUnavailable, match="signing keys cannot be fetched"):
            verifier(idp).verify(idp.token("rsa-1"))
    finally:
        idp.up = True


def test_claim_names_follow_the_provider(idp: IdentityProvider) -> None:
    """Azure AD sends app roles as a list in `roles` and the tenant in `tid`."""
    check = verifier(idp, auth_role_claim="roles", auth_org_claim="tid")
    token = idp.token("rsa-1", role=None, org=None, roles=["Viewer", "executive"], tid="contoso")
    principal = check.verify(token)
    assert (principal.org, principal.role) == ("contoso", "executive")
    with pytest.raises(AuthError, match="exactly one of"):
        check.verify(idp.token("rsa-1", role=None, roles=["executive", "super_admin"], tid="contoso"))
