"""Plan HTTP routes: the plan, and recording a go-live."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Response

from services.waves.plan import handlers, views
from services.waves.plan.domain import RecordGoLive, RevertLocation, ScheduleGoLive
from services.waves.plan.projections import PlanProjection
from services.waves.plan.schemas import GoLiveDate, GoLiveRecord, PlanSimulated, PlanSimulation, PlanView, RevertRecord
from shared.access import require
from shared.app import ContextDep, EngineDep, RuntimeDep, read_your_writes
from shared.auth import CurrentPrincipal

router = APIRouter(prefix="/api/v1/programs", tags=["plan"])


@router.get("/{program_id}/plan", response_model=PlanView)
def get_plan(program_id: str, principal: CurrentPrincipal, engine: EngineDep) -> PlanView:
    """The program's plan: phases and milestones, waves, locations with planned and actual go-live."""
    return views.plan_view(engine, principal=principal, program_id=program_id)


@router.get("/{program_id}/plan.ics", response_class=Response)
def get_plan_ics(program_id: str, principal: CurrentPrincipal, engine: EngineDep) -> Response:
    """The plan's go-lives and gate dates as an iCalendar file."""
    body = views.plan_ics(engine, principal=principal, program_id=program_id)
    return Response(body, media_type="text/calendar; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="plan-{program_id}.ics"'})


@router.post("/{program_id}/locations/{location_id}/go-live", response_model=PlanView)
async def record_go_live(
    program_id: str, location_id: str, body: GoLiveRecord, response: Response, ctx: ContextDep, runtime: RuntimeDep,
) -> PlanView:
    """Records that the location went live; emits `LocationWentLive`."""
    inputs = await asyncio.to_thread(views.go_live_inputs, runtime.engine, principal=ctx.principal,
                                     program_id=program_id, location_id=location_id)
    command = RecordGoLive(program_id, location_id, inputs.wave, body.date, inputs.playbook, inputs.baselines,
                           recorded_by=ctx.principal.subject, holds=inputs.holds, unfinished=inputs.unfinished)
    outcome = await handlers.record_go_live(command, ctx, region=inputs.region)
    await read_your_writes(runtime, PlanProjection.name, outcome.position, response)
    return await asyncio.to_thread(views.plan_view, runtime.engine, principal=ctx.principal, program_id=program_id)


@router.post("/{program_id}/locations/{location_id}/revert", response_model=PlanView)
async def revert_location(
    program_id: str, location_id: str, body: RevertRecord, response: Response, ctx: ContextDep, runtime: RuntimeDep,
) -> PlanView:
    """Takes a live location back to its old workflow; emits `LocationReverted` (re-launch: record a go-live)."""
    inputs = await asyncio.to_thread(views.go_live_inputs, runtime.engine, principal=ctx.principal,
                                     program_id=program_id, location_id=location_id)
    command = RevertLocation(program_id, location_id, body.date, body.reason, body.patient_script_ready,
                             inputs.playbook, recorded_by=ctx.principal.subject)
    outcome = await handlers.revert_location(command, ctx, region=inputs.region)
    await read_your_writes(runtime, PlanProjection.name, outcome.position, response)
    return await asyncio.to_thread(views.plan_view, runtime.engine, principal=ctx.principal, program_id=program_id)


@router.post("/{program_id}/plan/simulate", response_model=PlanSimulated)
def simulate_plan(program_id: str, body: PlanSimulation, principal: CurrentPrincipal,
                  engine: EngineDep) -> PlanSimulated:
    """What-if: the plan under other wave capacities, moved locations or another pilot set. Nothing is recorded."""
    require(principal, "plan:simulate")
    return views.plan_simulated(engine, principal=principal, program_id=program_id, body=body)


@router.put("/{program_id}/locations/{location_id}/go-live-date", response_model=PlanView)
async def set_go_live_date(
    program_id: str, location_id: str, body: GoLiveDate, response: Response, ctx: ContextDep, runtime: RuntimeDep,
) -> PlanView:
    """Sets or moves the location's planned go-live (`GoLiveScheduled`): inside its wave's go-live weeks, on the
    cadence's weekday, within the per-week maximum (422 naming the rule)."""
    inputs = await asyncio.to_thread(views.schedule_inputs, runtime.engine, principal=ctx.principal,
                                     program_id=program_id, location_id=location_id)
    command = ScheduleGoLive(program_id, location_id, inputs.wave, inputs.reason, body.date, inputs.playbook,
                             inputs.start, inputs.others, set_by=ctx.principal.subject)
    outcome = await handlers.schedule_go_live(command, ctx, region=inputs.region)
    await read_your_writes(runtime, PlanProjection.name, outcome.position, response)
    return await asyncio.to_thread(views.plan_view, runtime.engine, principal=ctx.principal, program_id=program_id)
