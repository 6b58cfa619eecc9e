"""(c) the request path: our HTTP stack against bare FastAPI, the matrix page, propagation, fsync rate, RSS.

Ours is the real stack (bench.stack: fresh NATS with `sync_interval: always`, readiness
and the gateway as uvicorn processes, rate limit off, a super_admin token); the baseline
is bench.bare under the same uvicorn, both loaded by the same wrk (bench.loadgen).
One trial: the stack takes tens of seconds to fill, and wrk runs are long enough to settle.
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console

from bench import rebuild
from bench.loadgen import Load, wrk
from bench.servers import connect, fresh_server
from bench.stack import Stack, running_bare, running_stack
from bench.workload import ORG, command_meta, location_ref, message, registered
from services.readiness.locations.models import LocationRow
from services.readiness.programs.models import ProgramRow
from shared.contracts.waves import ProgramCreated
from shared.events import AggregateRef, Metadata, new_id
from shared.eventstore.base import NEW
from shared.eventstore.jetstream import JetStreamEventStore
from shared.playbooks import get_template

console = Console(width=None if sys.stdout.isatty() else 170)
LOCATIONS = "/api/v1/locations"


@dataclass(frozen=True)
class PathConfig:
    seconds: float  # per wrk run
    warmup: float  # an unmeasured wrk run first (0 = none)
    matrix_locations: int
    propagation_events: int
    loaded_events: int  # readiness events projected before the "loaded" RSS
    single_publishes: int
    windowed_publishes: int
    workdir: Path


def row(metric: str, ours: float, unit: str, *, baseline: float | None = None, p50: float | None = None,
        p99: float | None = None) -> dict[str, Any]:
    """One result row; `ratio` is ours / baseline when there is a baseline."""
    ratio = round(ours / baseline, 3) if baseline else None
    return {"metric": metric, "ours": round(ours, 1), "baseline": None if baseline is None else round(baseline, 1),
            "ratio": ratio, "unit": unit, "p50": None if p50 is None else round(p50, 2),
            "p99": None if p99 is None else round(p99, 2)}


def load_row(metric: str, ours: Load, baseline: Load | None) -> dict[str, Any]:
    return row(metric, ours.rate, "req/s", baseline=baseline.rate if baseline else None, p50=ours.p50_ms,
               p99=ours.p99_ms)


async def drained(url: str, token: str | None, *, timeout: float = 600, internal: str | None = None) -> None:
    """Wait until one GET of `url` answers 200: requests wrk abandoned at its end are still queued in the server."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if internal:
        headers["X-Internal-Token"] = internal
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(timeout=timeout) as client:
        while (answer := await client.get(url, headers=headers)).status_code in (502, 503, 504):
            if time.monotonic() > deadline:  # the gateway gave up waiting (504): the backlog is still there
                break
        answer.raise_for_status()


async def measure(label: str, url: str, cfg: PathConfig, *, probe: str | None = None, warmup: bool = True,
                  **options: Any) -> Load:
    """A warm-up run, then the measured one, each followed by a drain (`probe`: a GET URL, for POST runs)."""
    if cfg.warmup and warmup:
        await wrk(url, seconds=cfg.warmup, **options)
        await drained(probe or url, options.get("token"), internal=options.get("internal"))
    load = await wrk(url, seconds=cfg.seconds, **options)
    await drained(probe or url, options.get("token"), internal=options.get("internal"))
    warn = f" [red]{load.failed} failed[/red]" if load.failed else ""
    console.print(f"  http    {label:<24} {load.rate:>9,.0f} req/s  p50 {load.p50_ms:>7.1f} ms  "
                  f"p99 {load.p99_ms:>7.1f} ms{warn}")
    return load


def query(db: Path, sql: str, *args: object) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)) as conn:
        return conn.execute(sql, args).fetchall()


async def wait_projected(stack: Stack, *, locations: int, timeout: float) -> None:
    """Until readiness's read model holds `locations` fully scored locations of the bench org."""
    sql = f"SELECT count(*) FROM {LocationRow.__tablename__} WHERE org = ? AND version = ?"
    deadline = time.monotonic() + timeout
    while (done := query(stack.readiness_db, sql, ORG, 1 + rebuild.SCORINGS)[0][0]) < locations:
        if time.monotonic() > deadline:
            raise RuntimeError(f"readiness projected {done} of {locations} locations within {timeout:.0f}s")
        await asyncio.sleep(0.25)


async def fill(stack: Stack, *, locations: int, seed: int) -> None:
    """Append `locations` x 4 events through the event store and wait for readiness to project them."""
    sql = f"SELECT count(*) FROM {LocationRow.__tablename__} WHERE org = ? AND version = ?"
    before = query(stack.readiness_db, sql, ORG, 1 + rebuild.SCORINGS)[0][0]
    async with connect(stack.nats.url) as nc:
        await rebuild.populate(nc, events=locations * (1 + rebuild.SCORINGS), window=256, seed=seed)
    await wait_projected(stack, locations=before + locations, timeout=max(120.0, locations / 50))


async def propagation(stack: Stack, events: int) -> list[float]:
    """Seconds from JetStream's ack of a waves `ProgramCreated` to its row in readiness's `readiness_programs`.

    The real path: the waves stream, readiness's durable consumer and projection transaction,
    observed where readiness's API reads it (its SQLite file, polled every 0.5 ms). One at a time.
    """
    playbook = get_template("softsmile-dso").model_dump(mode="json")
    latencies = []
    async with connect(stack.nats.url) as nc:
        store = JetStreamEventStore(nc)
        with closing(sqlite3.connect(f"file:{stack.readiness_db}?mode=ro", uri=True, timeout=30)) as db:
            for _ in range(events):
                program_id = new_id()
                event = ProgramCreated(program_id=program_id, name="bench rollout", playbook_id="softsmile-dso",
                                       playbook_version="1.0.0", start_date=date(2025, 1, 6), playbook=playbook,
                                       created_by="bench")
                ref = AggregateRef(ORG, "waves", "program", program_id)
                await store.append(ref, [event.to_new_event()], expected=NEW, meta=Metadata(actor="super_admin:bench"))
                acked = time.perf_counter()
                # Polled inline, not in a thread: a thread hop would add its own latency to every sample.
                latencies.append(wait_visible(db, program_id, since=acked) - acked)
    return latencies


def wait_visible(db: sqlite3.Connection, program_id: str, *, since: float) -> float:
    """When readiness's programme row appeared (perf_counter), polling every 0.5 ms for at most 30 s."""
    seen = f"SELECT 1 FROM {ProgramRow.__tablename__} WHERE org = ? AND id = ?"
    while db.execute(seen, (ORG, program_id)).fetchone() is None:
        if time.perf_counter() - since > 30:
            raise RuntimeError(f"ProgramCreated {program_id} not in readiness after 30 s")
        time.sleep(0.0005)
    return time.perf_counter()


async def raw_publish(workdir: Path, *, single: int, windowed: int, in_flight: int = 50) -> list[dict[str, Any]]:
    """Raw JetStream publishes (the store's exact messages) on a fresh server with the same config."""
    rng = random.Random(7)

    def messages(n: int) -> Iterator[tuple[str, bytes, dict[str, str]]]:
        for _ in range(n):
            location_id = new_id()
            ref = location_ref(location_id)
            m = message(ref, registered(location_id, rng), command_meta("register_location", rng))
            yield m.subject, m.payload, m.headers

    one, many = list(messages(single)), list(messages(windowed))
    async with fresh_server(workdir) as server, connect(server.url) as nc:
        js = nc.jetstream()
        took = []
        start = time.perf_counter()
        for subject, payload, headers in one:
            sent = time.perf_counter()
            await js.publish(subject, payload, headers=headers)
            took.append(time.perf_counter() - sent)
        single_rate = single / (time.perf_counter() - start)
        gate = asyncio.Semaphore(in_flight)

        async def publish(subject: str, payload: bytes, headers: dict[str, str]) -> None:
            async with gate:
                await js.publish(subject, payload, headers=headers)

        start = time.perf_counter()
        await asyncio.gather(*(publish(*m) for m in many))
        windowed_rate = windowed / (time.perf_counter() - start)
    p50, p99 = percentiles(took)
    console.print(f"  publish fsync, 1 in flight        {single_rate:>9,.0f} /s  p50 {p50:.2f} ms  p99 {p99:.2f} ms")
    console.print(f"  publish fsync, {in_flight} in flight       {windowed_rate:>9,.0f} /s")
    return [row("publish_fsync_1", single_rate, "events/s", p50=p50, p99=p99),
            row(f"publish_fsync_{in_flight}", windowed_rate, "events/s")]


def percentiles(seconds: list[float]) -> tuple[float, float]:
    """p50 and p99 in ms."""
    cuts = statistics.quantiles(seconds, n=100, method="inclusive")
    return cuts[49] * 1000, cuts[98] * 1000


def one_location(stack: Stack) -> str:
    [(location_id,)] = query(stack.readiness_db, f"SELECT id FROM {LocationRow.__tablename__} WHERE org = ? LIMIT 1",
                             ORG)
    return str(location_id)


async def bench_request_path(cfg: PathConfig, on_stack: Callable[[Stack], None] | None = None) -> list[dict[str, Any]]:
    """Every request-path row, in one run."""
    rows: list[dict[str, Any]] = []
    async with running_bare(cfg.workdir) as bare:
        bare_rss = bare.rss_mb()
        bare_get = await measure("bare GET", f"{bare.url}{LOCATIONS}/01JBENCH", cfg)
        bare_post = await measure("bare POST", f"{bare.url}{LOCATIONS}", cfg, method="POST",
                                  probe=f"{bare.url}{LOCATIONS}/01JBENCH")
    async with running_stack(cfg.workdir) as stack:
        if on_stack:
            on_stack(stack)
        gateway, readiness = stack.services["gateway"], stack.services["readiness"]
        idle = {name: process.rss_mb() for name, process in stack.services.items()}
        await fill(stack, locations=cfg.matrix_locations, seed=1)
        location = f"{LOCATIONS}/{one_location(stack)}"
        ours_get = await measure("gateway GET", gateway.url + location, cfg, token=stack.token)
        direct_get = await measure("readiness GET", readiness.url + location, cfg, token=stack.token,
                                   internal=stack.internal("GET", location))
        ours_post = await measure("gateway POST", gateway.url + LOCATIONS, cfg, token=stack.writer_token,
                                  method="POST", probe=f"{gateway.url}/api/v1/locations?region=none")
        # The matrix last among wrk runs, without warm-up: its abandoned requests take longest to drain
        # (drained at readiness, where they queue; the gateway answers 504 after its forward timeout).
        matrix = await measure(f"matrix ({cfg.matrix_locations} loc.)",
                               f"{gateway.url}/api/v1/readiness/matrix?limit=100", cfg, token=stack.token,
                               warmup=False, probe=f"{readiness.url}/api/v1/readiness/matrix?limit=100",
                               internal=stack.internal("GET", "/api/v1/readiness/matrix?limit=100"))
        rows += [load_row("get_location_gateway", ours_get, bare_get),
                 load_row("get_location_readiness", direct_get, bare_get),
                 load_row("post_location_gateway", ours_post, bare_post),
                 load_row("matrix_page", matrix, None)]
        p50, p99 = percentiles(await propagation(stack, cfg.propagation_events))
        console.print(f"  propagation ProgramCreated -> readiness-programs: p50 {p50:.1f} ms  p99 {p99:.1f} ms "
                      f"({cfg.propagation_events} events)")
        rows.append(row("propagation_waves_to_readiness", p50, "ms", p50=p50, p99=p99))
        rows += [row(f"rss_idle_{name}", mb, "MB", baseline=bare_rss) for name, mb in idle.items()]
        await fill(stack, locations=cfg.loaded_events // (1 + rebuild.SCORINGS), seed=2)
        await asyncio.sleep(1)
        loaded = readiness.rss_mb()
        console.print(f"  rss     readiness after {cfg.loaded_events:,} more events: {loaded:,.0f} MB "
                      f"(idle {idle['readiness']:,.0f} MB, bare app {bare_rss:,.0f} MB)")
        rows.append(row("rss_readiness_loaded", loaded, "MB", baseline=bare_rss))
    rows += await raw_publish(cfg.workdir, single=cfg.single_publishes, windowed=cfg.windowed_publishes)
    return rows
