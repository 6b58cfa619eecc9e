"""An in-memory event store for unit tests of pure logic: same contract, no I/O."""

from __future__ import annotations

from collections.abc import Sequence

from shared.events import AggregateRef, Metadata, NewEvent, RecordedEvent, record
from shared.eventstore.base import ConcurrencyConflict, History, Revision, message_id


class InMemoryEventStore:
    """Keeps one list per service; sequences are per service like JetStream streams."""

    def __init__(self) -> None:
        self._streams: dict[str, list[RecordedEvent]] = {}
        self._by_message_id: dict[str, RecordedEvent] = {}

    async def load(self, ref: AggregateRef) -> History:
        return History(ref, [e for e in self._streams.get(ref.service, []) if e.ref == ref])

    async def append(
        self, ref: AggregateRef, events: Sequence[NewEvent], *, expected: Revision, meta: Metadata
    ) -> list[RecordedEvent]:
        ids = [message_id(ref, meta.command_id, i) for i in range(len(events))]
        if ids and ids[0] in self._by_message_id:
            return [self._by_message_id[i] for i in ids if i in self._by_message_id]
        current = (await self.load(ref)).revision
        if current.sequence != expected.sequence:
            raise ConcurrencyConflict(ref, expected)
        stream = self._streams.setdefault(ref.service, [])
        stored = []
        for msg_id, event in zip(ids, record(ref, list(events), version=current.version, meta=meta), strict=True):
            positioned = event.at(len(stream) + 1)
            stream.append(positioned)
            self._by_message_id[msg_id] = positioned
            stored.append(positioned)
        return stored

    async def read(self, service: str, *, after: int = 0, limit: int = 1000) -> list[RecordedEvent]:
        return self._streams.get(service, [])[after : after + limit]

