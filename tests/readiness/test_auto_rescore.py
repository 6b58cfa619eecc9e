"""A program's playbook override re-scores its locations without /rescore (real NATS, SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from services.readiness.app import create_app
from services.readiness.config import ReadinessSettings
from services.readiness.locations.projections import LocationsProjection
from services.readiness.programs.reactions import RescoreOnOverride
from shared.config import PlatformSettings
from shared.contracts.waves import PlaybookOverridden
from shared.events import AggregateRef, Metadata, RecordedEvent
from shared.eventstore.jetstream import JetStreamEventStore
from shared.eventstore.streams import stream_name
from tests.conftest import bearer, serve
from tests.readiness.factories import SAMPLE_FACTS, create_program

# Location B's facts with Location A's volume: IT 4 (60 Mbps), composite 20 — the lowest High, wave-1.
EDGE_FACTS = SAMPLE_FACTS["Location B"] | {"monthly_aligner_starts": 60, "ops_strength": "moderate"}
# IT row 4 needs 50 Mbps in the template; 100 drops a 60 Mbps site to IT 3.
IT_ROW_4_BANDWIDTH = "readiness.factors[0].rows[1].all_of[0].value"


@pytest.fixture
def app(platform: PlatformSettings, database_url: str) -> FastAPI:
    return create_app(ReadinessSettings(**platform.model_dump(), database_url=database_url))


async def overridden(app: FastAPI, org: str, program_id: str, path: str, value: Any, version: int) -> RecordedEvent:
    """Append `PlaybookOverridden` as waves would; return it once readiness has reacted and projected the result."""
    runtime = app.state.runtime
    store = JetStreamEventStore(runtime.nc)
    ref = AggregateRef(org, "waves", "program", program_id)
    event = PlaybookOverridden(program_id=program_id, path=path, value=value, previous=None, reason="test",
                               overridden_by="vp-ops", override_version=version)
    [stored] = await store.append(ref, [event.to_new_event()], expected=(await store.load(ref)).revision,
                                  meta=Metadata(actor="super_admin:vp-ops"))
    await runtime.reactors[RescoreOnOverride.name].wait_for(stored.sequence)
    await settled(app)
    return stored


async def settled(app: FastAPI) -> None:
    """Wait until the locations read model has applied everything in readiness' stream."""
    runtime = app.state.runtime
    last = (await runtime.nc.jetstream().stream_info(stream_name("readiness"))).state.last_seq
    await runtime.runners[LocationsProjection.name].wait_for(last)


async def test_an_override_rescores_the_programs_locations_once(app, token, org) -> None:
    auth = bearer(token(org))
    async with serve(app) as client:
        program, other = await create_program(app, org), await create_program(app, org)

        async def register(name: str, facts: dict[str, Any], program_id: str) -> str:
            response = await client.post("/api/v1/locations", headers=auth,
                                         json={"name": name, "region": "north", "program_id": program_id,
                                               "facts": facts})
            assert response.status_code == 201, response.text
            return str(response.json()["id"])

        edge = await register("Edge", EDGE_FACTS, program)
        fiber = await register("Location A", SAMPLE_FACTS["Location A"], program)
        elsewhere = await register("Edge elsewhere", EDGE_FACTS, other)

        async def state(location_id: str) -> tuple[Any, ...]:
            row = (await client.get(f"/api/v1/locations/{location_id}", headers=auth)).json()
            history = (await client.get(f"/api/v1/locations/{location_id}/history", headers=auth)).json()["events"]
            return row["it_infrastructure"], row["composite"], row["recommended_wave"], [e["type"] for e in history]

        scored_once = ["LocationRegistered", "LocationScored"]
        assert await state(edge) == (4, 20, "wave-1", scored_once)
        assert await state(fiber) == (5, 23, "wave-1", scored_once)

        trigger = await overridden(app, org, program, IT_ROW_4_BANDWIDTH, 100, 1)

        # The edge site drops to Medium-High; the fibre site and the other program's site are untouched.
        assert await state(edge) == (3, 19, "wave-2", [*scored_once, "LocationScored"])
        assert await state(fiber) == (5, 23, "wave-1", scored_once)
        assert await state(elsewhere) == (4, 20, "wave-1", scored_once)
        history = (await client.get(f"/api/v1/locations/{edge}/history", headers=auth)).json()["events"]
        rescore = history[-1]
        assert rescore["actor"] == "system:readiness-rescore-on-override"
        assert rescore["data"]["reason"] == "re-scored against the program's current playbook"
        scoring = (await client.get(f"/api/v1/locations/{edge}/scoring", headers=auth)).json()
        assert (scoring["composite"], scoring["current"]) == (19, True)

        # The same trigger delivered again (a redelivery after a lost ack) records nothing new.
        reaction = app.state.runtime.reactors[RescoreOnOverride.name].reaction
        await reaction.react(trigger)
        await settled(app)
        assert await state(edge) == (3, 19, "wave-2", [*scored_once, "LocationScored"])
        assert await state(fiber) == (5, 23, "wave-1", scored_once)
        # A manual re-score has nothing left to do, and answers with the auto re-score's result.
        manual = (await client.post(f"/api/v1/locations/{edge}/rescore", headers=auth)).json()
        assert (manual["recorded"]["composite"], manual["recorded"]["version"], manual["current"]) == (19, 3, True)

        # Reverting the override brings the edge site back to wave-1, again without /rescore.
        await overridden(app, org, program, IT_ROW_4_BANDWIDTH, 50, 2)
        assert await state(edge) == (4, 20, "wave-1", [*scored_once, "LocationScored", "LocationScored"])

        ready = (await client.get("/readyz", headers=auth)).json()
        status = ready["reactors"][RescoreOnOverride.name]
        assert (status["running"], status["pending"], status["dead_letters"]) == (True, 0, 0)
        assert status["position"] == trigger.sequence + 1  # the second override, right after the first
