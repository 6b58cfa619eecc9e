"""Settings shared by every process; each service adds its own port and database.

Built once in `create_app` (or the CLI) and passed down, never read at import time.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class PlatformSettings(BaseSettings):
    """Environment common to the whole stack (unprefixed: one value for all processes)."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    nats_url: str = "nats://127.0.0.1:4222"
    var_dir: Path = Path("var")
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
    otel_exporter: str = Field("none", description="none | console")

    def key_dir(self) -> Path:
        return self.var_dir / "keys"


class ServiceSettings(PlatformSettings):
    """One service's settings: where it listens and which read-model database it uses."""

    service: str = "service"
    host: str = "127.0.0.1"
    port: int = 8000
    database_url: str | None = None
    projection_batch: int = Field(256, ge=1, le=10_000)
    projection_max_attempts: int = Field(5, ge=1)

    def effective_database_url(self) -> str:
        """SQLite (WAL) under `var/` unless a database URL is configured."""
        if self.database_url:
            return self.database_url
        self.var_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{(self.var_dir / f'{self.service}.db').resolve()}"


DEFAULT_PORTS = {"gateway": 8000, "readiness": 8001, "waves": 8002, "training": 8003, "metrics": 8004}


def service_settings(name: str, default_port: int | None = None) -> type[ServiceSettings]:
    """A settings class for service `name`: `<NAME>_PORT`, `<NAME>_DATABASE_URL` (else `DATABASE_URL`)."""
    prefix = name.upper()
    port_default = default_port or DEFAULT_PORTS[name]

    class Settings(ServiceSettings):
        service: str = name
        port: int = Field(port_default, validation_alias=AliasChoices(f"{prefix}_PORT", "port"))
        database_url: str | None = Field(
            None, validation_alias=AliasChoices(f"{prefix}_DATABASE_URL", "DATABASE_URL", "database_url")
        )

    Settings.__name__ = f"{name.title()}Settings"
    return Settings
