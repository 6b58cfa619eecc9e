"""Cross-service references and consumers of another service's stream, on a brand-new JetStream server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import nats
import pytest
from sqlmodel import Field, Session, SQLModel

from shared.config import ServiceSettings
from shared.events import AggregateRef, Metadata, NewEvent, RecordedEvent, new_id
from shared.eventstore.base import NEW
from shared.eventstore.jetstream import JetStreamEventStore
from shared.eventstore.streams import stream_config
from shared.natsserver import EmbeddedNats
from shared.projections.runner import ProjectionRunner
from shared.references import ReadModelLagging, Reference, wait_until_known
from shared.runtime import Runtime


class KnownProgram(SQLModel, table=True):
    """What a consumer of waves' stream knows: one row per program."""

    __tablename__ = "test_known_programs"

    org: str = Field(primary_key=True)
    id: str = Field(primary_key=True)


class KnownPrograms:
    name = "test-known-programs"
    stream = "waves"  # another service's stream
    tables = (KnownProgram,)

    def apply(self, session: Session, event: RecordedEvent) -> None:
        if event.ref.aggregate == "program":
            session.merge(KnownProgram(org=event.ref.org, id=event.ref.id))


PROGRAMS = Reference(service="waves", aggregate="program", projection=KnownPrograms.name)


@pytest.fixture
async def runtime(tmp_path: Path, nats_server: EmbeddedNats) -> AsyncIterator[Runtime]:
    """A service that consumes waves' stream, started on a server that has never seen a stream."""
    settings = ServiceSettings(service="readiness", nats_url=nats_server.url, var_dir=tmp_path,
                               database_url=f"sqlite:///{tmp_path / 'read.db'}", log_json=False)
    started = await Runtime.start(settings, [KnownPrograms()])
    yield started
    await started.stop()


async def create_program(runtime: Runtime, org: str) -> tuple[str, int]:
    """What waves does on POST /programs: one event on the program's subject."""
    program_id = new_id()
    [event] = await JetStreamEventStore(runtime.nc).append(
        AggregateRef(org, "waves", "program", program_id), [NewEvent("ProgramCreated", {})], expected=NEW,
        meta=Metadata(),
    )
    return program_id, event.sequence


async def test_a_started_service_already_consumes_another_services_stream(runtime: Runtime) -> None:
    consumer = await runtime.nc.jetstream().consumer_info("DSO_WAVES", KnownPrograms.name)
    assert consumer.config.durable_name == KnownPrograms.name
    status = await runtime.runners[KnownPrograms.name].status()
    assert status["running"] is True


async def test_a_program_just_created_is_known_at_once(runtime: Runtime) -> None:
    program_id, _ = await create_program(runtime, "acme")
    assert await wait_until_known(runtime, PROGRAMS, org="acme", aggregate_id=program_id)
    with Session(runtime.engine) as session:
        assert session.get(KnownProgram, ("acme", program_id)) is not None


async def test_an_unknown_or_foreign_program_is_unknown_without_waiting(runtime: Runtime) -> None:
    program_id, _ = await create_program(runtime, "acme")
    assert not await wait_until_known(runtime, PROGRAMS, org="acme", aggregate_id=new_id(), timeout=30)
    assert not await wait_until_known(runtime, PROGRAMS, org="other", aggregate_id=program_id, timeout=30)
    assert not await wait_until_known(runtime, PROGRAMS, org="acme", aggregate_id="*", timeout=30)


async def test_a_known_program_the_read_model_cannot_reach_is_lagging_not_missing(runtime: Runtime) -> None:
    await runtime.runners[KnownPrograms.name].stop()
    program_id, _ = await create_program(runtime, "acme")
    with pytest.raises(ReadModelLagging) as lagging:
        await wait_until_known(runtime, PROGRAMS, org="acme", aggregate_id=program_id, timeout=0.2)
    assert (lagging.value.status, lagging.value.field) == (503, "program_id")


async def test_a_consumer_creates_the_stream_its_owner_has_not_created_yet(tmp_path: Path,
                                                                          nats_server: EmbeddedNats) -> None:
    nc = await nats.connect(nats_server.url)  # no streams at all: waves has never started
    from shared.db import make_engine

    runner = ProjectionRunner(nc=nc, engine=make_engine(f"sqlite:///{tmp_path / 'r.db'}"), projection=KnownPrograms())
    await runner.start()
    try:
        assert await runner.wait_subscribed(timeout=10)
        info = await nc.jetstream().stream_info("DSO_WAVES")
        assert info.config.subjects == stream_config("waves").subjects
        assert info.config.deny_delete and info.config.allow_direct
    finally:
        await runner.stop()
        await nc.close()
