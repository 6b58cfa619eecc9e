"""Run a command against one aggregate: load, fold, decide, append, retry on conflict.

The domain stays pure (`decide`, `evolve`); this is the only place that loops on
optimistic-concurrency conflicts, so no command anywhere can lose an update.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from shared.contracts.base import DomainEvent, parse
from shared.events import AggregateRef, Metadata, RecordedEvent
from shared.eventstore.base import ConcurrencyConflict, EventStore, History

S = TypeVar("S")
C = TypeVar("C")


@dataclass(frozen=True, slots=True)
class Outcome(Generic[S]):
    """The aggregate after the command, and the events the command stored."""

    state: S
    events: list[RecordedEvent]

    @property
    def position(self) -> int:
        """Stream sequence of the last stored event: wait for it to read your own write."""
        return self.events[-1].sequence if self.events else 0


@dataclass(frozen=True, slots=True)
class Aggregate(Generic[S, C]):
    """The pure parts of an aggregate type."""

    initial: Callable[[], S]
    decide: Callable[[S, C], list[DomainEvent]]
    evolve: Callable[[S, DomainEvent], S]

    def fold(self, state: S, events: list[RecordedEvent]) -> S:
        for event in events:
            state = self.evolve(state, parse(event))
        return state


async def load_state(store: EventStore, ref: AggregateRef, aggregate: Aggregate[S, C]) -> S:
    """The aggregate's current state from its events."""
    return aggregate.fold(aggregate.initial(), (await store.load(ref)).events)


async def execute(
    store: EventStore,
    ref: AggregateRef,
    aggregate: Aggregate[S, C],
    command: C,
    *,
    meta: Metadata,
    guard: Callable[[S], None] | None = None,
    attempts: int = 5,
    known: History | None = None,
) -> Outcome[S]:
    """Decide on the latest state and append; on a concurrent write, reload and decide again.

    `guard` sees the loaded state before the domain does: where access depends on
    the aggregate (a location's region), it raises there. `known`: the history when the
    caller has it (an id it just generated has none), so the first attempt loads nothing;
    a conflict still reloads.
    """
    for attempt in range(1, attempts + 1):
        history = known if known is not None and attempt == 1 else await store.load(ref)
        state = aggregate.fold(aggregate.initial(), history.events)
        if guard:
            guard(state)
        decided = aggregate.decide(state, command)
        try:
            stored = await store.append(
                ref, [e.to_new_event() for e in decided], expected=history.revision, meta=meta
            )
        except ConcurrencyConflict:
            if attempt == attempts:
                raise
            continue
        # A retried command gets its first events back; they are already in `state`.
        fresh = [e for e in stored if e.sequence > history.revision.sequence]
        return Outcome(aggregate.fold(state, fresh), stored)
    raise AssertionError("unreachable")
