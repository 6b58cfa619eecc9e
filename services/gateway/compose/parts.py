"""Fetching the parts of a composed view: each part succeeds or fails on its own.

A view is never a 500 because one service is down, slow or has no data for the
id: each part reports its own status (`ok`, `not_found`, `forbidden`, `unavailable`,
`timeout`, `error`) and the rest still arrive. Each part carries an internal credential
for the caller (`auth`), so each service applies its own scope rules to what it returns.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from shared.http import REQUEST_ID
from shared.telemetry import current_traceparent


@dataclass(frozen=True, slots=True)
class Part:
    """One service read API a view needs; `path` holds `{id}` for the view's id."""

    name: str
    service: str
    path: str


# The read APIs each view expects; a path a service does not serve yet reports `not_found`.
OVERVIEW = (
    Part("readiness", "readiness", "/api/v1/locations/{id}"),
    Part("wave", "waves", "/api/v1/locations/{id}/wave"),
    Part("training", "training", "/api/v1/locations/{id}/training"),
    Part("metrics", "metrics", "/api/v1/locations/{id}/kpis"),
)
DASHBOARD = (
    Part("program", "waves", "/api/v1/programs/{id}"),
    Part("gates", "waves", "/api/v1/programs/{id}/gates"),
    Part("readiness", "readiness", "/api/v1/readiness/matrix?program_id={id}"),
    Part("training", "training", "/api/v1/programs/{id}/training"),
    Part("metrics", "metrics", "/api/v1/programs/{id}/kpis"),
)
_STATUS = {404: "not_found", 401: "forbidden", 403: "forbidden"}


def _outcome(part: Part, status: str, **details: Any) -> dict[str, Any]:
    return {"status": status, "service": part.service, **details}


async def fetch(
    client: httpx.AsyncClient, part: Part, *, ident: str, base_url: str, headers: dict[str, str], timeout: float,
    auth: httpx.Auth,
) -> dict[str, Any]:
    """One part's data, or its status and the reason it has none."""
    url = base_url + part.path.format(id=quote(ident, safe=""))
    try:
        response = await client.get(url, headers=headers, timeout=timeout, auth=auth)
    except httpx.TimeoutException as error:
        reason = f"{part.service} did not answer within {timeout:g}s ({type(error).__name__})"
        return _outcome(part, "timeout", error=reason)
    except httpx.TransportError as error:
        return _outcome(part, "unavailable", error=f"{part.service} is unavailable ({type(error).__name__})")
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    if response.status_code == 200 and body is not None:
        return _outcome(part, "ok", data=body)
    status = _STATUS.get(response.status_code) or ("unavailable" if response.status_code >= 500 else "error")
    problem = body.get("error") if isinstance(body, dict) else None
    return _outcome(part, status, http_status=response.status_code, error=problem or response.reason_phrase)


def part_headers(authorization: str, request_id: str) -> dict[str, str]:
    headers = {"authorization": authorization, REQUEST_ID: request_id, "accept": "application/json"}
    traceparent = current_traceparent()
    if traceparent:
        headers["traceparent"] = traceparent
    return headers


async def compose(
    client: httpx.AsyncClient,
    parts: tuple[Part, ...],
    *,
    ident: str,
    urls: dict[str, str],
    headers: dict[str, str],
    timeout: float,
    auth: httpx.Auth,
) -> dict[str, dict[str, Any]]:
    """Every part at once, by name."""
    results = await asyncio.gather(*(
        fetch(client, p, ident=ident, base_url=urls[p.service], headers=headers, timeout=timeout, auth=auth)
        for p in parts
    ))
    return {part.name: result for part, result in zip(parts, results, strict=True)}
