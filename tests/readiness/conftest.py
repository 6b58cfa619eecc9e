"""Readiness fixtures: the service app on the test's NATS server and read-model database."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from services.readiness.app import create_app
from services.readiness.config import ReadinessSettings
from shared.config import PlatformSettings


@pytest.fixture
def app(platform: PlatformSettings, database_url: str) -> FastAPI:
    """The readiness service, once per database (SQLite, PostgreSQL)."""
    return create_app(ReadinessSettings(**platform.model_dump(), database_url=database_url))
