"""Session routes: record a delivered session (idempotent by `Idempotency-Key`), list a location's sessions."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Response, status

from services.training.completion.projections import StatusProjection
from services.training.places.lookup import location_of, place_of, playbook_of, schedule_of
from services.training.sessions import handlers, views
from services.training.sessions.domain import Attendance, RecordSession
from services.training.sessions.models import PlannedSessionPublic, SessionPublic
from services.training.sessions.planning import PlanSession, complete_by, planned_session
from services.training.sessions.projections import SessionsProjection
from services.training.sessions.schemas import PlannedSessionCreate, SessionCreate
from services.training.staff.domain import roster
from services.training.staff.handlers import in_place, location_ref
from shared.access import require_scope
from shared.aggregates import execute
from shared.app import ContextDep, EngineDep, RuntimeDep, read_your_writes
from shared.auth import CurrentPrincipal
from shared.errors import NotFound
from shared.events import AggregateRef, new_id

router = APIRouter(prefix="/api/v1", tags=["training"])


@router.post("/locations/{location_id}/training/sessions", status_code=status.HTTP_201_CREATED,
             response_model=SessionPublic)
async def record_session(location_id: str, body: SessionCreate, response: Response, ctx: ContextDep,
                         runtime: RuntimeDep, engine: EngineDep) -> SessionPublic:
    """Records a session; emits `TrainingSessionRecorded`, per attendee `TrainingCompleted`, and the new status."""
    org = ctx.principal.org
    place, training = await place_of(runtime, org, location_id)
    trainer = await handlers.trainer_of(ctx, staff_id=body.trainer_staff_id, name=body.trainer_name,
                                        training=training)
    command = RecordSession(
        new_id(), location_id, place.program_id, body.curriculum, training.curricula, trainer, body.held_on,
        body.duration_minutes, [Attendance(a.staff_id, a.present, a.score) for a in body.attendees],
        recorded_by=ctx.principal.subject,
    )
    outcome = await handlers.record_session(command, ctx, place=place, training=training)
    session_id = outcome.state.id
    await read_your_writes(runtime, SessionsProjection.name, outcome.position, response)
    await read_your_writes(runtime, StatusProjection.name, outcome.position, response)
    response.headers["Location"] = f"/api/v1/locations/{location_id}/training/sessions/{session_id}"
    found = await asyncio.to_thread(views.get_session, engine, org=org, session_id=session_id)
    if found is None:
        raise NotFound(f"session {session_id} not found", field="session_id")
    return found


@router.get("/locations/{location_id}/training/sessions", response_model=list[SessionPublic])
async def list_sessions(location_id: str, principal: CurrentPrincipal, runtime: RuntimeDep,
                        engine: EngineDep) -> list[SessionPublic]:
    """The location's sessions, newest first, with attendees and their results."""
    place = await location_of(runtime, principal.org, location_id)
    require_scope(principal, region=place.region, location_id=place.id, permission="training:read")
    return await asyncio.to_thread(views.sessions_of, engine, org=principal.org, location_id=location_id)


@router.post("/locations/{location_id}/training/sessions/planned", status_code=status.HTTP_201_CREATED,
             response_model=PlannedSessionPublic)
async def plan_session(location_id: str, body: PlannedSessionCreate, response: Response, ctx: ContextDep,
                       runtime: RuntimeDep, engine: EngineDep) -> PlannedSessionPublic:
    """Schedules a session (`TrainingSessionPlanned`): on or after the program's start and, once the location
    has a wave, no later than the wave's last go-live day (422 naming `planned_on`)."""
    org = ctx.principal.org
    place, training = await place_of(runtime, org, location_id)
    in_place(ctx, place, "training:record")
    when = await schedule_of(runtime, org, location_id, place.program_id)
    deadline = None
    if when.start_date and when.wave:
        deadline = complete_by(await playbook_of(runtime, org, place.program_id), when.start_date, when.wave)
    history = await ctx.store.load(location_ref(org, location_id))
    command = PlanSession(
        new_id(), location_id, place.program_id, body.curriculum, [c.role for c in training.curricula],
        body.planned_on, ctx.principal.subject, roster.fold(roster.initial(), history.events),
        body.duration_minutes, body.trainer_staff_id, body.attendee_staff_ids, when.wave, when.start_date, deadline,
    )
    outcome = await execute(ctx, AggregateRef(org, "training", "session", command.session_id), planned_session,
                            command)
    await read_your_writes(runtime, SessionsProjection.name, outcome.position, response)
    found = await asyncio.to_thread(views.planned_of, engine, org=org, location_id=location_id)
    return next(p for p in found if p.id == command.session_id)


@router.get("/locations/{location_id}/training/sessions/planned", response_model=list[PlannedSessionPublic])
async def list_planned(location_id: str, principal: CurrentPrincipal, runtime: RuntimeDep,
                       engine: EngineDep) -> list[PlannedSessionPublic]:
    """The location's planned sessions, soonest first, each with the date training must be complete by."""
    place = await location_of(runtime, principal.org, location_id)
    require_scope(principal, region=place.region, location_id=place.id, permission="training:read")
    return await asyncio.to_thread(views.planned_of, engine, org=principal.org, location_id=location_id)
