"""The projection runner on a real JetStream server, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import random
import time

import pytest
from nats.aio.client import Client
from sqlalchemy import Engine, event
from sqlmodel import Field, Session, SQLModel, select

from shared.db import make_engine
from shared.events import AggregateRef, Metadata, NewEvent, RecordedEvent
from shared.eventstore.base import NEW
from shared.eventstore.jetstream import JetStreamEventStore
from shared.eventstore.streams import DEAD_LETTER_STREAM
from shared.projections import store as read_store
from shared.projections.models import DeadLetter
from shared.projections.runner import ProjectionRunner


class Tally(SQLModel, table=True):
    """Per aggregate: how many events were applied, and the last version seen."""

    __tablename__ = "test_tally"

    aggregate_id: str = Field(primary_key=True)
    applied: int = 0
    last_version: int = 0


class TallyProjection:
    name = "test-tally"
    stream = "readiness"
    tables = (Tally,)

    def __init__(self, poison: set[str] | None = None) -> None:
        self.poison = poison or set()

    def apply(self, session: Session, event: RecordedEvent) -> None:
        if event.ref.id in self.poison:
            raise ValueError(f"cannot project {event.ref.id}")
        row = session.get(Tally, event.ref.id) or Tally(aggregate_id=event.ref.id)
        if event.version != row.last_version + 1:
            raise AssertionError(f"{event.ref.id}: version {event.version} after {row.last_version}")
        row.applied += 1
        row.last_version = event.version
        session.add(row)


class EvenTallyProjection(TallyProjection):
    """Wants the events of even-numbered aggregates only (A0, A2, ...)."""

    @staticmethod
    def wants(event: RecordedEvent) -> bool:
        return int(event.ref.id[1:]) % 2 == 0

    def apply(self, session: Session, event: RecordedEvent) -> None:
        if self.wants(event):
            super().apply(session, event)


@pytest.fixture
def engine(database_url: str) -> Engine:
    return make_engine(database_url)


async def append_events(nc: Client, aggregates: int, per_aggregate: int) -> int:
    """Append interleaved events for many aggregates; return the last stream sequence."""
    store = JetStreamEventStore(nc)
    last = 0
    revisions = {f"A{i}": NEW for i in range(aggregates)}
    for _ in range(per_aggregate):
        for aggregate_id, revision in revisions.items():
            ref = AggregateRef("acme", "readiness", "location", aggregate_id)
            [event] = await store.append(ref, [NewEvent("Ticked", {})], expected=revision, meta=Metadata())
            revisions[aggregate_id] = type(revision)(event.version, event.sequence)
            last = event.sequence
    return last


def tallies(engine: Engine) -> dict[str, tuple[int, int]]:
    with Session(engine) as session:
        return {t.aggregate_id: (t.applied, t.last_version) for t in session.exec(select(Tally)).all()}


async def test_projects_every_event_once_and_checkpoints_with_the_rows(nc: Client, engine: Engine) -> None:
    last = await append_events(nc, aggregates=10, per_aggregate=5)
    runner = ProjectionRunner(nc=nc, engine=engine, projection=TallyProjection(), batch=7)
    await runner.start()
    await runner.wait_for(last)
    status = await runner.status()
    await runner.stop()
    assert tallies(engine) == {f"A{i}": (5, 5) for i in range(10)}
    assert read_store.checkpoint(engine, "test-tally") == last
    assert status["lag"] == 0 and status["dead_letters"] == 0


@pytest.mark.parametrize("projection", [TallyProjection, EvenTallyProjection])
async def test_killed_mid_stream_and_restarted_ends_with_exactly_the_right_rows(
        nc: Client, engine: Engine, projection: type[TallyProjection]) -> None:
    last = await append_events(nc, aggregates=20, per_aggregate=25)
    rng = random.Random(7)
    read_store.create_tables(engine, projection())
    kills = 0
    while read_store.checkpoint(engine, "test-tally") < last:
        runner = ProjectionRunner(nc=nc, engine=engine, projection=projection(), batch=rng.choice([1, 5, 16]))
        await runner.start()
        await asyncio.sleep(rng.uniform(0.0, 0.08))
        await runner.stop()  # cancellation lands anywhere: mid-fetch, mid-transaction, between commit and ack
        kills += 1
    assert kills > 1, "the stream was too short to be interrupted"
    wanted = range(20) if projection is TallyProjection else range(0, 20, 2)
    assert tallies(engine) == {f"A{i}": (25, 25) for i in wanted}


async def test_batches_a_projection_does_not_want_pass_without_a_transaction(nc: Client, engine: Engine) -> None:
    """Only A0's events are wanted; the rest move the position on, stored at most once a second and at stop."""
    store = JetStreamEventStore(nc)
    commits: list[int] = []
    event.listen(engine, "commit", lambda _connection: commits.append(1))
    read_store.create_tables(engine, EvenTallyProjection())
    runner = ProjectionRunner(nc=nc, engine=engine, projection=EvenTallyProjection(), batch=1)
    await runner.start()
    revisions = {f"A{i}": NEW for i in (0, 1, 3, 5)}
    last = 0
    for _ in range(5):
        for aggregate_id, revision in revisions.items():
            ref = AggregateRef("acme", "readiness", "location", aggregate_id)
            [appended] = await store.append(ref, [NewEvent("Ticked", {})], expected=revision, meta=Metadata())
            revisions[aggregate_id] = type(revision)(appended.version, appended.sequence)
            last = appended.sequence
            await runner.wait_for(last)  # one event per batch
    commits_while_running = len(commits)
    stored_while_running = read_store.checkpoint(engine, "test-tally")
    await runner.stop()
    assert tallies(engine) == {"A0": (5, 5)}
    assert 5 <= commits_while_running < 20  # five wanted batches, and a skipped position stored now and then
    assert stored_while_running < last == read_store.checkpoint(engine, "test-tally")  # stored at stop

    resumed = ProjectionRunner(nc=nc, engine=engine, projection=EvenTallyProjection())
    await resumed.start()
    ref = AggregateRef("acme", "readiness", "location", "A0")
    [appended] = await store.append(ref, [NewEvent("Ticked", {})], expected=revisions["A0"], meta=Metadata())
    await resumed.wait_for(appended.sequence)
    await resumed.stop()
    assert tallies(engine) == {"A0": (6, 6)}


class LingeringTallyProjection(TallyProjection):
    linger_s = 0.3


async def test_a_lingering_projection_applies_a_trickle_in_few_transactions(nc: Client, engine: Engine) -> None:
    """Events appended one at a time, 20 ms apart: without lingering each is a transaction of its own."""
    store = JetStreamEventStore(nc)
    commits: list[int] = []
    event.listen(engine, "commit", lambda _connection: commits.append(1))
    runner = ProjectionRunner(nc=nc, engine=engine, projection=LingeringTallyProjection())
    await runner.start()
    revision, last = NEW, 0
    for _ in range(30):  # ~0.6 s of trickle: at most three lingers' worth of batches, plus the first event
        ref = AggregateRef("acme", "readiness", "location", "A0")
        [appended] = await store.append(ref, [NewEvent("Ticked", {})], expected=revision, meta=Metadata())
        revision, last = type(revision)(appended.version, appended.sequence), appended.sequence
        await asyncio.sleep(0.02)
    await runner.wait_for(last)
    await runner.stop()
    assert tallies(engine) == {"A0": (30, 30)}
    assert read_store.checkpoint(engine, "test-tally") == last
    assert len(commits) <= 8, f"{len(commits)} transactions for 30 events"


async def test_a_waiting_request_ends_the_pause_and_background_work_lets_the_batch_gather(
    nc: Client, engine: Engine
) -> None:
    """A caught-up runner pauses (linger) before its next batch; a caller that waits with `hurry` (a request's
    read-your-writes) ends the pause at once, one that waits without it (a reaction) waits it out."""
    store = JetStreamEventStore(nc)
    runner = ProjectionRunner(nc=nc, engine=engine, projection=LingeringTallyProjection())  # pauses 0.3 s
    await runner.start()
    ref = AggregateRef("acme", "readiness", "location", "A0")
    revision = NEW

    async def tick() -> int:
        nonlocal revision
        [appended] = await store.append(ref, [NewEvent("Ticked", {})], expected=revision, meta=Metadata())
        revision = type(revision)(appended.version, appended.sequence)
        return appended.sequence

    waited: dict[bool, float] = {}
    for hurry in (True, False):
        await tick()
        await asyncio.sleep(0.05)  # applied with nobody waiting: the runner pauses 0.3 s now
        position = await tick()
        started = time.monotonic()
        await runner.wait_for(position, hurry=hurry)
        waited[hurry] = time.monotonic() - started
    await runner.stop()
    assert waited[True] < 0.15 < waited[False], waited
    assert tallies(engine) == {"A0": (4, 4)}


async def test_poison_event_is_dead_lettered_and_the_projection_moves_on(nc: Client, engine: Engine) -> None:
    last = await append_events(nc, aggregates=3, per_aggregate=1)
    runner = ProjectionRunner(
        nc=nc, engine=engine, projection=TallyProjection(poison={"A1"}), max_attempts=3, retry_delay=0.001
    )
    await runner.start()
    await runner.wait_for(last)
    status = await runner.status()
    await runner.stop()
    assert tallies(engine) == {"A0": (1, 1), "A2": (1, 1)}
    assert status["dead_letters"] == 1
    with Session(engine) as session:
        [dead] = session.exec(select(DeadLetter)).all()
    assert dead.subject == "dso.acme.readiness.location.A1.Ticked" and "cannot project A1" in dead.error
    parked = await nc.jetstream().get_msg(DEAD_LETTER_STREAM, subject="dlq.readiness.test-tally", direct=True)
    assert parked.headers and "cannot project A1" in parked.headers["dso-error"]


async def test_rebuild_from_sequence_one_gives_the_same_read_model(nc: Client, engine: Engine) -> None:
    last = await append_events(nc, aggregates=4, per_aggregate=3)
    runner = ProjectionRunner(nc=nc, engine=engine, projection=TallyProjection())
    await runner.start()
    await runner.wait_for(last)
    await runner.stop()
    before = tallies(engine)

    read_store.reset(engine, TallyProjection())
    assert tallies(engine) == {} and read_store.checkpoint(engine, "test-tally") == 0
    rebuilt = ProjectionRunner(nc=nc, engine=engine, projection=TallyProjection())
    await rebuilt.start()
    await rebuilt.wait_for(last)
    await rebuilt.stop()
    assert tallies(engine) == before == {f"A{i}": (3, 3) for i in range(4)}
