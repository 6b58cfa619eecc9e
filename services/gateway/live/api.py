"""`GET /api/v1/events/stream`: Server-Sent Events of the caller's org, resumable with `Last-Event-ID`."""

from __future__ import annotations

from collections.abc import AsyncIterable
from typing import Annotated

import httpx
from fastapi import APIRouter, Depends, Header, Request
from fastapi.sse import EventSourceResponse, ServerSentEvent

from services.gateway.access.sessions import SessionTracker
from services.gateway.deps import ClientDep, SettingsDep
from services.gateway.live.cursor import InvalidCursor, parse
from services.gateway.live.slots import stream_slot
from services.gateway.live.stream import live_events, stream_ends
from services.gateway.live.visibility import Visibility
from shared.app import RuntimeDep
from shared.auth import CurrentPrincipal
from shared.errors import DomainError
from shared.http import REQUEST_ID

router = APIRouter(prefix="/api/v1", tags=["events"])


class InvalidHeader(DomainError):
    """A request header the route reads is malformed (400: the request, not its body, is wrong)."""

    status = 400
    code = "invalid_header"


class ScopeUnavailable(DomainError):
    """The caller's scope cannot be resolved right now; streaming without it could over- or under-share."""

    status = 503
    code = "service_unavailable"


async def start_positions(
    runtime: RuntimeDep, last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None
) -> dict[str, int]:
    """Where to start in each stream: after the client's cursor, else at each stream's end."""
    ends = await stream_ends(runtime.nc)
    if last_event_id is None:
        return ends
    try:
        return ends | parse(last_event_id)
    except InvalidCursor as error:
        raise InvalidHeader(f"Last-Event-ID: {error}", field="Last-Event-ID") from error


async def caller_visibility(
    request: Request, principal: CurrentPrincipal, client: ClientDep, settings: SettingsDep
) -> Visibility:
    """A regional admin's locations come from readiness, asked on the caller's behalf."""
    if principal.role != "regional_admin":
        return Visibility.of(principal)
    headers = {"authorization": request.headers["authorization"], REQUEST_ID: request.state.request_id}
    try:
        response = await client.get(f"{settings.readiness_url}/api/v1/locations", headers=headers,
                                    auth=request.app.state.internal.auth(principal))
        rows = response.json() if response.status_code == 200 else None
    except (httpx.HTTPError, ValueError):
        rows = None
    if not isinstance(rows, list):
        raise ScopeUnavailable("the readiness service cannot list the caller's locations now; retry shortly")
    return Visibility.of(principal, [row["id"] for row in rows if isinstance(row, dict) and "id" in row])


async def session_tracker(request: Request) -> SessionTracker:
    return request.app.state.gatekeeper.sessions  # type: ignore[no-any-return]


@router.get("/events/stream", response_class=EventSourceResponse)
async def event_stream(
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    settings: SettingsDep,
    start: Annotated[dict[str, int], Depends(start_positions)],
    visibility: Annotated[Visibility, Depends(caller_visibility)],
    sessions: Annotated[SessionTracker, Depends(session_tracker)],
    _slot: Annotated[None, Depends(stream_slot)],
) -> AsyncIterable[ServerSentEvent]:
    """The caller's org's domain events as they are stored, filtered to its scope; `id` is the resume cursor."""
    stream = live_events(
        runtime.nc, principal=principal, start=start, visibility=visibility, sessions=sessions,
        check_every_s=settings.session_touch_s, retry_ms=settings.sse_retry_ms,
    )
    async for message in stream:
        yield message
