"""Audited requests/s through the gateway: what the audit trail costs an org's traffic.

The gateway runs in-process (lifespan included) against a real nats-server with
`sync_interval: always`; the services are a stand-in answering at once, so the
numbers are the edge plus its audit appends. `concurrency` requests of one org are
kept in flight for `seconds`, reads and changes measured separately. Runs against
any revision of the gateway (it only needs `create_app`), so before/after compare:

    .venv/bin/python -m bench.audit_throughput --concurrency 50 --seconds 10
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path
from time import perf_counter

import httpx
from nats.aio.client import Client

from services.gateway.app import create_app
from services.gateway.audit.trail import AuditTrail
from services.gateway.config import GatewaySettings
from shared.auth import issue_token
from shared.config import PlatformSettings
from shared.contracts.gateway import audit_stream
from shared.natsserver import EmbeddedNats, free_port


def stand_in(request: httpx.Request) -> httpx.Response:
    return httpx.Response(201 if request.method == "POST" else 200, json={"ok": True})


async def measure(settings: GatewaySettings, *, method: str, concurrency: int, seconds: float) -> tuple[float, int]:
    """(requests/s, non-2xx answers) with `concurrency` requests of one org in flight."""
    app = create_app(settings, transport=httpx.MockTransport(stand_in))
    headers = {"Authorization": f"Bearer {issue_token(settings, org='bench', role='super_admin')}"}
    path = "/api/v1/locations" if method == "POST" else "/api/v1/readiness/matrix"
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway", timeout=30) as client:
            done = failed = 0
            deadline = perf_counter() + seconds

            async def worker() -> None:
                nonlocal done, failed
                while perf_counter() < deadline:
                    response = await client.request(method, path, headers=headers, json={})
                    done += 1
                    failed += response.status_code >= 300

            started = perf_counter()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            return done / (perf_counter() - started), failed


def new_trail(nc: Client) -> AuditTrail:
    """The gateway's trail writer with a throwaway key."""
    return AuditTrail(nc, key=b"k" * 32)


async def trail_only(url: str, *, concurrency: int, seconds: float) -> float:
    """Entries/s of the trail writer alone: `concurrency` writers appending to one org's trail."""
    import nats

    from shared.events import Metadata

    nc = await nats.connect(url)
    await nc.jetstream().add_stream(audit_stream())
    trail = new_trail(nc)
    fields = {"time": "2026-01-01T00:00:00Z", "actor": "a", "role": "super_admin", "method": "GET", "path": "/x",
              "decision": "allow", "status": 200, "request_id": "r"}
    done = 0
    deadline = perf_counter() + seconds

    async def writer() -> None:
        nonlocal done
        while perf_counter() < deadline:
            await trail.record("bench", fields, meta=Metadata())  # type: ignore[attr-defined]
            done += 1

    started = perf_counter()
    await asyncio.gather(*(writer() for _ in range(concurrency)))
    rate = done / (perf_counter() - started)
    await nc.close()
    return rate


async def main(concurrency: int, seconds: float) -> None:
    with tempfile.TemporaryDirectory() as tmp, EmbeddedNats(Path(tmp) / "nats") as server:
        platform = PlatformSettings(nats_url=server.url, var_dir=Path(tmp) / "var", log_json=False, log_level="ERROR")
        services = ("readiness", "waves", "training", "metrics")
        urls = {f"{name}_url": f"http://127.0.0.1:{free_port()}" for name in services}
        settings = GatewaySettings(**platform.model_dump(), **urls, rate_limit_per_s=0,
                                   database_url=f"sqlite:///{Path(tmp) / 'gateway.db'}")
        rate = await trail_only(server.url, concurrency=concurrency, seconds=seconds)
        print(f"trail concurrency {concurrency}: {rate:8.1f} entries/s (the writer alone, one org)")
        for method in ("GET", "POST"):
            rate, failed = await measure(settings, method=method, concurrency=concurrency, seconds=seconds)
            print(f"{method:4} concurrency {concurrency}: {rate:8.1f} audited requests/s ({failed} non-2xx)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.concurrency, arguments.seconds))
