"""The playbooks a request needs: only the programs it names, waiting (bounded) for one readiness has not seen yet."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from services.readiness.programs.playbooks import ProgramPlaybooks
from services.readiness.programs.projections import ProgramsProjection
from services.readiness.programs.views import playbooks_of
from shared.app import SETTLE_S
from shared.runtime import Runtime


async def playbooks_for(runtime: Runtime, org: str, program_ids: Iterable[str | None]) -> ProgramPlaybooks:
    """The playbooks of `program_ids` (None: the default); an id readiness does not know yet is waited for.

    Waves owns programs: one it has acknowledged may not be projected here yet, so before
    calling it unknown we let the programs projection reach the end of waves' stream.
    """
    wanted = {p for p in program_ids if p is not None}
    found = await asyncio.to_thread(playbooks_of, runtime.engine, org=org, program_ids=wanted)
    if all(p in found for p in wanted):
        return found
    await runtime.caught_up(ProgramsProjection.name, timeout=SETTLE_S)
    return await asyncio.to_thread(playbooks_of, runtime.engine, org=org, program_ids=wanted)
