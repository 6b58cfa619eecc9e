"""Publish a location's training status after any change that may alter it (the platform's own consequence)."""

from __future__ import annotations

from datetime import UTC, datetime

from services.training.completion.domain import PublishStatus, location_status
from services.training.sessions.domain import staff_record
from services.training.staff.domain import Place, Roster
from shared.aggregates import Context, Outcome, execute
from shared.events import AggregateRef
from shared.playbooks.training import Training


def staff_ref(org: str, staff_id: str) -> AggregateRef:
    return AggregateRef(org, "training", "staff", staff_id)


async def completed_by(ctx: Context, staff_ids: list[str]) -> dict[str, set[str]]:
    """The curricula each person completed, from their records in the event store."""
    found = {}
    for staff_id in staff_ids:
        history = await ctx.store.load(staff_ref(ctx.principal.org, staff_id))
        found[staff_id] = staff_record.fold(staff_record.initial(), history.events).curricula
    return found


async def refresh_status(ctx: Context, *, place: Place, training: Training) -> Outcome[Roster]:
    """Recompute the location's figures on its latest roster; publish them if they changed."""
    ref = AggregateRef(ctx.principal.org, "training", "location", place.location_id)
    roster = location_status.fold(location_status.initial(), (await ctx.store.load(ref)).events)
    completed = await completed_by(ctx, list(roster.staff))
    command = PublishStatus(place.location_id, place.program_id, training.curricula, completed, datetime.now(UTC))
    return await execute(ctx, ref, location_status, command, part=("status",))
