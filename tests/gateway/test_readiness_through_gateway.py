"""The gateway in front of the real readiness service (uvicorn on a real port, real NATS)."""

from __future__ import annotations

import asyncio

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from services.gateway.app import create_app
from shared.contracts.catalog import asyncapi
from tests.conftest import bearer, serve

FACTORS = ("it_infrastructure", "staff_adaptability", "patient_volume", "tech_stack", "champion")
LOCATION_A = dict(zip(FACTORS, (5, 4, 4, 5, 5), strict=True))  # SoftSmile seed §3 sample matrix, row A


async def test_register_assess_and_read_the_matrix_through_the_gateway(
    gateway_settings, readiness_url, token, org
) -> None:
    auth = bearer(token(org))
    async with serve(create_app(gateway_settings(readiness_url=readiness_url))) as client:
        created = await client.post("/api/v1/locations", json={"name": "Location A", "region": "north"}, headers=auth)
        assert created.status_code == 201, created.text
        location_id = created.json()["id"]
        assert created.headers["Location"] == f"/api/v1/locations/{location_id}"
        assert int(created.headers["X-Event-Position"]) > 0

        assessed = await client.put(
            f"/api/v1/locations/{location_id}/assessment",
            json={"scores": LOCATION_A, "assessor": "regional manager"},
            headers=auth,
        )
        assert assessed.status_code == 200, assessed.text
        assert (assessed.json()["composite"], assessed.json()["recommended_wave"]) == (23, "wave-1")

        matrix = await client.get("/api/v1/readiness/matrix", headers=auth)
    assert matrix.status_code == 200 and matrix.headers["content-type"] == "application/json"
    [row] = matrix.json()["rows"]
    assert (row["name"], tuple(row[f] for f in FACTORS)) == ("Location A", (5, 4, 4, 5, 5))
    assert (row["composite"], row["level"], row["recommended_wave"]) == (23, "high", "wave-1")


async def test_a_service_error_comes_back_unchanged(gateway_settings, readiness_url, token, org) -> None:
    async with serve(create_app(gateway_settings(readiness_url=readiness_url))) as client:
        missing = await client.get("/api/v1/locations/01JUNKNOWN", headers=bearer(token(org)))
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def _server_spans(spans: InMemorySpanExporter, request_id: str) -> list[ReadableSpan]:
    return [
        s
        for s in spans.get_finished_spans()
        if s.kind == SpanKind.SERVER and (s.attributes or {}).get("dso.request_id") == request_id
    ]


def _ancestors(span: ReadableSpan, by_id: dict[int, ReadableSpan]) -> list[int]:
    found: list[int] = []
    while span.parent and span.parent.span_id in by_id:
        found.append(span.parent.span_id)
        span = by_id[span.parent.span_id]
    return found


async def test_request_id_and_trace_continue_into_the_service(
    gateway_settings, readiness_url, token, org, spans: InMemorySpanExporter
) -> None:
    auth = bearer(token(org))
    async with serve(create_app(gateway_settings(readiness_url=readiness_url))) as client:
        given = await client.get("/api/v1/readiness/matrix", headers=auth | {"X-Request-Id": "req-gw-trace-1"})
        generated = await client.get("/api/v1/locations", headers=auth)
    assert given.status_code == generated.status_code == 200
    assert given.headers["X-Request-Id"] == "req-gw-trace-1"
    generated_id = generated.headers["X-Request-Id"]
    assert generated_id

    for request_id in ("req-gw-trace-1", generated_id):
        for _ in range(50):  # the service ends its span as it answers; allow it a moment
            servers = _server_spans(spans, request_id)
            if len(servers) == 2:
                break
            await asyncio.sleep(0.01)
        # One server span in the gateway, one in readiness: the id reached the service.
        assert len(servers) == 2, servers
        by_id = {s.context.span_id: s for s in spans.get_finished_spans()}
        [service_span] = [s for s in servers if s.parent and by_id[s.parent.span_id].kind == SpanKind.CLIENT]
        [gateway_span] = [s for s in servers if s is not service_span]
        outbound = by_id[service_span.parent.span_id]
        assert (outbound.attributes or {})["dso.downstream"] == "readiness"
        assert service_span.context.trace_id == outbound.context.trace_id == gateway_span.context.trace_id
        assert gateway_span.context.span_id in _ancestors(outbound, by_id)


async def test_combined_openapi_describes_the_public_api(gateway_settings, readiness_url) -> None:
    async with serve(create_app(gateway_settings(readiness_url=readiness_url))) as client:
        response = await client.get("/openapi.json")  # public: no token
        catalog = await client.get("/asyncapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert {"/api/v1/locations", "/api/v1/readiness/matrix", "/api/v1/locations/{location_id}/assessment"} <= set(
        doc["paths"]
    )
    assert doc["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "OIDC or development JWT",
    }
    operations = [op for path, item in doc["paths"].items() if path.startswith("/api/v1/") for op in item.values()]
    assert operations and all(op["security"] == [{"bearerAuth": []}] for op in operations)
    assert "LocationCreate" in doc["components"]["schemas"]
    assert doc["x-unavailable-services"] == ["waves", "training", "metrics"]
    assert "/healthz" in doc["paths"]  # the gateway's own; services' health routes are not public
    assessment = doc["paths"]["/api/v1/locations/{location_id}/assessment"]["put"]
    assert (assessment["x-permission"], assessment["x-scope"]) == ("locations:assess", "location")
    assert assessment["x-roles"] == ["location_admin", "regional_admin", "super_admin"]
    assert {"/api/v1/audit", "/api/v1/events/stream", "/api/v1/locations/{location_id}/overview"} <= set(doc["paths"])
    assert catalog.status_code == 200 and catalog.json() == asyncapi()


async def test_readyz_reports_each_downstream_and_stays_ready(gateway_settings, readiness_url, token, org) -> None:
    async with serve(create_app(gateway_settings(readiness_url=readiness_url))) as client:
        public = await client.get("/readyz")
        response = await client.get("/readyz", headers=bearer(token(org, "super_admin")))
        executive = await client.get("/readyz", headers=bearer(token(org, "executive")))
        forged = await client.get("/readyz", headers=bearer("not.a.jwt"))
    # Without a super admin's token: ready or not, nothing about streams, positions or other tenants' volume.
    assert [(r.status_code, r.json()) for r in (public, executive, forged)] == [(200, {"status": "ready"})] * 3
    body = response.json()
    assert response.status_code == 200 and body["status"] == "ready"
    assert body["stream"]["name"] == "DSO_GATEWAY" and body["nats"] == "connected"
    assert body["downstream"]["readiness"]["status"] == "up"
    assert {body["downstream"][s]["status"] for s in ("waves", "training", "metrics")} == {"down"}
