"""Rebuilding a service's read models from its streams must give the same rows: one check for every service."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI
from sqlalchemy import Engine
from sqlmodel import Session, select

from shared.eventstore.streams import stream_name
from shared.projections import store
from shared.projections.base import Projection
from shared.projections.runner import ProjectionRunner


def snapshot(engine: Engine, projections: Sequence[Projection]) -> dict[str, list[dict[str, Any]]]:
    """Every table of `projections`, its rows in a stable order."""
    found = {}
    with Session(engine) as session:
        for projection in projections:
            for table in projection.tables:
                rows = [r.model_dump() for r in session.exec(select(table)).all()]
                found[table.__tablename__] = sorted(rows, key=repr)  # type: ignore[attr-defined]
    return found


async def rebuilt_alike(app: FastAPI, projections: Sequence[Projection]) -> dict[str, list[dict[str, Any]]]:
    """Let the app's projections catch up, rebuild each from its stream's start, and check the rows are the
    same (which it returns)."""
    runtime = app.state.runtime
    for projection in projections:
        info = await runtime.nc.jetstream().stream_info(stream_name(projection.stream))
        await runtime.runners[projection.name].wait_for(info.state.last_seq)
    before = await asyncio.to_thread(snapshot, runtime.engine, projections)
    for runner in runtime.runners.values():
        await runner.stop()
    for projection in projections:
        await asyncio.to_thread(store.reset, runtime.engine, projection)
        runner = ProjectionRunner(nc=runtime.nc, engine=runtime.engine, projection=projection)
        await runner.start()
        info = await runtime.nc.jetstream().stream_info(stream_name(projection.stream))
        await runner.wait_for(info.state.last_seq)
        await runner.stop()
    assert await asyncio.to_thread(snapshot, runtime.engine, projections) == before
    return before
