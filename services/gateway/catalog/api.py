"""The public catalogs: the combined OpenAPI of every service, and the AsyncAPI of every event."""

from __future__ import annotations

from functools import cache
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.gateway.catalog.openapi import CombinedSchema
from services.gateway.deps import ClientDep
from shared.contracts.catalog import asyncapi

router = APIRouter()


@router.get("/openapi.json", include_in_schema=False)
async def combined_openapi(request: Request, client: ClientDep) -> JSONResponse:
    """The whole public API: the gateway's schema merged with every service's."""
    schema: CombinedSchema = request.app.state.schema
    return JSONResponse(await schema.get(client))


@cache
def _catalog() -> dict[str, Any]:
    return asyncapi()


@router.get("/asyncapi.json", include_in_schema=False)
async def event_catalog() -> JSONResponse:
    """The AsyncAPI 3.0 catalog of every domain event (the same as docs/asyncapi.json)."""
    return JSONResponse(_catalog())
