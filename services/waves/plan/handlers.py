"""Plan command handlers: authorize, then load -> decide -> append."""

from __future__ import annotations

from services.waves.plan.domain import AssignWaves, Plan, RecordGoLive, RevertLocation, ScheduleGoLive, plan
from shared.access import require, require_scope
from shared.aggregates import Context, Outcome, execute
from shared.events import AggregateRef


def plan_ref(org: str, program_id: str) -> AggregateRef:
    """The plan aggregate of a program."""
    return AggregateRef(org, "waves", "plan", program_id)


async def record_go_live(command: RecordGoLive, ctx: Context, *, region: str) -> Outcome[Plan]:
    """Record that a location went live (its location admin, or a regional admin of its region)."""
    require(ctx.principal, "plan:go-live")
    require_scope(ctx.principal, region=region, location_id=command.location_id, permission="plan:go-live")
    return await execute(ctx, plan_ref(ctx.principal.org, command.program_id), plan, command)


async def assign_waves(command: AssignWaves, ctx: Context) -> Outcome[Plan]:
    """Publish changed wave placements (a reaction of the platform to readiness's events)."""
    require(ctx.principal, "plan:assign")
    return await execute(ctx, plan_ref(ctx.principal.org, command.program_id), plan, command)


async def revert_location(command: RevertLocation, ctx: Context, *, region: str) -> Outcome[Plan]:
    """Take a live location back to the old workflow (its location admin, or a regional admin of its region)."""
    require(ctx.principal, "plan:go-live")
    require_scope(ctx.principal, region=region, location_id=command.location_id, permission="plan:go-live")
    return await execute(ctx, plan_ref(ctx.principal.org, command.program_id), plan, command)


async def schedule_go_live(command: ScheduleGoLive, ctx: Context, *, region: str) -> Outcome[Plan]:
    """Set or move a location's go-live date (approval matrix: the regional manager of its region)."""
    require(ctx.principal, "plan:schedule")
    require_scope(ctx.principal, region=region, location_id=command.location_id, permission="plan:schedule")
    return await execute(ctx, plan_ref(ctx.principal.org, command.program_id), plan, command)
