"""What the readiness routes share: read-your-writes, and the org's programme playbooks."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import Response

from services.readiness.programs import ProgramPlaybooks
from services.readiness.projections import LocationsProjection, ProgramsProjection
from services.readiness.views.programs import playbooks_of
from shared.app import read_your_writes
from shared.commands import Outcome
from shared.eventstore.streams import stream_name
from shared.references import Reference, wait_until_known
from shared.runtime import Runtime


async def settled(runtime: Runtime, outcome: Outcome[Any], response: Response,
                  projection: str = LocationsProjection.name) -> None:
    """Read-your-writes on a readiness read model (locations by default)."""
    await read_your_writes(runtime, projection, outcome.position, response)


async def caught_up(runtime: Runtime, response: Response) -> None:
    """Read-your-writes for a command that stored nothing: wait for the locations model to reach the stream's end.

    A no-op re-score may have lost the race to a concurrent one (the override reactor)
    whose event is stored but not yet projected; answering from the read model would show the old scoring.
    """
    last = (await runtime.nc.jetstream().stream_info(stream_name("readiness"))).state.last_seq
    await read_your_writes(runtime, LocationsProjection.name, last, response)


PROGRAMS = Reference(service="waves", aggregate="program", projection=ProgramsProjection.name)


async def org_playbooks(runtime: Runtime, org: str, *, needs: str | None = None) -> ProgramPlaybooks:
    """The org's programmes; if `needs` is not among them yet but waves has it, wait until it is projected."""
    found = await asyncio.to_thread(playbooks_of, runtime.engine, org=org)
    if needs is None or needs in found or not await wait_until_known(runtime, PROGRAMS, org=org, aggregate_id=needs):
        return found
    return await asyncio.to_thread(playbooks_of, runtime.engine, org=org)
