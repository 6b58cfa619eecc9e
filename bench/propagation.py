"""(c) cross-service propagation: an event acknowledged in waves' stream -> in readiness's read model.

Ours: waves appends `ProgramCreated` through the event store on one connection (as
the waves process does); readiness's `ProgramsProjection` runs in a `ProjectionRunner`
on another connection with its SQLite read model; the latency of one event is from
the append's ack to the runner's position reaching its sequence (the row committed).
The baseline is a raw nats-py durable pull consumer on the same stream that only
fetches and acks. Events are appended one at a time (an idle system's latency, what
a user who creates a program and then its locations meets).
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
from datetime import date
from pathlib import Path
from time import perf_counter

import nats.errors
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from bench.servers import connect
from services.readiness.programs.projections import ProgramsProjection
from shared.contracts.waves import ProgramCreated
from shared.db import make_engine
from shared.events import AggregateRef, Metadata, new_id
from shared.eventstore.base import NEW
from shared.eventstore.jetstream import JetStreamEventStore
from shared.eventstore.streams import stream_name
from shared.projections.runner import ProjectionRunner

STREAM = stream_name("waves")


def program_created(program_id: str) -> ProgramCreated:
    return ProgramCreated(program_id=program_id, name="Rollout", playbook_id="softsmile-dso", playbook_version="1",
                          start_date=date(2027, 1, 4), playbook={"id": "softsmile-dso"}, created_by="bench")


async def _append(store: JetStreamEventStore, org: str) -> int:
    program_id = new_id()
    [stored] = await store.append(AggregateRef(org, "waves", "program", program_id),
                                  [program_created(program_id).to_new_event()], expected=NEW, meta=Metadata())
    return stored.sequence


def percentiles(latencies_s: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(latencies_s, n=100, method="inclusive")
    return {"p50_ms": round(cuts[49] * 1000, 2), "p99_ms": round(cuts[98] * 1000, 2)}


async def ours(url: str, *, events: int, workdir: Path) -> list[float]:
    """Ack-to-visible latency of each event, through the real projection runner and read model."""
    async with connect(url) as producer, connect(url) as consumer:
        engine = make_engine(f"sqlite:///{workdir / 'readiness.db'}")
        runner = ProjectionRunner(nc=consumer, engine=engine, projection=ProgramsProjection())
        await runner.start()
        await runner.wait_subscribed(timeout=30)
        store, latencies = JetStreamEventStore(producer), []
        try:
            for _ in range(events):
                sequence = await _append(store, "bench")
                acked = perf_counter()
                await runner.wait_for(sequence, timeout=30)
                latencies.append(perf_counter() - acked)
        finally:
            await runner.stop()
            engine.dispose()
    return latencies


async def baseline(url: str, *, events: int) -> list[float]:
    """Ack-to-received latency of a bare durable pull consumer (fetch + ack, no database)."""
    async with connect(url) as producer, connect(url) as consumer:
        js = consumer.jetstream()
        last = (await js.stream_info(STREAM)).state.last_seq
        durable = f"raw-{new_id()}"
        await js.add_consumer(STREAM, ConsumerConfig(durable_name=durable, ack_policy=AckPolicy.EXPLICIT,
                                                     deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
                                                     opt_start_seq=last + 1))
        sub = await js.pull_subscribe_bind(durable=durable, stream=STREAM)
        received: dict[int, float] = {}
        seen = asyncio.Condition()

        async def consume() -> None:
            while True:
                with contextlib.suppress(nats.errors.TimeoutError, TimeoutError):
                    for msg in await sub.fetch(256, timeout=1):
                        await msg.ack()
                        async with seen:
                            received[msg.metadata.sequence.stream] = perf_counter()
                            seen.notify_all()

        task = asyncio.create_task(consume())
        store, latencies = JetStreamEventStore(producer), []
        try:
            for _ in range(events):
                sequence = await _append(store, "bench")
                acked = perf_counter()
                async with seen:
                    await asyncio.wait_for(seen.wait_for(lambda s=sequence: s in received), 30)  # type: ignore[misc]
                latencies.append(max(received[sequence] - acked, 0.0))
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    return latencies
