"""The intake reaction: every verified delivery in DSO_INTAKE, in order, processed once.

It waits until the PMS patient index has applied the delivery's position (so a patient record sent
just before a scan is matched) and the integrations read model has caught up (a registration or a
mapping made before the delivery is seen). Store trouble raises, and the reactor retries; anything
about the delivery itself parks it.
"""

from __future__ import annotations

from collections.abc import Callable

from services.metrics.intake.patients import PatientIndexProjection
from services.metrics.intake.process import Intake
from services.metrics.integrations.projections import IntegrationsProjection
from services.metrics.locations.projections import LocationsProjection
from shared.contracts.gateway import INTAKE
from shared.events import RecordedEvent
from shared.reactions import reaction_context
from shared.runtime import ReactionFactory, Runtime

CATCH_UP_S = 10.0


class ProcessDeliveries:
    name = "metrics-intake"
    stream = INTAKE
    filter_subject: str | None = None

    def __init__(self, intake: Intake) -> None:
        self.intake = intake
        self.runtime = intake.runtime

    async def react(self, event: RecordedEvent) -> None:
        if event.ref.aggregate != "delivery":
            return
        for projection, position in ((PatientIndexProjection.name, event.sequence),
                                     (IntegrationsProjection.name, None), (LocationsProjection.name, None)):
            if not await self.runtime.caught_up(projection, position, timeout=CATCH_UP_S):
                raise TimeoutError(f"{projection} did not catch up; the reactor retries")
        await self.intake.process(event, reaction_context(self.runtime.store, self.name, event))


def reactors(make_intake: Callable[[Runtime], Intake]) -> list[ReactionFactory]:
    return [lambda runtime: ProcessDeliveries(make_intake(runtime))]
