"""The metrics service: baselines, cases, webhook intake, surveys, live KPIs, ROI, integration health.

It learns locations from readiness' stream, programs (playbooks, go-live dates) from waves', and
verified webhook deliveries from the gateway's intake stream (DSO_INTAKE).
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI

import shared.contracts  # noqa: F401 - registers every event contract
from services.metrics.baselines import api as baselines
from services.metrics.baselines.projections import BaselinesProjection
from services.metrics.cases import api as cases
from services.metrics.cases.projections import CasesProjection
from services.metrics.cases.pseudonyms import load_secret
from services.metrics.config import MetricsSettings
from services.metrics.intake import reactions as intake
from services.metrics.intake.patients import PatientIndexProjection
from services.metrics.intake.process import Intake
from services.metrics.integrations import api as integrations
from services.metrics.integrations.projections import IntegrationsProjection
from services.metrics.kpis import api as kpis
from services.metrics.kpis.reactions import reactors
from services.metrics.locations.projections import LocationsProjection
from services.metrics.programs.projections import ProgramsProjection
from services.metrics.roi import api as roi
from services.metrics.roi.projections import RoiProjection
from services.metrics.surveys import api as surveys
from services.metrics.surveys.projections import SurveysProjection
from shared.app import create_service_app
from shared.contracts.gateway import intake_stream
from shared.projections.base import Projection
from shared.webhooks import signing_key


def projections() -> list[Projection]:
    """Its own stream's read models, and the locations and programs it learns from readiness and waves."""
    return [BaselinesProjection(), CasesProjection(), LocationsProjection(), ProgramsProjection(), SurveysProjection(),
            RoiProjection(), IntegrationsProjection(), PatientIndexProjection()]


def create_app(settings: MetricsSettings | None = None) -> FastAPI:
    settings = settings or MetricsSettings()
    secret = settings.patient_key_secret
    patient_secret = load_secret(secret.get_secret_value() if secret else None, settings.var_dir)
    skew = timedelta(seconds=settings.clock_skew_s)
    app = create_service_app(
        settings,
        title="DSO Rollout — metrics",
        routers=[baselines.router, cases.router, integrations.router, kpis.router, surveys.router, roi.router],
        projections=projections(),
        reactors=[*(reactors() if settings.publish_kpis else []),
                  *intake.reactors(lambda runtime: Intake(runtime, patient_secret=patient_secret, clock_skew=skew,
                                                           retention=timedelta(days=settings.intake_retention_days)))],
        streams=[intake_stream(retention_days=settings.intake_retention_days, replicas=settings.stream_replicas)],
    )
    app.state.patient_secret = patient_secret
    app.state.webhook_key = signing_key(settings)
    return app
