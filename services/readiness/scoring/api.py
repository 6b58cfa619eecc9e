"""Scoring routes: an assessment, the live scoring with its reasons, a re-score, the requirements checklist."""

from __future__ import annotations

from fastapi import APIRouter, Response

from services.readiness.locations import handlers, views
from services.readiness.locations.domain import AssessLocation, RescoreLocation
from services.readiness.locations.models import LocationRow
from services.readiness.locations.projections import LocationsProjection
from services.readiness.programs.lookup import playbooks_for
from services.readiness.programs.playbooks import ProgramPlaybooks
from services.readiness.scoring.schemas import AssessmentIn, AssessmentOut, Checklist, ScoringOut
from services.readiness.scoring.views import checklist_out, evaluation_of, factor_out, scoring_out
from shared.aggregates import Context
from shared.app import ContextDep, EngineDep, RuntimeDep, read_your_writes
from shared.auth import CurrentPrincipal
from shared.db import on_engine
from shared.runtime import Runtime

router = APIRouter(prefix="/api/v1", tags=["readiness"])


async def _location_playbooks(runtime: Runtime, ctx: Context, location_id: str) -> ProgramPlaybooks:
    """The playbook of the location's program (as the read model has it; the domain refuses a stale one)."""
    program = await on_engine(runtime.engine, views.program_of, org=ctx.principal.org, location_id=location_id)
    return await playbooks_for(runtime, ctx.principal.org, [program])


async def _row(runtime: Runtime, ctx: Context, location_id: str) -> LocationRow:
    return await on_engine(runtime.engine, views.get_location, principal=ctx.principal, location_id=location_id)


@router.put("/locations/{location_id}/assessment", response_model=AssessmentOut)
async def assess_location(
    location_id: str, body: AssessmentIn, response: Response, ctx: ContextDep, runtime: RuntimeDep,
) -> AssessmentOut:
    """Scores the five factors, each entered (1-5) or "derived" from facts; emits `LocationScored`."""
    playbooks = await _location_playbooks(runtime, ctx, location_id)
    command = AssessLocation(location_id, body.scores.model_dump(), body.assessor, playbooks, body.reason,
                             {str(k): v for k, v in body.reasons.items()})
    outcome = await handlers.assess_location(command, ctx)
    await read_your_writes(runtime, LocationsProjection.name, outcome.position, response)
    row = await _row(runtime, ctx, location_id)
    assert row.composite is not None and row.level and row.recommended_wave and row.assessor and row.method
    return AssessmentOut(
        location_id=location_id, scores=views.scores(row) or {}, composite=row.composite, level=row.level,
        recommended_wave=row.recommended_wave, assessor=row.assessor, method=row.method, version=row.version,
        factors=[factor_out(r) for r in evaluation_of(row, playbooks).factors],
    )


@router.get("/locations/{location_id}/scoring", response_model=ScoringOut)
async def location_scoring(
    location_id: str, principal: CurrentPrincipal, engine: EngineDep, runtime: RuntimeDep
) -> ScoringOut:
    """Each factor now: its score (entered or derived), the rubric row matched, what the next score needs."""
    row = await on_engine(engine, views.get_location, principal=principal, location_id=location_id)
    return scoring_out(row, await playbooks_for(runtime, principal.org, [row.program_id]))


@router.post("/locations/{location_id}/rescore", response_model=ScoringOut)
async def rescore_location(
    location_id: str, response: Response, ctx: ContextDep, runtime: RuntimeDep,
) -> ScoringOut:
    """Re-derives against the program's current playbook (after overrides); emits `LocationScored` if changed."""
    playbooks = await _location_playbooks(runtime, ctx, location_id)
    command = RescoreLocation(location_id, playbooks, reason="re-scored against the program's current playbook")
    outcome = await handlers.rescore_location(command, ctx)
    # Nothing stored: a concurrent re-score (the override reactor) may be stored but not projected yet.
    await read_your_writes(runtime, LocationsProjection.name, outcome.position or None, response)
    return scoring_out(await _row(runtime, ctx, location_id), playbooks)


@router.get("/locations/{location_id}/requirements", response_model=Checklist)
async def location_requirements(
    location_id: str, principal: CurrentPrincipal, engine: EngineDep, runtime: RuntimeDep
) -> Checklist:
    """The program template's technical requirements: pass / fail / unknown per item, with the gap."""
    row = await on_engine(engine, views.get_location, principal=principal, location_id=location_id)
    return checklist_out(row, await playbooks_for(runtime, principal.org, [row.program_id]))
