"""Pilot-set commands of a program: record the engine's proposal, confirm a set."""

from __future__ import annotations

from services.readiness.pilots.domain import ConfirmPilotSet, PilotSet, ProposePilotSet, pilot_set
from shared.access import require
from shared.aggregates import Context, Outcome, execute
from shared.events import AggregateRef


def pilot_set_ref(org: str, program_id: str) -> AggregateRef:
    return AggregateRef(org, "readiness", "pilotset", program_id)


async def propose_pilot_set(command: ProposePilotSet, ctx: Context) -> Outcome[PilotSet]:
    """Record the current proposal (`PilotSetProposed`), so the advice given is on the record."""
    require(ctx.principal, "pilots:propose")
    return await execute(ctx, pilot_set_ref(ctx.principal.org, command.program_id), pilot_set, command)


async def confirm_pilot_set(command: ConfirmPilotSet, ctx: Context) -> Outcome[PilotSet]:
    """A regional manager confirms the pilots (`PilotSetConfirmed`), as proposed or changed."""
    require(ctx.principal, "pilots:confirm")
    return await execute(ctx, pilot_set_ref(ctx.principal.org, command.program_id), pilot_set, command)
