"""Roster routes: add a staff member, mark one as left, list the roster."""

from __future__ import annotations

import asyncio
from dataclasses import asdict

from fastapi import APIRouter, Request, Response, status
from fastapi.responses import JSONResponse

from services.training.completion.projections import StatusProjection
from services.training.places.lookup import location_of, place_of
from services.training.staff import handlers, views
from services.training.staff.domain import AddStaffMember, MarkStaffLeft
from services.training.staff.importing import ImportRejected, ImportStaff, rows_of
from services.training.staff.models import StaffPublic
from services.training.staff.projections import StaffProjection
from services.training.staff.schemas import StaffCreate, StaffUpdate
from shared.access import require_scope
from shared.app import ContextDep, EngineDep, RuntimeDep, read_your_writes
from shared.auth import CurrentPrincipal
from shared.errors import NotFound
from shared.events import new_id
from shared.http import error_body
from shared.uploads import csv_text

router = APIRouter(prefix="/api/v1", tags=["training"])


async def member_out(engine: EngineDep, org: str, location_id: str, staff_id: str) -> StaffPublic:
    staff = await asyncio.to_thread(views.roster_of, engine, org=org, location_id=location_id)
    for member in staff:
        if member.id == staff_id:
            return member
    raise NotFound(f"staff member {staff_id} not found", field="staff_id")


@router.post("/locations/{location_id}/staff", status_code=status.HTTP_201_CREATED, response_model=StaffPublic)
async def add_staff(location_id: str, body: StaffCreate, response: Response, ctx: ContextDep, runtime: RuntimeDep,
                    engine: EngineDep) -> StaffPublic:
    """Adds a person to the location's roster; emits `StaffMemberAdded` (and `LocationTrainingStatusChanged`)."""
    place, training = await place_of(runtime, ctx.principal.org, location_id)
    command = AddStaffMember(location_id, new_id(), body.name, body.role, ctx.principal.subject, body.start_date,
                             body.email, body.capacity_hours, body.login_subject)
    outcome = await handlers.add_staff(command, ctx, place=place, training=training)
    staff_id = next(e.data["staff_id"] for e in outcome.events if e.type == "StaffMemberAdded")
    await read_your_writes(runtime, StaffProjection.name, outcome.events[0].sequence, response)
    await read_your_writes(runtime, StatusProjection.name, outcome.position, response)
    response.headers["Location"] = f"/api/v1/locations/{location_id}/staff/{staff_id}"
    return await member_out(engine, ctx.principal.org, location_id, staff_id)


IMPORT_DOC = """Adds one staff member per CSV row (UTF-8, header first): `name`, `role` (required), `start_date`
(YYYY-MM-DD), `email`, `capacity_hours`, `login_subject`.

**All or nothing**: every row is checked first; if any is invalid (or names someone already on the roster
in that role), nothing is imported and the answer is 422 with `error.rejected` (line, field, reason).
Otherwise every row is added in one atomic batch.
"""
CSV_BODY = {"requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}}
MAX_BYTES = 1_000_000


@router.post("/locations/{location_id}/staff/import", status_code=status.HTTP_201_CREATED,
             response_model=list[StaffPublic], description=IMPORT_DOC, openapi_extra=CSV_BODY)
async def import_staff(location_id: str, request: Request, response: Response, ctx: ContextDep,
                       runtime: RuntimeDep, engine: EngineDep) -> list[StaffPublic] | JSONResponse:
    """Imports a location's roster from CSV, all or nothing."""
    text = await csv_text(request, max_bytes=MAX_BYTES)
    place, training = await place_of(runtime, ctx.principal.org, location_id)
    ids = tuple(new_id() for _ in rows_of(text))
    try:
        outcome = await handlers.import_roster(ImportStaff(location_id, text, ids, ctx.principal.subject), ctx,
                                               place=place, training=training)
    except ImportRejected as rejected:
        body = error_body(rejected.code, rejected.message, "body", rejected=[asdict(r) for r in rejected.rejected])
        return JSONResponse(body, status_code=422)
    await read_your_writes(runtime, StaffProjection.name, outcome.position, response)
    await read_your_writes(runtime, StatusProjection.name, outcome.position, response)
    added = [e.data["staff_id"] for e in outcome.events if e.type == "StaffMemberAdded"]
    staff = await asyncio.to_thread(views.roster_of, engine, org=ctx.principal.org, location_id=location_id)
    return [member for member in staff if member.id in added]


@router.patch("/locations/{location_id}/staff/{staff_id}", response_model=StaffPublic)
async def mark_left(location_id: str, staff_id: str, body: StaffUpdate, response: Response, ctx: ContextDep,
                    runtime: RuntimeDep, engine: EngineDep) -> StaffPublic:
    """Marks a person as having left from `left_on`; emits `StaffMemberLeft` (and the location's new status)."""
    place, training = await place_of(runtime, ctx.principal.org, location_id)
    command = MarkStaffLeft(location_id, staff_id, body.left_on, ctx.principal.subject, body.reason)
    outcome = await handlers.mark_left(command, ctx, place=place, training=training)
    await read_your_writes(runtime, StaffProjection.name, outcome.position, response)
    await read_your_writes(runtime, StatusProjection.name, outcome.position, response)
    return await member_out(engine, ctx.principal.org, location_id, staff_id)


@router.get("/locations/{location_id}/staff", response_model=list[StaffPublic])
async def list_staff(location_id: str, principal: CurrentPrincipal, runtime: RuntimeDep, engine: EngineDep,
                     include_left: bool = True) -> list[StaffPublic]:
    """The location's roster by name, with who is active and who left when."""
    place = await location_of(runtime, principal.org, location_id)
    require_scope(principal, region=place.region, location_id=place.id, permission="staff:read")
    return await asyncio.to_thread(views.roster_of, engine, org=principal.org, location_id=location_id,
                                   include_left=include_left)
