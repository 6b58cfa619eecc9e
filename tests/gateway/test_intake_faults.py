"""Webhook intake under a crash: metrics killed -9 while deliveries stream in loses none and doubles none.

The gateway keeps accepting (it only verifies and appends to DSO_INTAKE); metrics, killed mid-batch and
started again, resumes after its ack floor and its projections' checkpoints. Every accepted delivery
becomes exactly one case, repeats included.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest

from services.gateway.app import create_app
from shared.contracts.gateway import INTAKE_STREAM
from shared.eventstore.streams import stream_name
from shared.natsserver import free_port
from shared.webhooks import signed_headers
from tests.conftest import bearer
from tests.gateway.conftest import listening

pytestmark = pytest.mark.e2e
DELIVERIES = 400


class Metrics:
    """The metrics service as its own process, killable like a crash."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env, self.url = env, f"http://127.0.0.1:{env['METRICS_PORT']}"
        self.process: subprocess.Popen[bytes] | None = None

    async def start(self) -> None:
        command = [sys.executable, "-m", "uvicorn", "services.metrics.app:create_app", "--factory", "--host",
                   "127.0.0.1", "--port", self.env["METRICS_PORT"], "--no-access-log"]
        self.process = await asyncio.to_thread(subprocess.Popen, command, env=self.env, stderr=subprocess.DEVNULL)
        async with httpx.AsyncClient() as client:
            for _ in range(300):
                try:
                    if (await client.get(f"{self.url}/readyz", timeout=1)).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.1)
        raise RuntimeError("metrics did not become ready")

    def kill(self) -> None:
        assert self.process
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)


async def count(nats_url: str, stream: str, subject: str) -> int:
    nc = await nats.connect(nats_url)
    try:
        info = await nc.jetstream().stream_info(stream, subjects_filter=subject)
        return sum((info.state.subjects or {}).values())
    finally:
        await nc.close()


def case(number: int) -> dict[str, Any]:
    return {"type": "case.created", "occurred_at": "2026-01-05T10:00:00Z", "clinic_id": "S-1",
            "case_id": f"K-{number}", "patient": {"last_name": "Lee", "first_name": "Ann", "birth_date": "1990-02-01",
                                                 "chart_number": "C-1"}}


async def test_metrics_killed_mid_intake_loses_no_delivery_and_doubles_none(
        platform, gateway_settings, readiness_url, token, org, tmp_path: Path) -> None:
    env = os.environ | {"NATS_URL": platform.nats_url, "VAR_DIR": str(platform.var_dir),
                        "METRICS_PORT": str(free_port()), "LOG_LEVEL": "WARNING",
                        # what the killed process had in hand comes back after this (production: 30 s)
                        "REACTION_ACK_WAIT_S": "3",
                        "METRICS_DATABASE_URL": f"sqlite:///{tmp_path / 'metrics.db'}"}
    metrics = Metrics(env)
    await metrics.start()
    try:
        settings = gateway_settings(readiness_url=readiness_url, metrics_url=metrics.url, rate_limit_per_s=0)
        async with listening(create_app(settings)) as url, httpx.AsyncClient(base_url=url, timeout=30) as client:
            admin = bearer(token(org))
            place = (await client.post("/api/v1/locations", headers=admin,
                                       json={"name": "North", "region": "north"})).json()["id"]
            for _ in range(100):  # metrics learns the location from readiness' stream
                made = await client.post("/api/v1/integrations", headers=admin, json={
                    "source": "itero", "name": "scanners", "clinic_map": {"S-1": place}})
                if made.status_code == 201:
                    break
                await asyncio.sleep(0.1)
            scanner = made.json()
            pms = (await client.post("/api/v1/integrations", headers=admin, json={
                "source": "generic", "name": "pms", "clinic_map": {"S-1": place}})).json()

            async def send(integration: dict[str, Any], webhook_id: str, body: dict[str, Any]) -> int:
                raw = json.dumps(body).encode()
                headers = signed_headers(integration["secret"], webhook_id=webhook_id, timestamp=int(time.time()),
                                         body=raw)
                return (await client.post(integration["webhook_url"], content=raw, headers=headers)).status_code

            patient = {"type": "patient.updated", "occurred_at": "2026-01-05T09:00:00Z", "clinic_id": "S-1",
                       "patient": {**case(0)["patient"], "id": "p1"}}
            assert await send(pms, "patient", patient) == 202
            accepted = 0
            for start in range(0, DELIVERIES, 50):
                answers = await asyncio.gather(*(send(scanner, f"k-{n}", case(n)) for n in range(start, start + 50)))
                accepted += answers.count(202)
                if start == 100:
                    metrics.kill()  # SIGKILL mid-batch: deliveries keep coming, the gateway keeps accepting
                if start == 250:
                    await metrics.start()
            # Repeats after the restart: the same webhook ids, one effect each.
            repeats = await asyncio.gather(*(send(scanner, f"k-{n}", case(n)) for n in range(0, DELIVERIES, 7)))
            assert accepted == DELIVERIES and set(repeats) == {202}

            created = f"dso.{org}.metrics.case.*.CaseCreated"
            for _ in range(600):
                if await count(platform.nats_url, stream_name("metrics"), created) >= DELIVERIES:
                    break
                await asyncio.sleep(0.1)
            await asyncio.sleep(1.0)  # anything doubled would land by now
            assert await count(platform.nats_url, stream_name("metrics"), created) == DELIVERIES
            assert await count(platform.nats_url, INTAKE_STREAM, f"dso.{org}.intake.>") == DELIVERIES + 1
            kpis = (await client.get(f"/api/v1/locations/{place}/kpis", headers=admin)).json()
            assert kpis["values"]["aligner_cases_per_month"]["n"] == DELIVERIES
            assert (await client.get("/api/v1/integrations/parked", headers=admin)).json() == []
    finally:
        metrics.stop()
