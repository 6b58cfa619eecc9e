"""A service's live connections: NATS, the event store, the read model and its projections."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import nats
from nats.aio.client import Client
from sqlalchemy import Engine

from shared.config import ServiceSettings
from shared.db import make_engine
from shared.eventstore.jetstream import JetStreamEventStore
from shared.eventstore.streams import ensure_streams, stream_name
from shared.natscheck import NatsServerUnsuitable, check_server
from shared.projections.base import Projection
from shared.projections.runner import ProjectionRunner
from shared.reactions import Reaction, Reactor

log = logging.getLogger(__name__)
SUBSCRIBE_TIMEOUT_S = 30.0
# A reaction is built once the runtime is up: it issues commands through its store and reads its projections.
ReactionFactory = Callable[["Runtime"], Reaction]


async def connect_nats(url: str, *, name: str, attempts: int = 40, monitor_url: str | None = None,
                       check: bool = True) -> Client:
    """Connect, waiting for a server that is still starting; reconnect forever afterwards.

    `url` may list a cluster's servers, comma-separated (`nats://n1:4222,nats://n2:4222`): the client
    starts with any that answers and fails over to the others. Then check the server (version,
    JetStream; fsync before ack when `monitor_url` is known): an unsuitable one raises
    NatsServerUnsuitable with the one line to show.
    """
    for attempt in range(1, attempts + 1):
        try:
            servers = [server.strip() for server in url.split(",") if server.strip()]
            nc = await nats.connect(
                servers, name=name, max_reconnect_attempts=-1, reconnect_time_wait=0.25, connect_timeout=2
            )
            break
        except (OSError, nats.errors.NoServersError, TimeoutError):
            if attempt == attempts:
                raise
            await asyncio.sleep(0.25)
    if check:
        assessment = await check_server(nc, url, monitor_url=monitor_url)
        if assessment.problem:
            await nc.close()
            raise NatsServerUnsuitable(assessment.problem)
        for warning in assessment.warnings:
            log.warning("%s", warning)
    return nc


@dataclass
class Runtime:
    """Everything a running service holds open; built in the app's lifespan."""

    settings: ServiceSettings
    nc: Client
    store: JetStreamEventStore
    engine: Engine
    runners: dict[str, ProjectionRunner] = field(default_factory=dict)
    reactors: dict[str, Reactor] = field(default_factory=dict)

    @classmethod
    async def start(
        cls, settings: ServiceSettings, projections: list[Projection], reactors: Sequence[ReactionFactory] = ()
    ) -> Runtime:
        nc = await connect_nats(
            settings.nats_url, name=f"dso-{settings.service}", monitor_url=settings.nats_monitor_url
        )
        await ensure_streams(nc.jetstream(), replicas=settings.stream_replicas)
        engine = make_engine(settings.effective_database_url())
        runtime = cls(settings=settings, nc=nc, store=JetStreamEventStore(nc), engine=engine)
        for projection in projections:
            runner = ProjectionRunner(
                nc=nc,
                engine=engine,
                projection=projection,
                batch=settings.projection_batch,
                max_attempts=settings.projection_max_attempts,
            )
            await runner.start()
            runtime.runners[projection.name] = runner
        for make in reactors:  # after the projections: reactions wait on them
            reactor = Reactor(nc=nc, reaction=make(runtime), max_attempts=settings.projection_max_attempts,
                              ack_wait=settings.reaction_ack_wait_s)
            await reactor.start()
            runtime.reactors[reactor.reaction.name] = reactor
        await runtime.wait_subscribed()
        return runtime

    async def caught_up(self, projection: str, position: int | None = None, *, timeout: float) -> bool:
        """Whether `projection` has applied `position` (None: its stream's last event now), waiting up to `timeout`."""
        runner = self.runners[projection]
        if position is None:
            info = await self.nc.jetstream().stream_info(stream_name(runner.projection.stream))
            position = info.state.last_seq
        try:
            await runner.wait_for(position, timeout=timeout)
        except TimeoutError:
            return False
        return True

    async def wait_subscribed(self, *, timeout: float = SUBSCRIBE_TIMEOUT_S) -> None:
        """Started means consuming: an event acknowledged now reaches every read model of this service.

        Without this a service answered requests (and `rollout up` printed its banner)
        while its consumers were still being created, and a reference to another
        service's just-created aggregate failed for that long.
        """
        consumers = [*self.runners.values(), *self.reactors.values()]
        subscribed = await asyncio.gather(*(c.wait_subscribed(timeout=timeout) for c in consumers))
        for consumer, ok in zip(consumers, subscribed, strict=True):
            if not ok:  # still retrying (logged); /readyz says so until it succeeds
                log.warning("%s: not subscribed after %.0f s; starting anyway", consumer.name, timeout)

    async def stop(self) -> None:
        for reactor in self.reactors.values():
            await reactor.stop()
        for runner in self.runners.values():
            await runner.stop()
        await self.nc.drain()
        self.engine.dispose()

    async def readiness(self) -> tuple[bool, dict[str, object]]:
        """Whether the service can do its job, and why not."""
        checks: dict[str, object] = {"nats": "connected" if self.nc.is_connected else "disconnected"}
        ready = self.nc.is_connected
        try:
            info = await self.nc.jetstream().stream_info(stream_name(self.settings.service))
            checks["stream"] = {"name": info.config.name, "messages": info.state.messages}
        except Exception as error:  # any failure here means "not ready", reported as such
            checks["stream"] = f"unavailable: {type(error).__name__}"
            ready = False
        projections: dict[str, object] = {}
        for name, runner in self.runners.items():
            try:
                status = await runner.status()
            except Exception as error:
                status = {"running": False, "error": type(error).__name__}
            projections[name] = status
            ready = ready and bool(status.get("running"))
        checks["projections"] = projections
        if self.reactors:
            reactions: dict[str, object] = {}
            for name, reactor in self.reactors.items():
                try:
                    status = await reactor.status()
                except Exception as error:
                    status = {"running": False, "error": type(error).__name__}
                reactions[name] = status
                ready = ready and bool(status.get("running"))
            checks["reactors"] = reactions
        return ready, checks
