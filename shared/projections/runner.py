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
import time

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError
from sqlalchemy import Engine

from shared.consumers import (
    BackgroundConsumer,
    add_consumer,
    as_event,
    dead_letter,
    failure_reason,
    stream_sequence,
)
from shared.db import on_engine
from shared.events import RecordedEvent
from shared.eventstore.streams import stream_name
from shared.projections import store
from shared.projections.base import Projection, lingering, wants_any
from shared.pulls import BatchFetcher

log = logging.getLogger(__name__)
# How often a projection stores the position of events that changed none of its rows.
CHECKPOINT_EVERY_S = 1.0


class ProjectionRunner(BackgroundConsumer):
    """Fetches batches, applies them in one transaction each, then acks."""

    resubscribe_on = (store.GapDetected,)

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
        super().__init__(projection.name)
        self.nc = nc
        self.js = nc.jetstream()
        self.engine = engine
        self.projection = projection
        self.batch = batch
        self.max_attempts = max_attempts
        self.retry_delay = retry_delay
        self._stream = stream_name(projection.stream)
        self._durable = projection.name
        self._saved_at = 0.0  # when the checkpoint was last stored (monotonic)
        self._unsaved = 0  # a position reached by skipping that the checkpoint does not hold yet (0: none)

    async def start(self) -> None:
        await asyncio.to_thread(store.create_tables, self.engine, self.projection)
        self._launch(kind="projection")

    async def status(self) -> dict[str, object]:
        """Checkpoint, lag behind the stream and dead letters, for /readyz."""
        last = (await self.js.stream_info(self._stream)).state.last_seq
        dead = await asyncio.to_thread(store.dead_letter_count, self.engine, self.projection.name)
        return {"position": self.position, "stream_last": last, "lag": max(last - self.position, 0),
                "dead_letters": dead, "running": self.consuming}

    async def _subscribe(self) -> BatchFetcher:
        # The stored checkpoint, or further when this process skipped events since it was stored.
        self.position = max(await asyncio.to_thread(store.checkpoint, self.engine, self.projection.name),
                            self.position)
        with contextlib.suppress(NotFoundError):
            await self.js.delete_consumer(self._stream, self._durable)
        await add_consumer(
            self.js,
            self.projection.stream,
            ConsumerConfig(
                durable_name=self._durable,
                # Acking a batch's last message acks the whole batch: one ack per batch, not per event.
                ack_policy=AckPolicy.ALL,
                deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
                opt_start_seq=self.position + 1,
                ack_wait=60,
                max_ack_pending=self.batch * 4,
            ),
        )
        return await BatchFetcher(self.nc, stream=self._stream, durable=self._durable).subscribe()

    async def _consume(self, sub: BatchFetcher) -> None:
        """Apply batch after batch; the consumer's open pull request gathers the next one meanwhile."""
        linger = lingering(self.projection)
        while not self._stopping:
            msgs = await sub.fetch(self.batch)  # [] when nothing new came within its window
            if not msgs:
                continue
            await asyncio.sleep(0)  # let a pull request just made go out: on SQLite the apply runs inline
            await self._apply(msgs)
            if linger and len(msgs) < self.batch:  # caught up: let the next batch gather
                await self._pause(linger)

    async def _apply(self, msgs: list[Msg]) -> None:
        events = [as_event(m, stream_sequence(m)) for m in msgs]
        if not wants_any(self.projection, events):
            await self._skip(events)
            await self._ack(msgs)
            return
        try:
            position = await on_engine(self.engine, store.apply_batch, self.projection, events, after=self.position)
            self._saved_at, self._unsaved = time.monotonic(), 0
        except store.GapDetected:
            raise
        except Exception:
            log.warning("projection %s: batch of %d failed; applying one by one", self.projection.name, len(events))
            position = await self._apply_one_by_one(events)
        await self._ack(msgs)
        await self._advance(position)

    async def _skip(self, events: list[RecordedEvent]) -> None:
        """Pass a batch that changes no row without a transaction; store the position at most every
        `CHECKPOINT_EVERY_S` (a restart then re-reads at most that much of what it skips anyway)."""
        _, position = store.unapplied(self.projection.name, self.position, events)
        if position > self.position:
            self._unsaved = position
            if time.monotonic() - self._saved_at >= CHECKPOINT_EVERY_S:
                await self._save()
        await self._advance(position)

    async def _save(self) -> None:
        await on_engine(self.engine, store.save_checkpoint, self.projection.name, self._unsaved)
        self._saved_at, self._unsaved = time.monotonic(), 0

    async def stop(self) -> None:
        await super().stop()
        if self._unsaved:  # what it skipped since the checkpoint was last stored
            try:
                await self._save()
            except Exception as error:  # the next start re-reads those events instead
                log.warning("projection %s: checkpoint not stored at stop: %s", self.projection.name, error)

    async def _apply_one_by_one(self, events: list[RecordedEvent]) -> int:
        """Find the poison event of a failed batch; retry it, then dead-letter it and move on."""
        position = self.position
        for event in events:
            for attempt in range(1, self.max_attempts + 1):
                try:
                    position = await on_engine(self.engine, store.apply_batch, self.projection, [event], after=position)
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
        reason = failure_reason(error)
        await dead_letter(self.js, service=self.projection.stream, consumer=self.projection.name, event=event,
                          reason=reason)
        return await on_engine(self.engine, store.record_dead_letter, self.projection, event, reason)

    async def _ack(self, msgs: list[Msg]) -> None:
        await msgs[-1].ack()  # AckPolicy.ALL: this acks every earlier message of the batch too
