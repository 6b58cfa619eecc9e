"""Gate command handlers: authorize, then load -> decide -> append on the program's plan."""

from __future__ import annotations

from services.waves.gates.domain import DecideGate, EvaluateGate, gates
from services.waves.plan.domain import Plan
from services.waves.plan.handlers import plan_ref
from shared.access import require
from shared.aggregates import Context, Outcome, execute


async def evaluate_gate(command: EvaluateGate, ctx: Context) -> Outcome[Plan]:
    """Evaluate a gate against the evidence; records `GateEvaluated`."""
    require(ctx.principal, "gates:evaluate")
    return await execute(ctx, plan_ref(ctx.principal.org, command.program_id), gates, command)


async def decide_gate(command: DecideGate, ctx: Context) -> Outcome[Plan]:
    """An executive's go / no-go on the latest evaluation; a no-go pauses deployment."""
    require(ctx.principal, "gates:decide")
    return await execute(ctx, plan_ref(ctx.principal.org, command.program_id), gates, command)
