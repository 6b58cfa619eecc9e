"""The training service: champions, certification, curricula, sessions, completion.

For now it runs with its stream and health endpoints only; its domain comes in its own issue.
"""

from __future__ import annotations

from fastapi import FastAPI

from services.training.config import TrainingSettings
from shared.app import create_service_app
from shared.projections.base import Projection


def projections() -> list[Projection]:
    return []


def create_app(settings: TrainingSettings | None = None) -> FastAPI:
    return create_service_app(settings or TrainingSettings(), title="DSO Rollout — training", projections=projections())
