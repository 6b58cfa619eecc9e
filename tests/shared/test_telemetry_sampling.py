"""Spans are recorded only while a processor receives them; the trace context travels either way."""

from __future__ import annotations

from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from shared.telemetry import WhileExporting, _Provider

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
