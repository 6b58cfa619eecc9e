"""Runs a projection as a durable JetStream pull consumer with explicit acks.

The read-model database, not the consumer, is the truth about progress: on start
the consumer is recreated at checkpoint + 1, so a crash between commit and ack
only causes redeliveries (skipped), and a lost or rebuilt database replays from
where its own checkpoint says.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from typing import Any, TypeVar

import nats.errors
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError
from sqlalchemy import Engine

from shared.events import RecordedEvent
from shared.eventstore.streams import stream_name
from shared.projections import store
from shared.projections.base import Projection

log = logging.getLogger(__name__)
T = TypeVar("T")


class ProjectionRunner:
    """Fetches batches, applies them in one transaction each, then acks."""

    def __init__(
        self,
        *,
        nc: Client,
        engine: Engine,
        projection: Projection,
        batch: int = 256,
        max_attempts: int = 5,
        retry_delay: float = 0.05,
    ) -> None:
        self.nc = nc
        self.js = nc.jetstream()
        self.engine = engine
        self.projection = projection
        self.batch = batch
        self.max_attempts = max_attempts
        self.retry_delay = retry_delay
        self.position = 0
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._advanced = asyncio.Condition()
        self._stream = stream_name(projection.service)
        self._durable = projection.name

    async def start(self) -> None:
        self._stopping = False
        await asyncio.to_thread(store.create_tables, self.engine, self.projection)
        self._task = asyncio.create_task(self._run(), name=f"projection:{self.projection.name}")

    async def stop(self) -> None:
        # The flag as well as the cancel: nats-py can swallow a cancellation that
        # races its own timeouts, and the loop must end anyway.
        self._stopping = True
        if self._task:
            self._task.cancel()
            done, _ = await asyncio.wait({self._task}, timeout=5)
            if not done:
                log.warning("projection %s did not stop within 5 s; abandoning its task", self.projection.name)
        self._task = None

    async def wait_for(self, position: int, *, timeout: float = 10.0) -> None:
        """Return once the read model has applied `position` (read-your-writes)."""
        async with self._advanced:
            await asyncio.wait_for(self._advanced.wait_for(lambda: self.position >= position), timeout)

    async def status(self) -> dict[str, object]:
        """Checkpoint, lag behind the stream and dead letters, for /readyz."""
        last = (await self.js.stream_info(self._stream)).state.last_seq
        dead = await asyncio.to_thread(store.dead_letter_count, self.engine, self.projection.name)
        running = self._task is not None and not self._task.done()
        return {"position": self.position, "stream_last": last, "lag": max(last - self.position, 0),
                "dead_letters": dead, "running": running}

    async def _subscribe(self) -> nats.js.JetStreamContext.PullSubscription:
        self.position = await asyncio.to_thread(store.checkpoint, self.engine, self.projection.name)
        with contextlib.suppress(NotFoundError):
            await self.js.delete_consumer(self._stream, self._durable)
        await self.js.add_consumer(
            self._stream,
            ConsumerConfig(
                durable_name=self._durable,
                ack_policy=AckPolicy.EXPLICIT,
                deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
                opt_start_seq=self.position + 1,
                ack_wait=60,
                max_ack_pending=self.batch * 4,
            ),
        )
        return await self.js.pull_subscribe_bind(durable=self._durable, stream=self._stream)

    async def _run(self) -> None:
        while not self._stopping:
            try:
                sub = await self._subscribe()
                try:
                    await self._consume(sub)
                finally:
                    with contextlib.suppress(Exception):
                        await sub.unsubscribe()
            except asyncio.CancelledError:
                raise
            except store.GapDetected as gap:
                log.warning("projection gap, resubscribing: %s", gap)
            except Exception:
                log.exception("projection %s failed; restarting", self.projection.name)
                await asyncio.sleep(1)

    async def _consume(self, sub: nats.js.JetStreamContext.PullSubscription) -> None:
        while not self._stopping:
            try:
                msgs = await _bounded(sub.fetch(self.batch, timeout=1), timeout=3)
            except (nats.errors.TimeoutError, TimeoutError):
                continue  # nothing new within the fetch window
            events = [RecordedEvent.from_message(m.subject, m.headers or {}, m.data, _stream_sequence(m)) for m in msgs]
            try:
                position = await asyncio.to_thread(store.apply_batch, self.engine, self.projection, events)
            except store.GapDetected:
                raise
            except Exception:
                log.warning("projection %s: batch of %d failed; applying one by one", self.projection.name, len(events))
                position = await self._apply_one_by_one(events)
            await self._ack(msgs)
            await self._advance(position)

    async def _apply_one_by_one(self, events: list[RecordedEvent]) -> int:
        """Find the poison event of a failed batch; retry it, then dead-letter it and move on."""
        position = self.position
        for event in events:
            for attempt in range(1, self.max_attempts + 1):
                try:
                    position = await asyncio.to_thread(store.apply_batch, self.engine, self.projection, [event])
                    break
                except store.GapDetected:
                    raise
                except Exception as error:
                    if attempt == self.max_attempts:
                        position = await self._dead_letter(event, error)
                    else:
                        await asyncio.sleep(self.retry_delay * 2 ** (attempt - 1))
        return position

    async def _dead_letter(self, event: RecordedEvent, error: Exception) -> int:
        reason = f"{type(error).__name__}: {error}"[:2000]
        log.error("dead-lettering %s seq %s: %s", event.subject, event.sequence, reason)
        headers = event.headers() | {
            "Nats-Msg-Id": f"{self.projection.name}-{event.sequence}",
            "dso-original-subject": event.subject,
            "dso-original-sequence": str(event.sequence),
            "dso-error": reason.replace("\r", " ").replace("\n", " "),
        }
        await self.js.publish(f"dlq.{self.projection.service}.{self.projection.name}", event.payload(), headers=headers)
        return await asyncio.to_thread(store.record_dead_letter, self.engine, self.projection, event, reason)

    async def _ack(self, msgs: list[Msg]) -> None:
        for msg in msgs:
            await msg.ack()

    async def _advance(self, position: int) -> None:
        async with self._advanced:
            self.position = position
            self._advanced.notify_all()


async def _bounded(awaitable: Coroutine[Any, Any, T], *, timeout: float) -> T:
    """Await in a separate task, never longer than `timeout`, and never blocking our own cancellation.

    nats-py's `fetch` can swallow a cancellation that races its internal
    `wait_for` and then wait on its queue indefinitely; this keeps `stop()` prompt.
    """
    task = asyncio.ensure_future(awaitable)
    task.add_done_callback(lambda t: t.cancelled() or t.exception())
    try:
        done, _ = await asyncio.wait({task}, timeout=timeout)
    except asyncio.CancelledError:
        task.cancel()
        raise
    if not done:
        task.cancel()
        raise TimeoutError
    return task.result()


def _stream_sequence(msg: Msg) -> int:
    """The stream sequence from the ack subject, without building nats-py's metadata objects per message.

    `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.…` (9 tokens), or with domain and
    account hash first (12 tokens).
    """
    tokens = (msg.reply or "").split(".")
    if len(tokens) == 9:
        return int(tokens[5])
    if len(tokens) >= 11:
        return int(tokens[7])
    return int(msg.metadata.sequence.stream)
