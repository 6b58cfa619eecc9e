"""Case commands: open a case at a location, record a lifecycle step — for locations in the caller's scope."""

from __future__ import annotations

from services.metrics.cases.domain import Case, OpenCase, RecordStep, case
from shared.access import require, require_scope
from shared.aggregates import Context, Outcome, execute
from shared.events import AggregateRef
from shared.eventstore.base import History


def case_ref(org: str, case_id: str) -> AggregateRef:
    return AggregateRef(org, "metrics", "case", case_id)


async def open_case(command: OpenCase, ctx: Context, *, likely_new: bool = False) -> Outcome[Case]:
    """Record a submitted case (`CaseCreated`).

    `likely_new`: decide on no history first (a case seldom exists already); one that does fails the
    append's expected revision, is loaded and decided again, so a repeat is still refused.
    """
    require(ctx.principal, "cases:record")
    require_scope(ctx.principal, region=command.region, location_id=command.location_id, permission="cases:record")
    ref = case_ref(ctx.principal.org, command.case_id)
    return await execute(ctx, ref, case, command, known=History(ref) if likely_new else None)


async def record_step(command: RecordStep, ctx: Context) -> Outcome[Case]:
    """Record one lifecycle step (and `CaseProcessed` when it changes the planning verdict)."""
    require(ctx.principal, "cases:record")

    def guard(state: Case) -> None:
        if state.created:
            require_scope(ctx.principal, region=command.region, location_id=state.location_id,
                          permission="cases:record")

    return await execute(ctx, case_ref(ctx.principal.org, command.case_id), case, command, guard=guard)
