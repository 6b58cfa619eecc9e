"""One OpenAPI document for the whole public API, composed live from every service.

Frontends read a single `/openapi.json`; each service stays the owner of its own
schema. Documents are fetched on demand and cached briefly; a service that is down
is listed under `x-unavailable-services` instead of failing the whole document.
"""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import Callable
from typing import Any

import httpx

from shared.access.policy import API_PREFIX, Match, Policy, policy

METHODS = ("get", "put", "post", "delete", "patch", "options", "head", "trace")
BEARER = {"type": "http", "scheme": "bearer", "bearerFormat": "JWT", "description": "OIDC or development JWT"}
ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}, "field": {"type": "string"}},
        }
    },
}
EDGE_RESPONSES = {
    "400": "Malformed request: a header or the body cannot be parsed (the message names which)",
    "401": "Missing, expired or invalid bearer token, or a browser session idle too long",
    "403": "The caller's role or scope lacks the route's permission (named in the message)",
    "404": "No such resource",
    "413": "Request body over the gateway limit",
    "429": "Rate limit exceeded; see Retry-After",
    "503": "The owning service is unavailable",
    "504": "The owning service did not answer in time",
}


# Operations that read a body or parameters may also answer these (found by schemathesis, now documented).
INPUT_RESPONSES = {
    "415": "The body's Content-Type is not one this operation reads",
    "422": "The input is invalid; `error.field` names the field (and `error.details` or `error.rejected` say why)",
}


def _error(description: str) -> dict[str, Any]:
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    return {"description": description, "content": content}


def _document_errors(operation: dict[str, Any]) -> None:
    """Every error an operation can answer, each in the one error body (not FastAPI's `HTTPValidationError`)."""
    responses = operation.setdefault("responses", {})
    for status, description in EDGE_RESPONSES.items():
        responses.setdefault(status, _error(description))
    takes_input = "requestBody" in operation or bool(operation.get("parameters"))
    if takes_input:
        responses["422"] = _error(INPUT_RESPONSES["422"])
    if "requestBody" in operation:
        responses.setdefault("415", _error(INPUT_RESPONSES["415"]))


def _rewrite_refs(node: Any, renames: dict[str, str]) -> Any:
    if isinstance(node, dict):
        return {k: renames.get(v, v) if k == "$ref" else _rewrite_refs(v, renames) for k, v in node.items()}
    if isinstance(node, list):
        return [_rewrite_refs(v, renames) for v in node]
    return node


def _merge_service(doc: dict[str, Any], service: str, spec: dict[str, Any], table: Policy) -> None:
    """Add a service's `/api/v1` paths and its components; a clashing component name gets a service prefix."""
    components: dict[str, dict[str, Any]] = doc.setdefault("components", {})
    renames: dict[str, str] = {}
    for kind, items in spec.get("components", {}).items():
        for name, value in items.items():
            existing = components.get(kind, {}).get(name)
            if existing is not None and existing != value:
                renames[f"#/components/{kind}/{name}"] = f"#/components/{kind}/{service.title()}{name}"
    spec = _rewrite_refs(spec, renames)
    for kind, items in spec.get("components", {}).items():
        for name, value in items.items():
            new_name = renames.get(f"#/components/{kind}/{name}", name).rsplit("/", 1)[-1]
            components.setdefault(kind, {}).setdefault(new_name, value)
    for path, item in spec.get("paths", {}).items():
        # Only operations the policy table routes to this service are public (not its health routes).
        public = {m: op for m, op in item.items() if m in METHODS and _routed(table, m, path) == service}
        if public:
            doc["paths"].setdefault(path, {}).update(public)


def _routed(table: Policy, method: str, path: str) -> str | None:
    found = table.match(method.upper(), path)
    return found.rule.service if isinstance(found, Match) else None


def _secure(doc: dict[str, Any], table: Policy) -> None:
    """Every `/api/v1` operation needs the bearer token, names its permission and may meet the edge's errors."""
    components = doc.setdefault("components", {})
    components.setdefault("securitySchemes", {})["bearerAuth"] = BEARER
    components.setdefault("schemas", {}).setdefault("Error", ERROR)
    for path, item in doc["paths"].items():
        if not path.startswith(API_PREFIX + "/"):
            continue
        for method in METHODS:
            if method in item:
                operation = item[method]
                operation["security"] = [{"bearerAuth": []}]
                found = table.match(method.upper(), path)
                if isinstance(found, Match):
                    rule = found.rule
                    operation["x-permission"] = rule.permission
                    operation["x-roles"] = sorted(rule.roles)
                    operation["x-scope"] = rule.scope
                _document_errors(operation)


def combine(
    own: dict[str, Any], services: dict[str, dict[str, Any] | None], table: Policy | None = None
) -> dict[str, Any]:
    """The gateway's schema plus every available service's; `None` marks a service that is down."""
    table = table or policy()
    doc = copy.deepcopy(own)
    doc.setdefault("paths", {})
    doc["info"] = {**doc.get("info", {}), "title": "DSO Rollout API"}
    for service, spec in services.items():
        if spec is not None:
            _merge_service(doc, service, spec, table)
    _secure(doc, table)
    doc["x-unavailable-services"] = [service for service, spec in services.items() if spec is None]
    return doc


async def fetch_schema(client: httpx.AsyncClient, base_url: str, timeout: float) -> dict[str, Any] | None:
    """A service's own OpenAPI document, or None if it cannot be had right now."""
    try:
        response = await client.get(f"{base_url}/openapi.json", timeout=timeout)
        document = response.json() if response.status_code == 200 else None
    except (httpx.HTTPError, ValueError):
        return None
    return document if isinstance(document, dict) else None


class CombinedSchema:
    """The composed document, rebuilt at most once per `ttl_s` (concurrent callers share one rebuild)."""

    def __init__(self, *, own: Callable[[], dict[str, Any]], urls: dict[str, str], ttl_s: float, timeout: float):
        self.own, self.urls, self.ttl_s, self.timeout = own, urls, ttl_s, timeout
        self._doc: dict[str, Any] | None = None
        self._expires = 0.0
        self._lock = asyncio.Lock()

    async def get(self, client: httpx.AsyncClient) -> dict[str, Any]:
        async with self._lock:
            if self._doc is None or time.monotonic() >= self._expires:
                names = list(self.urls)
                specs = await asyncio.gather(*(fetch_schema(client, self.urls[n], self.timeout) for n in names))
                self._doc = combine(self.own(), dict(zip(names, specs, strict=True)))
                self._expires = time.monotonic() + self.ttl_s
            return self._doc
