"""Webhook ingest and freshness: signed deliveries through the gateway vs a bare signed POST.

Ingest: wrk, 50 connections, each request a distinct `case.created` delivery signed beforehand;
accepted webhooks/s, p50 and p99 through the gateway (verify, JetStream append with fsync, audit)
against the bare app's route that verifies the same signature and stores nothing.

Freshness: new cases at a fixed rate (50 and 200 webhooks/s); for each, the time from sending the delivery to
its `CaseCreated` on the metrics stream — the case event the cases read model (and so the KPIs and
waves' gates) folds. The intake backlog of the ingest run is drained first.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import statistics
import time
from pathlib import Path
from typing import Any

import httpx
import nats

from bench.bare import BARE_WEBHOOK_SECRET
from bench.loadgen import Load, wrk
from bench.paced import PacedPoster
from bench.stack import Stack, running_bare, running_stack
from services.metrics.intake.process import case_id_of
from shared.webhooks import signed_headers

LOCATIONS = 20
STARTED = ("readiness", "metrics", "gateway")
FRESHNESS_RATES = (50, 200)  # webhooks/s: one the intake sustains, and the target's


def _patient(index: int) -> dict[str, Any]:
    return {"id": f"p{index}", "last_name": f"Patient{index}", "first_name": "Ann", "birth_date": "1990-02-01",
            "chart_number": f"C-{index}"}


def _case(index: int, case: str) -> dict[str, Any]:
    return {"type": "case.created", "occurred_at": "2026-01-05T10:00:00Z", "clinic_id": f"site-{index}",
            "case_id": case, "patient": _patient(index), "provider_id": "dr-bench"}


async def _setup(client: httpx.AsyncClient, token: str) -> tuple[list[str], dict[str, Any]]:
    auth = {"Authorization": f"Bearer {token}"}
    locations = []
    for index in range(LOCATIONS):
        made = await client.post("/api/v1/locations", headers=auth, json={"name": f"Bench {index}", "region": "north"})
        made.raise_for_status()
        locations.append(made.json()["id"])
    await asyncio.sleep(1.0)  # metrics learns the locations from readiness' stream
    clinics = {f"site-{i}": loc for i, loc in enumerate(locations)}
    scanner = await client.post("/api/v1/integrations", headers=auth,
                                json={"source": "itero", "name": "bench scanners", "clinic_map": clinics})
    pms = await client.post("/api/v1/integrations", headers=auth,
                            json={"source": "generic", "name": "bench PMS", "clinic_map": clinics})
    scanner.raise_for_status()
    pms.raise_for_status()
    for index in range(LOCATIONS):  # one PMS patient per location, for the scanner's cases to match
        body = {"type": "patient.updated", "occurred_at": "2026-01-05T09:00:00Z", "clinic_id": f"site-{index}",
                "patient": _patient(index)}
        await _post(client, pms.json()["webhook_url"], pms.json()["secret"], f"pms-{index}", body)
    return locations, scanner.json()


async def _post(client: httpx.AsyncClient, url: str, secret: str, webhook_id: str,
                body: dict[str, Any]) -> httpx.Response:
    raw = json.dumps(body).encode()
    headers = signed_headers(secret, webhook_id=webhook_id, timestamp=int(time.time()), body=raw)
    return await client.post(url, content=raw, headers=headers)


def _presigned(path: Path, secret: str, prefix: str, count: int) -> Path:
    """`count` distinct signed case deliveries for wrk (signed now: valid for the next five minutes)."""
    stamp = int(time.time())
    with path.open("w") as out:
        for n in range(count):
            case = f"{prefix}-{n}"
            raw = json.dumps(_case(n % LOCATIONS, case), separators=(",", ":")).encode()
            signature = signed_headers(secret, webhook_id=case, timestamp=stamp, body=raw)["webhook-signature"]
            out.write(f"{case}\t{stamp}\t{signature}\t{raw.decode()}\n")
    return path


async def _flood(url: str, secret: str, seconds: float, prefix: str, workdir: Path) -> Load:
    """wrk, 50 connections, each request a distinct pre-signed delivery."""
    requests = await asyncio.to_thread(_presigned, workdir / f"{prefix}.tsv", secret, prefix, 40_000)
    return await wrk(url, seconds=seconds, requests=requests)


async def _drained(stack: Stack, timeout: float = 300) -> None:
    nc = await nats.connect(stack.nats.url)
    try:
        js, end = nc.jetstream(), time.monotonic() + timeout
        while time.monotonic() < end:
            info = await js.consumer_info("DSO_INTAKE", "metrics-intake")
            if info.num_pending == 0 and info.num_ack_pending == 0:
                return
            await asyncio.sleep(0.5)
    finally:
        await nc.close()


async def _freshness(stack: Stack, gateway: str, scanner: dict[str, Any], locations: list[str], *, rate: float,
                     seconds: float) -> dict[str, float]:
    arrived: dict[str, float] = {}
    sent: dict[str, float] = {}
    total = int(rate * seconds)
    everything = asyncio.Event()
    nc = await nats.connect(stack.nats.url)

    async def seen(msg: Any) -> None:
        arrived.setdefault(msg.subject.split(".")[4], time.perf_counter())
        if len(sent) == total and len(arrived.keys() & sent.keys()) == total:
            everything.set()

    await nc.subscribe("dso.*.metrics.case.*.CaseCreated", cb=seen)
    await nc.flush()  # subscribed at the server before the first delivery goes out
    async with PacedPoster(gateway) as poster:
        began = time.perf_counter()
        tasks = []
        for n in range(total):
            await asyncio.sleep(max(began + n / rate - time.perf_counter(), 0))
            index, external = n % LOCATIONS, f"fresh{rate:g}-{n}"
            raw = json.dumps(_case(index, external)).encode()
            headers = signed_headers(scanner["secret"], webhook_id=external, timestamp=int(time.time()), body=raw)
            sent[case_id_of(locations[index], external)] = time.perf_counter()
            tasks.append(asyncio.create_task(poster.post(scanner["webhook_url"], headers, raw)))
        answers = await asyncio.gather(*tasks)
    if len(arrived.keys() & sent.keys()) == total:
        everything.set()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(everything.wait(), timeout=60)
    await nc.close()
    lags = sorted(arrived[c] - sent[c] for c in sent if c in arrived)
    cuts = statistics.quantiles(lags, n=100) if len(lags) > 1 else [0.0] * 99
    return {"sent": total, "accepted": sum(status == 202 for status in answers), "arrived": len(lags),
            "p50": cuts[49] * 1000, "p99": cuts[98] * 1000}


async def bench_webhooks(workdir: Path, *, seconds: float, fresh_seconds: float) -> list[dict[str, Any]]:
    async with running_bare(workdir) as bare:
        baseline = await _flood(f"{bare.url}/webhooks/itero/bare", BARE_WEBHOOK_SECRET, seconds, "bare", workdir)
    async with running_stack(workdir, started=STARTED) as stack:
        gateway = stack.services["gateway"].url
        async with httpx.AsyncClient(base_url=gateway, timeout=30) as client:
            locations, scanner = await _setup(client, stack.token)
        began = time.perf_counter()
        ours = await _flood(gateway + scanner["webhook_url"], scanner["secret"], seconds, "ingest", workdir)
        await _drained(stack)
        processed = ours.requests / (time.perf_counter() - began)  # every accepted delivery, start to drained
        fresh = {rate: await _freshness(stack, gateway, scanner, locations, rate=rate, seconds=fresh_seconds)
                 for rate in FRESHNESS_RATES}
    print(f"  webhooks: ours {ours}, bare {baseline}, freshness {fresh}")
    return [
        {"metric": "webhook_ingest", "ours": round(ours.rate, 1), "baseline": round(baseline.rate, 1),
         "ratio": round(ours.rate / baseline.rate, 3), "unit": "webhooks/s", "p50": round(ours.p50_ms, 1),
         "p99": round(ours.p99_ms, 1)},
        {"metric": "intake_processing", "ours": round(processed, 1), "baseline": round(ours.rate, 1),
         "ratio": round(processed / ours.rate, 3), "unit": "deliveries/s", "p50": None, "p99": None},
        *({"metric": f"webhook_to_case_event_{rate}_per_s", "ours": seen["arrived"], "baseline": seen["sent"],
           "ratio": round(seen["arrived"] / seen["sent"], 3), "unit": "cases seen/sent", "p50": round(seen["p50"], 1),
           "p99": round(seen["p99"], 1)} for rate, seen in fresh.items()),
    ]
