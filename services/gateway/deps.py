"""What the gateway's routes depend on: the pooled client, settings and its live parts."""

from __future__ import annotations

from typing import Annotated

import httpx
from fastapi import Depends, Request

from services.gateway.config import GatewaySettings

# `async def`: FastAPI would run a plain `def` dependency in the thread pool on every request.


async def http_client(request: Request) -> httpx.AsyncClient:
    return request.app.state.http  # type: ignore[no-any-return]


async def gateway_settings(request: Request) -> GatewaySettings:
    return request.app.state.settings  # type: ignore[no-any-return]


ClientDep = Annotated[httpx.AsyncClient, Depends(http_client)]
SettingsDep = Annotated[GatewaySettings, Depends(gateway_settings)]
