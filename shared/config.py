"""Settings shared by every process; each service adds its own port and database.

Built once in `create_app` (or the CLI) and passed down, never read at import time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class PlatformSettings(BaseSettings):
    """Environment common to the whole stack (unprefixed: one value for all processes)."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    var_dir: Path = Path("var")
    # Unset: the embedded server `rollout up` started for this checkout (var/nats/url, else port 4322).
    # Set (environment or .env): an external server, used as it is; see `nats_url_is_explicit`.
    nats_url: str = Field(default_factory=lambda data: _embedded_nats_url(data))
    # NATS HTTP monitoring (/varz), to verify fsync before ack; known by itself for the embedded server.
    nats_monitor_url: str | None = Field(default_factory=lambda data: _embedded_monitor_url(data))
    log_level: str = "INFO"
    log_json: bool = True
    stream_replicas: int = Field(1, ge=1, le=5)
    # Authentication: a local signing key in development, an OIDC issuer's JWKS in production.
    auth_issuer: str = "dso-rollout-dev"
    auth_audience: str = "dso-rollout"
    auth_jwks_url: str | None = None
    auth_public_key_file: Path | None = None
    auth_private_key_file: Path | None = None
    auth_algorithms: list[str] = ["RS256", "ES256"]
    auth_leeway_s: int = 30
    # A token whose `exp` lies further ahead than this (plus leeway) is refused: no everlasting tokens.
    auth_max_token_lifetime_s: int = Field(24 * 3600, gt=0)
    auth_jwks_cache_s: float = Field(300, gt=0, description="how long fetched JWKS keys are trusted before a refetch")
    # An unknown `kid` refetches the key set at most this often, so garbage tokens cannot flood the IdP.
    auth_jwks_cooldown_s: float = Field(30, ge=0)
    # Claim names, for identity providers that name them differently (Azure AD app roles arrive in `roles`).
    auth_role_claim: str = "role"
    auth_org_claim: str = "org"
    auth_session_claim: str = "sid"
    # Shared by the gateway and the services only: signs the per-request internal credential.
    # Unset = a development key file under var/keys/ (set it in production: every replica needs the same key).
    internal_auth_key: SecretStr | None = None
    # Shared by the gateway and metrics only: each integration's webhook signing secret derives from it.
    # Unset = a development key file under var/keys/ (production: from the secret store, the same everywhere).
    webhook_signing_key: SecretStr | None = None
    # Raw webhook deliveries (PHI) are kept this long in DSO_INTAKE, then expire; the gateway and metrics agree.
    intake_retention_days: int = Field(30, ge=1)
    otel_exporter: str = Field("none", description="none | console")

    def key_dir(self) -> Path:
        return self.var_dir / "keys"

    def nats_url_is_explicit(self) -> bool:
        """NATS_URL was given (environment, .env or argument): use that server, never start our own."""
        return "nats_url" in self.model_fields_set


def _embedded_nats_url(data: dict[str, Any]) -> str:
    from shared.natslocal import recorded_url

    return recorded_url(Path(data.get("var_dir") or "var"))


def _embedded_monitor_url(data: dict[str, Any]) -> str | None:
    from shared.natslocal import recorded_monitor_url

    return recorded_monitor_url(Path(data.get("var_dir") or "var"), str(data.get("nats_url")))


class ServiceSettings(PlatformSettings):
    """One service's settings: where it listens and which read-model database it uses."""

    service: str = "service"
    host: str = "127.0.0.1"
    port: int = 8000
    database_url: str | None = None
    projection_batch: int = Field(256, ge=1, le=10_000)
    projection_max_attempts: int = Field(5, ge=1)
    # How long a reaction's event may stay unacknowledged before the server hands it out again (a crashed
    # process's batch comes back after this); a batch at work keeps telling the server it is in progress.
    reaction_ack_wait_s: float = Field(30.0, ge=2)

    def effective_database_url(self) -> str:
        """SQLite (WAL) under `var/` unless a database URL is configured."""
        if self.database_url:
            return self.database_url
        self.var_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{(self.var_dir / f'{self.service}.db').resolve()}"


# The domain services the gateway forwards to, and every component `rollout up` runs.
DOMAIN_SERVICES: tuple[str, ...] = ("readiness", "waves", "training", "metrics")
COMPONENTS: tuple[str, ...] = (*DOMAIN_SERVICES, "gateway")
DEFAULT_PORTS = {"gateway": 8000, "readiness": 8001, "waves": 8002, "training": 8003, "metrics": 8004}


def own(service: str, name: str) -> AliasChoices:
    """`<SERVICE>_<NAME>` (a service's own variable) or the field name itself."""
    return AliasChoices(f"{service.upper()}_{name.upper()}", name)


def own_database(service: str) -> AliasChoices:
    """`<SERVICE>_DATABASE_URL`, else the stack-wide `DATABASE_URL`."""
    return AliasChoices(f"{service.upper()}_DATABASE_URL", "DATABASE_URL", "database_url")
