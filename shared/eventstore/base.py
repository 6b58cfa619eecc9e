"""The event-store port: what every backend (in-memory, JetStream) promises."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from shared.events import AggregateRef, Metadata, NewEvent, RecordedEvent


@dataclass(frozen=True, slots=True)
class Revision:
    """Where an aggregate stands: its own version 1..N and the stream sequence of its last event.

    JetStream checks concurrency against the stream sequence; readers and the
    envelope speak in aggregate versions. Both travel together so neither has to
    be looked up again at append time.
    """

    version: int = 0
    sequence: int = 0


NEW = Revision()


@dataclass(frozen=True, slots=True)
class History:
    """Every event of one aggregate, in order, and the revision they lead to."""

    ref: AggregateRef
    events: list[RecordedEvent] = field(default_factory=list)

    @property
    def revision(self) -> Revision:
        if not self.events:
            return NEW
        last = self.events[-1]
        return Revision(version=last.version, sequence=last.sequence)


class EventStoreError(Exception):
    """Base class of event-store failures."""


class ConcurrencyConflict(EventStoreError):
    """Another writer appended to the aggregate after it was loaded."""

    def __init__(self, ref: AggregateRef, expected: Revision) -> None:
        super().__init__(f"{ref.prefix} changed since version {expected.version}")
        self.ref = ref
        self.expected = expected


class StoreUnavailable(EventStoreError):
    """The store cannot be reached; nothing was appended that the caller can see."""


def message_id(ref: AggregateRef, command_id: str, index: int) -> str:
    """Deterministic de-duplication id: a retried command maps to the same ids.

    Scoped by org so two tenants re-using an idempotency key never collide.
    """
    raw = f"{ref.org}\x1f{command_id}\x1f{index}".encode()
    return hashlib.sha256(raw).hexdigest()[:40]


class EventStore(Protocol):
    """Append-only, per-aggregate optimistic concurrency, idempotent by command id."""

    async def load(self, ref: AggregateRef) -> History:
        """Every event of the aggregate, oldest first."""
        ...

    async def append(
        self, ref: AggregateRef, events: Sequence[NewEvent], *, expected: Revision, meta: Metadata
    ) -> list[RecordedEvent]:
        """Append atomically if the aggregate is still at `expected`; return the stored events.

        Re-sending a command with the same `meta.command_id` returns the events
        stored the first time instead of appending again.
        """
        ...

    async def read(self, service: str, *, after: int = 0, limit: int = 1000) -> list[RecordedEvent]:
        """Events of one service's stream with sequence > `after`, in order."""
        ...
