"""Downstream health as the gateway sees it: reported on /readyz, never a reason to be unready.

A gateway that went unready whenever one service was down would take every other
service's routes out of the load balancer with it; callers get a 503 naming the
missing service instead.
"""

from __future__ import annotations

import asyncio

import httpx
from fastapi import Request


async def probe(client: httpx.AsyncClient, base_url: str, timeout: float) -> dict[str, object]:
    """One service's `/healthz` as seen from here."""
    started = asyncio.get_running_loop().time()
    try:
        response = await client.get(f"{base_url}/healthz", timeout=timeout)
    except httpx.HTTPError as error:
        return {"status": "down", "url": base_url, "error": type(error).__name__}
    elapsed_ms = round((asyncio.get_running_loop().time() - started) * 1000, 1)
    status = "up" if response.status_code == 200 else "down"
    return {"status": status, "url": base_url, "http_status": response.status_code, "latency_ms": elapsed_ms}


async def downstream(client: httpx.AsyncClient, urls: dict[str, str], timeout: float) -> dict[str, dict[str, object]]:
    """Every service probed at once, by name."""
    names = list(urls)
    results = await asyncio.gather(*(probe(client, urls[name], timeout) for name in names))
    return dict(zip(names, results, strict=True))


async def downstream_health(request: Request) -> tuple[bool, dict[str, object]]:
    """Each service's health, reported on /readyz; never a reason for the gateway to be unready."""
    settings = request.app.state.settings
    services = await downstream(request.app.state.http, settings.service_urls(), settings.health_timeout_s)
    return True, {"downstream": services}
