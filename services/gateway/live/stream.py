"""Following every service stream of one org at once, from a cursor.

One ordered consumer per service stream (ephemeral, flow-controlled, recreated by
the client library on a gap), filtered by subject to `dso.<org>.<service>.>`: the
org comes from the verified token, so no other tenant's event is ever delivered to
this process for this caller. Their messages merge into one bounded queue; a slow
client slows its consumers instead of growing memory.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from fastapi.sse import ServerSentEvent
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js.api import ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

from services.gateway.access.sessions import IDLE, SessionTracker
from services.gateway.live.cursor import STREAMS, format_cursor
from services.gateway.live.visibility import Visibility
from shared.auth import Principal
from shared.consumers import as_event
from shared.events import RecordedEvent
from shared.eventstore.streams import stream_name


async def stream_ends(nc: Client) -> dict[str, int]:
    """Each service stream's last sequence: where a stream without a cursor starts."""
    js = nc.jetstream()
    ends = {}
    for service in STREAMS:
        try:
            ends[service] = (await js.stream_info(stream_name(service))).state.last_seq
        except NotFoundError:
            ends[service] = 0
    return ends


def envelope(service: str, event: RecordedEvent) -> dict[str, Any]:
    """CloudEvents structured mode: the attributes and the data in one JSON object."""
    body: dict[str, Any] = {
        "specversion": "1.0",
        "id": event.id,
        "source": event.source,
        "type": event.type,
        "subject": event.ref.id,
        "time": event.time.isoformat(),
        "datacontenttype": "application/json",
        "orgid": event.ref.org,
        "aggregatetype": event.ref.aggregate,
        "aggregateversion": event.version,
        "stream": service,
        "sequence": event.sequence,
        "data": event.data,
    }
    if event.dataschema:
        body["dataschema"] = event.dataschema
    return body


@contextlib.asynccontextmanager
async def follow(nc: Client, *, org: str, after: dict[str, int]) -> AsyncIterator[asyncio.Queue[tuple[str, Msg]]]:
    """A queue of (service, message) for every event of `org` past `after`, open for the block's length."""
    js = nc.jetstream()
    queue: asyncio.Queue[tuple[str, Msg]] = asyncio.Queue(maxsize=256)
    subscriptions = []
    try:
        for service in STREAMS:

            async def deliver(msg: Msg, service: str = service) -> None:
                await queue.put((service, msg))

            config = ConsumerConfig(deliver_policy=DeliverPolicy.BY_START_SEQUENCE, opt_start_seq=after[service] + 1)
            subscriptions.append(
                await js.subscribe(
                    f"dso.{org}.{service}.>", stream=stream_name(service), cb=deliver,
                    ordered_consumer=True, config=config,
                )
            )
        yield queue
    finally:
        for subscription in subscriptions:
            with contextlib.suppress(Exception):
                await subscription.unsubscribe()


async def live_events(
    nc: Client, *, principal: Principal, start: dict[str, int], visibility: Visibility, sessions: SessionTracker,
    check_every_s: float, retry_ms: int,
) -> AsyncIterator[ServerSentEvent]:
    """The SSE messages of one caller's stream: `connected`, then each visible event, until its session idles."""
    positions = dict(start)
    async with follow(nc, org=principal.org, after=positions) as queue:
        # Sent once every consumer is subscribed: from here on nothing stored is missed.
        yield ServerSentEvent(comment="connected", id=format_cursor(positions), retry=retry_ms)
        while True:
            try:
                service, msg = await asyncio.wait_for(queue.get(), timeout=check_every_s)
            except TimeoutError:
                service, msg = "", None
            if await sessions.is_idle(principal):  # a browser session idle too long loses its stream too
                yield ServerSentEvent(event="session_ended", data={"reason": f"{IDLE}; log in again"})
                return
            if msg is None:
                continue
            event = as_event(msg, msg.metadata.sequence.stream)
            positions[service] = event.sequence
            if event.version == 0:  # not an event (no envelope, not JSON): nothing to show
                continue
            if visibility.admits(event.data):
                yield ServerSentEvent(id=format_cursor(positions), event=event.type, data=envelope(service, event))
            for location_id in sorted(visibility.take_departures()):
                departed = {"location_id": location_id}
                yield ServerSentEvent(id=format_cursor(positions), event="out_of_scope", data=departed)
