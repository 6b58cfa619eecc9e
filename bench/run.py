"""Benchmark: the event store and the projection runner against raw nats-py on the same server config.

    .venv/bin/python -m bench.run [--aggregates 20000] [--events 100000] [--repeat 3] [--quick]

Also (c): cross-service propagation latency (p50/p99, target p99 <= 250 ms).

Every trial gets a fresh NATS server with the production config (`sync_interval:
always`); sides alternate order between repeats and the median of each side is
reported, so one noisy trial does not decide a ratio. Results go to
`var/bench/results.json`. Targets are reported, never enforced.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, TypedDict

import typer
from rich.console import Console
from rich.table import Table

from bench import append, propagation, rebuild
from bench.servers import connect, fresh_server
from shared.telemetry import setup_tracing

TARGETS = {"append": 0.7, "rebuild": 0.5}
PROPAGATION_P99_TARGET_MS = 250.0
console = Console()


class Result(TypedDict):
    metric: str
    ours: float
    baseline: float
    ratio: float
    unit: str


@dataclass(frozen=True)
class Config:
    aggregates: int
    events: int
    repeat: int
    window: int
    batch: int
    workdir: Path


def order(trial: int) -> tuple[str, str]:
    """Alternate which side goes first, so warm-up and drift hit both alike."""
    return ("baseline", "ours") if trial % 2 == 0 else ("ours", "baseline")


async def bench_append(cfg: Config) -> dict[str, list[float]]:
    rates: dict[str, list[float]] = {"ours": [], "baseline": []}
    shapes = {}
    for trial in range(cfg.repeat):
        for side in order(trial):
            measure = append.ours if side == "ours" else append.baseline
            async with fresh_server(cfg.workdir) as server, connect(server.url) as nc:
                rate = await measure(nc, aggregates=cfg.aggregates, window=cfg.window, seed=trial)
                shapes[side] = await append.stored_shape(nc)
            rates[side].append(rate)
            console.print(f"  append  {side:<8} trial {trial + 1}: {rate:>10,.0f} events/s")
    if shapes["ours"] != shapes["baseline"]:
        console.print(f"[yellow]warning: stored messages differ: ours {shapes['ours']} vs {shapes['baseline']}")
    return rates


async def bench_rebuild(cfg: Config) -> dict[str, list[float]]:
    rates: dict[str, list[float]] = {"ours": [], "baseline": []}
    async with fresh_server(cfg.workdir) as server:
        async with connect(server.url) as nc:
            last_seq = await rebuild.populate(nc, events=cfg.events, window=cfg.window, seed=1)
        console.print(f"  rebuild stream written: {last_seq:,} events")
        for trial in range(cfg.repeat):
            for side in order(trial):
                if side == "ours":
                    with tempfile.TemporaryDirectory(dir=cfg.workdir, prefix="read-") as tmp:
                        rate = await rebuild.ours(server.url, last_seq=last_seq, batch=cfg.batch, workdir=Path(tmp))
                else:
                    rate = await rebuild.baseline(server.url, last_seq=last_seq, batch=cfg.batch, durable=f"raw{trial}")
                rates[side].append(rate)
                console.print(f"  rebuild {side:<8} trial {trial + 1}: {rate:>10,.0f} events/s")
    return rates


async def bench_propagation(cfg: Config, events: int) -> dict[str, dict[str, float]]:
    """Ack in waves' stream -> row in readiness's read model, one event at a time (p50/p99 over `events`)."""
    async with fresh_server(cfg.workdir) as server:
        with tempfile.TemporaryDirectory(dir=cfg.workdir, prefix="read-") as tmp:
            ours = await propagation.ours(server.url, events=events, workdir=Path(tmp))
        base = await propagation.baseline(server.url, events=events)
    found = {"ours": propagation.percentiles(ours), "baseline": propagation.percentiles(base)}
    for side, cuts in found.items():
        console.print(f"  propagation {side:<8}: p50 {cuts['p50_ms']:.1f} ms, p99 {cuts['p99_ms']:.1f} ms")
    return found


def report_propagation(found: dict[str, dict[str, float]], events: int) -> None:
    table = Table(title=f"Cross-service propagation, waves ack -> readiness read model ({events:,} events)")
    for column in ("side", "p50 ms", "p99 ms", "target", "met"):
        table.add_column(column, justify="left" if column == "side" else "right")
    p99 = found["ours"]["p99_ms"]
    met = "[green]yes" if p99 <= PROPAGATION_P99_TARGET_MS else "[red]no"
    table.add_row("ours", f"{found['ours']['p50_ms']:.1f}", f"{p99:.1f}", f"p99 <= {PROPAGATION_P99_TARGET_MS:.0f}",
                  met)
    table.add_row("baseline", f"{found['baseline']['p50_ms']:.1f}", f"{found['baseline']['p99_ms']:.1f}", "", "")
    console.print(table)


def latency_row(metric: str, found: dict[str, dict[str, float]], cut: str) -> Result:
    """A latency as a results row: ratio is ours / baseline (lower is better, unlike throughput)."""
    ours, base = found["ours"][f"{cut}_ms"], found["baseline"][f"{cut}_ms"]
    return Result(metric=metric, ours=ours, baseline=base, ratio=round(ours / max(base, 0.001), 3), unit="ms")


def summarize(metric: str, rates: dict[str, list[float]]) -> Result:
    ours, base = statistics.median(rates["ours"]), statistics.median(rates["baseline"])
    return Result(metric=metric, ours=round(ours, 1), baseline=round(base, 1), ratio=round(ours / base, 3),
                  unit="events/s")


def report(results: list[Result], repeat: int) -> None:
    table = Table(title=f"DSO Rollout benchmark (median of {repeat}, sync_interval: always)")
    for column in ("metric", "ours", "baseline", "ratio", "unit", "target", "met"):
        table.add_column(column, justify="left" if column in ("metric", "unit") else "right")
    for row in results:
        target = TARGETS[row["metric"]]
        met = "[green]yes" if row["ratio"] >= target else "[red]no"
        table.add_row(row["metric"], f"{row['ours']:,.0f}", f"{row['baseline']:,.0f}", f"{row['ratio']:.2f}x",
                      row["unit"], f">= {target:.1f}x", met)
    console.print(table)


def main(
    aggregates: Annotated[int, typer.Option(help="New locations appended in (a), one event each.")] = 20_000,
    events: Annotated[int, typer.Option(help="Events replayed in (b): events/4 locations x 4 events.")] = 100_000,
    repeat: Annotated[int, typer.Option(min=1, help="Trials per side; the median is reported.")] = 3,
    window: Annotated[int, typer.Option(min=1, help="Appends in flight (one gather per window).")] = 256,
    batch: Annotated[int, typer.Option(min=1, help="Fetch batch of both rebuild sides.")] = 256,
    tracing: Annotated[bool, typer.Option(help="SDK tracer installed, as in a service (not the CLI).")] = True,
    propagation_events: Annotated[int, typer.Option(min=100, help="Events timed for cross-service latency.")] = 1_000,
    quick: Annotated[bool, typer.Option(help="Smoke run: ~2k events, one trial.")] = False,
    out: Annotated[Path, typer.Option(help="Where to write the JSON results.")] = Path("var/bench/results.json"),
    workdir: Annotated[Path, typer.Option(help="Server stores and read models (use a real disk).")] = Path("var/bench"),
) -> None:
    """Measure append and rebuild throughput against raw nats-py baselines."""
    if quick:
        aggregates, events, repeat, propagation_events = 1_000, 1_000, 1, 200
    cfg = Config(aggregates, events, repeat, window, batch, workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    if tracing:
        setup_tracing("readiness")  # as every service does: projections open real (unexported) spans

    async def run() -> tuple[list[Result], dict[str, dict[str, float]]]:
        throughput = [summarize("append", await bench_append(cfg)), summarize("rebuild", await bench_rebuild(cfg))]
        return throughput, await bench_propagation(cfg, propagation_events)

    results, latency = asyncio.run(run())
    report(results, repeat)
    report_propagation(latency, propagation_events)
    out.parent.mkdir(parents=True, exist_ok=True)
    rows = results + [latency_row(f"propagation_{cut}", latency, cut) for cut in ("p50", "p99")]
    out.write_text(json.dumps(rows, indent=2) + "\n")
    console.print(f"results written to {out}")


if __name__ == "__main__":
    typer.run(main)
