"""Location commands: register, update the profile, assess, re-score."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, Literal

from services.readiness.domain.location import (
    AssessLocation,
    Location,
    RegisterLocation,
    Rescore,
    UpdateProfile,
    location,
)
from services.readiness.domain.scorings import Playbooks
from shared.auth import Principal, require_role, require_scope
from shared.commands import Outcome, execute
from shared.events import AggregateRef, Metadata, new_id
from shared.eventstore.base import EventStore, History

REGISTER = {"super_admin", "regional_admin"}
ASSESS = {"super_admin", "regional_admin", "location_admin"}


def location_ref(org: str, location_id: str) -> AggregateRef:
    return AggregateRef(org, "readiness", "location", location_id)


def _in_scope(principal: Principal, permission: str) -> Any:
    def guard(state: Location) -> None:
        if state.registered:
            require_scope(principal, region=state.region, location_id=state.id, permission=permission)

    return guard


async def register_location(
    store: EventStore, *, principal: Principal, meta: Metadata, playbooks: Playbooks,
    name: str, region: str, program_id: str | None = None, facts: dict[str, Any] | None = None,
) -> Outcome[Location]:
    """Register a location of the caller's org (a regional admin only in its own regions), scored if its facts allow."""
    require_role(principal, REGISTER, "locations:register")
    require_scope(principal, region=region, location_id="", permission="locations:register")
    programs = frozenset(p for p in playbooks if p is not None)
    command = RegisterLocation(new_id(), name, region, program_id, facts or {}, programs)
    ref = location_ref(principal.org, command.location_id)
    # A fresh id has no history to load (a CSV import registers thousands at once).
    registered = await execute(store, ref, location, command, meta=meta, known=History(ref))
    if not registered.state.facts:
        return registered
    # Scoring is a second command: an idempotent retry finds a single-event append by its message id
    # (a two-event batch under a fresh location id would not be found), and a retry heals a crash in between.
    ref = location_ref(principal.org, registered.state.id)
    rescore = Rescore(registered.state.id, playbooks, reason="registered with facts")
    scored = await execute(store, ref, location, rescore, meta=replace(meta, command_id=f"{meta.command_id}:score"),
                           known=History(ref, registered.events))
    return Outcome(scored.state, registered.events + scored.events)


async def update_profile(
    store: EventStore, *, principal: Principal, meta: Metadata, playbooks: Playbooks, location_id: str,
    facts: dict[str, Any], region: str | None = None, program_id: str | None = None, reason: str | None = None,
) -> Outcome[Location]:
    """Change facts (and, for admins, region or programme); re-score when the result changes."""
    require_role(principal, ASSESS, "locations:update")
    if region is not None or program_id is not None:
        require_role(principal, REGISTER, "locations:move")
    if region is not None:
        require_scope(principal, region=region, location_id="", permission="locations:move")
    command = UpdateProfile(location_id, facts, principal.subject, datetime.now(UTC), playbooks, region, program_id,
                            reason)
    return await execute(store, location_ref(principal.org, location_id), location, command, meta=meta,
                         guard=_in_scope(principal, "locations:update"))


async def assess_location(
    store: EventStore, *, principal: Principal, meta: Metadata, playbooks: Playbooks, location_id: str,
    entries: dict[str, int | Literal["derived"]], assessor: str, reason: str | None = None,
    reasons: dict[str, str] | None = None,
) -> Outcome[Location]:
    """Record an assessor's factor scores (entered, or "derived" from facts) for a location in scope."""
    require_role(principal, ASSESS, "locations:assess")
    command = AssessLocation(location_id, entries, assessor, playbooks, reason, reasons or {})
    return await execute(store, location_ref(principal.org, location_id), location, command, meta=meta,
                         guard=_in_scope(principal, "locations:assess"))


async def rescore_location(
    store: EventStore, *, principal: Principal, meta: Metadata, playbooks: Playbooks, location_id: str,
) -> Outcome[Location]:
    """Re-derive against the programme's current playbook; records a scoring only if the result changed."""
    require_role(principal, ASSESS, "locations:assess")
    command = Rescore(location_id, playbooks, reason="re-scored against the programme's current playbook")
    return await execute(store, location_ref(principal.org, location_id), location, command, meta=meta,
                         guard=_in_scope(principal, "locations:assess"))
