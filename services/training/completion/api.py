"""Completion routes: a location's training status, a program's by location and role."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter

from services.training.completion import views
from services.training.completion.domain import needed
from services.training.completion.schemas import CurriculumDone, LocationTraining, ProgramTraining, StaffRecord
from services.training.places.lookup import location_of, place_of, program_known
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


@router.get("/me/training", response_model=list[StaffRecord])
async def my_training(principal: CurrentPrincipal, runtime: RuntimeDep, engine: EngineDep) -> list[StaffRecord]:
    """The caller's own training record: each roster entry whose `login_subject` is the caller's token subject."""
    records = []
    for member, done in await asyncio.to_thread(views.own_records, engine, org=principal.org,
                                                subject=principal.subject):
        _, training = await place_of(runtime, principal.org, member.location_id)
        required = needed(training.curricula, member.role)
        completed = {d.curriculum for d in done}
        records.append(StaffRecord(
            staff_id=member.id, name=member.name, role=member.role, location_id=member.location_id,
            active=member.active, required=required, missing=[c for c in required if c not in completed],
            completed=[CurriculumDone.model_validate(d, from_attributes=True) for d in done],
        ))
    return records
