"""Readiness HTTP routes: thin — schema -> handler -> response."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request, Response, status

from services.readiness import handlers, views
from services.readiness.models import LocationPublic
from services.readiness.projections import LocationsProjection
from services.readiness.schemas import AssessmentIn, AssessmentOut, LocationCreate, Matrix, MatrixRow
from shared.app import EngineDep, RuntimeDep, StoreDep, command_metadata
from shared.auth import CurrentPrincipal
from shared.commands import Outcome
from shared.runtime import Runtime

router = APIRouter(prefix="/api/v1", tags=["readiness"])


async def _settled(runtime: Runtime, outcome: Outcome[object], response: Response) -> None:
    """Read-your-writes: answer once the read model has the change (bounded wait)."""
    response.headers["X-Event-Position"] = str(outcome.position)
    try:
        await runtime.runners[LocationsProjection.name].wait_for(outcome.position, timeout=2.0)
    except TimeoutError:
        response.headers["X-Read-Model"] = "lagging"


@router.post("/locations", status_code=status.HTTP_201_CREATED, response_model=LocationPublic)
async def register_location(
    body: LocationCreate, request: Request, response: Response, principal: CurrentPrincipal,
    store: StoreDep, runtime: RuntimeDep, engine: EngineDep,
) -> LocationPublic:
    """Registers a location; emits `LocationRegistered`."""
    meta = command_metadata(request, principal, "RegisterLocation")
    outcome = await handlers.register_location(store, principal=principal, meta=meta, **body.model_dump())
    await _settled(runtime, outcome, response)
    response.headers["Location"] = f"/api/v1/locations/{outcome.state.id}"
    row = await asyncio.to_thread(views.get_location, engine, principal=principal, location_id=outcome.state.id)
    return LocationPublic.model_validate(row, from_attributes=True)


@router.put("/locations/{location_id}/assessment", response_model=AssessmentOut)
async def assess_location(
    location_id: str, body: AssessmentIn, request: Request, response: Response,
    principal: CurrentPrincipal, store: StoreDep, runtime: RuntimeDep,
) -> AssessmentOut:
    """Scores the five readiness factors; emits `LocationScored`."""
    meta = command_metadata(request, principal, "ScoreLocation")
    outcome = await handlers.score_location(
        store, principal=principal, meta=meta, location_id=location_id,
        scores=body.scores.model_dump(), assessor=body.assessor, reason=body.reason,
    )
    await _settled(runtime, outcome, response)
    state = outcome.state
    return AssessmentOut(
        location_id=state.id, scores=state.scores, composite=state.composite or 0, level=state.level or "",
        recommended_wave=state.recommended_wave or "", assessor=body.assessor, version=outcome.events[-1].version,
    )


@router.get("/locations/{location_id}", response_model=LocationPublic)
def get_location(location_id: str, principal: CurrentPrincipal, engine: EngineDep) -> LocationPublic:
    """One location with its latest scores."""
    row = views.get_location(engine, principal=principal, location_id=location_id)
    return LocationPublic.model_validate(row, from_attributes=True)


@router.get("/locations", response_model=list[LocationPublic])
def list_locations(principal: CurrentPrincipal, engine: EngineDep, region: str | None = None) -> list[LocationPublic]:
    """Locations the caller may see, by name."""
    rows = views.list_locations(engine, principal=principal, region=region)
    return [LocationPublic.model_validate(r, from_attributes=True) for r in rows]


@router.get("/readiness/matrix", response_model=Matrix)
def readiness_matrix(principal: CurrentPrincipal, engine: EngineDep) -> Matrix:
    """One row per location: the five scores, composite, level and recommended wave."""
    rows = views.list_locations(engine, principal=principal)
    return Matrix(rows=[MatrixRow(location_id=r.id, **r.model_dump(exclude={"id"})) for r in rows])
