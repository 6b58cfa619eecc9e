"""Training settings: `TRAINING_PORT`, `TRAINING_DATABASE_URL` (else `DATABASE_URL`), and the shared ones."""

from __future__ import annotations

from pydantic import Field

from shared.config import ServiceSettings, own, own_database


class TrainingSettings(ServiceSettings):
    service: str = "training"
    port: int = Field(8003, validation_alias=own("training", "port"))
    database_url: str | None = Field(None, validation_alias=own_database("training"))
