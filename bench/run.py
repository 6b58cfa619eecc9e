"""Benchmark: the event store, the projection runner and the HTTP request path against bare baselines.

    .venv/bin/python -m bench.run [--aggregates 20000] [--events 100000] [--repeat 3] [--seconds 10] [--quick]

Append and rebuild: every trial gets a fresh NATS server with the production config
(`sync_interval: always`); sides alternate order between repeats and the median of
each side is reported, so one noisy trial does not decide a ratio. The request path
(bench.requestpath) runs our stack and a bare FastAPI app under the same wrk, once.
Results go to `var/bench/results.json`. Targets are reported, never enforced.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypedDict

import typer
from rich.console import Console
from rich.table import Table

from bench import append, rebuild
from bench.gates import bench_gates
from bench.requestpath import PathConfig, bench_request_path
from bench.servers import connect, fresh_server
from bench.webhooks import bench_webhooks
from shared.telemetry import setup_tracing

PARTS = ("append", "rebuild", "http", "gates", "webhooks")
# Wide enough for every column when piped (make bench | tee), as in a terminal.
console = Console(width=None if sys.stdout.isatty() else 170)


class Result(TypedDict):
    metric: str
    ours: float
    baseline: float | None
    ratio: float | None
    unit: str
    p50: float | None  # ms, where the metric has a latency
    p99: float | None


def _ratio(at_least: float) -> tuple[str, Any]:
    return f">= {at_least:g}x", lambda r: r["ratio"] is not None and r["ratio"] >= at_least


def _ratio_p99(at_least: float, p99_ms: float) -> tuple[str, Any]:
    return (f">= {at_least:g}x, p99 <= {p99_ms:g} ms",
            lambda r: r["ratio"] is not None and r["ratio"] >= at_least and r["p99"] <= p99_ms)


def _most(limit: float, key: str = "ours") -> tuple[str, Any]:
    return f"{key} <= {limit:g}", lambda r: r[key] is not None and r[key] <= limit


# The targets (issue 10), reported beside each row, never enforced.
TARGETS: dict[str, tuple[str, Any]] = {
    "append": _ratio(0.7),
    "rebuild": _ratio(0.7),
    "get_location_gateway": _ratio_p99(0.25, 25),
    "post_location_gateway": _ratio_p99(0.1, 60),
    "matrix_page": _most(30, "p99"),
    "rss_idle_readiness": _most(120),
    "rss_idle_gateway": _most(120),
    "rss_readiness_loaded": _most(250),
    "gate_evaluation_50_locations_100k_events": _most(50, "p99"),
    "gate_evaluation_50_locations_1000k_events": _most(50, "p99"),
    "webhook_to_case_event_200_per_s": _most(500, "p99"),
    "webhook_to_case_event_50_per_s": _most(500, "p99"),
}


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


def summarize(metric: str, rates: dict[str, list[float]]) -> Result:
    ours, base = statistics.median(rates["ours"]), statistics.median(rates["baseline"])
    return Result(metric=metric, ours=round(ours, 1), baseline=round(base, 1), ratio=round(ours / base, 3),
                  unit="events/s", p50=None, p99=None)


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.1f}"


def report(results: list[Result], repeat: int) -> None:
    title = f"DSO Rollout benchmark (append/rebuild: median of {repeat}; http: wrk -t1 -c50; sync_interval: always)"
    table = Table(title=title)
    for column in ("metric", "ours", "baseline", "ratio", "unit", "p50 ms", "p99 ms", "target", "met"):
        table.add_column(column, justify="left" if column in ("metric", "unit", "target") else "right")
    for row in results:
        target, met = TARGETS.get(row["metric"], ("", None))
        verdict = "" if met is None else "[green]yes" if met(row) else "[red]no"
        ratio = "-" if row["ratio"] is None else f"{row['ratio']:.3f}x"
        table.add_row(row["metric"], _number(row["ours"]), _number(row["baseline"]), ratio, row["unit"],
                      _number(row["p50"]), _number(row["p99"]), target, verdict)
    console.print(table)


def main(
    aggregates: Annotated[int, typer.Option(help="New locations appended in (a), one event each.")] = 20_000,
    events: Annotated[int, typer.Option(help="Events replayed in (b): events/4 locations x 4 events.")] = 100_000,
    repeat: Annotated[int, typer.Option(min=1, help="Trials per side; the median is reported.")] = 3,
    window: Annotated[int, typer.Option(min=1, help="Appends in flight (one gather per window).")] = 256,
    batch: Annotated[int, typer.Option(min=1, help="Fetch batch of both rebuild sides.")] = 256,
    tracing: Annotated[bool, typer.Option(help="SDK tracer installed, as in a service (not the CLI).")] = True,
    seconds: Annotated[float, typer.Option(min=1, help="Length of each measured wrk run.")] = 10,
    matrix_locations: Annotated[int, typer.Option(help="Locations of the org whose matrix is read.")] = 2_000,
    propagation_events: Annotated[int, typer.Option(help="ProgramCreated events timed to readiness.")] = 1_000,
    loaded_events: Annotated[int, typer.Option(help="Readiness events projected before the loaded RSS.")] = 100_000,
    parts: Annotated[str, typer.Option(help="Comma-separated subset of the parts (PARTS).")] = ",".join(PARTS),
    quick: Annotated[bool, typer.Option(help="Smoke run: ~2k events, one trial, 2 s wrk runs.")] = False,
    out: Annotated[Path, typer.Option(help="Where to write the JSON results.")] = Path("var/bench/results.json"),
    workdir: Annotated[Path, typer.Option(help="Server stores and read models (use a real disk).")] = Path("var/bench"),
) -> None:
    """Measure append, rebuild and the HTTP request path against their bare baselines."""
    chosen = [part.strip() for part in parts.split(",") if part.strip()]
    if unknown := set(chosen) - set(PARTS):
        raise typer.BadParameter(f"unknown parts {sorted(unknown)}; choose from {', '.join(PARTS)}", param_hint="parts")
    warmup, workdir = 2.0, workdir.resolve()
    if quick:
        aggregates, events, repeat, seconds, warmup = 1_000, 1_000, 1, 2, 1
        matrix_locations, propagation_events, loaded_events = 300, 100, 2_000
    cfg = Config(aggregates, events, repeat, window, batch, workdir)
    path = PathConfig(seconds=seconds, warmup=warmup, matrix_locations=matrix_locations,
                      propagation_events=propagation_events, loaded_events=loaded_events,
                      single_publishes=200 if quick else 2_000, windowed_publishes=1_000 if quick else 10_000,
                      workdir=workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    if tracing:
        setup_tracing("readiness")  # as every service does: projections open real (unexported) spans

    async def run() -> list[Result]:
        results = []
        if "append" in chosen:
            results.append(summarize("append", await bench_append(cfg)))
        if "rebuild" in chosen:
            results.append(summarize("rebuild", await bench_rebuild(cfg)))
        if "http" in chosen:
            results += [Result(**row) for row in await bench_request_path(path)]  # type: ignore[typeddict-item]
        if "gates" in chosen:
            rows = await asyncio.to_thread(bench_gates, workdir, repeat=10 if quick else 50)
            results += [Result(**row) for row in rows]  # type: ignore[typeddict-item]
        if "webhooks" in chosen:
            rows = await bench_webhooks(workdir, seconds=seconds, fresh_seconds=2 if quick else 10)
            results += [Result(**row) for row in rows]  # type: ignore[typeddict-item]
        return results

    results = asyncio.run(run())
    report(results, repeat)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    console.print(f"results written to {out}")


if __name__ == "__main__":
    typer.run(main)
