"""The FastAPI application every service is built from: lifespan, health, errors, auth."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from nats.js.api import StreamConfig
from sqlalchemy import Engine
from starlette.middleware import Middleware

from shared.auth import Principal, TokenVerifier, current_principal
from shared.config import ServiceSettings
from shared.errors import DomainError
from shared.events import Metadata, new_id
from shared.eventstore.base import EventStore
from shared.eventstore.streams import ensure_stream
from shared.http import install_error_handlers, install_request_context
from shared.internal_auth import InternalCredentials
from shared.logs import setup_logging
from shared.projections.base import Projection
from shared.runtime import ReactionFactory, Runtime, connect_nats
from shared.telemetry import current_traceparent, setup_tracing

health = APIRouter(tags=["health"])
Hook = Callable[[FastAPI, Runtime], Awaitable[None]]
# An extra readiness check: (ready, what to report under its own keys).
ReadinessCheck = Callable[[Request], Awaitable[tuple[bool, dict[str, object]]]]


@health.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is alive."""
    return {"status": "ok"}


@health.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    """NATS connected, the service's stream present, projections and reactors running (with their lag)."""
    runtime: Runtime | None = getattr(request.app.state, "runtime", None)
    if runtime is None:
        return JSONResponse({"status": "starting"}, status_code=503)
    ready, checks = await runtime.readiness()
    for check in getattr(request.app.state, "readiness_checks", ()):
        extra_ready, extra = await check(request)
        ready, checks = ready and extra_ready, checks | extra
    return JSONResponse({"status": "ready" if ready else "not_ready", **checks}, status_code=200 if ready else 503)


async def provision_streams(settings: ServiceSettings, streams: Sequence[StreamConfig]) -> None:
    """Create or update streams a service owns beyond its own (before its projections subscribe)."""
    nc = await connect_nats(settings.nats_url, name=f"dso-{settings.service}-provision")
    try:
        for config in streams:
            await ensure_stream(nc.jetstream(), config)
    finally:
        await nc.close()


def create_service_app(
    settings: ServiceSettings,
    *,
    title: str,
    routers: Sequence[APIRouter] = (),
    projections: Sequence[Projection] = (),
    on_started: Hook | None = None,
    on_stopping: Hook | None = None,
    streams: Sequence[StreamConfig] = (),
    readiness_checks: Sequence[ReadinessCheck] = (),
    middleware: Sequence[Middleware] = (),
    openapi_url: str | None = "/openapi.json",
    reactors: Sequence[ReactionFactory] = (),
) -> FastAPI:
    """Wire a service: connect on start, run its projections, serve its routes.

    `middleware` runs inside the request context (request id and trace are set);
    `openapi_url=None` lets a service serve its own document at that path;
    `reactors` build reactions (see shared.reactions) once the runtime is up.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if streams:
            await provision_streams(settings, streams)
        runtime = await Runtime.start(settings, list(projections), reactors)
        app.state.runtime = runtime
        try:
            if on_started:
                await on_started(app, runtime)
            yield
        finally:
            try:
                if on_stopping:
                    await on_stopping(app, runtime)
            finally:
                await runtime.stop()

    setup_logging(settings.service, level=settings.log_level, as_json=settings.log_json)
    setup_tracing(settings.service, settings.otel_exporter)
    app = FastAPI(title=title, version="1.0.0", lifespan=lifespan, openapi_url=openapi_url)
    app.state.settings = settings
    app.state.verifier = TokenVerifier(settings)
    app.state.internal = InternalCredentials.of(settings)
    app.state.readiness_checks = tuple(readiness_checks)
    install_error_handlers(app)
    for item in reversed(middleware):  # Starlette wraps the last added outermost; keep the given order
        app.add_middleware(item.cls, *item.args, **item.kwargs)
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


SETTLE_S = 2.0


async def read_your_writes(runtime: Runtime, projection: str, position: int, response: Response) -> None:
    """Answer once `projection` has applied `position` (bounded wait), and say where the write landed.

    `X-Event-Position` lets a client wait for the write elsewhere; `X-Read-Model:
    lagging` tells it the read model was still catching up when we answered.
    """
    response.headers["X-Event-Position"] = str(position)
    try:
        await runtime.runners[projection].wait_for(position, timeout=SETTLE_S)
    except TimeoutError:
        response.headers["X-Read-Model"] = "lagging"


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
