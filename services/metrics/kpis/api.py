"""KPI routes: a location's live KPIs, and a program's per location (each value with n and window)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter

from services.metrics.kpis.schemas import LocationKpis, ProgramKpis
from services.metrics.kpis.views import Measured, measure_locations
from services.metrics.locations import views as locations
from services.metrics.locations.lookup import location_for
from services.metrics.programs.lookup import playbook_for
from shared.app import EngineDep, RuntimeDep
from shared.auth import CurrentPrincipal

router = APIRouter(prefix="/api/v1", tags=["metrics"])


def out(measured: Measured) -> LocationKpis:
    row = measured.location
    return LocationKpis(location_id=row.id, name=row.name, program_id=row.program_id, went_live=measured.went_live,
                        values=measured.values, first_sequence=measured.first_sequence,
                        last_sequence=measured.last_sequence)


@router.get("/locations/{location_id}/kpis", response_model=LocationKpis)
async def location_kpis(location_id: str, principal: CurrentPrincipal, runtime: RuntimeDep) -> LocationKpis:
    """A location's KPIs from its cases: turnaround, planning time, revisions, acceptance, critical issues, volume."""
    location = await location_for(runtime, principal, location_id)
    [measured] = await asyncio.to_thread(measure_locations, runtime.engine, org=principal.org, locations=[location])
    return out(measured)


@router.get("/programs/{program_id}/kpis", response_model=ProgramKpis)
async def program_kpis(
    program_id: str, principal: CurrentPrincipal, runtime: RuntimeDep, engine: EngineDep,
) -> ProgramKpis:
    """The KPIs of each of the program's locations in the caller's scope."""
    await playbook_for(runtime, principal.org, program_id)  # 404 for a program waves never created
    rows = await asyncio.to_thread(locations.program_locations, engine, principal=principal, program_id=program_id)
    measured = await asyncio.to_thread(measure_locations, engine, org=principal.org, locations=rows)
    return ProgramKpis(program_id=program_id, locations=[out(m) for m in measured])
