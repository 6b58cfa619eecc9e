"""The intake reaction: every verified delivery in DSO_INTAKE, in order, processed once.

It waits until the PMS patient index has applied the delivery's position (so a patient record sent
just before a scan is matched, whatever order the batch runs in); the processor waits for the
integrations and locations read models only when something is not found. Deliveries about
different cases run at once (`concurrency_key`), those about one case in stream order. Store trouble
raises, and the reactor retries; anything about the delivery itself parks it.
"""

from __future__ import annotations

from collections.abc import Callable

import orjson

from services.metrics.intake.patients import PatientIndexProjection
from services.metrics.intake.process import Intake
from shared.contracts.gateway import INTAKE
from shared.events import RecordedEvent
from shared.reactions import reaction_context
from shared.runtime import ReactionFactory, Runtime

CATCH_UP_S = 10.0


class ProcessDeliveries:
    name = "metrics-intake"
    stream = INTAKE
    filter_subject: str | None = None
    # Deliveries in flight at once: each waits on a few NATS round trips and fsyncs, so more of them
    # overlap those waits (16 left the process idle a third of the time under a backlog).
    batch = 256

    def __init__(self, intake: Intake) -> None:
        self.intake = intake
        self.runtime = intake.runtime

    @staticmethod
    def concurrency_key(event: RecordedEvent) -> str:
        """Deliveries about one case (or one PMS patient) in order; different ones at once."""
        try:
            body = orjson.loads(event.data.get("body") or "{}")
        except orjson.JSONDecodeError:
            return "malformed"
        if not isinstance(body, dict):
            return "malformed"
        for name in ("case_id", "PatNum"):
            if body.get(name) is not None:
                return f"{name}:{body[name]}"
        return "other"

    async def react(self, event: RecordedEvent) -> None:
        if event.ref.aggregate != "delivery":
            return
        if not await self.runtime.caught_up(PatientIndexProjection.name, event.sequence, timeout=CATCH_UP_S):
            raise TimeoutError("the PMS patient index did not catch up; the reactor retries")
        await self.intake.process(event, reaction_context(self.runtime.store, self.name, event))


def reactors(make_intake: Callable[[Runtime], Intake]) -> list[ReactionFactory]:
    return [lambda runtime: ProcessDeliveries(make_intake(runtime))]
