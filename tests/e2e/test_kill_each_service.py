"""Every service killed -9 in turn while 10k events are ingested through the gateway: 0 lost, 0 doubled.

`rollout up` runs the stack (its supervisor restarts what dies, as an orchestrator would). Signed webhooks
(the production ingest: gateway → DSO_INTAKE → metrics' cases) and location registrations (readiness, folded
by waves, training and metrics) arrive at a steady rate; the gateway, readiness, metrics, waves and training
are each killed -9 mid-stream. Senders retry what failed as real ones do — the same webhook id, the same
Idempotency-Key — and afterwards every stream holds each effect once and every read model has applied it all.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest

from shared.contracts.gateway import INTAKE, INTAKE_STREAM
from shared.contracts.gateway import SERVICE as AUDIT
from shared.eventstore.streams import stream_name
from shared.natsserver import free_port
from shared.webhooks import signed_headers
from tests.e2e.processes import child_pid

pytestmark = pytest.mark.e2e
ROLLOUT = str(Path(sys.executable).parent / "rollout")
SERVICES = ("gateway", "readiness", "waves", "training", "metrics")
KILLED = ("gateway", "readiness", "metrics", "waves", "training")
# ~10.2k events: per webhook its delivery, its audit entry, the case and the delivery's outcome; per
# registration the location and its audit entry (folded by four services: the heavier operation).
WEBHOOKS, LOCATIONS = 2_400, 300
RATE = 100  # operations per second: the ingest lasts ~27 s, long enough for five kills and restarts
SENDERS = 48
# What a sender may see while a service is down or restarting; anything else (a 500, a 4xx) is a defect.
TRANSIENT = {0, 409, 502, 503, 504}


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[dict[str, Any]]:
    env = os.environ | {"NATS_URL": f"nats://127.0.0.1:{free_port()}", "VAR_DIR": str(tmp_path / "var"),
                        "LOG_LEVEL": "WARNING", "GATEWAY_RATE_LIMIT_PER_S": "0",
                        # what a killed process had in hand comes back after this (production: 30 s)
                        "REACTION_ACK_WAIT_S": "3"}
    env |= {f"{name.upper()}_PORT": str(free_port()) for name in SERVICES}
    log = tmp_path / "rollout-up.log"
    with open(log, "wb") as out:
        process = subprocess.Popen([ROLLOUT, "up"], env=env, stdout=out, stderr=subprocess.STDOUT)
    gateway = f"http://127.0.0.1:{env['GATEWAY_PORT']}"
    try:
        deadline = time.monotonic() + 90
        while not ready(gateway):
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.3)
        token = subprocess.run([ROLLOUT, "token", "--org", "acme", "--role", "super_admin"], env=env, check=True,
                               capture_output=True, text=True).stdout.strip()
        yield {"env": env, "gateway": gateway, "process": process, "log": log,
               "auth": {"Authorization": f"Bearer {token}"}}
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)


def ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


async def until_sent(send: Callable[[], Awaitable[httpx.Response]], done: int) -> int:
    """Send until `done` comes back, as a sender retrying the same request does; return the attempts."""
    attempts = 0
    while True:
        attempts += 1
        try:
            status = (await send()).status_code
        except httpx.HTTPError:
            status = 0
        if status == done:
            return attempts
        assert status in TRANSIENT, f"answered {status} while a service was down"
        await asyncio.sleep(0.25)


def case(number: int) -> dict[str, Any]:
    return {"type": "case.created", "occurred_at": "2026-01-05T10:00:00Z", "clinic_id": "S-1",
            "case_id": f"K-{number}", "patient": {"last_name": "Lee", "first_name": "Ann", "birth_date": "1990-02-01",
                                                 "chart_number": "C-1"}}


async def counted(nats_url: str, stream: str, subject: str | None = None) -> int:
    nc = await nats.connect(nats_url)
    try:
        info = await nc.jetstream().stream_info(stream, subjects_filter=subject)
        return sum((info.state.subjects or {}).values()) if subject else info.state.messages
    finally:
        await nc.close()


@pytest.mark.timeout(300)
async def test_each_service_killed_mid_ingest_loses_nothing_and_doubles_nothing(stack: dict[str, Any]) -> None:
    env, auth, nats_url = stack["env"], stack["auth"], stack["env"]["NATS_URL"]
    async with httpx.AsyncClient(base_url=stack["gateway"], timeout=30,
                                 limits=httpx.Limits(max_connections=64)) as client:
        place = (await client.post("/api/v1/locations", headers=auth, json={"name": "North", "region": "n"})).json()
        for _ in range(100):  # metrics learns the location from readiness' stream
            made = await client.post("/api/v1/integrations", headers=auth, json={
                "source": "itero", "name": "scanners", "clinic_map": {"S-1": place["id"]}})
            if made.status_code == 201:
                break
            await asyncio.sleep(0.1)
        scanner = made.json()
        pms = (await client.post("/api/v1/integrations", headers=auth, json={
            "source": "generic", "name": "pms", "clinic_map": {"S-1": place["id"]}})).json()

        def webhook(integration: dict[str, Any], webhook_id: str, body: dict[str, Any]) -> Callable[[], Any]:
            raw = json.dumps(body).encode()

            def send() -> Awaitable[httpx.Response]:  # signed at each attempt, as a sender's retry is
                headers = signed_headers(integration["secret"], webhook_id=webhook_id, timestamp=int(time.time()),
                                         body=raw)
                return client.post(integration["webhook_url"], content=raw, headers=headers)
            return send

        def location(number: int) -> Callable[[], Awaitable[httpx.Response]]:
            return lambda: client.post("/api/v1/locations", json={"name": f"loc-{number:05d}", "region": "r"},
                                       headers=auth | {"Idempotency-Key": f"loc-{number}"})

        patient = {"type": "patient.updated", "occurred_at": "2026-01-05T09:00:00Z", "clinic_id": "S-1",
                   "patient": {**case(0)["patient"], "id": "p1"}}
        await until_sent(webhook(pms, "patient", patient), 202)

        operations: list[tuple[Callable[[], Awaitable[httpx.Response]], int]] = []
        for n in range(WEBHOOKS):  # interleaved: a registration after every eighth webhook
            operations.append((webhook(scanner, f"k-{n}", case(n)), 202))
            if n % 8 == 7 and (number := n // 8) < LOCATIONS:
                operations.append((location(number), 201))
        finished: list[int] = []

        async def ingest() -> None:
            """Operations at RATE per second from a fixed set of senders (a bounded client, as real ones are)."""
            queue: asyncio.Queue[tuple[Callable[[], Awaitable[httpx.Response]], int]] = asyncio.Queue()
            for operation in operations:
                queue.put_nowait(operation)
            started, issued = time.monotonic(), itertools.count()

            async def sender() -> None:
                while not queue.empty():
                    send, done = queue.get_nowait()
                    await asyncio.sleep(max(0.0, started + next(issued) / RATE - time.monotonic()))
                    finished.append(await until_sent(send, done))

            await asyncio.gather(*(sender() for _ in range(SENDERS)))

        running = asyncio.create_task(ingest())
        killed: list[str] = []
        for name in KILLED:
            await asyncio.sleep(1.5)
            assert not running.done(), f"the ingest ended before {name} was killed"
            os.kill(child_pid(stack["process"].pid, name), signal.SIGKILL)
            killed.append(name)
            port = env[f"{name.upper()}_PORT"]
            for _ in range(300):  # `rollout up` restarts it after its back-off
                await asyncio.sleep(0.1)
                if await asyncio.to_thread(ready, f"http://127.0.0.1:{port}"):
                    break
            else:
                pytest.fail(f"{name} was not restarted: {stack['log'].read_text()[-2000:]}")
        await running
        assert killed == list(KILLED) and len(finished) == len(operations)
        assert sum(finished) > len(operations), "some sends failed and were retried (the kills landed)"

        created = "dso.acme.metrics.case.*.CaseCreated"
        for _ in range(1200):  # metrics works through the intake backlog
            if await counted(nats_url, stream_name("metrics"), created) >= WEBHOOKS:
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(2.0)  # anything doubled would land by now

        assert await counted(nats_url, INTAKE_STREAM, "dso.acme.intake.>") == WEBHOOKS + 1
        assert await counted(nats_url, stream_name("metrics"), created) == WEBHOOKS
        registered = "dso.acme.readiness.location.*.LocationRegistered"
        assert await counted(nats_url, stream_name("readiness"), registered) == LOCATIONS + 1
        streams = {s: await counted(nats_url, stream_name(s)) for s in ("readiness", "waves", "training", "metrics",
                                                                         AUDIT, INTAKE)}
        assert sum(streams.values()) >= 10_000, f"the ingest appended {streams}"

        names: list[str] = []
        params = {"limit": "500"}
        while True:  # the read model: every location once
            page = await client.get("/api/v1/locations", headers=auth, params=params)
            names += [row["name"] for row in page.json()]
            if "X-Next-Cursor" not in page.headers:
                break
            params["cursor"] = page.headers["X-Next-Cursor"]
        assert sorted(names) == sorted(["North", *(f"loc-{n:05d}" for n in range(LOCATIONS))])
        kpis = (await client.get(f"/api/v1/locations/{place['id']}/kpis", headers=auth)).json()
        assert kpis["values"]["aligner_cases_per_month"]["n"] == WEBHOOKS
        assert (await client.get("/api/v1/integrations/parked", headers=auth)).json() == []

    async with httpx.AsyncClient(headers=auth) as plain:
        for name in SERVICES:  # every projection of every service caught up, nothing dead-lettered
            await caught_up(plain, f"http://127.0.0.1:{env[f'{name.upper()}_PORT']}", name)


async def caught_up(client: httpx.AsyncClient, url: str, name: str) -> None:
    for _ in range(100):
        checks = (await client.get(f"{url}/readyz")).json()
        projections = checks.get("projections", {})
        if all(p["lag"] == 0 for p in projections.values()):
            break
        await asyncio.sleep(0.2)
    assert checks["status"] == "ready", (name, checks)
    assert all(p["lag"] == 0 and p["dead_letters"] == 0 for p in projections.values()), (name, projections)
