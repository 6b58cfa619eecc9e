"""A location named in a request: known once readiness has recorded it (see `shared.references`)."""

from __future__ import annotations

import asyncio

from services.metrics.locations.models import LocationRow
from services.metrics.locations.projections import LocationsProjection
from services.metrics.locations.views import find
from shared.access import in_scope
from shared.auth import Principal
from shared.errors import NotFound
from shared.references import Reference, wait_until_known
from shared.runtime import Runtime

LOCATIONS = Reference(service="readiness", aggregate="location", projection=LocationsProjection.name)


async def location_for(runtime: Runtime, principal: Principal, location_id: str) -> LocationRow:
    """The location if readiness registered it and the caller may see it, else 404 (naming `location_id`)."""
    org = principal.org
    row = await asyncio.to_thread(find, runtime.engine, org=org, location_id=location_id)
    if row is None and await wait_until_known(runtime, LOCATIONS, org=org, aggregate_id=location_id):
        row = await asyncio.to_thread(find, runtime.engine, org=org, location_id=location_id)
    if row is None or not in_scope(principal, region=row.region, location_id=row.id):
        raise NotFound(f"location {location_id} not found", field="location_id")
    return row
