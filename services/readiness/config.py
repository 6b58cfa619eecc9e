"""Readiness settings: `READINESS_PORT`, `READINESS_DATABASE_URL` (else `DATABASE_URL`), and the shared ones."""

from pydantic import AliasChoices, Field

from shared.config import service_settings


class ReadinessSettings(service_settings("readiness", 8001)):  # type: ignore[misc]
    """Plus `READINESS_RESCORE_ON_OVERRIDE`: re-score a programme's locations when its playbook is overridden."""

    rescore_on_override: bool = Field(
        True, validation_alias=AliasChoices("READINESS_RESCORE_ON_OVERRIDE", "rescore_on_override")
    )
