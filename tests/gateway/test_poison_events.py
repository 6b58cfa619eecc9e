"""A poison event in each projection of every domain service: dead-lettered after its attempts, visible in
/readyz, and the projection keeps flowing past it (issue 15).

For each stream a service's projections read, one malformed event of every contract type its producer
publishes (right aggregate, empty data) is appended the way a faulty producer would; every projection
must park what it cannot apply and reach the end of its stream, still running.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import shared.contracts  # noqa: F401 - registers every event contract
from shared.config import PlatformSettings
from shared.contracts.base import registered
from shared.events import AggregateRef, Metadata, NewEvent, new_id
from shared.eventstore.base import Revision
from shared.eventstore.jetstream import JetStreamEventStore
from shared.eventstore.streams import stream_name
from tests.conftest import bearer, serve
from tests.gateway.conftest import SERVICE_APPS


@pytest.mark.parametrize("service", sorted(SERVICE_APPS))
async def test_every_projection_dead_letters_poison_and_keeps_flowing(
    service: str, platform: PlatformSettings, token, org: str, tmp_path: Path
) -> None:
    create, settings_type = SERVICE_APPS[service]
    settings = settings_type(**platform.model_dump(), database_url=f"sqlite:///{tmp_path / 'read.db'}",
                             projection_max_attempts=2)
    app = create(settings)
    async with serve(app) as client:
        runtime = app.state.runtime
        store = JetStreamEventStore(runtime.nc)
        streams = {runner.projection.stream for runner in runtime.runners.values()}
        for producer in sorted(streams):
            for contract in (c for c in registered() if c.service == producer):
                ref = AggregateRef(org, producer, contract.aggregate, new_id())
                await store.append(ref, [NewEvent(type=contract.event_type(), data={})], expected=Revision(),
                                   meta=Metadata(actor="system:faulty-producer"))
        for name, runner in runtime.runners.items():
            last = (await runtime.nc.jetstream().stream_info(stream_name(runner.projection.stream))).state.last_seq
            await runner.wait_for(last)  # past every poison event
            status = await runner.status()
            assert status["running"] and status["dead_letters"] >= 1, (name, status)
        health = await client.get("/readyz", headers=bearer(token(org)))
        assert health.status_code == 200 and health.json()["status"] == "ready"
        assert all(p["dead_letters"] >= 1 for p in health.json()["projections"].values())
