"""The metrics service: baselines, cases, surveys, live KPIs, ROI (webhook integrations follow).

It learns locations from readiness' stream and programs (playbooks, go-live dates) from waves'.
"""

from __future__ import annotations

from fastapi import FastAPI

import shared.contracts  # noqa: F401 - registers every event contract
from services.metrics.baselines import api as baselines
from services.metrics.baselines.projections import BaselinesProjection
from services.metrics.cases import api as cases
from services.metrics.cases.projections import CasesProjection
from services.metrics.cases.pseudonyms import load_secret
from services.metrics.config import MetricsSettings
from services.metrics.kpis import api as kpis
from services.metrics.kpis.reactions import reactors
from services.metrics.locations.projections import LocationsProjection
from services.metrics.programs.projections import ProgramsProjection
from services.metrics.roi import api as roi
from services.metrics.roi.projections import RoiProjection
from services.metrics.surveys import api as surveys
from services.metrics.surveys.projections import SurveysProjection
from shared.app import create_service_app
from shared.projections.base import Projection


def projections() -> list[Projection]:
    """Its own stream's read models, and the locations and programs it learns from readiness and waves."""
    return [BaselinesProjection(), CasesProjection(), LocationsProjection(), ProgramsProjection(), SurveysProjection(),
            RoiProjection()]


def create_app(settings: MetricsSettings | None = None) -> FastAPI:
    settings = settings or MetricsSettings()
    app = create_service_app(
        settings,
        title="DSO Rollout — metrics",
        routers=[baselines.router, cases.router, kpis.router, surveys.router, roi.router],
        projections=projections(),
        reactors=reactors() if settings.publish_kpis else [],
    )
    secret = settings.patient_key_secret
    app.state.patient_secret = load_secret(secret.get_secret_value() if secret else None, settings.var_dir)
    return app
