"""`rollout projections rebuild`: empty a service's read models and replay its stream from 1."""

from __future__ import annotations

import asyncio
import importlib

from rich.progress import Progress

import shared.contracts  # noqa: F401 - the projections parse events by contract
from cli.settings import service_settings
from shared.db import make_engine
from shared.eventstore.streams import stream_name
from shared.projections import store
from shared.projections.base import Projection
from shared.projections.runner import ProjectionRunner
from shared.runtime import connect_nats


def service_projections(service: str) -> list[Projection]:
    module = importlib.import_module(f"services.{service}.app")
    return list(module.projections())


async def rebuild(service: str) -> dict[str, int]:
    """Rebuild every projection of `service`; return each one's final position."""
    settings = service_settings(service)
    engine = make_engine(settings.effective_database_url())
    nc = await connect_nats(settings.nats_url, name=f"dso-rebuild-{service}")
    positions: dict[str, int] = {}
    try:
        with Progress() as progress:
            for projection in service_projections(service):
                # A projection may consume another service's stream (readiness folds waves' programs).
                last = (await nc.jetstream().stream_info(stream_name(projection.stream))).state.last_seq
                task = progress.add_task(projection.name, total=max(last, 1))
                await asyncio.to_thread(store.reset, engine, projection)
                runner = ProjectionRunner(nc=nc, engine=engine, projection=projection, batch=settings.projection_batch)
                await runner.start()
                while runner.position < last:
                    progress.update(task, completed=runner.position)
                    await asyncio.sleep(0.1)
                progress.update(task, completed=max(last, 1))
                await runner.stop()
                positions[projection.name] = runner.position
    finally:
        await nc.close()
        engine.dispose()
    return positions
