"""Champion routes: nominate (or replace), record certification steps, list current and past champions."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

from fastapi import APIRouter, Response

from services.training.champions import handlers, views
from services.training.champions.domain import Certify, Judged, NominateChampion
from services.training.champions.models import ChampionPublic
from services.training.champions.projections import ChampionsProjection
from services.training.champions.schemas import AssessmentTaken, ModuleDone, Nomination, SimulationDone
from services.training.places.lookup import location_of, place_of
from services.training.staff.domain import Place
from shared.access import require_scope
from shared.aggregates import Context
from shared.app import ContextDep, EngineDep, RuntimeDep, read_your_writes
from shared.auth import CurrentPrincipal
from shared.errors import NotFound
from shared.runtime import Runtime

router = APIRouter(prefix="/api/v1", tags=["training"])


async def champion_out(engine: EngineDep, org: str, location_id: str, staff_id: str) -> ChampionPublic:
    for found in await asyncio.to_thread(views.champions_of, engine, org=org, location_id=location_id):
        if found.staff_id == staff_id:
            return found
    raise NotFound(f"champion {staff_id} not found", field="staff_id")


@router.put("/locations/{location_id}/champion", response_model=ChampionPublic)
async def nominate(location_id: str, body: Nomination, response: Response, ctx: ContextDep, runtime: RuntimeDep,
                   engine: EngineDep) -> ChampionPublic:
    """Nominates (or replaces) the location's champion; emits `ChampionNominated` with criteria and warnings."""
    place, training = await place_of(runtime, ctx.principal.org, location_id)
    criteria = {k: Judged(v.met, v.note) for k, v in body.criteria.items()}
    command = NominateChampion(location_id, body.staff_id, place.program_id, training, criteria,
                               ctx.principal.subject, body.capacity_hours, body.reason)
    outcome = await handlers.nominate(command, ctx, place=place)
    await read_your_writes(runtime, ChampionsProjection.name, outcome.position, response)
    return await champion_out(engine, ctx.principal.org, location_id, body.staff_id)


@router.get("/locations/{location_id}/champions", response_model=list[ChampionPublic])
async def list_champions(location_id: str, principal: CurrentPrincipal, runtime: RuntimeDep,
                         engine: EngineDep) -> list[ChampionPublic]:
    """The location's champion and the ones it replaced, with criteria, warnings and certification."""
    place = await location_of(runtime, principal.org, location_id)
    require_scope(principal, region=place.region, location_id=place.id, permission="champions:read")
    return await asyncio.to_thread(views.champions_of, engine, org=principal.org, location_id=location_id)


async def step(runtime: Runtime, ctx: Context, location_id: str, staff_id: str, **what: object) -> tuple[Place, int]:
    place, training = await place_of(runtime, ctx.principal.org, location_id)
    rule = training.champion.certification
    command = Certify(staff_id, location_id, "", place.program_id, rule, recorded_by=ctx.principal.subject,
                      **what)  # type: ignore[arg-type]
    outcome = await handlers.certify(command, ctx, place=place)
    return place, outcome.position


async def certification_step(location_id: str, staff_id: str, on: date | None, response: Response,
                             ctx: Context, runtime: Runtime, engine: EngineDep, **what: object) -> ChampionPublic:
    on_day = on or datetime.now(UTC).date()
    _, position = await step(runtime, ctx, location_id, staff_id, on=on_day, **what)
    await read_your_writes(runtime, ChampionsProjection.name, position, response)
    return await champion_out(engine, ctx.principal.org, location_id, staff_id)


@router.post("/locations/{location_id}/champions/{staff_id}/modules", response_model=ChampionPublic)
async def module_done(location_id: str, staff_id: str, body: ModuleDone, response: Response, ctx: ContextDep,
                      runtime: RuntimeDep, engine: EngineDep) -> ChampionPublic:
    """Records a completed certification module; emits `CertificationModuleCompleted`."""
    return await certification_step(location_id, staff_id, body.completed_on, response, ctx, runtime, engine,
                                     module=body.module)


@router.post("/locations/{location_id}/champions/{staff_id}/assessments", response_model=ChampionPublic)
async def assessment_taken(location_id: str, staff_id: str, body: AssessmentTaken, response: Response,
                           ctx: ContextDep, runtime: RuntimeDep, engine: EngineDep) -> ChampionPublic:
    """Records an assessment attempt (failed ones kept); emits `CertificationAssessmentTaken`, maybe certified."""
    return await certification_step(location_id, staff_id, body.taken_on, response, ctx, runtime, engine,
                                    score=body.score)


@router.post("/locations/{location_id}/champions/{staff_id}/simulation", response_model=ChampionPublic)
async def simulation_done(location_id: str, staff_id: str, body: SimulationDone, response: Response,
                          ctx: ContextDep, runtime: RuntimeDep, engine: EngineDep) -> ChampionPublic:
    """Records the hands-on simulation; emits `CertificationSimulationCompleted`, maybe `ChampionCertified`."""
    return await certification_step(location_id, staff_id, body.completed_on, response, ctx, runtime, engine,
                                    simulation=True)
