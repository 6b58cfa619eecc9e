"""Composed views: `GET /api/v1/locations/{id}/overview` and `GET /api/v1/programs/{id}/dashboard`."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from services.gateway.compose.parts import DASHBOARD, OVERVIEW, Part, compose, part_headers
from services.gateway.deps import ClientDep, SettingsDep

router = APIRouter(prefix="/api/v1", tags=["views"])
Status = Literal["ok", "not_found", "forbidden", "unavailable", "timeout", "error"]


class PartResult(BaseModel):
    """One service's share of a view: its data when `ok`, else why there is none."""

    status: Status
    service: str
    data: Any = None
    http_status: int | None = None
    error: Any = Field(None, description="the service's error body, or what went wrong reaching it")


class View(BaseModel):
    """A composed view; `complete` is true when every part is `ok`."""

    id: str
    complete: bool
    parts: dict[str, PartResult]


async def _view(request: Request, client: Any, settings: Any, parts: tuple[Part, ...], ident: str) -> View:
    headers = part_headers(request.headers["authorization"], request.state.request_id)
    found = await compose(
        client, parts, ident=ident, urls=settings.service_urls(), headers=headers, timeout=settings.compose_timeout_s,
        auth=request.app.state.internal.auth(request.state.principal),
    )
    results = {name: PartResult(**result) for name, result in found.items()}
    return View(id=ident, complete=all(r.status == "ok" for r in results.values()), parts=results)


@router.get("/locations/{location_id}/overview", response_model=View)
async def location_overview(location_id: str, request: Request, client: ClientDep, settings: SettingsDep) -> View:
    """One location's readiness, wave, training and metrics, each part with its own status."""
    return await _view(request, client, settings, OVERVIEW, location_id)


@router.get("/programs/{program_id}/dashboard", response_model=View)
async def program_dashboard(program_id: str, request: Request, client: ClientDep, settings: SettingsDep) -> View:
    """One program's plan, gates, readiness, training and metrics, each part with its own status."""
    return await _view(request, client, settings, DASHBOARD, program_id)
