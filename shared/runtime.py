"""A service's live connections: NATS, the event store, the read model and its projections."""

from __future__ import annotations

import asyncio
import contextlib
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
from shared.lease import Leadership, lease_for
from shared.natscheck import NatsServerUnsuitable, check_server
from shared.projections import store
from shared.projections.base import Projection
from shared.projections.runner import ProjectionRunner
from shared.reactions import Reaction, Reactor

log = logging.getLogger(__name__)
SUBSCRIBE_TIMEOUT_S = 30.0
# How often a following replica reads the checkpoints: often while a request waits on one
# (read-your-writes), rarely otherwise.
FOLLOW_WAITED_S, FOLLOW_IDLE_S = 0.02, 0.5
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
    """Everything a running service holds open; built in the app's lifespan.

    Every replica answers HTTP; the one holding the lease on the read model (`shared.lease`) runs
    the projections and reactions, the others follow its checkpoints.
    """

    settings: ServiceSettings
    nc: Client
    store: JetStreamEventStore
    engine: Engine
    runners: dict[str, ProjectionRunner] = field(default_factory=dict)
    reactors: dict[str, Reactor] = field(default_factory=dict)
    leadership: Leadership | None = None
    _following: asyncio.Task[None] | None = None

    @classmethod
    async def start(
        cls, settings: ServiceSettings, projections: list[Projection], reactors: Sequence[ReactionFactory] = ()
    ) -> Runtime:
        nc = await connect_nats(
            settings.nats_url, name=f"dso-{settings.service}", monitor_url=settings.nats_monitor_url
        )
        await ensure_streams(nc.jetstream(), replicas=settings.stream_replicas)
        url = settings.effective_database_url()
        engine = make_engine(url)
        runtime = cls(settings=settings, nc=nc, store=JetStreamEventStore(nc), engine=engine)
        for projection in projections:
            runtime.runners[projection.name] = ProjectionRunner(
                nc=nc,
                engine=engine,
                projection=projection,
                batch=settings.projection_batch,
                max_attempts=settings.projection_max_attempts,
            )
        for make in reactors:  # reactions wait on the projections and issue commands through the store
            reaction = make(runtime)
            reactor = Reactor(nc=nc, reaction=reaction, max_attempts=settings.projection_max_attempts,
                              ack_wait=settings.reaction_ack_wait_s, batch=getattr(reaction, "batch", 16))
            runtime.reactors[reactor.reaction.name] = reactor
        name = f"rollout:{settings.service}:{engine.url.render_as_string(hide_password=True)}"
        runtime.leadership = Leadership(lease_for(url, name), on_gain=runtime._lead, on_loss=runtime._follow)
        await runtime.leadership.start()
        if runtime.leading:
            await runtime.wait_subscribed()
        else:
            await runtime._follow()
        return runtime

    @property
    def leading(self) -> bool:
        return self.leadership is None or self.leadership.leading

    async def _lead(self) -> None:
        await self._stop_following()
        for runner in self.runners.values():
            await runner.start()
        for reactor in self.reactors.values():  # after the projections: reactions wait on them
            await reactor.start()

    async def _follow(self) -> None:
        for reactor in self.reactors.values():
            await reactor.stop()
        for runner in self.runners.values():
            await runner.stop()
        if self._following is None:
            self._following = asyncio.create_task(self._follow_checkpoints(), name="follow-checkpoints")

    async def _stop_following(self) -> None:
        task, self._following = self._following, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _follow_checkpoints(self) -> None:
        """Move each runner's position to the leader's checkpoint, so waits on positions work here too."""
        while True:
            for name, runner in self.runners.items():
                try:
                    position = await asyncio.to_thread(store.checkpoint, self.engine, name)
                except Exception as error:  # the leader has not created the tables yet; next round
                    log.debug("following %s: %s", name, error)
                    continue
                if position > runner.position:
                    await runner._advance(position)
            waited = any(runner.waiting for runner in self.runners.values())
            await asyncio.sleep(FOLLOW_WAITED_S if waited else FOLLOW_IDLE_S)

    async def caught_up(self, projection: str, position: int | None = None, *, timeout: float,
                        hurry: bool = True) -> bool:
        """Whether `projection` has applied `position` (None: its stream's last event now), waiting up to `timeout`
        (`hurry`: see `BackgroundConsumer.wait_for`)."""
        runner = self.runners[projection]
        if position is None:
            info = await self.nc.jetstream().stream_info(stream_name(runner.projection.stream))
            position = info.state.last_seq
        try:
            await runner.wait_for(position, timeout=timeout, hurry=hurry)
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
        await self._stop_following()
        if self.leadership is not None:
            await self.leadership.stop_watching()
        for reactor in self.reactors.values():
            await reactor.stop()
        for runner in self.runners.values():
            await runner.stop()
        if self.leadership is not None:
            await self.leadership.lease.release()  # after the consumers: no write outlives the lease
        await self.nc.drain()
        self.engine.dispose()

    async def readiness(self) -> tuple[bool, dict[str, object]]:
        """Whether the service can do its job, and why not."""
        checks: dict[str, object] = {"nats": "connected" if self.nc.is_connected else "disconnected",
                                     "role": "leader" if self.leading else "follower"}
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
            ready = ready and (bool(status.get("running")) or not self.leading)
        checks["projections"] = projections
        if self.reactors:
            reactions: dict[str, object] = {}
            for name, reactor in self.reactors.items():
                try:
                    status = await reactor.status()
                except Exception as error:
                    status = {"running": False, "error": type(error).__name__}
                reactions[name] = status
                ready = ready and (bool(status.get("running")) or not self.leading)
            checks["reactors"] = reactions
        return ready, checks
