"""Runs a reaction (event in, commands out) as a durable JetStream pull consumer with explicit acks.

Unlike a projection there is no read model to checkpoint in: the consumer's own ack
floor is the position, so a crash between a handler's commands and its ack redelivers
the event. Handlers must therefore be idempotent: they send their commands in the
`reaction_context` of the event, whose command ids derive from the event id, so
JetStream's `Nats-Msg-Id` window drops a repeat.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Protocol

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from shared.aggregates import Context
from shared.consumers import (
    BackgroundConsumer,
    add_consumer,
    dead_letter,
    failure_reason,
    stream_sequence,
)
from shared.events import Metadata, RecordedEvent
from shared.eventstore.base import EventStore
from shared.eventstore.streams import stream_name
from shared.principal import Principal
from shared.pulls import BatchFetcher

log = logging.getLogger(__name__)


class Reaction(Protocol):
    """What a reactor runs: its durable name, the service stream it reads, an optional subject filter."""

    name: str
    stream: str
    filter_subject: str | None

    async def react(self, event: RecordedEvent) -> None: ...


def reaction_context(store: EventStore, reaction: str, event: RecordedEvent) -> Context:
    """The context a reaction's commands run in: the platform acting in the event's org, keyed by the event.

    Command ids are then the same on every delivery of `event`, so a redelivered reaction de-duplicates.
    """
    envelope = Metadata(correlation_id=event.correlation_id, causation_id=event.id, traceparent=event.traceparent,
                        actor=f"system:{reaction}")
    return Context(store, Principal.system(event.ref.org, reaction), envelope, key=event.id)


class Reactor(BackgroundConsumer):
    """Fetches events one batch at a time and hands each to the reaction; acks after it returns."""

    def __init__(
        self, *, nc: Client, reaction: Reaction, batch: int = 16, max_attempts: int = 5, retry_delay: float = 0.05,
        ack_wait: float = 30.0,
    ) -> None:
        super().__init__(reaction.name)
        self.nc = nc
        self.js = nc.jetstream()
        self.reaction = reaction
        self.batch = batch
        self.max_attempts = max_attempts
        self.retry_delay = retry_delay
        self.ack_wait = ack_wait
        # `position`: the last stream sequence handled since start (the durable truth is the ack floor).
        self.dead_letters = 0
        self._stream = stream_name(reaction.stream)

    async def start(self) -> None:
        self._launch(kind="reactor")

    async def status(self) -> dict[str, object]:
        """Ack floor, pending events and dead letters, for /readyz."""
        info = await self.js.consumer_info(self._stream, self.reaction.name)
        return {"position": info.ack_floor.stream_seq if info.ack_floor else 0, "pending": info.num_pending or 0,
                "dead_letters": self.dead_letters, "running": self.consuming}

    async def _subscribe(self) -> BatchFetcher:
        # Created once and never reset: a restart resumes after the ack floor. A new reactor
        # starts from the stream's beginning — handlers are idempotent, so history is safe to replay.
        config = ConsumerConfig(
            durable_name=self.reaction.name,
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            filter_subject=self.reaction.filter_subject,
            ack_wait=self.ack_wait,
            max_ack_pending=self.batch,
        )
        await add_consumer(self.js, self.reaction.stream, config)
        return await BatchFetcher(self.nc, stream=self._stream, durable=self.reaction.name).subscribe()

    async def _consume(self, sub: BatchFetcher) -> None:
        while not self._stopping:
            msgs = await sub.fetch(self.batch)
            if not msgs:
                continue  # nothing new within the fetch window
            fetched = [(msg, RecordedEvent.from_message(msg.subject, msg.headers or {}, msg.data,
                                                        stream_sequence(msg))) for msg in msgs]
            key = getattr(self.reaction, "concurrency_key", None)
            if key is None:
                for msg, event in fetched:
                    await self._handle_one(msg, event)
                    await msg.ack_sync()  # confirmed, so `position` never runs ahead of the ack floor
                    await self._advance(event.sequence)
                continue
            await self._handle_keyed(fetched, key)

    async def _handle_one(self, msg: Msg, event: RecordedEvent) -> None:
        try:
            await self._handle(msg, event)
        except asyncio.CancelledError:
            # Hand it back now rather than after ack_wait; the next start redelivers it.
            with contextlib.suppress(Exception):
                await msg.nak()
            raise

    async def _handle_keyed(self, fetched: list[tuple[Msg, RecordedEvent]],
                            key: Callable[[RecordedEvent], str]) -> None:
        """A batch in groups by the reaction's key: groups at once, each in stream order; acks in order after.

        For reactions whose events of different keys touch different aggregates (deliveries of different
        cases), so one slow append does not hold the whole stream.
        """
        groups: dict[str, list[tuple[Msg, RecordedEvent]]] = {}
        for pair in fetched:
            groups.setdefault(key(pair[1]), []).append(pair)

        async def run(group: list[tuple[Msg, RecordedEvent]]) -> None:
            for msg, event in group:
                await self._handle_one(msg, event)

        async def in_progress() -> None:  # a long batch must not come back to another consumer meanwhile
            while True:
                await asyncio.sleep(self.ack_wait / 3)
                for msg, _ in fetched:
                    with contextlib.suppress(Exception):
                        await msg.in_progress()

        heartbeat = asyncio.create_task(in_progress())
        try:
            await asyncio.gather(*(run(group) for group in groups.values()))
        finally:
            heartbeat.cancel()
        if not fetched:
            return
        # One round trip for the batch: the server handles a connection's messages in order, so once the
        # last ack is confirmed every earlier one was applied (acked one by one, 256 round trips held the
        # next batch back).
        for msg, _ in fetched[:-1]:
            await msg.ack()
        await fetched[-1][0].ack_sync()
        await self._advance(fetched[-1][1].sequence)

    async def _handle(self, msg: Msg | None, event: RecordedEvent) -> None:
        for attempt in range(1, self.max_attempts + 1):
            try:
                await self.reaction.react(event)
                return
            except asyncio.CancelledError:
                raise
            except Exception as error:
                if attempt == self.max_attempts:
                    await self._dead_letter(event, error)
                    return
                log.warning("reactor %s: %s seq %s failed (attempt %d): %s", self.reaction.name, event.type,
                            event.sequence, attempt, error)
                if msg is not None:
                    await msg.in_progress()  # a slow retry must not hit ack_wait and run twice
                await asyncio.sleep(self.retry_delay * 2 ** (attempt - 1))

    async def _dead_letter(self, event: RecordedEvent, error: Exception) -> None:
        await dead_letter(self.js, service=self.reaction.stream, consumer=self.reaction.name, event=event,
                          reason=failure_reason(error))
        self.dead_letters += 1
