"""The waves service: programmes, wave schedule, gates, decisions, incidents, rollback.

For now it runs with its stream and health endpoints only; its domain comes in its own issue.
"""

from __future__ import annotations

from fastapi import FastAPI

from services.waves.config import WavesSettings
from shared.app import create_service_app
from shared.config import ServiceSettings
from shared.projections.base import Projection


def projections() -> list[Projection]:
    return []


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    return create_service_app(settings or WavesSettings(), title="DSO Rollout — waves", projections=projections())
