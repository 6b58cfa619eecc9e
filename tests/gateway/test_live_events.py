"""`GET /api/v1/events/stream`: the org's domain events over SSE, resumable, filtered to the caller's scope.

The gateway and readiness run under uvicorn on real ports (an event stream never
ends, so it is read as it arrives); events come from real requests, stored on NATS.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import httpx
import nats

from services.gateway.app import create_app
from shared.auth import issue_token
from shared.config import PlatformSettings
from shared.contracts.readiness import LocationRegistered
from shared.events import AggregateRef, Metadata, new_id
from shared.eventstore.base import NEW
from shared.eventstore.jetstream import JetStreamEventStore
from tests.conftest import bearer, serve
from tests.gateway.conftest import Clock, listening
from tests.gateway.sse import Message, messages, take, until_connected

STREAM = "/api/v1/events/stream"


@asynccontextmanager
async def gateway_and_readiness(gateway_settings, readiness_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with (
        listening(create_app(gateway_settings(readiness_url=readiness_url))) as url,
        httpx.AsyncClient(base_url=url, timeout=10) as client,
    ):
        yield client


@asynccontextmanager
async def subscribed(client: httpx.AsyncClient, token: str, last_event_id: str | None = None):  # type: ignore[no-untyped-def]
    """An open stream (past its `connected` block) as an iterator of messages."""
    headers = bearer(token) | ({"Last-Event-ID": last_event_id} if last_event_id else {})
    async with client.stream("GET", STREAM, headers=headers) as response:
        assert response.status_code == 200, await response.aread()
        assert response.headers["content-type"].startswith("text/event-stream")
        stream = messages(response)
        await until_connected(stream)
        yield stream


async def register(client: httpx.AsyncClient, token: str, name: str, region: str) -> str:
    created = await client.post("/api/v1/locations", json={"name": name, "region": region}, headers=bearer(token))
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def about(events: list[Message]) -> list[tuple[str | None, str]]:
    return [(e.event, e.data["data"]["location_id"]) for e in events]


async def test_the_stream_replays_from_a_cursor_resumes_after_an_id_and_follows_live(
    gateway_settings, readiness_url, token, org
) -> None:
    admin = token(org)
    async with gateway_and_readiness(gateway_settings, readiness_url) as client:
        a = await register(client, admin, "Location A", "north")
        b = await register(client, admin, "Location B", "south")
        async with subscribed(client, admin, "readiness:0") as stream:
            first, second = await take(stream, 2)
        async with subscribed(client, admin, first.id) as stream:
            [resumed] = await take(stream, 1)
        async with subscribed(client, admin) as stream:  # no cursor: from now on
            c = await register(client, admin, "Location C", "north")
            [live] = await take(stream, 1)

    assert about([first, second]) == [("LocationRegistered", a), ("LocationRegistered", b)]
    assert first.id == f"readiness:{first.data['sequence']},waves:0,training:0,metrics:0,gateway:0"
    envelope = first.data
    assert (envelope["specversion"], envelope["type"], envelope["orgid"], envelope["subject"]) == (
        "1.0", "LocationRegistered", org, a
    )
    assert (envelope["stream"], envelope["source"]) == ("readiness", "dso-rollout/readiness")
    assert envelope["data"]["name"] == "Location A"
    assert about([resumed]) == [("LocationRegistered", b)] and resumed.id == second.id
    assert about([live]) == [("LocationRegistered", c)]


async def test_a_stream_resumes_on_another_replica_and_sees_commands_sent_through_either(
    gateway_settings, readiness_url, token, org
) -> None:
    admin = token(org)
    async with gateway_and_readiness(gateway_settings, readiness_url) as one, \
            gateway_and_readiness(gateway_settings, readiness_url) as two:
        a = await register(one, admin, "Location A", "north")
        b = await register(two, admin, "Location B", "south")
        async with subscribed(one, admin, "readiness:0") as stream:
            [first] = await take(stream, 1)
        async with subscribed(two, admin, first.id) as stream:  # the id is a cursor any replica resumes from
            [resumed] = await take(stream, 1)
            c = await register(one, admin, "Location C", "north")  # a command through the other replica
            [live] = await take(stream, 1)
    assert about([first, resumed, live]) == [("LocationRegistered", a), ("LocationRegistered", b),
                                             ("LocationRegistered", c)]


async def test_each_role_sees_only_events_in_its_scope(gateway_settings, readiness_url, token, org) -> None:
    admin = token(org)
    async with gateway_and_readiness(gateway_settings, readiness_url) as client, AsyncExitStack() as streams:
        a = await register(client, admin, "Location A", "north")
        b = await register(client, admin, "Location B", "south")
        regional = await streams.enter_async_context(
            subscribed(client, token(org, "regional_admin", regions=("north",)), "readiness:0")
        )
        provider = await streams.enter_async_context(
            subscribed(client, token(org, "provider", locations=(b,)), "readiness:0")
        )
        executive = await streams.enter_async_context(subscribed(client, token(org, "executive"), "readiness:0"))
        c = await register(client, admin, "Location C", "north")  # the regional admin learns it as it is registered
        d = await register(client, admin, "Location D", "south")
        scores = {"it_infrastructure": 3, "staff_adaptability": 3, "patient_volume": 3, "tech_stack": 4, "champion": 3}
        assessed = await client.put(
            f"/api/v1/locations/{b}/assessment", json={"scores": scores, "assessor": "RM"}, headers=bearer(admin)
        )
        assert assessed.status_code == 200, assessed.text
        e = await register(client, admin, "Location E", "north")
        seen_by_regional = await take(regional, 3)
        seen_by_provider = await take(provider, 2)
        seen_by_executive = await take(executive, 6)

    registered = "LocationRegistered"
    assert about(seen_by_regional) == [(registered, a), (registered, c), (registered, e)]
    assert about(seen_by_provider) == [(registered, b), ("LocationScored", b)]
    assert about(seen_by_executive) == [
        (registered, a), (registered, b), (registered, c), (registered, d), ("LocationScored", b), (registered, e)
    ]


async def test_a_stream_that_cannot_start_says_why(gateway_settings, token, org) -> None:
    async with serve(create_app(gateway_settings())) as client:  # readiness is down
        regional = await client.get(STREAM, headers=bearer(token(org, "regional_admin", regions=("north",))))
        bad_cursor = await client.get(STREAM, headers=bearer(token(org)) | {"Last-Event-ID": "inventory:3"})
    assert regional.status_code == 503 and regional.json()["error"]["code"] == "service_unavailable"
    assert bad_cursor.status_code == 400
    assert bad_cursor.json()["error"]["field"] == "Last-Event-ID"
    assert "unknown stream 'inventory'" in bad_cursor.json()["error"]["message"]


async def test_an_idle_browser_session_loses_its_stream(gateway_settings, platform: PlatformSettings, org) -> None:
    clock = Clock()
    session = issue_token(platform, org=org, role="executive", session_id=new_id(), issued_at=int(clock.now))
    nc = await nats.connect(platform.nats_url)
    async with (
        listening(create_app(gateway_settings(), clock=clock)) as url,
        httpx.AsyncClient(base_url=url, timeout=10) as client,
        client.stream("GET", STREAM, headers=bearer(session)) as response,
    ):
        stream = messages(response)
        await until_connected(stream)
        clock.advance(31)  # the tab stays open, nobody touches it
        registered = LocationRegistered(location_id=new_id(), name="Elsewhere", region="north")
        ref = AggregateRef(org, "readiness", "location", registered.location_id)
        await JetStreamEventStore(nc).append(ref, [registered.to_new_event()], expected=NEW, meta=Metadata())
        rest = [message async for message in stream]  # the event wakes the stream, which ends
    await nc.close()
    assert [(m.event, m.data) for m in rest] == [("session_ended", {"reason": "session idle timeout; log in again"})]


async def test_a_location_moved_out_of_a_regional_admins_regions_leaves_its_stream(
    gateway_settings, readiness_url, token, org
) -> None:
    admin = token(org)
    scores = {"it_infrastructure": 3, "staff_adaptability": 3, "patient_volume": 3, "tech_stack": 4, "champion": 3}
    async with gateway_and_readiness(gateway_settings, readiness_url) as client:
        a = await register(client, admin, "Location A", "north")
        async with subscribed(client, token(org, "regional_admin", regions=("north",)), "readiness:0") as regional:
            profile = f"/api/v1/locations/{a}/profile"
            moved = await client.patch(profile, json={"region": "south"}, headers=bearer(admin))
            assert moved.status_code == 200, moved.text
            assessed = await client.put(
                f"/api/v1/locations/{a}/assessment", json={"scores": scores, "assessor": "RM"}, headers=bearer(admin)
            )
            assert assessed.status_code == 200, assessed.text
            c = await register(client, admin, "Location C", "north")
            seen = await take(regional, 3)

    assert [(m.event, m.data.get("data", m.data)["location_id"]) for m in seen] == [
        ("LocationRegistered", a), ("out_of_scope", a), ("LocationRegistered", c)
    ]
    assert seen[1].data == {"location_id": a}  # nothing about where it went


async def test_one_caller_holds_at_most_five_streams_at_once(
    gateway_settings, platform: PlatformSettings, org
) -> None:
    executive = issue_token(platform, org=org, role="executive", subject="ada")
    other = issue_token(platform, org=org, role="executive", subject="eve")
    async with (
        listening(create_app(gateway_settings())) as url,
        httpx.AsyncClient(base_url=url, timeout=10) as client,
        AsyncExitStack() as streams,
    ):
        for _ in range(5):
            await streams.enter_async_context(subscribed(client, executive))
        refused = await client.get(STREAM, headers=bearer(executive))
        async with subscribed(client, other):  # another user has slots of their own
            pass
        await streams.aclose()  # the five close...
        async with subscribed(client, executive):  # ...and their slots are free again
            pass
    assert refused.status_code == 429, refused.text
    assert refused.json()["error"] == {
        "code": "too_many_streams", "message": "at most 5 event streams at once per user; close one first"
    }
