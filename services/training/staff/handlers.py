"""Roster commands: add a staff member, mark one as left — each followed by the location's status."""

from __future__ import annotations

from services.training.completion.handlers import refresh_status
from services.training.staff.domain import AddStaffMember, MarkStaffLeft, Place, Roster, roster
from services.training.staff.importing import ImportStaff, importing
from shared.access import require, require_scope
from shared.aggregates import Context, Outcome, execute
from shared.events import AggregateRef
from shared.playbooks.training import Training


def location_ref(org: str, location_id: str) -> AggregateRef:
    return AggregateRef(org, "training", "location", location_id)


def in_place(ctx: Context, place: Place, permission: str) -> None:
    """The caller may act on the location: the permission, and the location in its regions or locations."""
    require(ctx.principal, permission)
    require_scope(ctx.principal, region=place.region, location_id=place.location_id, permission=permission)


async def add_staff(command: AddStaffMember, ctx: Context, *, place: Place, training: Training) -> Outcome[Roster]:
    """Add a person to the location's roster; a new hire shows as needing training."""
    in_place(ctx, place, "staff:manage")
    outcome = await execute(ctx, location_ref(ctx.principal.org, place.location_id), roster, command)
    status = await refresh_status(ctx, place=place, training=training)
    return Outcome(outcome.state, outcome.events + status.events)


async def mark_left(command: MarkStaffLeft, ctx: Context, *, place: Place, training: Training) -> Outcome[Roster]:
    """Record that a person left; from that date they drop out of the location's figures."""
    in_place(ctx, place, "staff:manage")
    outcome = await execute(ctx, location_ref(ctx.principal.org, place.location_id), roster, command)
    status = await refresh_status(ctx, place=place, training=training)
    return Outcome(outcome.state, outcome.events + status.events)


async def import_roster(command: ImportStaff, ctx: Context, *, place: Place, training: Training) -> Outcome[Roster]:
    """Add every row of a roster CSV as one atomic batch, or nothing when any row is rejected."""
    in_place(ctx, place, "staff:import")
    outcome = await execute(ctx, location_ref(ctx.principal.org, place.location_id), importing, command)
    status = await refresh_status(ctx, place=place, training=training)
    return Outcome(outcome.state, outcome.events + status.events)
