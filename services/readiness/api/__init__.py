"""Readiness HTTP routes, by concept; each route is thin: schema -> handler -> response."""

from fastapi import APIRouter

from services.readiness.api import locations, pilots, scoring, transfer

router = APIRouter(prefix="/api/v1", tags=["readiness"])
# The import route comes before `/locations/{location_id}` paths so "import" is never read as an id.
for module in (transfer, locations, scoring, pilots):
    router.include_router(module.router)

__all__ = ["router"]
