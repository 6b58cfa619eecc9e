"""Resistance-log routes: record an objection at a location, read a location's log and a program's summary."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Response, status

from services.training.objections import views
from services.training.objections.domain import RecordObjection, objection
from services.training.objections.models import ObjectionPublic
from services.training.objections.projections import ObjectionsProjection
from services.training.objections.schemas import ObjectionCreate, ProgramObjections
from services.training.places.lookup import location_of, program_known
from services.training.staff.domain import Place, roster
from services.training.staff.handlers import in_place, location_ref
from shared.access import require_scope
from shared.aggregates import execute
from shared.app import ContextDep, EngineDep, RuntimeDep, read_your_writes
from shared.auth import CurrentPrincipal
from shared.errors import NotFound
from shared.events import AggregateRef, new_id

router = APIRouter(prefix="/api/v1", tags=["training"])


@router.post("/locations/{location_id}/training/objections", status_code=status.HTTP_201_CREATED,
             response_model=ObjectionPublic)
async def record_objection(location_id: str, body: ObjectionCreate, response: Response, ctx: ContextDep,
                           runtime: RuntimeDep, engine: EngineDep) -> ObjectionPublic:
    """Records a resistance point at the location (`ObjectionRecorded`); a named person must be on its roster."""
    org = ctx.principal.org
    row = await location_of(runtime, org, location_id)
    in_place(ctx, Place(row.id, row.region, row.program_id), "training:record")
    history = await ctx.store.load(location_ref(org, location_id))
    command = RecordObjection(
        new_id(), location_id, row.program_id, body.role, body.objection, body.outcome, body.raised_on,
        ctx.principal.subject, roster.fold(roster.initial(), history.events), body.staff_id, body.response_used,
        body.note,
    )
    outcome = await execute(ctx, AggregateRef(org, "training", "objection", command.objection_id), objection, command)
    await read_your_writes(runtime, ObjectionsProjection.name, outcome.position, response)
    response.headers["Location"] = f"/api/v1/locations/{location_id}/training/objections"
    assert outcome.state is not None
    found = await asyncio.to_thread(views.get_objection, engine, org=org, objection_id=outcome.state.objection_id)
    if found is None:
        raise NotFound(f"objection {outcome.state.objection_id} not found", field="objection_id")
    return found


@router.get("/locations/{location_id}/training/objections", response_model=list[ObjectionPublic])
async def location_objections(location_id: str, principal: CurrentPrincipal, runtime: RuntimeDep,
                              engine: EngineDep) -> list[ObjectionPublic]:
    """The location's resistance log, newest first."""
    place = await location_of(runtime, principal.org, location_id)
    require_scope(principal, region=place.region, location_id=place.id, permission="training:read")
    return await asyncio.to_thread(views.location_objections, engine, org=principal.org, location_id=location_id)


@router.get("/programs/{program_id}/training/objections", response_model=ProgramObjections)
async def program_objections(program_id: str, principal: CurrentPrincipal, runtime: RuntimeDep,
                             engine: EngineDep) -> ProgramObjections:
    """Objections by role and outcome over the locations the caller may see, and every entry."""
    if not await program_known(runtime, principal.org, program_id):
        raise NotFound(f"program {program_id} not found", field="program_id")
    return await asyncio.to_thread(views.program_objections, engine, principal=principal, program_id=program_id)
