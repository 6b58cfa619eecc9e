"""Writing and reading the audit chains on JetStream.

Every gateway replica appends to the same per-org chain. Inside one process a lock
per org keeps appends in order; across processes JetStream's per-subject
concurrency check does (`Nats-Expected-Last-Subject-Sequence`): a replica that lost
the race reloads the head and links again, so the chain never forks.
"""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from collections.abc import AsyncIterator, Mapping
from dataclasses import replace
from typing import Any

from nats.aio.client import Client
from nats.js.api import ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

from services.gateway.audit.chain import Head, link
from shared.contracts.gateway import STREAM, AuditRecorded, trail_ref, trail_subject
from shared.events import Metadata, NewEvent
from shared.eventstore.base import ConcurrencyConflict, Revision
from shared.eventstore.jetstream import JetStreamEventStore


class AuditTrail:
    """Appends entries to each org's chain and remembers each chain's head."""

    def __init__(self, nc: Client, *, recorder: str = "gateway", attempts: int = 20) -> None:
        self.recorder = recorder
        self.attempts = attempts
        self._store = JetStreamEventStore(nc)
        self._js = nc.jetstream()
        self._heads: dict[str, Head] = {}
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    def head(self, org: str) -> Head | None:
        """The last head this process wrote or loaded for `org` (None before the first entry)."""
        return self._heads.get(org)

    async def record(self, org: str, fields: Mapping[str, Any], *, meta: Metadata) -> dict[str, Any]:
        """Link `fields` after the chain's head and append it; return the stored entry."""
        ref = trail_ref(org, self.recorder)
        async with self._locks[org]:
            for _ in range(self.attempts):
                head = self._heads.get(org) or await self.load_head(org)
                data = link(head, {**fields, "org": org, "recorder": self.recorder})
                AuditRecorded.model_validate(data)  # a malformed entry fails here, not in a verifier years later
                event = NewEvent(AuditRecorded.event_type(), data, AuditRecorded.dataschema())
                try:
                    [stored] = await self._store.append(
                        ref, [event], expected=Revision(head.index, head.sequence),
                        meta=replace(meta, command_id=f"audit:{data['hash']}"),
                    )
                except ConcurrencyConflict:
                    self._heads.pop(org, None)  # another replica appended: link after its entry
                    continue
                self._heads[org] = Head(data["index"], data["hash"], stored.sequence)
                return data
        raise ConcurrencyConflict(ref, Revision())

    async def load_head(self, org: str) -> Head:
        """The chain's last entry as stored, or the genesis head of an empty chain."""
        ref = trail_ref(org, self.recorder)
        try:
            raw = await self._js.get_last_msg(STREAM, ref.filter, direct=True)
        except NotFoundError:
            return Head()
        data = json.loads(raw.data or b"{}")
        return Head(int(data["index"]), str(data["hash"]), int(raw.seq or 0))


async def read_entries(nc: Client, *, org: str | None = None) -> AsyncIterator[tuple[str, int, Any]]:
    """Every stored entry of one org's chains (or all orgs'), oldest first: (subject, stream sequence, data)."""
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
                data = None  # a forged, unparsable entry: the verifier reports it
            yield msg.subject, sequence, data
            if sequence >= last:
                return
    finally:
        await subscription.unsubscribe()
