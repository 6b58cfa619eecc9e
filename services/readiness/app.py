"""The readiness service: locations and their facts, readiness scoring, requirements, pilot selection."""

from __future__ import annotations

from fastapi import FastAPI

import shared.contracts  # noqa: F401 - registers every event contract
from services.readiness.api import router
from services.readiness.config import ReadinessSettings
from services.readiness.projections import LocationsProjection, PilotSetsProjection, ProgramsProjection
from services.readiness.reactions import RescoreOnOverride
from shared.app import create_service_app
from shared.config import ServiceSettings
from shared.projections.base import Projection


def projections() -> list[Projection]:
    """Its own stream's read models, and the programmes it learns from waves' stream."""
    return [LocationsProjection(), PilotSetsProjection(), ProgramsProjection()]


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    settings = settings or ReadinessSettings()
    return create_service_app(
        settings,
        title="DSO Rollout — readiness",
        routers=[router],
        projections=projections(),
        # Settings of another class (a bare ServiceSettings) get the default: on.
        reactors=[RescoreOnOverride] if getattr(settings, "rescore_on_override", True) else [],
    )
