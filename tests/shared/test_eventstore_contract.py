"""One contract, every backend: the in-memory store and a real JetStream server pass the same tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import nats
import pytest

from shared.events import AggregateRef, Metadata, NewEvent, new_id
from shared.eventstore.base import NEW, ConcurrencyConflict, EventStore, Revision
from shared.eventstore.jetstream import JetStreamEventStore
from shared.eventstore.memory import InMemoryEventStore
from shared.eventstore.streams import ensure_streams


@pytest.fixture(params=["memory", "jetstream"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[EventStore]:
    if request.param == "memory":
        yield InMemoryEventStore()
        return
    server = request.getfixturevalue("nats_server")
    nc = await nats.connect(server.url)
    await ensure_streams(nc.jetstream())
    yield JetStreamEventStore(nc)
    await nc.close()


def location(org: str = "acme", location_id: str | None = None) -> AggregateRef:
    return AggregateRef(org, "readiness", "location", location_id or new_id())


def registered(name: str = "Elm St") -> NewEvent:
    return NewEvent("LocationRegistered", {"location_id": "x", "name": name, "region": "north"})


def scored(composite: int) -> NewEvent:
    return NewEvent("LocationScored", {"composite": composite})


async def test_append_then_load_returns_the_event_with_its_envelope(store: EventStore) -> None:
    ref = location()
    meta = Metadata(
        correlation_id="req-1", actor="super_admin:ann", traceparent="00-" + "a" * 32 + "-" + "b" * 16 + "-01"
    )
    [stored] = await store.append(ref, [registered()], expected=NEW, meta=meta)
    assert stored.version == 1 and stored.sequence >= 1
    [loaded] = (await store.load(ref)).events
    assert (loaded.id, loaded.type, loaded.version, loaded.sequence) == (
        stored.id,
        "LocationRegistered",
        1,
        stored.sequence,
    )
    assert loaded.data["name"] == "Elm St"
    assert loaded.ref == ref and loaded.correlation_id == "req-1" and loaded.actor == "super_admin:ann"
    assert loaded.traceparent == meta.traceparent and loaded.causation_id == meta.command_id


async def test_stale_revision_is_a_conflict_and_appends_nothing(store: EventStore) -> None:
    ref = location()
    await store.append(ref, [registered()], expected=NEW, meta=Metadata())
    with pytest.raises(ConcurrencyConflict):
        await store.append(ref, [scored(20)], expected=NEW, meta=Metadata())
    with pytest.raises(ConcurrencyConflict):
        await store.append(ref, [scored(20)], expected=Revision(version=5, sequence=999), meta=Metadata())
    assert [e.type for e in (await store.load(ref)).events] == ["LocationRegistered"]


async def test_up_to_date_revision_appends_the_next_version(store: EventStore) -> None:
    ref = location()
    await store.append(ref, [registered()], expected=NEW, meta=Metadata())
    history = await store.load(ref)
    [second] = await store.append(ref, [scored(21)], expected=history.revision, meta=Metadata())
    assert second.version == 2
    assert (await store.load(ref)).revision == Revision(version=2, sequence=second.sequence)


async def test_retried_command_is_stored_once(store: EventStore) -> None:
    ref = location()
    meta = Metadata(command_id="RegisterLocation:key-1")
    first = await store.append(ref, [registered()], expected=NEW, meta=meta)
    again = await store.append(ref, [registered()], expected=(await store.load(ref)).revision, meta=meta)
    assert [e.id for e in again] == [e.id for e in first]
    assert len((await store.load(ref)).events) == 1


async def test_same_command_id_in_two_orgs_is_two_commands(store: EventStore) -> None:
    meta = Metadata(command_id="RegisterLocation:shared-key")
    a = await store.append(location("acme"), [registered()], expected=NEW, meta=meta)
    b = await store.append(location("globex"), [registered()], expected=NEW, meta=meta)
    assert a[0].id != b[0].id


async def test_several_events_of_one_command_are_atomic_and_consecutive(store: EventStore) -> None:
    ref = location()
    meta = Metadata(command_id="Import:1")
    stored = await store.append(ref, [registered(), scored(20), scored(22)], expected=NEW, meta=meta)
    assert [e.version for e in stored] == [1, 2, 3]
    assert [e.sequence for e in stored] == list(range(stored[0].sequence, stored[0].sequence + 3))
    retried = await store.append(
        ref, [registered(), scored(20), scored(22)], expected=(await store.load(ref)).revision, meta=meta
    )
    assert [e.id for e in retried] == [e.id for e in stored]
    with pytest.raises(ConcurrencyConflict):
        await store.append(ref, [scored(1), scored(2)], expected=NEW, meta=Metadata())
    assert len((await store.load(ref)).events) == 3


async def test_aggregates_and_orgs_are_independent(store: EventStore) -> None:
    one, ten = location(location_id="L1"), location(location_id="L10")
    other_org = location(org="globex", location_id="L1")
    await store.append(one, [registered("one")], expected=NEW, meta=Metadata())
    await store.append(ten, [registered("ten")], expected=NEW, meta=Metadata())
    await store.append(other_org, [registered("globex one")], expected=NEW, meta=Metadata())
    assert [e.data["name"] for e in (await store.load(one)).events] == ["one"]
    assert [e.data["name"] for e in (await store.load(other_org)).events] == ["globex one"]


async def test_concurrent_writers_on_one_revision_exactly_one_wins(store: EventStore) -> None:
    ref = location()
    await store.append(ref, [registered()], expected=NEW, meta=Metadata())
    revision = (await store.load(ref)).revision
    results = await asyncio.gather(
        *(store.append(ref, [scored(n)], expected=revision, meta=Metadata()) for n in range(8)),
        return_exceptions=True,
    )
    winners = [r for r in results if not isinstance(r, BaseException)]
    assert len(winners) == 1
    assert all(isinstance(r, ConcurrencyConflict) for r in results if isinstance(r, BaseException))
    assert len((await store.load(ref)).events) == 2


async def test_read_returns_a_service_stream_in_order_after_a_position(store: EventStore) -> None:
    refs = [location() for _ in range(5)]
    for ref in refs:
        await store.append(ref, [registered(ref.id)], expected=NEW, meta=Metadata())
    everything = await store.read("readiness")
    assert [e.ref.id for e in everything] == [r.id for r in refs]
    tail = await store.read("readiness", after=everything[1].sequence, limit=2)
    assert [e.ref.id for e in tail] == [r.id for r in refs[2:4]]
