"""The JetStream event store: the system of record.

Concurrency is JetStream's own per-subject check: `Nats-Expected-Last-Subject-Sequence`
with a `…-Subject` filter covering every event of the aggregate, so two writers that
loaded the same revision cannot both append. De-duplication is JetStream's
`Nats-Msg-Id` window, keyed by the command id. Several events of one command go
as one atomic batch, so a reader never sees half a decision.
"""

from __future__ import annotations

from collections.abc import Sequence

import nats.errors
from nats.aio.client import Client
from nats.js.errors import APIError, NoStreamResponseError, NotFoundError

from shared.events import AggregateRef, Metadata, NewEvent, RecordedEvent, new_id, record
from shared.eventstore.base import (
    ConcurrencyConflict,
    EventStoreError,
    History,
    Revision,
    StoreUnavailable,
    message_id,
)
from shared.eventstore.streams import stream_name

WRONG_LAST_SEQUENCE = 10071
BATCH_DUPLICATE_MESSAGE_ID = 10201
# The server, the stream's leader or our connection is away (a restart, a cluster failover): a 503, retried.
_UNAVAILABLE = (nats.errors.TimeoutError, nats.errors.NoRespondersError, nats.errors.ConnectionClosedError,
                nats.errors.UnexpectedEOF, NoStreamResponseError)


class JetStreamEventStore:
    """Event store over JetStream streams named by `stream_name(service)`."""

    def __init__(self, nc: Client, *, timeout: float = 5.0) -> None:
        self._nc = nc
        self._js = nc.jetstream(timeout=timeout)
        self._timeout = timeout

    async def load(self, ref: AggregateRef) -> History:
        return History(ref, await self._read(ref.service, ref.filter, after=0, limit=None))

    async def read(self, service: str, *, after: int = 0, limit: int = 1000) -> list[RecordedEvent]:
        return await self._read(service, f"dso.*.{service}.>", after=after, limit=limit)

    async def append(
        self, ref: AggregateRef, events: Sequence[NewEvent], *, expected: Revision, meta: Metadata
    ) -> list[RecordedEvent]:
        if not events:
            return []
        recorded = record(ref, list(events), version=expected.version, meta=meta)
        concurrency = {
            "Nats-Expected-Last-Subject-Sequence": str(expected.sequence),
            "Nats-Expected-Last-Subject-Sequence-Subject": ref.filter,
        }
        try:
            if len(recorded) == 1:
                headers = recorded[0].headers() | concurrency
                headers["Nats-Msg-Id"] = message_id(ref, meta.command_id, 0)
                ack = await self._js.publish(recorded[0].subject, recorded[0].payload(), headers=headers)
                sequences = [ack.seq]
                duplicate = bool(ack.duplicate)
            else:
                sequences, duplicate = await self._append_batch(ref, recorded, concurrency, meta)
        except APIError as error:
            if error.err_code == WRONG_LAST_SEQUENCE:
                raise ConcurrencyConflict(ref, expected) from error
            if error.err_code == BATCH_DUPLICATE_MESSAGE_ID:
                return await self._stored_by_command(ref, meta, len(recorded))
            raise EventStoreError(f"append to {ref.prefix} refused: {error.description}") from error
        except _UNAVAILABLE as error:
            raise StoreUnavailable(f"append to {ref.prefix}: {type(error).__name__}") from error
        if duplicate:
            return [await self._get(ref.service, seq) for seq in sequences]
        return [event.at(seq) for event, seq in zip(recorded, sequences, strict=True)]

    async def _append_batch(
        self, ref: AggregateRef, recorded: list[RecordedEvent], concurrency: dict[str, str], meta: Metadata
    ) -> tuple[list[int], bool]:
        """Publish an atomic batch; the server stores all of it or none (ADR-50)."""
        batch_id = new_id()
        last = len(recorded)
        for index, event in enumerate(recorded, start=1):
            headers = event.headers() | {
                "Nats-Batch-Id": batch_id,
                "Nats-Batch-Sequence": str(index),
                "Nats-Msg-Id": message_id(ref, meta.command_id, index - 1),
            }
            if index == 1:
                headers |= concurrency
            if index < last:
                await self._nc.publish(event.subject, event.payload(), headers=headers)
            else:
                headers["Nats-Batch-Commit"] = "1"
                ack = await self._js.publish(event.subject, event.payload(), headers=headers)
        return list(range(ack.seq - last + 1, ack.seq + 1)), bool(ack.duplicate)

    async def _stored_by_command(self, ref: AggregateRef, meta: Metadata, count: int) -> list[RecordedEvent]:
        """The events a retried batch stored the first time, found by their message ids."""
        wanted = {message_id(ref, meta.command_id, i) for i in range(count)}
        return [e for e in (await self.load(ref)).events if e.message_id in wanted]

    async def _read(self, service: str, subject_filter: str, *, after: int, limit: int | None) -> list[RecordedEvent]:
        """Walk the stream with direct gets (`next_by_subj`): no consumer to create or clean up."""
        events: list[RecordedEvent] = []
        seq = after + 1
        while limit is None or len(events) < limit:
            try:
                raw = await self._js.get_msg(
                    stream_name(service), seq=seq, subject=subject_filter, next=True, direct=True
                )
            except NotFoundError:
                break
            except _UNAVAILABLE as error:
                raise StoreUnavailable(f"read {subject_filter}: {type(error).__name__}") from error
            assert raw.subject is not None and raw.seq is not None
            events.append(RecordedEvent.from_message(raw.subject, raw.headers or {}, raw.data or b"", raw.seq))
            seq = raw.seq + 1
        return events

    async def _get(self, service: str, seq: int) -> RecordedEvent:
        raw = await self._js.get_msg(stream_name(service), seq=seq, direct=True)
        assert raw.subject is not None
        return RecordedEvent.from_message(raw.subject, raw.headers or {}, raw.data or b"", seq)
