"""The gateway: the one public HTTP entry.

Every `/api/v1` request passes the edge (token, rate, idle session, policy table)
and leaves a hash-chained audit entry; admitted requests are forwarded to the
service the policy names, or answered here (composed views, the live event stream,
the audit query). The whole API is described in one OpenAPI document, the events
in one AsyncAPI document.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI, Request
from nats.js.api import KeyValueConfig, StorageType
from nats.js.errors import BadRequestError
from nats.js.kv import KeyValue
from starlette.middleware import Middleware
from starlette.staticfiles import StaticFiles

from services.gateway.access.cors import ALLOW_HEADERS, EXPOSE_HEADERS, Cors
from services.gateway.access.edge import Edge, Gatekeeper
from services.gateway.access.ratelimit import TokenBuckets
from services.gateway.access.replicas import ReplicaShare, replica_bucket
from services.gateway.access.sessions import BUCKET, SessionTracker
from services.gateway.audit.api import router as audit_router
from services.gateway.audit.key import audit_key
from services.gateway.audit.projection import AuditProjection
from services.gateway.audit.trail import AuditTrail
from services.gateway.catalog.api import router as catalog_router
from services.gateway.catalog.openapi import CombinedSchema
from services.gateway.compose.api import router as compose_router
from services.gateway.config import GatewaySettings
from services.gateway.console.api import STATIC as CONSOLE_STATIC
from services.gateway.console.api import router as console_router
from services.gateway.forwarding.api import router as forwarding_router
from services.gateway.forwarding.forward import new_client, new_transport
from services.gateway.health import downstream_health
from services.gateway.intake.api import router as webhooks_router
from services.gateway.intake.projection import WebhookIntegrationsProjection
from services.gateway.live.api import router as live_router
from services.gateway.live.slots import StreamSlots
from shared.access.policy import policy
from shared.app import include_api, provision_streams, running, service_app
from shared.contracts.gateway import audit_stream, intake_stream
from shared.events import new_id
from shared.projections.base import Projection
from shared.runtime import Runtime
from shared.webhooks import signing_key


def projections(settings: GatewaySettings | None = None) -> list[Projection]:
    """The gateway's read models (`rollout projections rebuild gateway` calls this without settings)."""
    return [AuditProjection(audit_key(settings or GatewaySettings())), WebhookIntegrationsProjection()]


async def audit_health(request: Request) -> tuple[bool, dict[str, object]]:
    """The audit trail on /readyz: a replica that cannot store entries accepts no request, so it is unready."""
    gate: Gatekeeper | None = getattr(request.app.state, "gatekeeper", None)
    if gate is None:
        return False, {"audit": {"status": "starting"}}
    ready, report = await gate.trail.health()
    return ready, {"audit": report}


async def session_bucket(runtime: Runtime, settings: GatewaySettings) -> KeyValue:
    """The shared last-seen bucket; entries outlive the longest session, then expire."""
    js = runtime.nc.jetstream()
    config = KeyValueConfig(
        bucket=BUCKET, ttl=settings.session_max_s, history=1, storage=StorageType.FILE,
        replicas=settings.stream_replicas,
    )
    try:
        return await js.create_key_value(config)
    except BadRequestError:  # exists with other settings (changed TTL): use it as it is
        return await js.key_value(BUCKET)


def create_app(
    settings: GatewaySettings | None = None,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    clock: Callable[[], float] = time.time,
) -> FastAPI:
    """Build the gateway; tests pass `transport` to stand in for the services and `clock` to age sessions."""
    settings = settings or GatewaySettings()
    key = audit_key(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The audit stream first: the audit projection reads it from the start.
        await provision_streams(settings, [
            audit_stream(retention_days=settings.audit_retention_days, replicas=settings.stream_replicas),
            intake_stream(retention_days=settings.intake_retention_days, replicas=settings.stream_replicas),
        ])
        async with running(app, settings, projections(settings)) as runtime:
            # One connection pool for every forwarded request, open exactly as long as the app.
            app.state.transport = transport or new_transport()
            async with new_client(settings, app.state.transport) as client:
                app.state.http = client
                app.state.schema = CombinedSchema(
                    own=app.openapi, urls=settings.service_urls(), ttl_s=settings.openapi_cache_s,
                    timeout=settings.health_timeout_s,
                )
                sessions = SessionTracker(
                    await session_bucket(runtime, settings), idle_s=settings.session_idle_s,
                    touch_s=settings.session_touch_s, clock=clock,
                )
                app.state.stream_slots = StreamSlots(settings.max_streams_per_caller)
                buckets = TokenBuckets(rate=settings.rate_limit_per_s, burst=settings.rate_limit_burst)
                app.state.gatekeeper = Gatekeeper(
                    policy=policy(),
                    verifier=app.state.verifier,
                    sessions=sessions,
                    buckets=buckets,
                    trail=AuditTrail(runtime.nc, key=key, name=settings.audit_recorder),
                )
                kv = await replica_bucket(runtime.nc.jetstream(), replicas=settings.stream_replicas)
                app.state.replica_share = share = ReplicaShare(kv, new_id(), buckets)
                await share.start()
                try:
                    yield
                finally:
                    await share.stop()

    # Ours is the combined OpenAPI document, served by the catalog router.
    app = service_app(settings, title="DSO Rollout — gateway", lifespan=lifespan, middleware=[Middleware(Edge)],
                      openapi_url=None)
    app.state.readiness_checks = (audit_health, downstream_health)
    app.state.webhook_key = signing_key(settings)
    app.include_router(webhooks_router)
    app.include_router(console_router)
    app.mount("/console/assets", StaticFiles(directory=CONSOLE_STATIC), name="console-assets")
    include_api(app, [audit_router, compose_router, live_router, forwarding_router])  # the catch-all last
    app.include_router(catalog_router)
    if settings.cors_origins:  # outermost: preflights and every error answer carry the CORS headers
        app.add_middleware(
            Cors, allow_origins=settings.cors_origins, allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=ALLOW_HEADERS, expose_headers=EXPOSE_HEADERS, max_age=600,
        )
    return app
