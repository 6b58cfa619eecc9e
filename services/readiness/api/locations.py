"""Location routes: register, read, update the profile, history."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request, Response, status

from services.readiness.api.common import org_playbooks, settled
from services.readiness.handlers import locations as handlers
from services.readiness.models import LocationPublic
from services.readiness.schemas.locations import History, HistoryEntry, LocationCreate, ProfileUpdate
from services.readiness.views import locations as views
from shared.app import EngineDep, RuntimeDep, StoreDep, command_metadata
from shared.auth import CurrentPrincipal

router = APIRouter()


@router.post("/locations", status_code=status.HTTP_201_CREATED, response_model=LocationPublic)
async def register_location(
    body: LocationCreate, request: Request, response: Response, principal: CurrentPrincipal,
    store: StoreDep, runtime: RuntimeDep, engine: EngineDep,
) -> LocationPublic:
    """Registers a location with its facts; emits `LocationRegistered` (and `LocationScored` when facts suffice)."""
    meta = command_metadata(request, principal, "RegisterLocation")
    playbooks = await org_playbooks(runtime, principal.org, needs=body.program_id)
    outcome = await handlers.register_location(store, principal=principal, meta=meta, playbooks=playbooks,
                                               **body.model_dump())
    await settled(runtime, outcome, response)
    response.headers["Location"] = f"/api/v1/locations/{outcome.state.id}"
    row = await asyncio.to_thread(views.get_location, engine, principal=principal, location_id=outcome.state.id)
    return LocationPublic.model_validate(row, from_attributes=True)


@router.patch("/locations/{location_id}/profile", response_model=LocationPublic)
async def update_profile(
    location_id: str, body: ProfileUpdate, request: Request, response: Response, principal: CurrentPrincipal,
    store: StoreDep, runtime: RuntimeDep, engine: EngineDep,
) -> LocationPublic:
    """Changes facts (null clears one); emits `LocationProfileUpdated`, and `LocationScored` if the result changed."""
    meta = command_metadata(request, principal, "UpdateLocationProfile")
    playbooks = await org_playbooks(runtime, principal.org, needs=body.program_id)
    outcome = await handlers.update_profile(store, principal=principal, meta=meta, playbooks=playbooks,
                                            location_id=location_id, **body.model_dump())
    await settled(runtime, outcome, response)
    row = await asyncio.to_thread(views.get_location, engine, principal=principal, location_id=location_id)
    return LocationPublic.model_validate(row, from_attributes=True)


@router.get("/locations/{location_id}", response_model=LocationPublic)
def get_location(location_id: str, principal: CurrentPrincipal, engine: EngineDep) -> LocationPublic:
    """One location with its facts and latest scores."""
    row = views.get_location(engine, principal=principal, location_id=location_id)
    return LocationPublic.model_validate(row, from_attributes=True)


@router.get("/locations", response_model=list[LocationPublic])
def list_locations(principal: CurrentPrincipal, engine: EngineDep, region: str | None = None) -> list[LocationPublic]:
    """Locations the caller may see, by name."""
    rows = views.list_locations(engine, principal=principal, region=region)
    return [LocationPublic.model_validate(r, from_attributes=True) for r in rows]


@router.get("/locations/{location_id}/history", response_model=History)
async def location_history(
    location_id: str, principal: CurrentPrincipal, engine: EngineDep, store: StoreDep
) -> History:
    """Every event of the location, oldest first: registration, fact changes, scorings (from the event store)."""
    await asyncio.to_thread(views.get_location, engine, principal=principal, location_id=location_id)
    events = (await store.load(handlers.location_ref(principal.org, location_id))).events
    return History(location_id=location_id, events=[
        HistoryEntry(version=e.version, type=e.type, time=e.time, actor=e.actor, data=e.data) for e in events
    ])
