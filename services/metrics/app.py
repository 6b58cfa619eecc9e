"""The metrics service: baselines, cases, KPIs, ROI views, reports.

For now it runs with its stream and health endpoints only; its domain comes in its own issue.
"""

from __future__ import annotations

from fastapi import FastAPI

from services.metrics.config import MetricsSettings
from shared.app import create_service_app
from shared.projections.base import Projection


def projections() -> list[Projection]:
    return []


def create_app(settings: MetricsSettings | None = None) -> FastAPI:
    return create_service_app(settings or MetricsSettings(), title="DSO Rollout — metrics", projections=projections())
