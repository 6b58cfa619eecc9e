"""BatchFetcher on real JetStream: what gathered, as soon as anything has; nothing lost or doubled; refusals named."""

from __future__ import annotations

import asyncio
import time

import pytest
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig

from shared.pulls import BatchFetcher, PullRefused

STREAM, DURABLE = "PULLS", "reader"


async def consumer(nc: Client, *, max_ack_pending: int = 1000) -> BatchFetcher:
    js = nc.jetstream()
    await js.add_stream(name=STREAM, subjects=["pulls.>"])
    await js.add_consumer(STREAM, ConsumerConfig(durable_name=DURABLE, ack_policy=AckPolicy.ALL,
                                                 max_ack_pending=max_ack_pending))
    return await BatchFetcher(nc, stream=STREAM, durable=DURABLE).subscribe()


async def gathered(fetcher: BatchFetcher, count: int, *, batch: int = 100) -> list[Msg]:
    """Fetch until `count` messages came (a batch is what has arrived so far, perhaps not all at once)."""
    msgs: list[Msg] = []
    while len(msgs) < count:
        more = await fetcher.fetch(batch, expires=0.5)
        assert more, f"nothing more after {[m.data for m in msgs]}"
        msgs += more
    return msgs


async def publish(nc: Client, *bodies: str) -> None:
    js = nc.jetstream()
    for body in bodies:
        await js.publish("pulls.x", body.encode())


async def test_batches_come_in_order_none_larger_than_asked_nothing_lost_or_doubled(nc: Client) -> None:
    fetcher = await consumer(nc)
    await publish(nc, *(f"m{i}" for i in range(12)))

    sizes, bodies = [], []
    while len(bodies) < 12:
        msgs = await fetcher.fetch(5, expires=0.5)
        assert msgs
        sizes.append(len(msgs))
        bodies += [m.data.decode() for m in msgs]
        await msgs[-1].ack()  # AckPolicy.ALL: acks the whole batch

    assert bodies == [f"m{i}" for i in range(12)] and max(sizes) <= 5, sizes
    assert await fetcher.fetch(5, expires=0.3) == []
    await fetcher.unsubscribe()


async def test_a_fetch_answers_at_the_first_message_not_when_the_batch_fills(nc: Client) -> None:
    fetcher = await consumer(nc)
    waiting = asyncio.ensure_future(fetcher.fetch(100, expires=5))
    await asyncio.sleep(0.2)  # the request is on the server, waiting
    started = time.monotonic()
    await publish(nc, "only")

    [msg] = await waiting

    assert msg.data == b"only"
    assert time.monotonic() - started < 1.0, "waited for the batch to fill or for expires"
    await fetcher.unsubscribe()


async def test_nothing_within_expires_is_an_empty_batch_and_the_next_fetch_still_works(nc: Client) -> None:
    fetcher = await consumer(nc)

    assert await fetcher.fetch(10, expires=0.3) == []
    await publish(nc, "late")
    assert [m.data for m in await fetcher.fetch(10, expires=0.3)] == [b"late"]
    await fetcher.unsubscribe()


async def test_the_server_holds_back_past_max_ack_pending_until_acked(nc: Client) -> None:
    fetcher = await consumer(nc, max_ack_pending=3)
    await publish(nc, *(f"m{i}" for i in range(5)))

    first = await gathered(fetcher, 3)
    held = await fetcher.fetch(10, expires=0.3)  # nothing more until the first three are acked
    await first[-1].ack()
    rest = await gathered(fetcher, 2)

    assert ([m.data for m in first], held, [m.data for m in rest]) == ([b"m0", b"m1", b"m2"], [], [b"m3", b"m4"])
    await fetcher.unsubscribe()


async def test_a_deleted_consumer_is_refused_by_name(nc: Client) -> None:
    fetcher = await consumer(nc)
    waiting = asyncio.ensure_future(fetcher.fetch(10, expires=5))
    await asyncio.sleep(0.2)
    await nc.jetstream().delete_consumer(STREAM, DURABLE)

    with pytest.raises(PullRefused, match="409"):
        await waiting
    await fetcher.unsubscribe()


async def test_one_fetch_at_a_time(nc: Client) -> None:
    fetcher = await consumer(nc)
    waiting = asyncio.ensure_future(fetcher.fetch(10, expires=0.5))
    await asyncio.sleep(0.05)

    with pytest.raises(RuntimeError, match="one fetch at a time"):
        await fetcher.fetch(10)
    assert await waiting == []
    await fetcher.unsubscribe()
