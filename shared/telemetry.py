"""Tracing across HTTP and NATS: W3C trace context travels in event headers.

An HTTP request that appends an event and the projection that later applies it
share one trace id, so an operator can follow a change from click to read model.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter
from opentelemetry.trace import SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

_propagator = TraceContextTextMapPropagator()


def setup_tracing(service: str, exporter: str = "none") -> TracerProvider:
    """Install the SDK tracer provider once per process; later calls reuse it."""
    current = trace.get_tracer_provider()
    if isinstance(current, TracerProvider):
        return current
    provider = TracerProvider(resource=Resource.create({"service.name": f"dso-rollout-{service}"}))
    if exporter == "console":
        provider.add_span_processor(BatchSpanProcessor(ConsoleSpanExporter()))
    trace.set_tracer_provider(provider)
    return provider


def tracer() -> trace.Tracer:
    return trace.get_tracer("dso-rollout")


def current_traceparent() -> str | None:
    """The active span's context as a W3C `traceparent` value, for message headers."""
    carrier: dict[str, str] = {}
    _propagator.inject(carrier)
    return carrier.get("traceparent")


@contextmanager
def span_from(name: str, traceparent: str | None, *, kind: SpanKind = SpanKind.CONSUMER) -> Iterator[trace.Span]:
    """A span whose parent is the trace context carried by a message or request."""
    context = _propagator.extract({"traceparent": traceparent}) if traceparent else None
    with tracer().start_as_current_span(name, context=context, kind=kind) as span:
        yield span
