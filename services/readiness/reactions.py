"""Readiness reacting to waves: a programme's playbook changed, so every location of it is re-scored."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import Engine
from sqlmodel import Session, select

from services.readiness.handlers import locations as handlers
from services.readiness.models import LocationRow
from services.readiness.projections import LocationsProjection, ProgramsProjection
from services.readiness.views.programs import playbooks_of
from shared.auth import Principal
from shared.contracts.base import parse
from shared.contracts.waves import PlaybookOverridden
from shared.errors import NotFound
from shared.events import Metadata, RecordedEvent
from shared.eventstore.streams import stream_name
from shared.reactions import reaction_command_id
from shared.runtime import Runtime

log = logging.getLogger(__name__)
SYSTEM_SUBJECT = "system:rescore"
# How long one attempt waits for a read model to catch up before it fails (and is retried).
CATCH_UP_S = 10.0


def program_location_ids(engine: Engine, *, org: str, program_id: str) -> list[str]:
    """Ids of the programme's locations, as the locations read model has them."""
    with Session(engine) as session:
        query = select(LocationRow.id).where(LocationRow.org == org, LocationRow.program_id == program_id)
        return list(session.exec(query).all())


class RescoreOnOverride:
    """On `PlaybookOverridden`, re-score the programme's locations against the new effective playbook."""

    name = "readiness-rescore-on-override"
    service = "waves"
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
        await runtime.runners[ProgramsProjection.name].wait_for(event.sequence, timeout=CATCH_UP_S)
        last = (await runtime.nc.jetstream().stream_info(stream_name("readiness"))).state.last_seq
        await runtime.runners[LocationsProjection.name].wait_for(last, timeout=CATCH_UP_S)
        playbooks = await asyncio.to_thread(playbooks_of, runtime.engine, org=org)
        ids = await asyncio.to_thread(program_location_ids, runtime.engine, org=org, program_id=overridden.program_id)
        principal = Principal(subject=SYSTEM_SUBJECT, org=org, role="super_admin")
        for location_id in ids:
            meta = Metadata(
                command_id=reaction_command_id("RescoreLocation", event, location_id),
                correlation_id=event.correlation_id, causation_id=event.id, traceparent=event.traceparent,
                actor=f"{principal.role}:{principal.subject}",
            )
            try:
                await handlers.rescore_location(runtime.store, principal=principal, meta=meta, playbooks=playbooks,
                                                location_id=location_id)
            except NotFound:
                log.info("location %s vanished before its re-score; skipped", location_id)
        log.info("re-scored %d locations of programme %s after override v%s", len(ids), overridden.program_id,
                 overridden.override_version)
