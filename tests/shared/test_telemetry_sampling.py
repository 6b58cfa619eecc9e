"""Spans are recorded only while a processor receives them; the trace context travels either way."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from shared.http import install_request_context
from shared.telemetry import WhileExporting, _Provider, current_traceparent

CALLER = "4bf92f3577b34da6a3ce929d0e0e4736"


def test_nothing_exporting_records_nothing_but_continues_the_callers_trace() -> None:
    provider = _Provider(WhileExporting())
    parent = TraceContextTextMapPropagator().extract({"traceparent": f"00-{CALLER}-00f067aa0ba902b7-01"})
    with provider.get_tracer("t").start_as_current_span("GET", context=parent) as span:
        assert not span.is_recording()
        assert format(span.get_span_context().trace_id, "032x") == CALLER
        carrier: dict[str, str] = {}
        TraceContextTextMapPropagator().inject(carrier)
        assert carrier["traceparent"].split("-")[1] == CALLER  # events and forwarded calls carry it on


def test_once_a_processor_is_added_every_span_is_recorded_and_exported() -> None:
    provider, exporter = _Provider(WhileExporting()), InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    with provider.get_tracer("t").start_as_current_span("GET") as span:
        assert span.is_recording()
    assert [s.name for s in exporter.get_finished_spans()] == ["GET"]


async def test_with_nothing_exporting_a_request_carries_the_callers_trace_on_without_a_server_span() -> None:
    # As service_app builds it with nothing exporting (whatever other tests installed in the global provider).
    app = FastAPI(telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False})
    install_request_context(app, continue_trace=True)

    @app.get("/where")
    async def where() -> dict[str, str | None]:
        return {"traceparent": current_traceparent()}

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        continued = (await client.get("/where", headers={"traceparent": f"00-{CALLER}-00f067aa0ba902b7-01"})).json()
        fresh = [(await client.get("/where")).json()["traceparent"] for _ in range(2)]
        garbled = (await client.get("/where", headers={"traceparent": "00-zz-yy-01"})).json()["traceparent"]
    version, trace_id, span_id, flags = continued["traceparent"].split("-")
    assert (version, trace_id, flags) == ("00", CALLER, "00")  # the caller's trace, not sampled here
    assert span_id != "00f067aa0ba902b7" and int(span_id, 16) != 0  # a span id of this service's own
    assert all(tp and tp.split("-")[1] not in (CALLER, "0" * 32) for tp in fresh)
    assert fresh[0].split("-")[1] != fresh[1].split("-")[1]  # a new trace per request without a caller's
    assert garbled and garbled.split("-")[1] != "0" * 32  # an unreadable traceparent starts a new trace
