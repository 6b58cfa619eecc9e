"""Readiness command handlers: authorize, then load -> decide -> append."""

from __future__ import annotations

from typing import Any

from services.readiness.domain import Location, RegisterLocation, ScoreLocation, location
from shared.auth import Principal, require_role, require_scope
from shared.commands import Outcome, execute
from shared.events import AggregateRef, Metadata, new_id
from shared.eventstore.base import EventStore

REGISTER = {"super_admin", "regional_admin"}
ASSESS = {"super_admin", "regional_admin", "location_admin"}


def location_ref(org: str, location_id: str) -> AggregateRef:
    return AggregateRef(org, "readiness", "location", location_id)


async def register_location(
    store: EventStore,
    *,
    principal: Principal,
    meta: Metadata,
    name: str,
    region: str,
    program_id: str | None = None,
    facts: dict[str, Any] | None = None,
) -> Outcome[Location]:
    """Register a location of the caller's org (a regional admin only in its own regions)."""
    require_role(principal, REGISTER, "locations:register")
    require_scope(principal, region=region, location_id="", permission="locations:register")
    location_id = new_id()
    command = RegisterLocation(location_id, name, region, program_id, facts or {})
    return await execute(store, location_ref(principal.org, location_id), location, command, meta=meta)


async def score_location(
    store: EventStore,
    *,
    principal: Principal,
    meta: Metadata,
    location_id: str,
    scores: dict[str, int],
    assessor: str,
    reason: str | None = None,
) -> Outcome[Location]:
    """Record an assessor's five factor scores for a location in the caller's scope."""
    require_role(principal, ASSESS, "locations:assess")

    def in_scope(state: Location) -> None:
        if state.registered:
            require_scope(principal, region=state.region, location_id=state.id, permission="locations:assess")

    command = ScoreLocation(location_id, scores, assessor, reason)
    return await execute(
        store, location_ref(principal.org, location_id), location, command, meta=meta, guard=in_scope
    )
