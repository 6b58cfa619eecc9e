"""The audit trail fails closed and cannot be written by anyone without the gateway's key.

A change is carried out only once its intent entry is stored; garbage or forgeries
published on the audit subjects neither stop auditing nor show up as real entries,
and `rollout audit verify` names them.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import nats
from typer.testing import CliRunner

from cli.main import app as rollout
from services.gateway.app import create_app
from services.gateway.audit.chain import Head, link
from services.gateway.audit.key import audit_key
from services.gateway.audit.verify import verify_trails
from shared.config import PlatformSettings
from shared.contracts.gateway import STREAM
from tests.conftest import bearer, serve
from tests.gateway.conftest import Recorder


def created(request: httpx.Request) -> httpx.Response:
    return httpx.Response(201 if request.method == "POST" else 200, json={"ok": True})


async def entries(client: httpx.AsyncClient, admin: dict[str, str]) -> list[dict[str, Any]]:
    page = await client.get("/api/v1/audit", headers=admin, params={"limit": 1000})
    assert page.status_code == 200, page.text
    return list(page.json()["entries"])


async def test_garbage_and_forgeries_on_the_audit_subjects_never_stop_auditing_nor_pass_as_entries(
    gateway_settings, platform: PlatformSettings, token, org
) -> None:
    admin = bearer(token(org, "super_admin"))
    service = Recorder(created)
    async with serve(create_app(gateway_settings(), transport=service.transport())) as client:
        assert (await client.post("/api/v1/locations", json={}, headers=admin)).status_code == 201
        [genuine, *_] = await entries(client, admin)
        recorder = genuine["recorder"]
        nc = await nats.connect(platform.nats_url)
        try:
            js = nc.jetstream()
            first = await js.get_msg(STREAM, seq=1)  # entry 1 exactly as stored
            forged = link(Head(), {**genuine, "actor": "mallory", "recorder": "evil"}, b"not-the-gateway-key" * 2)
            for subject, body in [
                (f"dso.{org}.audit.trail.gateway.AuditRecorded", b"not json at all"),
                (f"dso.{org}.audit.trail.{recorder}.AuditRecorded", b"not json at all"),
                (f"dso.{org}.audit.trail.evil.AuditRecorded", json.dumps(forged).encode()),
                (f"dso.{org}.audit.trail.{recorder}.AuditRecorded", first.data),  # replayed
            ]:
                await js.publish(subject, body, stream=STREAM)
        finally:
            await nc.close()
        # Later requests, writes included, are carried out and audited as before.
        assert (await client.post("/api/v1/locations", json={}, headers=admin)).status_code == 201
        assert (await client.get("/api/v1/readiness/matrix", headers=admin)).status_code == 200
        shown = await entries(client, admin)

    assert len(service.requests) == 3
    assert {(e["actor"], e["recorder"]) for e in shown} == {("dev-user", recorder)}
    assert [(e["method"], e["phase"], e["index"]) for e in reversed(shown)][:6] == [
        ("POST", "intent", 1), ("POST", "outcome", 2), ("GET", "outcome", 3),
        ("POST", "intent", 4), ("POST", "outcome", 5), ("GET", "outcome", 6),
    ]
    env = {"NATS_URL": platform.nats_url, "VAR_DIR": str(platform.var_dir)}
    verified = await asyncio.to_thread(CliRunner().invoke, rollout, ["audit", "verify", "--org", org], env=env)
    assert verified.exit_code == 1, verified.output
    output = verified.output
    assert f"{org}/{recorder}: intact, " in output
    assert "not an audit entry (unparsable, or index or prev_hash missing)" in output
    assert f"{org}/gateway: no genuine entries" in output
    assert f"{org}/evil: no genuine entries" in output
    assert "hash does not verify under the audit key (forged or altered)" in output
    assert "a copy of entry 1 replayed after entry" in output


async def test_a_change_that_cannot_be_audited_is_refused_and_readyz_says_so(
    gateway_settings, platform: PlatformSettings, token, org
) -> None:
    admin = bearer(token(org, "super_admin"))
    service = Recorder(created)
    nc = await nats.connect(platform.nats_url)
    js = nc.jetstream()
    try:
        async with serve(create_app(gateway_settings(), transport=service.transport())) as client:
            assert (await client.post("/api/v1/locations", json={}, headers=admin)).status_code == 201
            # The audit stream stops taking entries (full), while NATS itself stays up.
            config = (await js.stream_info(STREAM)).config
            stored = (await js.stream_info(STREAM)).state.messages
            config.max_msgs = stored
            await js.update_stream(config)
            refused_change = await client.post("/api/v1/locations", json={}, headers=admin)
            refused_read = await client.get("/api/v1/readiness/matrix", headers=admin)
            unready = await client.get("/readyz", headers=admin)
            config.max_msgs = -1
            await js.update_stream(config)
            again = await client.post("/api/v1/locations", json={}, headers=admin)
        # The failed batch ended its chain; entries go on in a new one, and every chain still verifies.
        reports = await verify_trails(nc, key=audit_key(gateway_settings()), org=org)
    finally:
        await nc.close()

    assert refused_change.status_code == 503, refused_change.text
    assert refused_change.json()["error"]["code"] == "audit_unavailable"
    assert refused_read.status_code == 503 and refused_read.json()["error"]["code"] == "audit_unavailable"
    forwarded = [r.method for r in service.requests if r.url.path.startswith("/api/v1")]
    assert forwarded == ["POST", "GET", "POST"]  # the refused change never left
    assert unready.status_code == 503, unready.text
    audit = unready.json()["audit"]
    assert audit["status"] == "failing" and "maximum messages" in audit["last_error"].lower()
    assert again.status_code == 201
    assert [(r.broken, r.verifier.rejected_count) for r in reports] == [(None, 0)] * len(reports)
    assert sum(r.verifier.count for r in reports) == 2 + 2  # the first change (intent, outcome), the last one
