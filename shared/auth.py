"""Bearer-token authentication: who is calling, for which org, with which role and scope.

In development a local RSA key under `var/keys/` signs and verifies tokens; in
production an OIDC provider (Azure AD, Okta) signs them and we verify against its
JWKS. The gateway verifies the token; services trust only the credential the
gateway mints per forwarded request (shared.internal_auth), so the org scope of a
request can never come from an unchecked header.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import Depends, Request

from shared.config import PlatformSettings
from shared.events import InvalidSubjectToken, subject_token

ROLES = ("super_admin", "executive", "regional_admin", "location_admin", "provider", "treatment_coordinator")
PRIVATE_KEY = "dev-signing-key.pem"
PUBLIC_KEY = "dev-signing-key.pub.pem"


class AuthError(Exception):
    """The request carries no valid credentials (401)."""


class Forbidden(Exception):
    """The caller is known but lacks a permission (403)."""


class AuthUnavailable(Exception):
    """The identity provider's signing keys cannot be fetched: not the caller's fault (503)."""


@dataclass(frozen=True, slots=True)
class Principal:
    """The verified caller."""

    subject: str
    org: str
    role: str
    regions: tuple[str, ...] = field(default=())
    locations: tuple[str, ...] = field(default=())
    # A browser login's session id (OIDC `sid`); tokens of integrations carry none.
    session_id: str | None = None
    issued_at: int | None = None


def ensure_dev_keypair(key_dir: Path) -> tuple[Path, Path]:
    """Create the development signing key once; return (private, public) paths."""
    key_dir.mkdir(parents=True, exist_ok=True)
    private, public = key_dir / PRIVATE_KEY, key_dir / PUBLIC_KEY
    if not private.exists():
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        private.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        private.chmod(0o600)
        public.write_bytes(
            key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        )
    return private, public


def issue_token(
    settings: PlatformSettings,
    *,
    org: str,
    role: str,
    subject: str = "dev-user",
    regions: tuple[str, ...] = (),
    locations: tuple[str, ...] = (),
    ttl_s: int = 8 * 3600,
    session_id: str | None = None,
    issued_at: int | None = None,
) -> str:
    """Sign a development token with the local key (`session_id` makes it a browser session's token)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    subject_token(org, name="org")
    private = settings.auth_private_key_file or ensure_dev_keypair(settings.key_dir())[0]
    now = int(time.time()) if issued_at is None else issued_at
    claims: dict[str, Any] = {
        "iss": settings.auth_issuer,
        "aud": settings.auth_audience,
        "sub": subject,
        "iat": now,
        "nbf": now,
        "exp": now + ttl_s,
        "org": org,
        "role": role,
        "regions": list(regions),
        "locations": list(locations),
    }
    if session_id:
        claims["sid"] = session_id
    return jwt.encode(claims, Path(private).read_bytes(), algorithm="RS256")


class TokenVerifier:
    """Checks signature, issuer, audience, expiry (with leeway) and our claims."""

    def __init__(self, settings: PlatformSettings) -> None:
        self.settings = settings
        self._jwks = (
            jwt.PyJWKClient(
                settings.auth_jwks_url, cache_keys=True, lifespan=settings.auth_jwks_cache_s, timeout=5,
                cooldown_duration=settings.auth_jwks_cooldown_s,
            )
            if settings.auth_jwks_url
            else None
        )
        self._key: bytes | None = None
        if not self._jwks:
            public = settings.auth_public_key_file or ensure_dev_keypair(settings.key_dir())[1]
            self._key = Path(public).read_bytes()

    @property
    def fetches_keys(self) -> bool:
        """Whether `verify` may block on fetching the identity provider's JWKS."""
        return self._jwks is not None

    def _signing_key(self, token: str) -> Any:
        if not self._jwks:
            return self._key
        try:
            return self._jwks.get_signing_key_from_jwt(token).key
        except jwt.PyJWKClientConnectionError as error:
            raise AuthUnavailable(f"signing keys cannot be fetched from the identity provider: {error}") from error
        except jwt.PyJWKClientError as error:
            raise AuthError(f"token signing key is unknown: {error}") from error

    def verify(self, token: str) -> Principal:
        """The principal a token proves, or AuthError naming what is wrong with it (blocking on a JWKS fetch)."""
        try:
            claims = jwt.decode(
                token,
                self._signing_key(token),
                algorithms=self.settings.auth_algorithms,
                audience=self.settings.auth_audience,
                issuer=self.settings.auth_issuer,
                leeway=self.settings.auth_leeway_s,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError as error:
            raise AuthError("token expired") from error
        except jwt.InvalidAudienceError as error:
            raise AuthError("token audience is not accepted") from error
        except jwt.InvalidIssuerError as error:
            raise AuthError("token issuer is not accepted") from error
        except jwt.InvalidSignatureError as error:
            raise AuthError("token signature is invalid") from error
        except jwt.InvalidAlgorithmError as error:
            allowed = ", ".join(self.settings.auth_algorithms)
            raise AuthError(f"token algorithm is not accepted (allowed: {allowed})") from error
        except jwt.PyJWTError as error:
            raise AuthError(f"token is invalid: {error}") from error
        return self._principal(claims)

    def _principal(self, claims: dict[str, Any]) -> Principal:
        role, org = _one_role(claims.get(self.settings.auth_role_claim)), claims.get(self.settings.auth_org_claim)
        try:
            subject_token(str(org), name="org")
        except InvalidSubjectToken as error:
            raise AuthError(f"token org claim is invalid: {error}") from error
        session = claims.get(self.settings.auth_session_claim)
        return Principal(
            subject=str(claims["sub"]),
            org=str(org),
            role=role,
            regions=tuple(claims.get("regions") or ()),
            locations=tuple(claims.get("locations") or ()),
            session_id=str(session) if session else None,
            issued_at=int(claims["iat"]) if isinstance(claims.get("iat"), int | float) else None,
        )


def _one_role(value: Any) -> str:
    """Our role from the claim: a string, or a list (Azure AD app roles) holding exactly one of ours."""
    candidates = [v for v in value if v in ROLES] if isinstance(value, list) else [value]
    if len(candidates) != 1 or candidates[0] not in ROLES:
        raise AuthError(f"token role must be exactly one of {', '.join(ROLES)}")
    return str(candidates[0])


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise AuthError("missing bearer token (Authorization: Bearer <JWT>)")
    return token.strip()


async def current_principal(request: Request) -> Principal:
    """FastAPI dependency: the verified caller, or 401.

    At the gateway the edge has verified the bearer token already; a service trusts
    only the gateway's per-request internal credential (shared.internal_auth).
    """
    principal = getattr(request.state, "principal", None)
    if principal is None:
        principal = request.app.state.internal.verify_request(request)
        request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_role(principal: Principal, allowed: set[str], permission: str) -> None:
    """Raise 403 naming the permission unless the caller's role grants it."""
    if principal.role not in allowed:
        raise Forbidden(f"role {principal.role} lacks permission {permission}")


def require_scope(principal: Principal, *, region: str, location_id: str, permission: str) -> None:
    """Below org-wide roles, a caller acts only in its regions or on its locations."""
    if principal.role in ("super_admin", "executive"):
        return
    if principal.role == "regional_admin" and region in principal.regions:
        return
    if location_id in principal.locations:
        return
    raise Forbidden(f"{permission} on location {location_id} is outside the caller's scope")
