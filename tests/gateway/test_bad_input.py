"""Out-of-range input at the gateway's own routes is a 4xx naming the field, never a 500."""

from __future__ import annotations

from services.gateway.app import create_app
from tests.conftest import bearer, serve

STREAM = "/api/v1/events/stream"


async def test_an_audit_cursor_past_any_sequence_is_a_422_naming_it(gateway_settings, token, org) -> None:
    async with serve(create_app(gateway_settings())) as client:
        huge = await client.get("/api/v1/audit", params={"before": "99999999999999999999"},
                                headers=bearer(token(org)))
        largest = await client.get("/api/v1/audit", params={"before": str(2**63 - 1)}, headers=bearer(token(org)))
    assert huge.status_code == 422, huge.text
    assert huge.json()["error"]["field"] == "before"
    assert largest.status_code == 200, largest.text


async def test_a_resume_cursor_out_of_range_is_a_400_naming_the_header(gateway_settings, token, org) -> None:
    async with serve(create_app(gateway_settings())) as client:
        for cursor in ("readiness:99999999999999999999999", "readiness:\u00b2", "waves:-1", "readiness:1e3"):
            raw = {"Last-Event-ID": cursor.encode()}  # bytes: httpx refuses to encode a non-ASCII str header
            refused = await client.get(STREAM, headers=bearer(token(org)) | raw)
            assert refused.status_code == 400, (cursor, refused.text)
            assert refused.json()["error"]["field"] == "Last-Event-ID"
