"""Gateway settings: `GATEWAY_PORT`, where each owning service listens, and the edge's limits.

The service URLs are unprefixed (`READINESS_URL`, ...) because they name the service,
not the gateway; the limits are the gateway's own (`GATEWAY_...`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import NoDecode

from shared.config import ServiceSettings, own, own_database
from shared.contracts.gateway import SEVEN_YEARS_DAYS


def _own(name: str) -> AliasChoices:
    return own("gateway", name)


class GatewaySettings(ServiceSettings):
    """The public edge: which service answers which route, and how long we wait for it."""

    service: str = "gateway"
    port: int = Field(8000, validation_alias=_own("port"))
    database_url: str | None = Field(None, validation_alias=own_database("gateway"))

    readiness_url: str = "http://127.0.0.1:8001"
    waves_url: str = "http://127.0.0.1:8002"
    training_url: str = "http://127.0.0.1:8003"
    metrics_url: str = "http://127.0.0.1:8004"
    forward_timeout_s: float = Field(10.0, gt=0, validation_alias=_own("forward_timeout_s"))
    connect_timeout_s: float = Field(2.0, gt=0, validation_alias=_own("connect_timeout_s"))
    max_body_bytes: int = Field(1024 * 1024, ge=0, validation_alias=_own("max_body_bytes"))
    # Downstream schemas change only on deploy; a short cache keeps /openapi.json cheap.
    openapi_cache_s: float = Field(10.0, ge=0, validation_alias=_own("openapi_cache_s"))
    health_timeout_s: float = Field(1.0, gt=0, validation_alias=_own("health_timeout_s"))
    # Composed views: how long one part may take before it is reported as `timeout`.
    compose_timeout_s: float = Field(3.0, gt=0, validation_alias=_own("compose_timeout_s"))
    # Browser sessions (tokens with a `sid`): ended after this long without a request (HIPAA: 30 min).
    session_idle_s: float = Field(1800, gt=0, validation_alias=_own("session_idle_s"))
    session_touch_s: float = Field(60, gt=0, validation_alias=_own("session_touch_s"))
    session_max_s: float = Field(24 * 3600, gt=0, validation_alias=_own("session_max_s"))
    # Per caller (org + subject) and replica: `rate` requests/s sustained, `burst` at once; rate 0 = off.
    rate_limit_per_s: float = Field(50.0, ge=0, validation_alias=_own("rate_limit_per_s"))
    rate_limit_burst: int = Field(100, ge=1, validation_alias=_own("rate_limit_burst"))
    # Frontend origins allowed by CORS (comma-separated or a JSON list); none = no CORS headers at all.
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list, validation_alias=_own("cors_origins"))
    audit_retention_days: int = Field(SEVEN_YEARS_DAYS, ge=1, validation_alias=_own("audit_retention_days"))
    # The key of the audit chain's HMAC (production: from the secret store); unset = a dev key under var/keys/.
    audit_key: SecretStr | None = Field(None, validation_alias=_own("audit_key"))
    audit_key_file: Path | None = Field(None, validation_alias=_own("audit_key_file"))
    # Names this replica's audit chains (`<name>-<ULID of the process start>`), e.g. the pod name.
    audit_recorder: str = Field("gateway", pattern=r"^[A-Za-z0-9_-]{1,40}$", validation_alias=_own("audit_recorder"))
    # Live event streams one caller (org + user) may hold open on one replica at once.
    max_streams_per_caller: int = Field(5, ge=1, validation_alias=_own("max_streams_per_caller"))
    sse_retry_ms: int = Field(2000, ge=0, validation_alias=_own("sse_retry_ms"))
    # The console's development login (only ever with the local signing key, on loopback).
    console_dev_login: bool = Field(True, validation_alias=_own("console_dev_login"))
    # The console's sign-in with the identity provider (OAuth 2.0 authorization code + PKCE, a public client):
    # its authorization and token endpoints and the console's client id; the access token it returns is
    # what the gateway verifies (AUTH_JWKS_URL, AUTH_ISSUER, AUTH_AUDIENCE and the claim names).
    console_oidc_authorize_url: str | None = Field(None, validation_alias=_own("console_oidc_authorize_url"))
    console_oidc_token_url: str | None = Field(None, validation_alias=_own("console_oidc_token_url"))
    console_oidc_client_id: str | None = Field(None, validation_alias=_own("console_oidc_client_id"))
    console_oidc_scope: str = Field("openid profile", validation_alias=_own("console_oidc_scope"))

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _origins(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [origin.strip().rstrip("/") for origin in text.split(",") if origin.strip()]
        return value

    @field_validator("readiness_url", "waves_url", "training_url", "metrics_url")
    @classmethod
    def _no_trailing_slash(cls, url: str) -> str:
        return url.rstrip("/")

    def service_urls(self) -> dict[str, str]:
        """Base URL of every service the gateway forwards to, by service name."""
        return {
            "readiness": self.readiness_url,
            "waves": self.waves_url,
            "training": self.training_url,
            "metrics": self.metrics_url,
        }
