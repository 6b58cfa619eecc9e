"""Waves reacting to readiness: a location scored or un-scored, or a pilot set confirmed, may move locations
between waves; the plan publishes each changed placement as `LocationWaveAssigned`."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import Engine
from sqlmodel import Session

from services.waves.plan import handlers
from services.waves.plan.assign import Placement
from services.waves.plan.domain import AssignWaves
from services.waves.plan.projections import CandidatesProjection
from services.waves.plan.views import placed
from shared.contracts.base import UnknownEventType, parse
from shared.contracts.readiness import LocationScored, LocationScoreWithdrawn, PilotSetConfirmed
from shared.errors import NotFound
from shared.events import RecordedEvent
from shared.principal import Principal
from shared.reactions import reaction_context
from shared.runtime import Runtime

log = logging.getLogger(__name__)
CATCH_UP_S = 10.0


def placements(engine: Engine, *, principal: Principal, program_id: str) -> tuple[Placement, ...]:
    """The program's placements as the read model has them now."""
    with Session(engine) as session:
        return tuple(placed(session, principal, program_id).placements)


class AssignWavesOnReadiness:
    """On `LocationScored`, `LocationScoreWithdrawn` or `PilotSetConfirmed`, publish the changed placements."""

    name = "waves-assign-on-readiness"
    stream = "readiness"
    filter_subject: str | None = None

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    async def react(self, event: RecordedEvent) -> None:
        if event.type not in ("LocationScored", "LocationScoreWithdrawn", "PilotSetConfirmed"):
            return
        try:
            fact = parse(event)
        except UnknownEventType:
            return
        program_id = getattr(fact, "program_id", None)
        if not isinstance(fact, LocationScored | LocationScoreWithdrawn | PilotSetConfirmed) or program_id is None:
            return
        runtime = self.runtime
        if not await runtime.caught_up(CandidatesProjection.name, event.sequence, timeout=CATCH_UP_S):
            raise TimeoutError("the candidates read model did not catch up; the reactor retries")
        ctx = reaction_context(runtime.store, self.name, event)
        try:
            found = await asyncio.to_thread(placements, runtime.engine, principal=ctx.principal,
                                            program_id=program_id)
        except NotFound:
            log.info("program %s is not known to waves; no placement published", program_id)
            return
        await handlers.assign_waves(AssignWaves(program_id, found), ctx)
