"""Completion routes: a location's training status, a program's by location and role."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter

from services.training.completion import views
from services.training.completion.schemas import LocationTraining, ProgramTraining
from services.training.places.lookup import location_of, program_known
from shared.access import require_scope
from shared.app import EngineDep, RuntimeDep
from shared.auth import CurrentPrincipal
from shared.errors import NotFound

router = APIRouter(prefix="/api/v1", tags=["training"])


@router.get("/locations/{location_id}/training", response_model=LocationTraining)
async def location_training(location_id: str, principal: CurrentPrincipal, runtime: RuntimeDep,
                            engine: EngineDep) -> LocationTraining:
    """The location's completion overall and by role, and who is missing which curricula."""
    place = await location_of(runtime, principal.org, location_id)
    require_scope(principal, region=place.region, location_id=place.id, permission="training:read")
    return await asyncio.to_thread(views.location_training, engine, org=principal.org, location_id=location_id,
                                   program_id=place.program_id)


@router.get("/programs/{program_id}/training", response_model=ProgramTraining)
async def program_training(program_id: str, principal: CurrentPrincipal, runtime: RuntimeDep,
                           engine: EngineDep) -> ProgramTraining:
    """The program's completion by location and role, over the locations the caller may see."""
    if not await program_known(runtime, principal.org, program_id):
        raise NotFound(f"program {program_id} not found", field="program_id")
    return await asyncio.to_thread(views.program_training, engine, principal=principal, program_id=program_id)
