"""Location commands: register, update the profile, assess, re-score — each `handle(command, ctx)`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from services.readiness.locations.domain import (
    AssessLocation,
    Location,
    RegisterLocation,
    RescoreLocation,
    UpdateLocationProfile,
    location,
)
from shared.access import require, require_scope
from shared.aggregates import Context, Outcome, execute
from shared.auth import Principal
from shared.events import AggregateRef
from shared.eventstore.base import History, message_id


def location_ref(org: str, location_id: str) -> AggregateRef:
    return AggregateRef(org, "readiness", "location", location_id)


def in_scope(principal: Principal, permission: str) -> Callable[[Location], None]:
    """A guard: the loaded location must be in the caller's regions or locations."""

    def guard(state: Location) -> None:
        if state.registered:
            require_scope(principal, region=state.region, location_id=state.id, permission=permission)

    return guard


async def register_location(command: RegisterLocation, ctx: Context) -> Outcome[Location]:
    """Register a location of the caller's org (a regional admin only in its own regions), scored if its facts allow."""
    require(ctx.principal, "locations:register")
    require_scope(ctx.principal, region=command.region, location_id="", permission="locations:register")
    if command.name_taken_by is not None and await _registered_by(ctx, command, command.name_taken_by):
        command = replace(command, name_taken_by=None)  # our own first run: the append below returns its events
    ref = location_ref(ctx.principal.org, command.location_id)
    # A fresh id has no history to load (a CSV import registers thousands at once).
    registered = await execute(ctx, ref, location, command, known=History(ref))
    if not registered.state.facts:
        return registered
    # Scoring is a second command: an idempotent retry finds a single-event append by its message id
    # (a two-event batch under a fresh location id would not be found), and a retry heals a crash in between.
    rescore = RescoreLocation(registered.state.id, command.playbooks, reason="registered with facts")
    ref = location_ref(ctx.principal.org, registered.state.id)
    scored = await execute(ctx, ref, location, rescore, part=("score",), known=History(ref, registered.events))
    return Outcome(scored.state, registered.events + scored.events)


async def _registered_by(ctx: Context, command: RegisterLocation, location_id: str) -> bool:
    """Whether `location_id` was registered by this very command (a retry after the answer was lost)."""
    ref = location_ref(ctx.principal.org, location_id)
    history = await ctx.store.load(ref)
    first = history.events[0] if history.events else None
    return first is not None and first.message_id == message_id(ref, ctx.meta(command).command_id, 0)


async def update_profile(command: UpdateLocationProfile, ctx: Context) -> Outcome[Location]:
    """Change facts (and, for admins, region or program); re-score when the result changes."""
    require(ctx.principal, "locations:update")
    if command.region is not None or command.program_id is not None:
        require(ctx.principal, "locations:move")
    if command.region is not None:
        require_scope(ctx.principal, region=command.region, location_id="", permission="locations:move")
    return await execute(ctx, location_ref(ctx.principal.org, command.location_id), location, command,
                         guard=in_scope(ctx.principal, "locations:update"))


async def assess_location(command: AssessLocation, ctx: Context) -> Outcome[Location]:
    """Record an assessor's factor scores (entered, or "derived" from facts) for a location in scope."""
    require(ctx.principal, "locations:assess")
    return await execute(ctx, location_ref(ctx.principal.org, command.location_id), location, command,
                         guard=in_scope(ctx.principal, "locations:assess"))


async def rescore_location(command: RescoreLocation, ctx: Context) -> Outcome[Location]:
    """Re-derive against the program's current playbook; records a scoring only if the result changed."""
    require(ctx.principal, "locations:assess")
    return await execute(ctx, location_ref(ctx.principal.org, command.location_id), location, command,
                         guard=in_scope(ctx.principal, "locations:assess"))


