"""The reactor on real JetStream: ack after the handler, retry with backoff, dead-letter, resume at the ack floor."""

from __future__ import annotations

from collections import Counter

from nats.aio.client import Client

from shared.events import AggregateRef, Metadata, NewEvent, RecordedEvent
from shared.eventstore.base import NEW
from shared.eventstore.jetstream import JetStreamEventStore
from shared.eventstore.memory import InMemoryEventStore
from shared.eventstore.streams import DEAD_LETTER_STREAM
from shared.reactions import Reactor, reaction_context


class Flaky:
    """Fails `failures[id]` times for an aggregate id, then succeeds; counts every attempt."""

    name = "test-flaky"
    stream = "readiness"
    filter_subject = "dso.*.readiness.thing.>"

    def __init__(self, failures: dict[str, int]) -> None:
        self.failures = failures
        self.attempts: Counter[str] = Counter()
        self.handled: list[str] = []

    async def react(self, event: RecordedEvent) -> None:
        self.attempts[event.ref.id] += 1
        if self.attempts[event.ref.id] <= self.failures.get(event.ref.id, 0):
            raise ValueError(f"cannot react to {event.ref.id}")
        self.handled.append(event.ref.id)


async def append(nc: Client, kind: str, ident: str) -> RecordedEvent:
    ref = AggregateRef("org1", "readiness", kind, ident)
    [stored] = await JetStreamEventStore(nc).append(ref, [NewEvent("Happened", {})], expected=NEW, meta=Metadata())
    return stored


async def test_retries_then_dead_letters_and_resumes_after_its_ack_floor(nc: Client) -> None:
    reaction = Flaky({"transient": 2, "poison": 99})
    reactor = Reactor(nc=nc, reaction=reaction, max_attempts=3, retry_delay=0.001)
    first = await append(nc, "thing", "first")
    await append(nc, "other", "ignored")  # outside the filter: never handed to the reaction
    await append(nc, "thing", "transient")
    poison = await append(nc, "thing", "poison")
    last = await append(nc, "thing", "last")
    await reactor.start()
    try:
        await reactor.wait_for(last.sequence)
        status = await reactor.status()
    finally:
        await reactor.stop()

    # In order; the transient failure retried into success; the poison one tried 3 times and moved past.
    assert reaction.handled == ["first", "transient", "last"]
    assert reaction.attempts == Counter({"first": 1, "transient": 3, "poison": 3, "last": 1})
    assert status == {"position": last.sequence, "pending": 0, "dead_letters": 1, "running": True}
    dead = await nc.jetstream().get_last_msg(DEAD_LETTER_STREAM, "dlq.readiness.test-flaky")
    assert dead.headers is not None
    assert dead.headers["dso-original-sequence"] == str(poison.sequence)
    assert dead.headers["dso-error"] == "ValueError: cannot react to poison"
    assert dead.headers["dso-original-subject"] == poison.subject

    # A restarted reactor of the same name resumes after its ack floor: only the new event arrives.
    again = Flaky({})
    newer = await append(nc, "thing", "newer")
    restarted = Reactor(nc=nc, reaction=again)
    await restarted.start()
    try:
        await restarted.wait_for(newer.sequence)
    finally:
        await restarted.stop()
    assert again.handled == ["newer"]
    # What handlers derive their command ids from: the same on every delivery of an event, by the platform.
    class RescoreLocation:
        pass

    ctx = reaction_context(InMemoryEventStore(), "test-flaky", first).part("loc1")
    assert ctx.meta(RescoreLocation()).command_id == f"RescoreLocation:{first.id}:loc1"
    assert (ctx.principal.role, ctx.principal.org, ctx.principal.subject) == ("system", first.ref.org, "test-flaky")

