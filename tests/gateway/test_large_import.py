"""A 4,500-row CSV import through the gateway: done within its timeout, and a retry returns the first answer."""

from __future__ import annotations

import nats

from services.gateway.app import create_app
from shared.eventstore.streams import stream_name
from tests.conftest import bearer, serve

ROWS = 4500


def spreadsheet(org: str, rows: int) -> bytes:
    lines = ["name,region"] + [f"{org} practice {n:04d},north" for n in range(rows)]
    return ("\n".join(lines) + "\n").encode()


async def registered(nats_url: str, org: str) -> dict[str, int]:
    """LocationRegistered events of the org in the stream, by subject (one subject per location)."""
    nc = await nats.connect(nats_url)
    try:
        info = await nc.jetstream().stream_info(
            stream_name("readiness"), subjects_filter=f"dso.{org}.readiness.location.*.LocationRegistered"
        )
        return dict(info.state.subjects or {})
    finally:
        await nc.close()


async def test_a_large_import_finishes_in_time_and_its_retry_gets_the_same_answer(
    gateway_settings, readiness_url, platform, token, org
) -> None:
    auth = bearer(token(org)) | {"Content-Type": "text/csv", "Idempotency-Key": f"import-{org}"}
    body = spreadsheet(org, ROWS)
    settings = gateway_settings(readiness_url=readiness_url)  # the default 10 s forward timeout
    async with serve(create_app(settings)) as gateway:
        first = await gateway.post("/api/v1/locations/import", content=body, headers=auth, timeout=60)
        assert first.status_code == 201, first.text[:500]
        assert first.json()["imported"] == ROWS
        # The client did not see the answer (say it timed out) and sends the same request again.
        retry = await gateway.post("/api/v1/locations/import", content=body, headers=auth, timeout=60)
        assert retry.status_code == 201, retry.text[:500]
        assert retry.content == first.content
        # The same key on another file is a client bug, not a retry.
        other = await gateway.post("/api/v1/locations/import", content=spreadsheet(org, 3), headers=auth)
        assert other.status_code == 422 and other.json()["error"]["code"] == "idempotency_key_reused"
    events = await registered(platform.nats_url, org)
    assert len(events) == ROWS and set(events.values()) == {1}, "every row registered exactly once"
    assert {row["location_id"] for row in first.json()["locations"]} == {s.split(".")[4] for s in events}
