"""What the readiness routes share: read-your-writes, and the org's programme playbooks."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from fastapi import Response

from services.readiness.programs import ProgramPlaybooks
from services.readiness.projections import LocationsProjection, ProgramsProjection
from services.readiness.views.programs import playbooks_of
from shared.app import SETTLE_S, read_your_writes
from shared.commands import Outcome
from shared.eventstore.streams import stream_name
from shared.runtime import Runtime


async def settled(runtime: Runtime, outcome: Outcome[Any], response: Response,
                  projection: str = LocationsProjection.name) -> None:
    """Read-your-writes on a readiness read model (locations by default)."""
    await read_your_writes(runtime, projection, outcome.position, response)


async def org_playbooks(runtime: Runtime, org: str, *, needs: str | None = None) -> ProgramPlaybooks:
    """The org's programmes; if `needs` is not among them yet, wait for waves' stream to be projected."""
    found = await asyncio.to_thread(playbooks_of, runtime.engine, org=org)
    if needs is None or needs in found:
        return found
    last = (await runtime.nc.jetstream().stream_info(stream_name("waves"))).state.last_seq
    with contextlib.suppress(TimeoutError):
        await runtime.runners[ProgramsProjection.name].wait_for(last, timeout=SETTLE_S)
    return await asyncio.to_thread(playbooks_of, runtime.engine, org=org)
