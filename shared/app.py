"""The FastAPI application every service is built from: lifespan, health, errors, auth."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine

from shared.auth import Principal, TokenVerifier, current_principal
from shared.config import ServiceSettings
from shared.errors import DomainError
from shared.events import Metadata, new_id
from shared.eventstore.base import EventStore
from shared.http import install_error_handlers, install_request_context
from shared.logs import setup_logging
from shared.projections.base import Projection
from shared.runtime import Runtime
from shared.telemetry import current_traceparent, setup_tracing

health = APIRouter(tags=["health"])


@health.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is alive."""
    return {"status": "ok"}


@health.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    """NATS connected, the service's stream present, projections running (with their lag)."""
    runtime: Runtime | None = getattr(request.app.state, "runtime", None)
    if runtime is None:
        return JSONResponse({"status": "starting"}, status_code=503)
    ready, checks = await runtime.readiness()
    return JSONResponse({"status": "ready" if ready else "not_ready", **checks}, status_code=200 if ready else 503)


def create_service_app(
    settings: ServiceSettings,
    *,
    title: str,
    routers: Sequence[APIRouter] = (),
    projections: Sequence[Projection] = (),
    on_started: Callable[[FastAPI, Runtime], Awaitable[None]] | None = None,
) -> FastAPI:
    """Wire a service: connect on start, run its projections, serve its routes."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = await Runtime.start(settings, list(projections))
        app.state.runtime = runtime
        if on_started:
            await on_started(app, runtime)
        try:
            yield
        finally:
            await runtime.stop()

    setup_logging(settings.service, level=settings.log_level, as_json=settings.log_json)
    setup_tracing(settings.service, settings.otel_exporter)
    app = FastAPI(title=title, version="1.0.0", lifespan=lifespan)
    app.state.settings = settings
    app.state.verifier = TokenVerifier(settings)
    install_error_handlers(app)
    install_request_context(app)
    app.include_router(health)
    for router in routers:
        app.include_router(router, dependencies=[Depends(current_principal)])
    return app


def runtime(request: Request) -> Runtime:
    return request.app.state.runtime  # type: ignore[no-any-return]


def event_store(request: Request) -> EventStore:
    return runtime(request).store


def read_engine(request: Request) -> Engine:
    return runtime(request).engine


def command_metadata(request: Request, principal: Principal, command: str) -> Metadata:
    """Envelope metadata of a command: idempotency, correlation, trace and actor."""
    key = request.headers.get("idempotency-key")
    if key is not None and not (0 < len(key) <= 200):
        raise DomainError("Idempotency-Key must be 1-200 characters", field="Idempotency-Key")
    # The command name is part of the id so one key reused for another command never de-duplicates it.
    command_id = f"{command}:{key}" if key else f"{command}:{new_id()}"
    return Metadata(
        command_id=command_id,
        correlation_id=getattr(request.state, "request_id", None),
        traceparent=current_traceparent(),
        actor=f"{principal.role}:{principal.subject}",
    )


StoreDep = Annotated[EventStore, Depends(event_store)]
EngineDep = Annotated[Engine, Depends(read_engine)]
RuntimeDep = Annotated[Runtime, Depends(runtime)]
