"""Profile our side of the benchmark with pyinstrument (not a project dependency: pip install it yourself).

    .venv/bin/python -m bench.hotspots append|rebuild|apply [--size N] [--cpu]

`rebuild` profiles the runner on its event loop (on SQLite the read-model transaction runs
inline there, `shared.db.on_engine`); `apply` profiles `store.apply_batch` alone on the
same events, read beforehand, without NATS.
Text reports go to var/bench/profile-<what>[-cpu].txt.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Annotated, Literal, cast

import typer

from bench import append, rebuild
from bench.servers import connect, fresh_server
from services.readiness.locations.projections import LocationsProjection
from shared.db import make_engine
from shared.events import RecordedEvent
from shared.projections import store
from shared.projections.base import Projection
from shared.telemetry import setup_tracing

WORKDIR = Path("var/bench")


async def read_all(url: str, last_seq: int) -> list[RecordedEvent]:
    async with connect(url) as nc:
        js = nc.jetstream()
        sub = await js.subscribe("dso.*.readiness.>", stream=rebuild.STREAM, ordered_consumer=True)
        events: list[RecordedEvent] = []
        while len(events) < last_seq:
            m = await sub.next_msg(timeout=5)
            events.append(RecordedEvent.from_message(m.subject, m.headers or {}, m.data, m.metadata.sequence.stream))
        return events


async def profiled(what: str, size: int, async_mode: Literal["enabled", "disabled"]) -> str:
    from pyinstrument import Profiler

    profiler = Profiler(async_mode=async_mode)
    async with fresh_server(WORKDIR) as server:
        if what == "append":
            async with connect(server.url) as nc:
                with profiler:
                    await append.ours(nc, aggregates=size, window=256, seed=0)
            return profiler.output_text(unicode=True, show_all=True)
        async with connect(server.url) as nc:
            last_seq = await rebuild.populate(nc, events=size, window=256, seed=1)
        with tempfile.TemporaryDirectory(dir=WORKDIR, prefix="read-") as tmp:
            if what == "rebuild":
                with profiler:
                    await rebuild.ours(server.url, last_seq=last_seq, batch=256, workdir=Path(tmp))
            else:
                events = await read_all(server.url, last_seq)
                engine = make_engine(f"sqlite:///{Path(tmp) / 'read.db'}")
                projection = cast(Projection, LocationsProjection())
                store.create_tables(engine, projection)
                with profiler:
                    for i in range(0, len(events), 256):
                        store.apply_batch(engine, projection, events[i : i + 256])
                engine.dispose()
    return profiler.output_text(unicode=True, show_all=True)


def main(
    what: Annotated[str, typer.Argument(help="append | rebuild | apply")],
    size: int = 20_000,
    cpu: Annotated[bool, typer.Option(help="CPU of the loop instead of wall time with awaits.")] = False,
) -> None:
    """Profile our append, our rebuild (event-loop thread) or the read-model transaction."""
    setup_tracing("readiness")
    WORKDIR.mkdir(parents=True, exist_ok=True)
    text = asyncio.run(profiled(what, size, "disabled" if cpu else "enabled"))
    out = WORKDIR / f"profile-{what}{'-cpu' if cpu else ''}.txt"
    out.write_text(text)
    print(text)


if __name__ == "__main__":
    typer.run(main)
