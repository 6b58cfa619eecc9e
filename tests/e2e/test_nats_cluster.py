"""A three-node NATS JetStream cluster on this machine (the wheel's nats-server, streams with 3 replicas):
kill -9 one node mid-ingest, bring it back, then kill the stream's leader — no acknowledged event is lost,
none is doubled, and the same client keeps appending (it fails over; nothing restarts)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from shared.events import AggregateRef, Metadata, NewEvent, new_id
from shared.eventstore.base import ConcurrencyConflict, EventStoreError, Revision, StoreUnavailable
from shared.eventstore.jetstream import JetStreamEventStore
from shared.eventstore.streams import ensure_streams, stream_name
from shared.natsserver import EmbeddedNats, free_port
from shared.runtime import connect_nats

pytestmark = pytest.mark.timeout(120)
EVENTS = 240


def cluster(tmp_path: Path) -> list[EmbeddedNats]:
    routes = tuple(free_port() for _ in range(3))
    return [EmbeddedNats(tmp_path / f"n{i}", server_name=f"n{i}", cluster_port=routes[i], routes=routes)
            for i in range(3)]


async def append_until_stored(store: JetStreamEventStore, ref: AggregateRef, event: NewEvent, meta: Metadata) -> None:
    """Append, retrying through a failover with the same command id (so a retry cannot store it twice)."""
    deadline = time.monotonic() + 30
    while True:
        try:
            await store.append(ref, [event], expected=Revision(), meta=meta)
            return
        except ConcurrencyConflict:
            if len((await store.load(ref)).events) == 1:
                return  # the first try was stored before its ack was lost
            raise
        except (StoreUnavailable, EventStoreError, TimeoutError):
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)


async def test_acknowledged_events_survive_a_node_and_then_the_leader_being_killed(tmp_path: Path) -> None:
    nodes = cluster(tmp_path)
    for node in nodes:
        node.start()
    try:
        nc = await connect_nats(",".join(n.url for n in nodes), name="cluster-test", check=False)
        js = nc.jetstream()
        deadline = time.monotonic() + 30
        while True:  # the cluster elects its JetStream meta leader first
            try:
                await ensure_streams(js, ("readiness",), replicas=3)
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.25)
        store = JetStreamEventStore(nc)
        acknowledged: list[AggregateRef] = []
        killed: EmbeddedNats | None = None
        for index in range(EVENTS):
            if index == EVENTS // 4:  # a follower dies mid-ingest
                info = await js.stream_info(stream_name("readiness"))
                leader = info.cluster.leader if info.cluster else None
                killed = next(n for n in nodes if n.server_name != leader)
                killed.kill()
            if index == EVENTS // 2 and killed is not None:  # it comes back; then the leader dies
                killed.start()
                await asyncio.sleep(1.0)
                info = await js.stream_info(stream_name("readiness"))
                killed = next(n for n in nodes if n.server_name == (info.cluster.leader if info.cluster else None))
                killed.kill()
            ref = AggregateRef("acme", "readiness", "location", new_id())
            await append_until_stored(store, ref, NewEvent(type="Ticked", data={"n": index}),
                                      Metadata(actor="system:test", command_id=f"cmd-{index}"))
            acknowledged.append(ref)
        assert killed is not None
        killed.start()
        await asyncio.sleep(1.0)
        state = (await js.stream_info(stream_name("readiness"))).state
        assert state.messages == EVENTS  # none lost, none doubled
        for ref in acknowledged[:: EVENTS // 12]:
            assert len((await store.load(ref)).events) == 1
        await nc.close()
    finally:
        for node in nodes:
            node.stop()
