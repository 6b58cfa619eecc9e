"""The training service: rosters, champions and their certification, sessions, completion per location."""

from __future__ import annotations

from fastapi import FastAPI

import shared.contracts  # noqa: F401 - registers every event contract
from services.training.champions import api as champions
from services.training.champions.projections import ChampionsProjection
from services.training.completion import api as completion
from services.training.completion.projections import StatusProjection
from services.training.config import TrainingSettings
from services.training.curricula import api as curricula
from services.training.lineage import api as lineage
from services.training.lineage.reactions import ChampionModelOnCompletion, ChampionModelOnPlan
from services.training.objections import api as objections
from services.training.objections.projections import ObjectionsProjection
from services.training.places.projections import LocationsProjection, ProgramsProjection, WavesProjection
from services.training.sessions import api as sessions
from services.training.sessions.projections import SessionsProjection
from services.training.staff import api as staff
from services.training.staff.projections import StaffProjection
from shared.app import create_service_app
from shared.projections.base import Projection


def projections() -> list[Projection]:
    """Its own stream's read models, and the locations, programs and waves it learns from readiness and waves."""
    return [StaffProjection(), ChampionsProjection(), SessionsProjection(), StatusProjection(),
            LocationsProjection(), ProgramsProjection(), WavesProjection(), ObjectionsProjection()]


def create_app(settings: TrainingSettings | None = None) -> FastAPI:
    return create_service_app(
        settings or TrainingSettings(), title="DSO Rollout — training",
        routers=[staff.router, champions.router, sessions.router, completion.router, lineage.router,
                 curricula.router, objections.router],
        projections=projections(), reactors=[ChampionModelOnCompletion, ChampionModelOnPlan],
    )
