"""Incident command handlers: authorize (scope against the loaded incident), then load -> decide -> append."""

from __future__ import annotations

from services.waves.incidents.domain import AcknowledgeIncident, Incident, OpenIncident, ResolveIncident, incident
from shared.access import require, require_scope
from shared.aggregates import Context, Outcome, execute
from shared.events import AggregateRef


def incident_ref(org: str, incident_id: str) -> AggregateRef:
    return AggregateRef(org, "waves", "incident", incident_id)


async def open_incident(command: OpenIncident, ctx: Context, *, region: str) -> Outcome[Incident]:
    """Open an incident or ticket at a location in the caller's scope."""
    require(ctx.principal, "incidents:open")
    require_scope(ctx.principal, region=region, location_id=command.location_id, permission="incidents:open")
    return await execute(ctx, incident_ref(ctx.principal.org, command.incident_id), incident, command)


async def resolve_incident(command: ResolveIncident | AcknowledgeIncident, ctx: Context, *,
                           region_of: dict[str, str]) -> Outcome[Incident]:
    """Acknowledge (first response) or resolve an incident at a location in the caller's scope."""
    require(ctx.principal, "incidents:resolve")

    def guard(state: Incident) -> None:
        if state.opened:
            require_scope(ctx.principal, region=region_of.get(state.location_id, ""), location_id=state.location_id,
                          permission="incidents:resolve")

    return await execute(ctx, incident_ref(ctx.principal.org, command.incident_id), incident, command, guard=guard)
