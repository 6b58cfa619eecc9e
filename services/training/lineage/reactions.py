"""Publishing `ChampionModelEvidenced`: after a completion, or when the plan moves a location between waves.

Either can change the evidence of every location of the program (a trainer's location moving
waves changes what "earlier" means), so the program's later-wave locations are re-evaluated from
the read models once they have applied the triggering event; unchanged evidence publishes nothing.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from services.training.lineage import views
from services.training.lineage.domain import PublishChampionModel, champion_evidence, champion_model
from services.training.places.lookup import playbook_of
from services.training.places.projections import WavesProjection
from services.training.sessions.projections import SessionsProjection
from shared.aggregates import Context, execute
from shared.contracts.training import TrainingCompleted
from shared.contracts.waves import LocationWaveAssigned
from shared.events import AggregateRef, RecordedEvent
from shared.reactions import reaction_context
from shared.runtime import Runtime

CATCH_UP_S = 10.0


async def evidence_program(runtime: Runtime, ctx: Context, program_id: str) -> None:
    """Re-evaluate and publish (where changed) the champion model of every planned location of the program."""
    org = ctx.principal.org
    playbook = await playbook_of(runtime, org, program_id)
    order = [wave.key for wave in playbook.waves]
    wave_of, taught = await asyncio.to_thread(views.champion_model_inputs, runtime.engine, org=org,
                                              program_id=program_id)
    now = datetime.now(UTC)
    for location_id, wave in sorted(wave_of.items()):
        if wave is None:
            continue
        evidence = champion_model(location_id=location_id, program_id=program_id, wave=wave,
                                  taught=taught.get(location_id, ()), wave_of=wave_of, order=order, as_of=now)
        if evidence is not None:
            await execute(ctx.part(location_id), AggregateRef(org, "training", "location", location_id),
                          champion_evidence, PublishChampionModel(evidence), part=("champion-model",))


class ChampionModelOnCompletion:
    """A person completed a curriculum: their location's program may now validate the champion model."""

    name = "training-champion-model-on-completion"
    stream = "training"
    filter_subject: str | None = f"dso.*.training.staff.*.{TrainingCompleted.event_type()}"

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    async def react(self, event: RecordedEvent) -> None:
        if not await self.runtime.caught_up(SessionsProjection.name, event.sequence, timeout=CATCH_UP_S):
            raise TimeoutError("the sessions read model did not catch up; the reactor retries")
        location_id = event.data.get("location_id")
        program_id = await asyncio.to_thread(views.program_of, self.runtime.engine, org=event.ref.org,
                                             location_id=str(location_id))
        if program_id is not None:
            await evidence_program(self.runtime, reaction_context(self.runtime.store, self.name, event), program_id)


class ChampionModelOnPlan:
    """The plan moved a location between waves: what counts as an earlier wave changed."""

    name = "training-champion-model-on-plan"
    stream = "waves"
    filter_subject: str | None = f"dso.*.waves.plan.*.{LocationWaveAssigned.event_type()}"

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    async def react(self, event: RecordedEvent) -> None:
        if not await self.runtime.caught_up(WavesProjection.name, event.sequence, timeout=CATCH_UP_S):
            raise TimeoutError("the waves read model did not catch up; the reactor retries")
        program_id = event.data.get("program_id")
        if isinstance(program_id, str):
            await evidence_program(self.runtime, reaction_context(self.runtime.store, self.name, event), program_id)
