"""(a) append: one `LocationRegistered` per new location, `expected=NEW`, gathered in windows.

Ours goes through `JetStreamEventStore.append` (envelope, headers, JSON, message id and
the publish). The baseline publishes the very same kind of message with raw
`js.publish`, prepared beforehand, so the ratio is the store's own overhead.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from time import perf_counter

from nats.aio.client import Client

from bench.workload import command_meta, location_ref, message, registered
from shared.events import new_id
from shared.eventstore.base import NEW
from shared.eventstore.jetstream import JetStreamEventStore
from shared.eventstore.streams import stream_name

TIMEOUT = 5.0  # the store's default JetStream timeout; the baseline uses the same


async def run_windows(jobs: Sequence[Callable[[], Awaitable[object]]], window: int) -> float:
    """Run `jobs` `window` at a time (gather per window); return the elapsed seconds."""
    start = perf_counter()
    for i in range(0, len(jobs), window):
        await asyncio.gather(*(job() for job in jobs[i : i + window]))
    return perf_counter() - start


async def ours(nc: Client, *, aggregates: int, window: int, seed: int) -> float:
    """Events/s through the event store."""
    rng = random.Random(seed)
    store = JetStreamEventStore(nc, timeout=TIMEOUT)
    jobs = []
    for _ in range(aggregates):
        location_id = new_id()
        ref, event = location_ref(location_id), registered(location_id, rng)
        meta = command_meta("register_location", rng)
        jobs.append(partial(store.append, ref, [event], expected=NEW, meta=meta))
    elapsed = await run_windows(jobs, window)
    await _check_count(nc, aggregates)
    return aggregates / elapsed


async def baseline(nc: Client, *, aggregates: int, window: int, seed: int) -> float:
    """Events/s of raw `js.publish` with the same subjects, headers and payload sizes."""
    rng = random.Random(seed)
    js = nc.jetstream(timeout=TIMEOUT)
    jobs = []
    for _ in range(aggregates):
        location_id = new_id()
        msg = message(location_ref(location_id), registered(location_id, rng), command_meta("register_location", rng))
        jobs.append(partial(js.publish, msg.subject, msg.payload, headers=msg.headers))
    elapsed = await run_windows(jobs, window)
    await _check_count(nc, aggregates)
    return aggregates / elapsed


async def stored_shape(nc: Client) -> tuple[list[str], int]:
    """Header names and payload size of the first stored event: both sides must match."""
    raw = await nc.jetstream().get_msg(stream_name("readiness"), seq=1, direct=True)
    return sorted(raw.headers or {}), len(raw.data or b"")


async def _check_count(nc: Client, expected: int) -> None:
    stored = (await nc.jetstream().stream_info(stream_name("readiness"))).state.messages
    if stored != expected:
        raise RuntimeError(f"stream holds {stored} events, expected {expected}")
