"""Writing and reading the audit chains on JetStream, with group commit.

Each gateway process keeps its own chain per org (recorder `<name>-<ULID>`, new at
every start), so a chain has exactly one writer and needs no optimistic concurrency:
nothing another publisher puts on the subject (a forged or garbled message) can make
an append fail, and no replica waits for another. Entries of concurrent requests are
linked in memory and stored as one JetStream atomic batch (one round trip, one fsync
for all of them, every org at once); the requests waiting on them are answered when the
batch is acknowledged. When a batch fails, whether it was stored is unknown, so the
process starts fresh chains under a new recorder: the old chains end either way,
never forked, never with a gap, and verify proves both.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

from nats.aio.client import Client
from nats.js.api import ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

from services.gateway.audit.chain import GENESIS, Head, link
from shared.contracts.gateway import STREAM, AuditRecorded, trail_ref, trail_subject
from shared.events import Metadata, NewEvent, RecordedEvent, new_id, record

log = logging.getLogger(__name__)
MAX_BATCH = 256  # well under JetStream's atomic batch limit (1000 messages)
FAILING_S = 15.0  # how long a failed batch keeps /readyz unready unless a later one is stored
_LINK_PLACEHOLDER = {"index": 1, "prev_hash": GENESIS, "hash": GENESIS}


class AuditUnavailable(Exception):
    """An entry could not be stored: the request it records must not be acknowledged."""


@dataclass
class _Pending:
    org: str
    fields: Mapping[str, Any]
    meta: Metadata
    done: asyncio.Future[dict[str, Any]]


class AuditTrail:
    """Appends entries to this process's chain of each org, grouping concurrent ones into one batch."""

    def __init__(self, nc: Client, *, key: bytes, name: str = "gateway", timeout: float = 5.0) -> None:
        self.name, self.key = name, key
        self._nc, self._js = nc, nc.jetstream(timeout=timeout)
        self._heads: dict[str, Head] = {}
        self._pending: list[_Pending] = []
        self._flusher: asyncio.Task[None] | None = None
        self.recorder = self._new_recorder()
        self.recorded = self.batches = 0
        self.last_error: str | None = None
        self.last_error_at = self.last_stored_at = 0.0

    def _new_recorder(self) -> str:
        self._heads.clear()
        return f"{self.name}-{new_id()}"

    def head(self, org: str) -> Head | None:
        """The last entry this process stored for `org` (None before the first)."""
        return self._heads.get(org)

    async def record(self, org: str, fields: Mapping[str, Any], *, meta: Metadata) -> dict[str, Any]:
        """Chain `fields` into `org`'s chain; return the entry once it is stored, or raise AuditUnavailable."""
        if not self._nc.is_connected:
            raise AuditUnavailable("NATS is not connected")
        try:  # a malformed entry fails here, alone, not its batch (or a verifier years later)
            AuditRecorded.model_validate({**fields, "org": org, "recorder": self.recorder, **_LINK_PLACEHOLDER})
        except ValueError as error:
            raise AuditUnavailable(f"entry is malformed: {error}") from error
        done: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending.append(_Pending(org, fields, meta, done))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        return await asyncio.shield(done)  # a caller that goes away does not cancel the others' batch

    async def _flush(self) -> None:
        """Commit what is pending, batch after batch; what arrives meanwhile joins the next batch."""
        while self._pending:
            batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
            try:
                entries = await self._commit(batch)
            except Exception as error:
                self._failed(batch, error)
                continue
            for pending, entry in zip(batch, entries, strict=True):
                if not pending.done.done():
                    pending.done.set_result(entry)

    def _failed(self, batch: list[_Pending], error: Exception) -> None:
        self.last_error, self.last_error_at = f"{type(error).__name__}: {error}"[:300], time.time()
        old, self.recorder = self.recorder, self._new_recorder()
        log.error("audit batch of %d NOT stored (%s); chains of %s end, new recorder %s",
                  len(batch), self.last_error, old, self.recorder)
        for pending in batch:
            if not pending.done.done():
                pending.done.set_exception(AuditUnavailable(self.last_error))

    async def _commit(self, batch: list[_Pending]) -> list[dict[str, Any]]:
        heads = dict(self._heads)
        entries, events = [], []
        for pending in batch:
            head = heads.get(pending.org) or Head()
            data = link(head, {**pending.fields, "org": pending.org, "recorder": self.recorder}, self.key)
            new = NewEvent(AuditRecorded.event_type(), data, AuditRecorded.dataschema())
            [event] = record(trail_ref(pending.org, self.recorder), [new], version=head.index, meta=pending.meta)
            heads[pending.org] = Head(data["index"], data["hash"], 0)
            entries.append(data)
            events.append(event)
        last = await self._publish(events)
        for offset, (pending, data) in enumerate(zip(batch, entries, strict=True)):
            heads[pending.org] = Head(data["index"], data["hash"], last - len(batch) + 1 + offset)
        self._heads = heads
        self.recorded, self.batches, self.last_stored_at = self.recorded + len(batch), self.batches + 1, time.time()
        return entries

    async def _publish(self, events: list[RecordedEvent]) -> int:
        """One atomic batch (all stored or none, contiguous sequences); the last entry's stream sequence."""
        batch_id, count = new_id(), len(events)
        for number, event in enumerate(events, start=1):
            headers = event.headers() | {"Nats-Msg-Id": f"audit:{event.data['hash']}"}
            if count > 1:
                headers |= {"Nats-Batch-Id": batch_id, "Nats-Batch-Sequence": str(number)}
            if number < count:
                await self._nc.publish(event.subject, event.payload(), headers=headers)
                continue
            if count > 1:
                headers["Nats-Batch-Commit"] = "1"
            ack = await self._js.publish(event.subject, event.payload(), headers=headers)
        return int(ack.seq)

    async def health(self) -> tuple[bool, dict[str, object]]:
        """Whether entries can be stored now, and what the trail did so far.

        Failing while the last batch failed and nothing was stored since, for at most
        FAILING_S: then traffic may try again (a replica kept unready forever would
        never see the request that proves it healthy).
        """
        report: dict[str, object] = {
            "recorder": self.recorder, "entries": self.recorded, "batches": self.batches,
            "last_error": self.last_error, "last_error_at": self.last_error_at or None,
        }
        try:
            await asyncio.wait_for(self._js.stream_info(STREAM), timeout=2)
        except Exception as error:  # any failure: not writable now
            return False, report | {"status": "unavailable", "error": type(error).__name__}
        if not self._nc.is_connected:
            return False, report | {"status": "unavailable"}
        failing = self.last_error_at > self.last_stored_at and time.time() - self.last_error_at < FAILING_S
        return not failing, report | {"status": "failing" if failing else "ok"}


async def read_entries(nc: Client, *, org: str | None = None) -> AsyncIterator[tuple[str, int, Any]]:
    """Every stored message of one org's chains (or all orgs'), oldest first: (subject, stream sequence, data)."""
    js = nc.jetstream()
    subject = trail_subject(org)
    try:
        last = (await js.get_last_msg(STREAM, subject, direct=True)).seq or 0
    except NotFoundError:
        return
    config = ConsumerConfig(deliver_policy=DeliverPolicy.ALL)
    subscription = await js.subscribe(subject, stream=STREAM, ordered_consumer=True, config=config)
    try:
        while True:
            msg = await subscription.next_msg(timeout=10)
            sequence = msg.metadata.sequence.stream
            try:
                data: Any = json.loads(msg.data)
            except ValueError:
                data = None  # a forged, unparsable entry: the verifier rejects it
            yield msg.subject, sequence, data
            if sequence >= last:
                return
    finally:
        await subscription.unsubscribe()
