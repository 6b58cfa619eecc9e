"""Metrics settings: `METRICS_PORT`, `METRICS_DATABASE_URL` (else `DATABASE_URL`), and the shared ones."""

from __future__ import annotations

from pydantic import Field

from shared.config import ServiceSettings, own, own_database


class MetricsSettings(ServiceSettings):
    service: str = "metrics"
    port: int = Field(8004, validation_alias=own("metrics", "port"))
    database_url: str | None = Field(None, validation_alias=own_database("metrics"))
