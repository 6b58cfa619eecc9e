"""(b) rebuild: replay the readiness stream from sequence 1 into the SQLite read model.

The stream is written once, through the store (untimed). Ours is `ProjectionRunner` with
`LocationsProjection` on a fresh database until its position reaches the last sequence;
the baseline is a durable pull consumer doing fetch + ack of every message, nothing else.
"""

from __future__ import annotations

import asyncio
import random
from functools import partial
from pathlib import Path
from time import perf_counter
from typing import cast

import nats.errors
from nats.aio.client import Client
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from bench.append import run_windows
from bench.servers import connect
from bench.workload import command_meta, location_ref, registered, scored
from services.readiness.locations.models import LocationRow
from services.readiness.locations.projections import LocationsProjection
from shared.db import make_engine
from shared.events import new_id
from shared.eventstore.base import NEW, Revision
from shared.eventstore.jetstream import JetStreamEventStore
from shared.eventstore.streams import stream_name
from shared.projections import store as read_store
from shared.projections.base import Projection
from shared.projections.runner import ProjectionRunner

STREAM = stream_name("readiness")
SCORINGS = 3  # LocationScored events per location, after its LocationRegistered


async def populate(nc: Client, *, events: int, window: int, seed: int) -> int:
    """Register events/4 locations, then score each of them three times; return the last sequence."""
    rng, store = random.Random(seed), JetStreamEventStore(nc)
    revisions = {new_id(): NEW for _ in range(max(events // (1 + SCORINGS), 1))}

    async def append(location_id: str, first: bool) -> None:
        event = registered(location_id, rng) if first else scored(location_id, rng)
        meta = command_meta("register_location" if first else "score_location", rng)
        [stored] = await store.append(location_ref(location_id), [event], expected=revisions[location_id], meta=meta)
        revisions[location_id] = Revision(stored.version, stored.sequence)

    # Rounds keep each location's events in order and far apart: a LocationRegistered and a LocationScored of one
    # location in the same fetched batch fail it (the pending row is invisible to Session.get with autoflush off),
    # and the runner's one-event-per-transaction fallback would be timed instead (~4x slower).
    for round_ in range(1 + SCORINGS):
        await run_windows([partial(append, location_id, round_ == 0) for location_id in revisions], window)
    return (await nc.jetstream().stream_info(STREAM)).state.last_seq


async def ours(url: str, *, last_seq: int, batch: int, workdir: Path) -> float:
    """Events/s of the projection runner rebuilding the locations read model from scratch."""
    engine = make_engine(f"sqlite:///{(workdir / 'read.db').resolve()}")
    projection = cast(Projection, LocationsProjection())  # its `tables` tuple is narrower than the protocol's
    async with connect(url) as nc:
        runner = ProjectionRunner(nc=nc, engine=engine, projection=projection, batch=batch)
        start = perf_counter()
        await runner.start()
        try:
            await runner.wait_for(last_seq, timeout=max(120.0, last_seq / 500))
            elapsed = perf_counter() - start
        finally:
            await runner.stop()
    await asyncio.to_thread(_check_read_model, engine, projection, last_seq)
    engine.dispose()
    return last_seq / elapsed


async def baseline(url: str, *, last_seq: int, batch: int, durable: str) -> float:
    """Events/s of a raw durable pull consumer: fetch(batch), ack each message."""
    async with connect(url) as nc:
        js = nc.jetstream()
        start = perf_counter()
        config = ConsumerConfig(durable_name=durable, ack_policy=AckPolicy.EXPLICIT, deliver_policy=DeliverPolicy.ALL,
                                ack_wait=60, max_ack_pending=batch * 4)  # as the runner configures its consumer
        await js.add_consumer(STREAM, config)
        sub = await js.pull_subscribe_bind(durable=durable, stream=STREAM)
        acked = 0
        while acked < last_seq:
            try:
                msgs = await sub.fetch(batch, timeout=1)
            except nats.errors.TimeoutError:
                continue
            for msg in msgs:
                await msg.ack()
            acked += len(msgs)
        elapsed = perf_counter() - start
        await js.delete_consumer(STREAM, durable)
    return last_seq / elapsed


def _check_read_model(engine: Engine, projection: Projection, last_seq: int) -> None:
    """The measured rebuild must have done the whole job: every location, scored, no dead letters."""
    locations = last_seq // (1 + SCORINGS)
    with Session(engine) as session:
        rows = session.exec(select(func.count()).select_from(LocationRow)).one()
        scored_rows = session.exec(select(func.count()).where(LocationRow.version == 1 + SCORINGS)).one()
    dead = read_store.dead_letter_count(engine, projection.name)
    if (rows, scored_rows, dead) != (locations, locations, 0):
        raise RuntimeError(f"read model incomplete: {rows} rows, {scored_rows} fully scored, {dead} dead letters")
