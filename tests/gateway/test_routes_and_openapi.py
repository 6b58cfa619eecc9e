"""The route table and the OpenAPI composition as plain functions: no servers needed."""

from __future__ import annotations

import httpx
import pytest

from services.gateway.catalog.openapi import CombinedSchema, combine
from shared.access.policy import Match, Policy, policy
from shared.config import DOMAIN_SERVICES as SERVICES


@pytest.mark.parametrize(
    ("method", "path", "service"),
    [
        ("GET", "/api/v1/locations", "readiness"),
        ("PUT", "/api/v1/locations/01JX/assessment", "readiness"),
        ("PUT", "/api/v1/locations/{location_id}/assessment", "readiness"),  # a template finds its own rule
        ("GET", "/api/v1/locations/01JX/overview", "gateway"),
        ("GET", "/api/v1/readiness/matrix", "readiness"),
        ("GET", "/api/v1/audit", "gateway"),
        ("DELETE", "/api/v1/locations", None),
        ("GET", "/api/v1/locationsX", None),
        ("GET", "/api/v1/locations/../audit", None),
        ("GET", "/api/v1/locations/%2e%2e/overview", None),
        ("GET", "/api/v1/./locations", None),
        ("GET", "/api/v2/locations", None),
        ("GET", "/healthz", None),
    ],
)
def test_every_route_has_at_most_one_owner(method: str, path: str, service: str | None) -> None:
    found = policy().match(method, path)
    assert (found.rule.service if isinstance(found, Match) else None) == service


def test_the_gateway_forwards_to_four_services() -> None:
    assert SERVICES == ("readiness", "waves", "training", "metrics")


def _spec(path: str, schema: dict[str, object]) -> dict[str, object]:
    ref = {"$ref": "#/components/schemas/Item"}
    operation = {"responses": {"200": {"content": {"application/json": {"schema": ref}}}}}
    return {
        "paths": {path: {"get": operation}, "/healthz": {"get": {"responses": {}}}},
        "components": {"schemas": {"Item": schema, "Shared": {"type": "string"}}},
    }


TABLE = Policy.from_data(
    {
        "routes": {
            "GET /api/v1/locations": {"service": "readiness", "permission": "l:r", "scope": "org", "roles": ["all"]},
            "GET /api/v1/waves": {"service": "waves", "permission": "w:r", "scope": "org", "roles": ["executive"]},
        },
        "groups": {"all": ["provider"]},
    },
    services=SERVICES,
)


def test_clashing_component_names_are_kept_apart_and_refs_follow() -> None:
    own = {"openapi": "3.1.0", "info": {"title": "gw"}, "paths": {"/healthz": {"get": {"responses": {}}}}}
    doc = combine(
        own,
        {
            "readiness": _spec("/api/v1/locations", {"type": "object", "title": "A location"}),
            "waves": _spec("/api/v1/waves", {"type": "object", "title": "A wave"}),
            "training": None,
            "metrics": _spec("/api/v1/locations/stolen", {"type": "string"}),  # no rule routes it to metrics
        },
        TABLE,
    )
    schemas = doc["components"]["schemas"]
    assert schemas["Item"]["title"] == "A location" and schemas["WavesItem"]["title"] == "A wave"
    assert schemas["Shared"] == {"type": "string"} and "WavesShared" not in schemas  # identical: merged once
    wave_op = doc["paths"]["/api/v1/waves"]["get"]
    assert wave_op["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/WavesItem"
    }
    assert wave_op["security"] == [{"bearerAuth": []}] and {"401", "403", "429"} <= set(wave_op["responses"])
    assert (wave_op["x-permission"], wave_op["x-roles"], wave_op["x-scope"]) == ("w:r", ["executive"], "org")
    assert "/api/v1/locations/stolen" not in doc["paths"]
    assert "security" not in doc["paths"]["/healthz"]["get"]
    assert doc["x-unavailable-services"] == ["training"]
    assert own["paths"] == {"/healthz": {"get": {"responses": {}}}}  # the gateway's own schema is not mutated


async def test_the_combined_document_is_cached_briefly() -> None:
    fetched: list[str] = []

    def service(request: httpx.Request) -> httpx.Response:
        fetched.append(str(request.url))
        return httpx.Response(200, json=_spec("/api/v1/locations", {"type": "object"}))

    schema = CombinedSchema(own=lambda: {"paths": {}}, urls={"readiness": "http://readiness"}, ttl_s=60, timeout=1)
    async with httpx.AsyncClient(transport=httpx.MockTransport(service)) as client:
        first = await schema.get(client)
        second = await schema.get(client)
    assert fetched == ["http://readiness/openapi.json"]
    assert first is second and "/api/v1/locations" in first["paths"]
