"""The gateway: the one public HTTP entry, forwarding `/api/v1` to the service that owns each path.

It verifies the bearer token before anything leaves the edge (each service verifies
it again: the org scope is never trusted from a header), carries the request id and
trace context through, and describes the whole API in one OpenAPI document.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI

from services.gateway.api import combined_openapi, gateway_readyz, proxy
from services.gateway.config import GatewaySettings
from services.gateway.openapi import CombinedSchema
from services.gateway.proxy import new_client
from shared.app import create_service_app


def _take_precedence(app: FastAPI, *endpoints: Any) -> None:
    """Put our routes ahead of the generic /readyz and /openapi.json; Starlette serves the first match."""
    ours = [route for route in app.router.routes if getattr(route, "endpoint", None) in endpoints]
    app.router.routes[:] = ours + [route for route in app.router.routes if route not in ours]


def create_app(
    settings: GatewaySettings | None = None, *, transport: httpx.AsyncBaseTransport | None = None
) -> FastAPI:
    """Build the gateway; tests pass `transport` to stand in for the services."""
    settings = settings or GatewaySettings()
    app = create_service_app(settings, title="DSO Rollout — gateway", routers=[proxy])
    app.add_api_route("/readyz", gateway_readyz, methods=["GET"], tags=["health"])
    app.add_api_route("/openapi.json", combined_openapi, methods=["GET"], include_in_schema=False)
    _take_precedence(app, gateway_readyz, combined_openapi)
    service_lifespan = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[Any]:
        # One pooled client for every forwarded request, open exactly as long as the app.
        async with new_client(settings, transport) as client:
            app.state.http = client
            app.state.schema = CombinedSchema(
                own=app.openapi,
                urls=settings.service_urls(),
                ttl_s=settings.openapi_cache_s,
                timeout=settings.health_timeout_s,
            )
            async with service_lifespan(app) as state:
                yield state

    app.router.lifespan_context = lifespan
    return app
