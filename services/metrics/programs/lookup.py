"""The playbook a request needs: a program waves has acknowledged is known at once (see `shared.references`)."""

from __future__ import annotations

import asyncio

from services.metrics.programs.playbooks import default_playbook
from services.metrics.programs.projections import ProgramsProjection
from services.metrics.programs.views import playbook_of
from shared.errors import NotFound
from shared.playbooks import PlaybookTemplate
from shared.references import Reference, wait_until_known
from shared.runtime import Runtime

PROGRAMS = Reference(service="waves", aggregate="program", projection=ProgramsProjection.name)


async def playbook_for(runtime: Runtime, org: str, program_id: str | None) -> PlaybookTemplate:
    """The program's effective playbook (None: the default template); 404 when waves never created it."""
    if program_id is None:
        return default_playbook()
    found = await asyncio.to_thread(playbook_of, runtime.engine, org=org, program_id=program_id)
    if found is None and await wait_until_known(runtime, PROGRAMS, org=org, aggregate_id=program_id):
        found = await asyncio.to_thread(playbook_of, runtime.engine, org=org, program_id=program_id)
    if found is None:
        raise NotFound(f"program {program_id} not found", field="program_id")
    return found
