"""The playbooks a request needs: only the programs it names, each known the moment waves has acknowledged it."""

from __future__ import annotations

from collections.abc import Iterable

from services.readiness.programs.playbooks import ProgramPlaybooks
from services.readiness.programs.projections import ProgramsProjection
from services.readiness.programs.views import playbooks_of
from shared.db import on_engine
from shared.references import Reference, wait_until_known
from shared.runtime import Runtime

PROGRAMS = Reference(service="waves", aggregate="program", projection=ProgramsProjection.name)


async def playbooks_for(runtime: Runtime, org: str, program_ids: Iterable[str | None]) -> ProgramPlaybooks:
    """The playbooks of `program_ids` (None: the default); a program readiness has not projected yet is looked
    up in waves' stream and waited for, so a program waves acknowledged is valid at once."""
    wanted = {p for p in program_ids if p is not None}
    found = await on_engine(runtime.engine, playbooks_of, org=org, program_ids=wanted)
    missing = [p for p in wanted if p not in found]
    known = [await wait_until_known(runtime, PROGRAMS, org=org, aggregate_id=p) for p in missing]
    if not any(known):
        return found
    return await on_engine(runtime.engine, playbooks_of, org=org, program_ids=wanted)
