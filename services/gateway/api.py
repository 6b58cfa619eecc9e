"""Gateway routes: the `/api/v1` catch-all that forwards, plus its own /readyz and /openapi.json."""

from __future__ import annotations

import asyncio
from typing import Annotated

import httpx
from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from services.gateway.config import GatewaySettings
from services.gateway.health import downstream
from services.gateway.openapi import CombinedSchema
from services.gateway.proxy import forward
from services.gateway.routes import API_PREFIX, owner
from shared.errors import NotFound
from shared.runtime import Runtime


def http_client(request: Request) -> httpx.AsyncClient:
    return request.app.state.http  # type: ignore[no-any-return]


def gateway_settings(request: Request) -> GatewaySettings:
    return request.app.state.settings  # type: ignore[no-any-return]


ClientDep = Annotated[httpx.AsyncClient, Depends(http_client)]
SettingsDep = Annotated[GatewaySettings, Depends(gateway_settings)]

# Authenticated: create_service_app adds `current_principal` to every router it is given.
proxy = APIRouter()


@proxy.api_route(
    f"{API_PREFIX}/{{path:path}}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False
)
async def forward_api(request: Request, client: ClientDep, settings: SettingsDep) -> Response:
    """Forwards an `/api/v1` request to the service that owns its path."""
    service = owner(request.url.path)
    if service is None:
        raise NotFound(f"no service owns {request.url.path}")
    base_url = settings.service_urls()[service]
    return await forward(request, client=client, service=service, base_url=base_url, settings=settings)


# Public (no token): health probes and the API description; app.py registers them.
async def gateway_readyz(request: Request, client: ClientDep, settings: SettingsDep) -> JSONResponse:
    """NATS and the gateway's stream decide readiness; each downstream service's health is reported."""
    runtime: Runtime | None = getattr(request.app.state, "runtime", None)
    if runtime is None:
        return JSONResponse({"status": "starting"}, status_code=503)
    (ready, checks), services = await asyncio.gather(
        runtime.readiness(), downstream(client, settings.service_urls(), settings.health_timeout_s)
    )
    body = {"status": "ready" if ready else "not_ready", **checks, "downstream": services}
    return JSONResponse(body, status_code=200 if ready else 503)


async def combined_openapi(request: Request, client: ClientDep) -> JSONResponse:
    """The whole public API: the gateway's schema merged with every service's."""
    schema: CombinedSchema = request.app.state.schema
    return JSONResponse(await schema.get(client))
