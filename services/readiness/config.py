"""Readiness settings: `READINESS_PORT`, `READINESS_DATABASE_URL` (else `DATABASE_URL`), and the shared ones."""

from __future__ import annotations

from pydantic import Field

from shared.config import ServiceSettings, own, own_database


class ReadinessSettings(ServiceSettings):
    """Plus `READINESS_RESCORE_ON_OVERRIDE`: re-score a program's locations when its playbook is overridden."""

    service: str = "readiness"
    port: int = Field(8001, validation_alias=own("readiness", "port"))
    database_url: str | None = Field(None, validation_alias=own_database("readiness"))
    rescore_on_override: bool = Field(True, validation_alias=own("readiness", "rescore_on_override"))
