"""Gateway routes: the `/api/v1` catch-all that forwards, plus the public /readyz, /openapi.json, /asyncapi.json."""

from __future__ import annotations

from functools import cache
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from services.gateway.access.policy import Rule
from services.gateway.deps import ClientDep, SettingsDep
from services.gateway.health import downstream
from services.gateway.openapi import CombinedSchema
from services.gateway.proxy import forward
from services.gateway.routes import API_PREFIX
from shared.contracts.catalog import asyncapi
from shared.errors import NotFound

# Authenticated: create_service_app adds `current_principal`; the edge has already matched the policy rule.
proxy = APIRouter()
public = APIRouter()


@proxy.api_route(
    f"{API_PREFIX}/{{path:path}}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False
)
async def forward_api(request: Request, client: ClientDep, settings: SettingsDep) -> Response:
    """Forwards an `/api/v1` request to the service its policy rule names."""
    rule: Rule | None = getattr(request.state, "rule", None)
    if rule is None or rule.service == "gateway":  # the edge admitted it for a gateway route that does not exist
        raise NotFound(f"no route {request.method} {request.url.path}")
    base_url = settings.service_urls()[rule.service]
    return await forward(request, client=client, service=rule.service, base_url=base_url, settings=settings)


async def downstream_health(request: Request) -> tuple[bool, dict[str, object]]:
    """Each service's health, reported on /readyz; never a reason for the gateway to be unready."""
    settings = request.app.state.settings
    services = await downstream(request.app.state.http, settings.service_urls(), settings.health_timeout_s)
    return True, {"downstream": services}


@public.get("/openapi.json", include_in_schema=False)
async def combined_openapi(request: Request, client: ClientDep) -> JSONResponse:
    """The whole public API: the gateway's schema merged with every service's."""
    schema: CombinedSchema = request.app.state.schema
    return JSONResponse(await schema.get(client))


@cache
def _catalog() -> dict[str, Any]:
    return asyncapi()


@public.get("/asyncapi.json", include_in_schema=False)
async def event_catalog() -> JSONResponse:
    """The AsyncAPI 3.0 catalog of every domain event (the same as docs/asyncapi.json)."""
    return JSONResponse(_catalog())
