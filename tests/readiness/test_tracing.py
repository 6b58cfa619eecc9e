"""An HTTP request that appends an event and the projection that applies it share one trace."""

from __future__ import annotations

from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from services.readiness.app import create_app
from services.readiness.config import ReadinessSettings
from shared.telemetry import setup_tracing
from tests.conftest import bearer, serve


async def test_request_and_projection_share_one_trace_id(platform, token, org, tmp_path) -> None:
    exporter = InMemorySpanExporter()
    setup_tracing("test").add_span_processor(SimpleSpanProcessor(exporter))
    app = create_app(ReadinessSettings(**platform.model_dump(), database_url=f"sqlite:///{tmp_path / 'r.db'}"))
    caller_trace = "4bf92f3577b34da6a3ce929d0e0e4736"
    headers = bearer(token(org)) | {"traceparent": f"00-{caller_trace}-00f067aa0ba902b7-01"}
    async with serve(app) as client:
        created = await client.post("/api/v1/locations", json={"name": "Elm", "region": "r"}, headers=headers)
    assert created.status_code == 201

    spans = exporter.get_finished_spans()
    request = next(
        s for s in spans if s.kind == SpanKind.SERVER and s.attributes.get("http.route") == "/api/v1/locations"
    )
    projected = next(s for s in spans if s.name == "project LocationRegistered")
    assert format(request.context.trace_id, "032x") == caller_trace
    assert projected.context.trace_id == request.context.trace_id
    parents = {s.context.span_id: s.parent.span_id for s in spans if s.parent}
    ancestors, span_id = [], projected.context.span_id
    while span_id in parents:
        span_id = parents[span_id]
        ancestors.append(span_id)
    assert request.context.span_id in ancestors, "the projection span descends from the request span"
