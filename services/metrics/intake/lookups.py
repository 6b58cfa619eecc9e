"""What processing a delivery reads about its org, kept for `TTL_S` seconds.

Integrations, clinic maps, intake settings and locations change a few times a year; deliveries
arrive hundreds a second. Reading them every few seconds instead of per delivery is most of the
intake's database time saved (read every second, 20 locations' lookups still took ~9 % of the
metrics process at 60 deliveries/s on the 2-core bench machine). A change takes effect within
`TTL_S` — and anything not found is read again after the read model caught up, so a registration
or mapping made just before a delivery is never missed.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy import Engine

from services.metrics.integrations import views
from services.metrics.integrations.models import IntakeSettingsRow, IntegrationRow
from services.metrics.locations.models import LocationRow
from services.metrics.locations.views import find as find_location
from shared.db import on_engine

TTL_S = 5.0
T = TypeVar("T")


class Lookups:
    def __init__(self, engine: Engine, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.engine, self.clock = engine, clock
        self._kept: dict[tuple[Any, ...], tuple[float, Any]] = {}

    async def _cached(self, key: tuple[Any, ...], read: Callable[[], Awaitable[T]], *, fresh: bool) -> T:
        now = self.clock()
        kept = self._kept.get(key)
        if kept is not None and not fresh and now - kept[0] < TTL_S:
            return kept[1]  # type: ignore[no-any-return]
        value = await read()
        self._kept[key] = (now, value)
        return value

    async def integration(self, org: str, integration_id: str, *, fresh: bool = False) -> IntegrationRow | None:
        return await self._cached(("integration", org, integration_id), lambda: on_engine(
            self.engine, views.find, org=org, integration_id=integration_id), fresh=fresh)

    async def location(self, org: str, location_id: str, *, fresh: bool = False) -> LocationRow | None:
        return await self._cached(("location", org, location_id), lambda: on_engine(
            self.engine, find_location, org=org, location_id=location_id), fresh=fresh)

    async def settings(self, org: str, location_id: str) -> IntakeSettingsRow:
        return await self._cached(("settings", org, location_id), lambda: on_engine(
            self.engine, views.settings_of, org=org, location_id=location_id), fresh=False)

    async def clinics(self, org: str, location_id: str) -> list[tuple[str, str]]:
        return await self._cached(("clinics", org, location_id), lambda: on_engine(
            self.engine, views.clinics_of, org=org, location_id=location_id), fresh=False)
