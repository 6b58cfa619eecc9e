"""Gateway fixtures: real services on real ports, gateway settings, stand-in services, captured spans."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from services.gateway.config import GatewaySettings
from services.metrics.app import create_app as create_metrics
from services.metrics.config import MetricsSettings
from services.readiness.app import create_app as create_readiness
from services.readiness.config import ReadinessSettings
from services.training.app import create_app as create_training
from services.training.config import TrainingSettings
from services.waves.app import create_app as create_waves
from services.waves.config import WavesSettings
from shared.config import DOMAIN_SERVICES as SERVICES
from shared.config import PlatformSettings
from shared.natsserver import free_port
from shared.telemetry import setup_tracing


def dead_url() -> str:
    """A localhost URL nobody listens on: a service that is down."""
    return f"http://127.0.0.1:{free_port()}"


@asynccontextmanager
async def listening(app: FastAPI) -> AsyncIterator[str]:
    """Serve `app` with uvicorn on a free port (lifespan included) for the block; yields its base URL."""
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, lifespan="on", log_config=None, log_level="warning",
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()  # surfaces the start-up error
            pytest.fail("the app exited before it started")
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


class Recorder:
    """A stand-in for the services: records what reached it and answers with `reply`."""

    def __init__(self, reply: Callable[[httpx.Request], httpx.Response] | None = None) -> None:
        self.requests: list[httpx.Request] = []
        self.reply = reply or (lambda _: httpx.Response(200, json={"ok": True}))

    def transport(self) -> httpx.MockTransport:
        def handle(request: httpx.Request) -> httpx.Response:
            self.requests.append(request)
            return self.reply(request)

        return httpx.MockTransport(handle)


class Clock:
    """Wall-clock time the test moves forward; it starts in the past so every token it dates is valid now."""

    def __init__(self) -> None:
        self.now = time.time() - 3 * 3600

    def __call__(self) -> float:
        return self.now

    def advance(self, minutes: float) -> None:
        self.now += minutes * 60


@pytest.fixture
def gateway_settings(platform: PlatformSettings) -> Callable[..., GatewaySettings]:
    """Gateway settings sharing the test's NATS and signing key; every service down unless given."""

    def make(**overrides: object) -> GatewaySettings:
        urls: dict[str, object] = {f"{service}_url": dead_url() for service in SERVICES}
        return GatewaySettings(**(platform.model_dump() | urls | overrides))

    return make


@pytest.fixture
async def readiness_url(platform: PlatformSettings, tmp_path: Path) -> AsyncIterator[str]:
    """The real readiness service, served by uvicorn on a free port for the length of one test."""
    settings = ReadinessSettings(**platform.model_dump(), database_url=f"sqlite:///{tmp_path / 'readiness.db'}")
    async with listening(create_readiness(settings)) as url:
        yield url


SERVICE_APPS = {
    "readiness": (create_readiness, ReadinessSettings),
    "waves": (create_waves, WavesSettings),
    "training": (create_training, TrainingSettings),
    "metrics": (create_metrics, MetricsSettings),
}


@pytest.fixture
async def service_urls(platform: PlatformSettings, tmp_path: Path) -> AsyncIterator[dict[str, str]]:
    """Every real domain service on its own free port and SQLite file, sharing the test's NATS.

    `gateway_settings(**service_urls)` puts the gateway in front of all of them: the
    whole platform in one process, driven only over HTTP and events."""
    async with AsyncExitStack() as stack:
        urls: dict[str, str] = {}
        for service, (create, settings_type) in SERVICE_APPS.items():
            settings = settings_type(
                **platform.model_dump(), database_url=f"sqlite:///{tmp_path / f'{service}.db'}"
            )
            urls[f"{service}_url"] = await stack.enter_async_context(listening(create(settings)))
        yield urls


@pytest.fixture(scope="session")
def spans() -> InMemorySpanExporter:
    """Every finished span in this process (the apps share the global tracer provider)."""
    exporter = InMemorySpanExporter()
    setup_tracing("tests").add_span_processor(SimpleSpanProcessor(exporter))
    return exporter
