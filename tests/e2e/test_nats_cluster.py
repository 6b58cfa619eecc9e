"""A three-node NATS JetStream cluster on this machine (the wheel's nats-server, streams with 3 replicas):
kill -9 one node mid-ingest, bring it back, then kill the stream's leader — no acknowledged event is lost,
none is doubled, and the same client keeps appending (it fails over; nothing restarts). And one node in a
network namespace of its own, cut off by its veth link mid-ingest and healed: the others keep a quorum,
it catches up, and a durable consumer reads every event once throughout."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import nats.errors
import nats.js.errors
import pytest
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig

from shared.events import AggregateRef, Metadata, NewEvent, new_id
from shared.eventstore.base import ConcurrencyConflict, EventStoreError, Revision, StoreUnavailable
from shared.eventstore.jetstream import JetStreamEventStore
from shared.eventstore.streams import ensure_streams, stream_name
from shared.natsserver import EmbeddedNats, free_port, port_open
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


async def stored(store: JetStreamEventStore, ref: AggregateRef) -> int:
    """How many events `ref` has, once the stream answers again (a new leader is being elected)."""
    deadline = time.monotonic() + 30
    while True:
        try:
            return len((await store.load(ref)).events)
        except StoreUnavailable:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.25)


async def provisioned(js: JetStreamContext) -> None:
    deadline = time.monotonic() + 30
    while True:  # the cluster elects its JetStream meta leader first
        try:
            await ensure_streams(js, ("readiness",), replicas=3)
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.25)


async def test_acknowledged_events_survive_a_node_and_then_the_leader_being_killed(tmp_path: Path) -> None:
    nodes = cluster(tmp_path)
    for node in nodes:
        node.start()
    try:
        nc = await connect_nats(",".join(n.url for n in nodes), name="cluster-test", check=False)
        js = nc.jetstream()
        await provisioned(js)
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


class Partition:
    """A network namespace joined to this one by a veth pair: a node inside can be cut off and healed."""

    def __init__(self) -> None:
        suffix = new_id()[-6:].lower()
        self.netns, self.outer, self.inner = f"dso{suffix}", f"vo{suffix}", f"vi{suffix}"
        octet = int.from_bytes(suffix.encode(), "big") % 250 + 1
        self.outer_ip, self.inner_ip = f"10.231.{octet}.1", f"10.231.{octet}.2"

    def create(self) -> None:
        for command in (["ip", "netns", "add", self.netns],
                        ["ip", "link", "add", self.outer, "type", "veth", "peer", "name", self.inner],
                        ["ip", "link", "set", self.inner, "netns", self.netns],
                        ["ip", "addr", "add", f"{self.outer_ip}/30", "dev", self.outer],
                        ["ip", "-n", self.netns, "addr", "add", f"{self.inner_ip}/30", "dev", self.inner],
                        ["ip", "-n", self.netns, "link", "set", "lo", "up"],
                        ["ip", "-n", self.netns, "link", "set", self.inner, "up"]):
            subprocess.run(command, check=True, capture_output=True, text=True)
        self.heal()

    def cut(self) -> None:
        subprocess.run(["ip", "link", "set", self.outer, "down"], check=True)

    def heal(self) -> None:
        subprocess.run(["ip", "link", "set", self.outer, "up"], check=True)

    def remove(self) -> None:
        subprocess.run(["ip", "link", "del", self.outer], capture_output=True, check=False)
        subprocess.run(["ip", "netns", "del", self.netns], capture_output=True, check=False)


@pytest.fixture
def partition() -> Iterator[Partition]:
    """Skips cleanly where the test cannot make network namespaces (not root, no `ip`, no CAP_NET_ADMIN)."""
    if shutil.which("ip") is None or os.geteuid() != 0:
        pytest.skip("network namespaces need root and iproute2")
    made = Partition()
    try:
        made.create()
    except subprocess.CalledProcessError as error:
        made.remove()
        pytest.skip(f"cannot make a network namespace here: {error.stderr.strip()}")
    yield made
    made.remove()


async def test_a_node_partitioned_away_and_healed_loses_nothing_and_catches_up(
        tmp_path: Path, partition: Partition) -> None:
    ports = [free_port() for _ in range(3)]
    hosts = (partition.outer_ip, partition.outer_ip, partition.inner_ip)
    routes = tuple(f"{host}:{port}" for host, port in zip(hosts, ports, strict=True))
    nodes = [EmbeddedNats(tmp_path / f"n{i}", server_name=f"n{i}", cluster_port=ports[i], routes=routes,
                          host=hosts[i],
                          netns=partition.netns if i == 2 else None) for i in range(3)]
    for node in nodes:
        node.start()
    try:
        nc = await connect_nats(",".join(n.url for n in nodes[:2]), name="partition-test", check=False)
        js = nc.jetstream()
        await provisioned(js)
        # Messages handed to a pull request that was lost with the cut come again after ack_wait.
        consumer = await js.pull_subscribe("dso.acme.readiness.>", durable="partition-projection",
                                           stream=stream_name("readiness"), config=ConsumerConfig(ack_wait=5))
        store, seen = JetStreamEventStore(nc), set[int]()

        async def append(start: int, count: int) -> None:
            for index in range(start, start + count):
                ref = AggregateRef("acme", "readiness", "location", f"loc-{index}")
                await append_until_stored(store, ref, NewEvent(type="Ticked", data={"n": index}),
                                          Metadata(actor="system:test", command_id=f"cmd-{index}"))

        async def consume(upto: int) -> None:
            """Fetch until every event up to `upto` was seen (a fetch during an election may bring part of it)."""
            deadline = time.monotonic() + 60
            while not seen >= set(range(1, upto + 1)) and time.monotonic() < deadline:
                try:
                    for msg in await consumer.fetch(500, timeout=2):
                        seen.add(msg.metadata.sequence.stream)
                        await msg.ack()
                except nats.errors.TimeoutError:
                    pass
                except nats.js.errors.ServiceUnavailableError:  # 503: no consumer leader for a moment after the heal
                    await asyncio.sleep(0.1)

        await append(0, 60)
        await consume(60)
        partition.cut()  # n2 is cut off: the other two keep a quorum, elect a leader if n2 led
        assert not port_open(partition.inner_ip, nodes[2].port), "n2 is unreachable"
        await append(60, 60)
        await consume(120)
        info = await js.stream_info(stream_name("readiness"))
        assert info.cluster is not None and info.cluster.leader != "n2", "the cut-off node cannot lead"
        partition.heal()
        await append(120, 60)
        deadline = time.monotonic() + 30
        while True:  # n2 catches up from the others
            info = await js.stream_info(stream_name("readiness"))
            cluster = info.cluster
            replicas = cluster.replicas or [] if cluster else []
            if cluster and (cluster.leader == "n2" or any(r.name == "n2" and r.current for r in replicas)):
                break
            assert time.monotonic() < deadline, f"n2 did not catch up: {info.cluster}"
            await asyncio.sleep(0.25)
        await consume(180)
        assert info.state.messages == 180, "no acknowledged event lost, none doubled"
        assert seen == set(range(1, 181)), "the consumer kept going through the partition"
        nodes[0].kill()  # now n2 must carry the quorum with n1: it holds everything
        for index in range(0, 180, 15):
            ref = AggregateRef("acme", "readiness", "location", f"loc-{index}")
            assert await stored(store, ref) == 1
        await nc.close()
    finally:
        for node in nodes:
            node.stop()
