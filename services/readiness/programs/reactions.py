"""Readiness reacting to waves: a program's playbook changed, so every location of it is re-scored."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import Engine
from sqlmodel import Session, select

from services.readiness.locations import handlers
from services.readiness.locations.domain import RescoreLocation
from services.readiness.locations.models import LocationRow
from services.readiness.locations.projections import LocationsProjection
from services.readiness.programs.lookup import playbooks_for
from services.readiness.programs.projections import ProgramsProjection
from shared.contracts.base import parse
from shared.contracts.waves import PlaybookOverridden
from shared.errors import NotFound
from shared.events import RecordedEvent
from shared.reactions import reaction_context
from shared.runtime import Runtime

log = logging.getLogger(__name__)
# How long one attempt waits for a read model to catch up before it fails (and is retried).
CATCH_UP_S = 10.0


def program_location_ids(engine: Engine, *, org: str, program_id: str) -> list[str]:
    """Ids of the program's locations, as the locations read model has them."""
    with Session(engine) as session:
        query = select(LocationRow.id).where(LocationRow.org == org, LocationRow.program_id == program_id)
        return list(session.exec(query).all())


class RescoreOnOverride:
    """On `PlaybookOverridden`, re-score the program's locations against the new effective playbook."""

    name = "readiness-rescore-on-override"
    stream = "waves"
    filter_subject: str | None = f"dso.*.waves.program.*.{PlaybookOverridden.event_type()}"

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    async def react(self, event: RecordedEvent) -> None:
        overridden = parse(event)
        if not isinstance(overridden, PlaybookOverridden):
            return
        org, runtime = event.ref.org, self.runtime
        # The effective playbook must include this override, and the location list must include
        # every location registered before now (the readiness stream's current end).
        if not (await runtime.caught_up(ProgramsProjection.name, event.sequence, timeout=CATCH_UP_S)
                and await runtime.caught_up(LocationsProjection.name, timeout=CATCH_UP_S)):
            raise TimeoutError("read models did not catch up; the reactor retries")
        playbooks = await playbooks_for(runtime, org, [overridden.program_id])
        ids = await asyncio.to_thread(program_location_ids, runtime.engine, org=org, program_id=overridden.program_id)
        ctx = reaction_context(runtime.store, self.name, event)
        for location_id in ids:
            command = RescoreLocation(location_id, playbooks, reason="re-scored against the program's current playbook")
            try:
                await handlers.rescore_location(command, ctx.part(location_id))
            except NotFound:
                log.info("location %s vanished before its re-score; skipped", location_id)
        log.info("re-scored %d locations of program %s after override v%s", len(ids), overridden.program_id,
                 overridden.override_version)
