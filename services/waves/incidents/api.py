"""Incident HTTP routes: open at a location, resolve, list."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from fastapi import APIRouter, Response, status

from services.waves.evidence.projections import IncidentsProjection
from services.waves.gates.views import playbook_of
from services.waves.incidents import handlers, views
from services.waves.incidents.domain import AcknowledgeIncident, OpenIncident, ResolveIncident
from services.waves.incidents.schemas import IncidentAcknowledge, IncidentOpen, IncidentResolve, IncidentView
from shared.app import ContextDep, EngineDep, RuntimeDep, read_your_writes
from shared.auth import CurrentPrincipal
from shared.events import new_id

router = APIRouter(prefix="/api/v1/programs", tags=["incidents"])


@router.get("/{program_id}/incidents", response_model=list[IncidentView])
def list_incidents(program_id: str, principal: CurrentPrincipal, engine: EngineDep) -> list[IncidentView]:
    """The program's incidents and tickets with their SLA, as far as the caller's scope reaches."""
    return views.incidents(engine, principal=principal, program_id=program_id)


@router.post("/{program_id}/locations/{location_id}/incidents", status_code=status.HTTP_201_CREATED,
             response_model=IncidentView)
async def open_incident(program_id: str, location_id: str, body: IncidentOpen, response: Response, ctx: ContextDep,
                        runtime: RuntimeDep) -> IncidentView:
    """Opens an incident or ticket at a location (`IncidentOpened`), its response due from the contact tier."""
    playbook = await asyncio.to_thread(playbook_of, runtime.engine, principal=ctx.principal, program_id=program_id)
    where = await asyncio.to_thread(views.regions, runtime.engine, principal=ctx.principal, location_ids=[location_id])
    command = OpenIncident(new_id(), program_id, location_id, body.kind, body.severity, body.category,
                           body.description, body.contact_tier, playbook, datetime.now(UTC), ctx.principal.subject)
    outcome = await handlers.open_incident(command, ctx, region=where.get(location_id, ""))
    await read_your_writes(runtime, IncidentsProjection.name, outcome.position, response)
    return await asyncio.to_thread(views.incident, runtime.engine, principal=ctx.principal, program_id=program_id,
                                   incident_id=outcome.state.incident_id)


@router.post("/{program_id}/incidents/{incident_id}/resolve", response_model=IncidentView)
async def resolve_incident(program_id: str, incident_id: str, body: IncidentResolve, response: Response,
                           ctx: ContextDep, runtime: RuntimeDep) -> IncidentView:
    """Resolves an incident or ticket (`IncidentResolved`)."""
    where = await asyncio.to_thread(views.regions, runtime.engine, principal=ctx.principal)
    command = ResolveIncident(incident_id, body.resolution, datetime.now(UTC), ctx.principal.subject)
    outcome = await handlers.resolve_incident(command, ctx, region_of=where)
    await read_your_writes(runtime, IncidentsProjection.name, outcome.position, response)
    return await asyncio.to_thread(views.incident, runtime.engine, principal=ctx.principal, program_id=program_id,
                                   incident_id=incident_id)


@router.post("/{program_id}/incidents/{incident_id}/acknowledge", response_model=IncidentView)
async def acknowledge_incident(program_id: str, incident_id: str, body: IncidentAcknowledge, response: Response,
                               ctx: ContextDep, runtime: RuntimeDep) -> IncidentView:
    """Records the first response to an incident (`IncidentAcknowledged`); the response SLA is met if in time."""
    where = await asyncio.to_thread(views.regions, runtime.engine, principal=ctx.principal)
    command = AcknowledgeIncident(incident_id, body.note, datetime.now(UTC), ctx.principal.subject)
    outcome = await handlers.resolve_incident(command, ctx, region_of=where)
    await read_your_writes(runtime, IncidentsProjection.name, outcome.position, response)
    return await asyncio.to_thread(views.incident, runtime.engine, principal=ctx.principal, program_id=program_id,
                                   incident_id=incident_id)
