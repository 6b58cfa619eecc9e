"""The waves service: playbook templates and programs (wave schedule, gates, decisions, incidents follow)."""

from __future__ import annotations

from fastapi import FastAPI

import shared.contracts  # noqa: F401 - registers every event contract
from services.waves.checklists.api import router as checklists_router
from services.waves.checklists.projections import ChecklistsProjection
from services.waves.config import WavesSettings
from services.waves.evidence.projections import (
    ChampionModelEvidenceProjection,
    IncidentsProjection,
    MetricsEvidenceProjection,
    TrainingEvidenceProjection,
)
from services.waves.gates.api import router as gates_router
from services.waves.incidents.api import router as incidents_router
from services.waves.pauses.api import router as pauses_router
from services.waves.plan.api import router as plan_router
from services.waves.plan.projections import CandidatesProjection, PlanProjection
from services.waves.plan.reactions import AssignWavesOnReadiness
from services.waves.playbooks.api import router as playbooks_router
from services.waves.playbooks.catalog import PlaybookCatalog
from services.waves.programs.api import router as programs_router
from services.waves.programs.projections import ProgramsProjection
from shared.app import create_service_app
from shared.projections.base import Projection


def projections() -> list[Projection]:
    return [
        ProgramsProjection(), CandidatesProjection(), PlanProjection(), MetricsEvidenceProjection(),
        TrainingEvidenceProjection(), ChampionModelEvidenceProjection(), IncidentsProjection(), ChecklistsProjection(),
    ]


def create_app(settings: WavesSettings | None = None) -> FastAPI:
    settings = settings or WavesSettings()
    # Templates load before the app exists: an invalid file stops start-up naming the file and field.
    catalog = PlaybookCatalog.load(settings.playbook_templates_dir)
    app = create_service_app(
        settings,
        title="DSO Rollout — waves",
        routers=[playbooks_router, programs_router, plan_router, gates_router, pauses_router,
                 incidents_router, checklists_router],
        projections=projections(),
        reactors=[AssignWavesOnReadiness],
    )
    app.state.catalog = catalog
    return app
