"""Fresh NATS servers for benchmark trials: production config (`sync_interval: always`), streams provisioned."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import nats
from nats.aio.client import Client

from shared.eventstore.streams import ensure_streams
from shared.natsserver import EmbeddedNats


@asynccontextmanager
async def fresh_server(workdir: Path) -> AsyncIterator[EmbeddedNats]:
    """A new server with an empty store under `workdir` (a real disk, so fsync costs what it costs)."""
    with tempfile.TemporaryDirectory(dir=workdir, prefix="nats-") as tmp:
        server = EmbeddedNats(Path(tmp), sync_always=True)
        await asyncio.to_thread(server.start)
        try:
            async with connect(server.url) as nc:
                await ensure_streams(nc.jetstream())
            yield server
        finally:
            await asyncio.to_thread(server.stop)


@asynccontextmanager
async def connect(url: str) -> AsyncIterator[Client]:
    """A plain nats-py connection; both sides of every metric use this same one."""
    nc = await nats.connect(url, name="bench")
    try:
        yield nc
    finally:
        await nc.close()
