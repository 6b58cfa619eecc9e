"""Gateway settings: `GATEWAY_PORT`, where each owning service listens, and the edge's limits.

The service URLs are unprefixed (`READINESS_URL`, ...) because they name the service,
not the gateway; the limits are the gateway's own (`GATEWAY_...`).
"""

from __future__ import annotations

from pydantic import AliasChoices, Field, field_validator

from shared.config import service_settings

_Base = service_settings("gateway", 8000)


def _own(name: str) -> AliasChoices:
    return AliasChoices(f"GATEWAY_{name.upper()}", name)


class GatewaySettings(_Base):  # type: ignore[misc,valid-type]
    """The public edge: which service answers which route, and how long we wait for it."""

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
