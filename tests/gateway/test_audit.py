"""The audit trail through the gateway: every decision chained, queried by super admins of its org, verified.

Runs on SQLite and PostgreSQL (the query side is a read model); the chain itself
lives on JetStream and is verified from there by `rollout audit verify`.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import httpx
import nats
from typer.testing import CliRunner

from cli.main import app as rollout
from services.gateway.app import create_app
from services.gateway.audit.key import audit_key
from services.gateway.audit.trail import read_entries
from services.gateway.audit.verify import verify_trails
from shared.auth import issue_token
from shared.config import PlatformSettings
from shared.contracts.gateway import STREAM, trail_subject
from tests.conftest import bearer, serve
from tests.gateway.conftest import Recorder


def created(request: httpx.Request) -> httpx.Response:
    return httpx.Response(201 if request.method == "POST" else 200, json={"ok": True})


async def test_every_decision_is_chained_and_only_its_orgs_super_admins_read_it(
    gateway_settings, database_url, platform: PlatformSettings, org
) -> None:
    other_org = f"{org}b"
    admin = bearer(issue_token(platform, org=org, role="super_admin", subject="ada"))
    provider = bearer(issue_token(platform, org=org, role="provider", subject="pat", locations=("L1",)))
    started = datetime.now(UTC)
    settings = gateway_settings(database_url=database_url)
    async with serve(create_app(settings, transport=Recorder(created).transport())) as client:

        async def call(method: str, path: str, headers: dict[str, str], request_id: str) -> int:
            response = await client.request(method, path, json={}, headers=headers | {"X-Request-Id": request_id})
            return response.status_code

        assert await call("POST", "/api/v1/locations", admin, "req-create") == 201
        assert await call("GET", "/api/v1/locations/L1", provider, "req-read") == 200
        assert await call("POST", "/api/v1/locations", provider, "req-role") == 403
        assert await call("GET", "/api/v1/locations/L2", provider, "req-scope") == 403
        assert await call("GET", "/api/v1/readiness/matrix", {}, "req-anonymous") == 401  # org unknown: not chained
        stranger = bearer(issue_token(platform, org=other_org, role="provider"))
        assert await call("GET", "/api/v1/readiness/matrix", stranger, "req-other-org") == 200

        def audit(**params: object) -> object:
            return client.get("/api/v1/audit", headers=admin, params=params)

        everything = (await audit()).json()
        denied = (await audit(outcome="deny", path="/api/v1/locations")).json()
        pats = (await audit(actor="pat", status=200)).json()
        window = (await audit(since=started.isoformat(), until=(started + timedelta(hours=1)).isoformat(),
                              path="/api/v1/loc")).json()
        first_page = (await audit(limit=2, path="/api/v1/locations")).json()
        second_page = (await audit(limit=2, path="/api/v1/locations", before=first_page["next_before"])).json()
        third_page = (await audit(limit=2, path="/api/v1/locations", before=second_page["next_before"])).json()
        empty = (await audit(until=started.isoformat())).json()
        as_provider = await client.get("/api/v1/audit", headers=provider)
        other_admin = await client.get(
            "/api/v1/audit", headers=bearer(issue_token(platform, org=other_org, role="super_admin"))
        )
        bad_outcome = await client.get("/api/v1/audit", headers=admin, params={"outcome": "maybe"})
        backwards = await client.get(
            "/api/v1/audit", headers=admin, params={"since": "2026-02-01T00:00:00Z", "until": "2026-01-01T00:00:00"}
        )

    entries = everything["entries"]
    # Newest first; the change left its intent (before it was forwarded) and its outcome.
    assert [(e["request_id"], e["phase"]) for e in entries] == [
        ("req-scope", "outcome"), ("req-role", "outcome"), ("req-read", "outcome"),
        ("req-create", "outcome"), ("req-create", "intent"),
    ]
    intent, create = entries[-1], entries[-2]
    assert {k: create[k] for k in ("actor", "role", "method", "path", "route", "permission", "target")} == {
        "actor": "ada", "role": "super_admin", "method": "POST", "path": "/api/v1/locations",
        "route": "/api/v1/locations", "permission": "locations:register", "target": "readiness",
    }
    assert (intent["decision"], intent["status"], intent["org"], intent["index"]) == ("allow", None, org, 1)
    assert (create["decision"], create["status"], create["org"], create["index"]) == ("allow", 201, org, 2)
    assert intent["prev_hash"] == "0" * 64 and create["prev_hash"] == intent["hash"]
    assert [(e["request_id"], e["status"]) for e in denied["entries"]] == [("req-scope", 403), ("req-role", 403)]
    reason = "permission locations:read on location L2 is outside the caller's locations"
    assert denied["entries"][0]["reason"] == reason
    assert [e["request_id"] for e in pats["entries"]] == ["req-read"]
    every_request = ["req-scope", "req-role", "req-read", "req-create", "req-create"]
    assert [e["request_id"] for e in window["entries"]] == every_request
    pages = [first_page, second_page, third_page]
    assert [[e["request_id"] for e in page["entries"]] for page in pages] == [
        every_request[:2], every_request[2:4], every_request[4:]
    ]
    assert third_page["next_before"] is None and empty["entries"] == []
    assert as_provider.status_code == 403 and "audit:read" in as_provider.json()["error"]["message"]
    assert [e["request_id"] for e in other_admin.json()["entries"]] == ["req-other-org"]
    assert bad_outcome.status_code == 422 and bad_outcome.json()["error"]["field"] == "outcome"
    assert backwards.status_code == 422
    assert backwards.json()["error"] == {
        "code": "rule_violated", "message": "until must be later than since", "field": "until"
    }


async def test_each_replica_keeps_its_own_chain_and_verify_rejects_a_rewritten_entry(
    gateway_settings, platform: PlatformSettings, token, org
) -> None:
    settings = gateway_settings(audit_retention_days=30)
    service = Recorder()
    auth = bearer(token(org, "executive"))
    async with serve(create_app(settings, transport=service.transport())) as a, serve(
        create_app(settings, transport=service.transport())
    ) as b:
        answers = await asyncio.gather(*(r.get("/api/v1/readiness/matrix", headers=auth) for r in [a, b] * 15))
        await b.get("/api/v1/readiness/matrix", headers=bearer(token(f"{org}b")))
    assert {r.status_code for r in answers} == {200}

    nc = await nats.connect(platform.nats_url)
    try:
        stream = (await nc.jetstream().stream_info(STREAM)).config
        assert (stream.max_age, stream.deny_delete, stream.deny_purge) == (30 * 86400, True, True)
        reports = await verify_trails(nc, key=audit_key(settings))
        mine = [r for r in reports if r.org == org]
        assert [(r.broken, r.verifier.count, r.verifier.rejected_count) for r in mine] == [(None, 15, 0)] * 2
        assert all(r.recorder.startswith("gateway-") for r in reports)  # one chain per replica, none forked
        entries = [(subject, data) async for subject, _, data in read_entries(nc, org=org)]
        # Someone with write access to NATS rewrites entry 7 (the stream refuses edits, so it is appended).
        subject, seventh = next((subject, data) for subject, data in entries if data["index"] == 7)
        forged = seventh | {"actor": "someone-else"}
        await nc.jetstream().publish(subject, json.dumps(forged).encode())
    finally:
        await nc.close()

    env = {"NATS_URL": platform.nats_url, "VAR_DIR": str(platform.var_dir)}
    broken = await asyncio.to_thread(CliRunner().invoke, rollout, ["audit", "verify", "--org", org], env=env)
    fine = await asyncio.to_thread(CliRunner().invoke, rollout, ["audit", "verify", "--org", f"{org}b"], env=env)
    assert broken.exit_code == 1, broken.output
    recorder = subject.split(".")[4]
    assert f"{org}/{recorder}: intact, 15 entries 1..15" in broken.output
    assert "REJECTED stream sequence 32: hash does not verify under the audit key (forged or altered)" in broken.output
    assert fine.exit_code == 0 and ": intact, 1 entries 1..1" in fine.output
    assert trail_subject(org) == f"dso.{org}.audit.trail.>"
