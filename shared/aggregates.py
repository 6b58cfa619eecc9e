"""Run a command against one aggregate: load, fold, decide, append, retry on conflict.

The domain stays pure (`decide`, `evolve`); this is the only place that loops on
optimistic-concurrency conflicts, so no command anywhere can lose an update.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Generic, TypeVar

from shared.contracts.base import DomainEvent, parse
from shared.events import AggregateRef, Metadata, RecordedEvent
from shared.eventstore.base import ConcurrencyConflict, EventStore, History
from shared.principal import Principal

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


@dataclass(frozen=True, slots=True)
class Context:
    """What a handler needs beside its command: the store, who is asking, and the request's envelope.

    Each command's id is its class name and the request's idempotency key, so a retried request
    de-duplicates and one key reused for another command never does.
    """

    store: EventStore
    principal: Principal
    envelope: Metadata
    key: str

    def part(self, name: str) -> Context:
        """The context of one of several commands a request sends (an import's row)."""
        return replace(self, key=f"{self.key}:{name}")

    def meta(self, command: object, *parts: str) -> Metadata:
        """The envelope of `command` (`parts` tell apart several commands of one request)."""
        return replace(self.envelope, command_id=":".join((type(command).__name__, self.key, *parts)))


async def execute(
    ctx: Context,
    ref: AggregateRef,
    aggregate: Aggregate[S, C],
    command: C,
    *,
    guard: Callable[[S], None] | None = None,
    part: tuple[str, ...] = (),
    attempts: int = 5,
    known: History | None = None,
) -> Outcome[S]:
    """Decide on the latest state and append; on a concurrent write, reload and decide again.

    `guard` sees the loaded state before the domain does: where access depends on
    the aggregate (a location's region), it raises there. `known`: the history when the
    caller has it (an id it just generated has none), so the first attempt loads nothing;
    a conflict still reloads.
    """
    store, meta = ctx.store, ctx.meta(command, *part)
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
