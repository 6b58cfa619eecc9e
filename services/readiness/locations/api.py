"""Location routes: register, read, update the profile, history."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Response, status

from services.readiness.locations import handlers, views
from services.readiness.locations.domain import RegisterLocation, UpdateLocationProfile
from services.readiness.locations.models import LocationPublic
from services.readiness.locations.projections import LocationsProjection
from services.readiness.locations.schemas import History, HistoryEntry, ListQuery, LocationCreate, ProfileUpdate
from services.readiness.programs.lookup import playbooks_for
from shared.app import ContextDep, EngineDep, RuntimeDep, StoreDep, read_your_writes
from shared.auth import CurrentPrincipal
from shared.db import on_engine
from shared.errors import NotFound
from shared.events import new_id
from shared.references import ReadModelLagging

router = APIRouter(prefix="/api/v1", tags=["readiness"])


@router.post("/locations", status_code=status.HTTP_201_CREATED, response_model=LocationPublic,
             responses={409: {"description": "A location of this name already exists in this region"}})
async def register_location(
    body: LocationCreate, response: Response, ctx: ContextDep, runtime: RuntimeDep, engine: EngineDep,
) -> dict[str, Any]:
    """Registers a location with its facts; emits `LocationRegistered` (and `LocationScored` when facts suffice)."""
    playbooks = await playbooks_for(runtime, ctx.principal.org, [body.program_id])
    taken = await on_engine(engine, views.named, org=ctx.principal.org, name=body.name, region=body.region)
    command = RegisterLocation(new_id(), body.name, body.region, playbooks, body.program_id, body.facts, taken)
    outcome = await handlers.register_location(command, ctx)
    await read_your_writes(runtime, LocationsProjection.name, outcome.position, response)
    response.headers["Location"] = f"/api/v1/locations/{outcome.state.id}"
    return await location_out(engine, ctx, outcome.state.id)


@router.patch("/locations/{location_id}/profile", response_model=LocationPublic)
async def update_profile(
    location_id: str, body: ProfileUpdate, response: Response, ctx: ContextDep, runtime: RuntimeDep,
    engine: EngineDep,
) -> dict[str, Any]:
    """Changes facts (null clears one); emits `LocationProfileUpdated`, and `LocationScored` if the result changed."""
    current = await on_engine(engine, views.program_of, org=ctx.principal.org, location_id=location_id)
    playbooks = await playbooks_for(runtime, ctx.principal.org, [current, body.program_id])
    command = UpdateLocationProfile(location_id, body.facts, ctx.principal.subject, datetime.now(UTC), playbooks,
                                    body.region, body.program_id, body.reason)
    outcome = await handlers.update_profile(command, ctx)
    await read_your_writes(runtime, LocationsProjection.name, outcome.position, response)
    return await location_out(engine, ctx, location_id)


async def location_out(engine: EngineDep, ctx: ContextDep, location_id: str) -> dict[str, Any]:
    """A command's answer: the location as the read model now has it (the same as its GET).

    The command is stored; if the read model has not caught up with it yet (NATS went away
    after the ack), that is a 503 to retry with the same Idempotency-Key, never a 404.
    """
    try:
        return await on_engine(engine, views.location_public, principal=ctx.principal, location_id=location_id)
    except NotFound as missing:
        raise ReadModelLagging(f"location {location_id} is stored but not readable yet; retry with the same "
                               "Idempotency-Key", field="location_id") from missing


@router.get("/locations/{location_id}", response_model=LocationPublic)
async def get_location(location_id: str, principal: CurrentPrincipal, engine: EngineDep) -> dict[str, Any]:
    """One location with its facts and latest scores."""
    return await on_engine(engine, views.location_public, principal=principal, location_id=location_id)


@router.get("/locations", response_model=list[LocationPublic])
async def list_locations(
    query: Annotated[ListQuery, Query()], response: Response, principal: CurrentPrincipal, engine: EngineDep
) -> list[dict[str, Any]]:
    """A page of the locations the caller may see, by name; `X-Next-Cursor` (and `Link`) lead to the next."""
    found = await on_engine(engine, views.list_public, principal=principal, where=filters(query), limit=query.limit,
                            cursor=query.cursor)
    if found.next_cursor:
        response.headers["X-Next-Cursor"] = found.next_cursor
        response.headers["Link"] = f'<?{next_query(query, found.next_cursor)}>; rel="next"'
    return found.rows  # validated once, as the response model


def filters(query: ListQuery) -> views.LocationFilter:
    return views.LocationFilter(region=query.region, program_id=query.program_id, wave=query.wave)


def next_query(query: ListQuery, cursor: str) -> str:
    """The query string of the next page: the same filters and limit, the new cursor."""
    return urlencode(query.model_dump(exclude_none=True) | {"cursor": cursor})


@router.get("/locations/{location_id}/history", response_model=History)
async def location_history(
    location_id: str, principal: CurrentPrincipal, engine: EngineDep, store: StoreDep
) -> History:
    """Every event of the location, oldest first: registration, fact changes, scorings (from the event store)."""
    await on_engine(engine, views.get_location, principal=principal, location_id=location_id)
    events = (await store.load(handlers.location_ref(principal.org, location_id))).events
    return History(location_id=location_id, events=[
        HistoryEntry(version=e.version, type=e.type, time=e.time, actor=e.actor, data=e.data) for e in events
    ])
