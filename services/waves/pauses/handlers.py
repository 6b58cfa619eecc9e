"""Pause command handlers: authorize, then load -> decide -> append on the program's plan."""

from __future__ import annotations

from services.waves.pauses.domain import Command, ResumeDeployment, pauses
from services.waves.plan.domain import Plan
from services.waves.plan.handlers import plan_ref
from shared.access import require
from shared.aggregates import Context, Outcome, execute


async def follow_up(command: Command, ctx: Context) -> Outcome[Plan]:
    """Record the review, the root cause or a met restart criterion of a pause."""
    require(ctx.principal, "pauses:update")
    return await execute(ctx, plan_ref(ctx.principal.org, command.program_id), pauses, command)


async def resume(command: ResumeDeployment, ctx: Context) -> Outcome[Plan]:
    """Resume deployment once every restart criterion is met (an executive's call)."""
    require(ctx.principal, "pauses:resume")
    return await execute(ctx, plan_ref(ctx.principal.org, command.program_id), pauses, command)
