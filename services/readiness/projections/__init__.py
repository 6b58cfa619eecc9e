"""Readiness read models: locations and pilot sets (its own stream), programmes (waves' stream)."""

from services.readiness.projections.locations import LocationsProjection
from services.readiness.projections.pilotsets import PilotSetsProjection
from services.readiness.projections.programs import ProgramsProjection

__all__ = ["LocationsProjection", "PilotSetsProjection", "ProgramsProjection"]
