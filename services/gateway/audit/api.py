"""`GET /api/v1/audit`: the caller's org's audit entries, filtered (super admins only, by the policy table)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from services.gateway.audit.models import AuditPage
from services.gateway.audit.projection import AuditProjection
from services.gateway.audit.views import AuditFilter, search
from shared.app import SETTLE_S, EngineDep, RuntimeDep
from shared.auth import CurrentPrincipal

router = APIRouter(prefix="/api/v1", tags=["audit"])
# Entry sequences are stored as 64-bit integers; a larger cursor could only overflow the query.
MAX_SEQUENCE = 2**63 - 1


async def _caught_up(request: Request, runtime: RuntimeDep, org: str, response: Response) -> None:
    """Include everything this replica recorded for the org so far (bounded wait on the read model)."""
    head = request.app.state.gatekeeper.trail.head(org)
    if head is None:
        return
    if not await runtime.caught_up(AuditProjection.name, head.sequence, timeout=SETTLE_S):
        response.headers["X-Read-Model"] = "lagging"


@router.get("/audit", response_model=AuditPage)
async def audit_entries(
    request: Request,
    response: Response,
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    engine: EngineDep,
    actor: Annotated[str | None, Query(max_length=200, description="user id (`sub`)")] = None,
    path: Annotated[str | None, Query(max_length=500, description="path prefix, e.g. /api/v1/locations")] = None,
    outcome: Annotated[Literal["allow", "deny"] | None, Query()] = None,
    status: Annotated[int | None, Query(ge=100, le=599)] = None,
    since: Annotated[datetime | None, Query(description="from this time (inclusive, ISO 8601)")] = None,
    until: Annotated[datetime | None, Query(description="before this time (exclusive)")] = None,
    before: Annotated[
        int | None, Query(ge=1, le=MAX_SEQUENCE, description="page cursor: `next_before` of the previous page")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> AuditPage:
    """Audit entries of the caller's org, newest first."""
    await _caught_up(request, runtime, principal.org, response)
    where = AuditFilter(actor, path, outcome, status, since, until, before, limit)
    return await asyncio.to_thread(search, engine, org=principal.org, where=where)
