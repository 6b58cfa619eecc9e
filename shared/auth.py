"""Bearer-token authentication: who is calling, for which org, with which role and scope.

In development a local RSA key under `var/keys/` signs and verifies tokens; in
production an OIDC provider (Azure AD, Okta) signs them and we verify against its
JWKS. The gateway verifies the token; services trust only the credential the
gateway mints per forwarded request (shared.internal_auth), so the org scope of a
request can never come from an unchecked header.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Generic, TypeVar

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import Depends, Request

from shared.claims import MAX_TOKEN_BYTES, InvalidClaims, strict_claims
from shared.config import PlatformSettings
from shared.events import subject_token
from shared.principal import ROLES, Principal

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")

PRIVATE_KEY = "dev-signing-key.pem"
PUBLIC_KEY = "dev-signing-key.pub.pem"


class AuthError(Exception):
    """The request carries no valid credentials (401)."""


class Forbidden(Exception):
    """The caller is known but lacks a permission (403)."""


class AuthUnavailable(Exception):
    """The identity provider's signing keys cannot be fetched: not the caller's fault (503)."""


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
    if ttl_s > settings.auth_max_token_lifetime_s:
        raise ValueError(f"ttl must be at most {settings.auth_max_token_lifetime_s} s (AUTH_MAX_TOKEN_LIFETIME_S)")
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
        if len(token) > MAX_TOKEN_BYTES:
            raise AuthError(f"token is larger than {MAX_TOKEN_BYTES} bytes")
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
        settings = self.settings
        try:
            valid = strict_claims(
                claims, org_claim=settings.auth_org_claim, role_claim=settings.auth_role_claim,
                session_claim=settings.auth_session_claim, max_lifetime_s=settings.auth_max_token_lifetime_s,
                leeway_s=settings.auth_leeway_s,
            )
        except InvalidClaims as error:
            raise AuthError(str(error)) from error
        return Principal(
            subject=valid.sub,
            org=valid.org,
            role=_one_role(valid.role),
            regions=tuple(valid.regions),
            locations=tuple(valid.locations),
            session_id=valid.sid,
            issued_at=int(valid.iat) if valid.iat is not None else None,
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


class Remembered(Generic[K, V]):
    """A bounded memory of computed values, each used until the time `until` gives it.

    `compute(key)` runs on a miss; a failure is never remembered. Least recently used
    entries go first when `max_entries` is reached. Thread-safe: token verification runs
    on the event loop and, for JWKS, in worker threads.
    """

    def __init__(self, compute: Callable[[K], V], until: Callable[[K, V, float], float], *,
                 max_entries: int = 4096, clock: Callable[[], float] = time.time) -> None:
        self._compute, self._until, self.max_entries, self._clock = compute, until, max_entries, clock
        self._entries: OrderedDict[K, tuple[V, float]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V:
        """The remembered value of `key` while it is valid, else a fresh one (remembered on success)."""
        now = self._clock()
        with self._lock:
            found = self._entries.get(key)
            if found is not None and now < found[1]:
                self._entries.move_to_end(key)
                return found[0]
        value = self._compute(key)
        until = self._until(key, value, now)
        with self._lock:
            self._entries[key] = (value, until)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return value


class VerifiedTokens(Remembered[str, T]):
    """A bounded memory of verified tokens, so a signature is checked once per token, not per request.

    Keyed by the whole token string (header, claims and signature): a token differing in
    any byte is verified afresh. An entry is used only until the token's `exp` (without
    the leeway) and at most `max_age_s` after it was verified, the time fetched signing
    keys are trusted anyway. Failures are never remembered.
    """

    def __init__(self, verify: Callable[[str], T], *, max_entries: int = 4096, max_age_s: float = 300,
                 clock: Callable[[], float] = time.time, expiry: Callable[[T], float] | None = None) -> None:
        super().__init__(verify, self._expires, max_entries=max_entries, clock=clock)
        self.max_age_s = max_age_s
        self._expiry = expiry  # `exp` from what `verify` returned; else read from the token again

    def _expires(self, token: str, verified: T, now: float) -> float:
        if self._expiry is not None:
            expires = self._expiry(verified)
        else:  # verified already: only read `exp`
            expires = float(jwt.decode(token, options={"verify_signature": False})["exp"])
        return min(expires, now + self.max_age_s)

    def verify(self, token: str) -> T:
        """What `verify` made of `token`: remembered while valid, else verified (and remembered on success)."""
        return self.get(token)


class CachingTokenVerifier(TokenVerifier):
    """The TokenVerifier every service uses: its successful verifications remembered by `VerifiedTokens`."""

    def __init__(self, settings: PlatformSettings, *, clock: Callable[[], float] = time.time) -> None:
        super().__init__(settings)
        self._verified = VerifiedTokens(super().verify, max_age_s=settings.auth_jwks_cache_s, clock=clock)

    def verify(self, token: str) -> Principal:
        return self._verified.verify(token)
