"""Training fixtures: the service app on the test's NATS server and read-model database."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from services.training.app import create_app
from services.training.config import TrainingSettings
from shared.config import PlatformSettings


@pytest.fixture
def app(platform: PlatformSettings, database_url: str) -> FastAPI:
    """The training service, once per database (SQLite, PostgreSQL)."""
    return create_app(TrainingSettings(**platform.model_dump(), database_url=database_url))
