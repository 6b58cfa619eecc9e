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
from services.metrics.cases.pseudonyms import PATIENT_KEY_FILE
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
from shared.keys import platform_key
from shared.projections.base import Projection
from shared.runtime import Runtime
from shared.webhooks import signing_key


def projections() -> list[Projection]:
    """Its own stream's read models, and the locations and programs it learns from readiness and waves."""
    return [BaselinesProjection(), CasesProjection(), LocationsProjection(), ProgramsProjection(), SurveysProjection(),
            RoiProjection(), IntegrationsProjection(), PatientIndexProjection()]


def create_app(settings: MetricsSettings | None = None) -> FastAPI:
    settings = settings or MetricsSettings()
    patient_secret = platform_key(settings.patient_key_secret, settings.key_dir(), PATIENT_KEY_FILE,
                                  setting="METRICS_PATIENT_KEY_SECRET")
    skew = timedelta(seconds=settings.clock_skew_s)

    def intake_of(runtime: Runtime) -> Intake:
        """One intake per running app: the reactor and the re-process routes share what is parked and waits."""
        if getattr(app.state, "intake", None) is None or app.state.intake.runtime is not runtime:
            app.state.intake = Intake(runtime, patient_secret=patient_secret, clock_skew=skew,
                                      retention=timedelta(days=settings.intake_retention_days))
        return app.state.intake  # type: ignore[no-any-return]

    app = create_service_app(
        settings,
        title="DSO Rollout — metrics",
        routers=[baselines.router, cases.router, integrations.router, kpis.router, surveys.router, roi.router],
        projections=projections(),
        reactors=[*(reactors() if settings.publish_kpis else []),
                  *intake.reactors(intake_of)],
        streams=[intake_stream(retention_days=settings.intake_retention_days, replicas=settings.stream_replicas)],
    )
    app.state.intake_of = intake_of
    app.state.patient_secret = patient_secret
    app.state.webhook_key = signing_key(settings)
    return app
