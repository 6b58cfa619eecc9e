"""Gateway fixtures: the real readiness service on a real port, gateway settings, captured spans."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
import uvicorn
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from services.gateway.config import GatewaySettings
from services.gateway.routes import SERVICES
from services.readiness.app import create_app as create_readiness
from services.readiness.config import ReadinessSettings
from shared.config import PlatformSettings
from shared.natsserver import free_port
from shared.telemetry import setup_tracing


def dead_url() -> str:
    """A localhost URL nobody listens on: a service that is down."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture
def gateway_settings(platform: PlatformSettings) -> Callable[..., GatewaySettings]:
    """Gateway settings sharing the test's NATS and signing key; every service down unless given."""

    def make(**overrides: object) -> GatewaySettings:
        urls: dict[str, object] = {f"{service}_url": dead_url() for service in SERVICES}
        return GatewaySettings(**platform.model_dump(), **(urls | overrides))

    return make


@pytest.fixture
async def readiness_url(platform: PlatformSettings, tmp_path: Path) -> AsyncIterator[str]:
    """The real readiness service, served by uvicorn on a free port for the length of one test."""
    settings = ReadinessSettings(**platform.model_dump(), database_url=f"sqlite:///{tmp_path / 'readiness.db'}")
    port = free_port()
    config = uvicorn.Config(
        create_readiness(settings),
        host="127.0.0.1",
        port=port,
        lifespan="on",
        log_config=None,
        log_level="warning",
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()  # surfaces the start-up error
            pytest.fail("readiness service exited before it started")
        await asyncio.sleep(0.01)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task


@pytest.fixture(scope="session")
def spans() -> InMemorySpanExporter:
    """Every finished span in this process (the apps share the global tracer provider)."""
    exporter = InMemorySpanExporter()
    setup_tracing("tests").add_span_processor(SimpleSpanProcessor(exporter))
    return exporter
