"""Champion commands: nominate (or replace) a location's champion; record certification steps."""

from __future__ import annotations

from dataclasses import replace

from services.training.champions.domain import Certify, Champion, NominateChampion, champion, nomination
from services.training.staff.domain import Place, Roster, roster
from services.training.staff.handlers import in_place, location_ref
from shared.aggregates import Context, Outcome, execute
from shared.errors import DomainError
from shared.events import AggregateRef


def champion_ref(org: str, staff_id: str) -> AggregateRef:
    return AggregateRef(org, "training", "champion", staff_id)


async def nominate(command: NominateChampion, ctx: Context, *, place: Place) -> Outcome[Roster]:
    """Make a staff member the location's champion, judged against the playbook's criteria."""
    in_place(ctx, place, "champions:nominate")
    return await execute(ctx, location_ref(ctx.principal.org, place.location_id), nomination, command)


async def certify(command: Certify, ctx: Context, *, place: Place) -> Outcome[Champion]:
    """Record a module, an assessment attempt or the simulation of one of the location's champions."""
    in_place(ctx, place, "certification:record")
    history = await ctx.store.load(location_ref(ctx.principal.org, place.location_id))
    state = roster.fold(roster.initial(), history.events)
    if command.staff_id not in state.champions:
        raise DomainError(f"staff member {command.staff_id} was never nominated champion of this location",
                          field="staff_id")
    named = replace(command, name=state.staff[command.staff_id].name)
    return await execute(ctx, champion_ref(ctx.principal.org, command.staff_id), champion, named)
