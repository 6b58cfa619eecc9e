"""The readiness service: locations and their facts, readiness scoring, requirements, pilot selection."""

from __future__ import annotations

from fastapi import FastAPI

import shared.contracts  # noqa: F401 - registers every event contract
from services.readiness.config import ReadinessSettings
from services.readiness.locations import api as locations
from services.readiness.locations.projections import LocationsProjection
from services.readiness.pilots import api as pilots
from services.readiness.pilots.projections import PilotSetsProjection
from services.readiness.programs.projections import ProgramsProjection
from services.readiness.programs.reactions import RescoreOnOverride
from services.readiness.scoring import api as scoring
from services.readiness.spreadsheets import api as spreadsheets
from shared.app import create_service_app
from shared.projections.base import Projection


def projections() -> list[Projection]:
    """Its own stream's read models, and the programs it learns from waves' stream."""
    return [LocationsProjection(), PilotSetsProjection(), ProgramsProjection()]


def create_app(settings: ReadinessSettings | None = None) -> FastAPI:
    settings = settings or ReadinessSettings()
    return create_service_app(
        settings,
        title="DSO Rollout — readiness",
        # The import route comes before `/locations/{location_id}` paths so "import" is never read as an id.
        routers=[spreadsheets.router, locations.router, scoring.router, pilots.router],
        projections=projections(),
        reactors=[RescoreOnOverride] if settings.rescore_on_override else [],
    )
