"""What only the JetStream backend can show: the wire format and durability across a crash."""

from __future__ import annotations

import nats

from shared.events import AggregateRef, Metadata, NewEvent, new_id
from shared.eventstore.base import NEW
from shared.eventstore.jetstream import JetStreamEventStore
from shared.eventstore.streams import ensure_streams, stream_name
from shared.natsserver import EmbeddedNats


async def test_events_are_cloudevents_in_binary_mode_on_the_documented_subject(nats_server: EmbeddedNats) -> None:
    nc = await nats.connect(nats_server.url)
    await ensure_streams(nc.jetstream())
    ref = AggregateRef("acme", "readiness", "location", new_id())
    event = NewEvent(
        "LocationScored", {"composite": 23}, dataschema="urn:dso-rollout:events:readiness:LocationScored:v1"
    )
    [stored] = await JetStreamEventStore(nc).append(ref, [event], expected=NEW, meta=Metadata(correlation_id="c-1"))
    raw = await nc.jetstream().get_msg(stream_name("readiness"), seq=stored.sequence, direct=True)
    await nc.close()
    assert raw.subject == f"dso.acme.readiness.location.{ref.id}.LocationScored"
    headers = raw.headers or {}
    assert headers["ce-specversion"] == "1.0"
    assert headers["ce-type"] == "LocationScored" and headers["ce-id"] == stored.id
    assert headers["ce-source"] == "dso-rollout/readiness" and headers["ce-subject"] == ref.id
    assert headers["ce-orgid"] == "acme" and headers["ce-aggregateversion"] == "1"
    assert headers["ce-correlationid"] == "c-1" and headers["ce-time"].startswith("20")
    assert headers["ce-dataschema"].endswith("LocationScored:v1")
    assert raw.data == b'{"composite":23}'


async def test_acknowledged_events_survive_a_server_crash(tmp_path) -> None:
    server = EmbeddedNats(tmp_path / "nats").start()
    ref = AggregateRef("acme", "readiness", "location", new_id())
    nc = await nats.connect(server.url)
    await ensure_streams(nc.jetstream())
    stored = await JetStreamEventStore(nc).append(
        ref, [NewEvent("LocationRegistered", {"n": i}) for i in range(3)], expected=NEW, meta=Metadata()
    )
    await nc.close()
    server.kill()  # SIGKILL right after the acks: sync_interval always must have fsynced them
    restarted = EmbeddedNats(tmp_path / "nats", port=server.port).start()
    try:
        nc = await nats.connect(restarted.url)
        loaded = (await JetStreamEventStore(nc).load(ref)).events
        await nc.close()
    finally:
        restarted.stop()
    assert [e.id for e in loaded] == [e.id for e in stored]
