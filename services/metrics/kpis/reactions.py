"""Publishing `LocationKpisMeasured`: after case events (and go-lives), coalesced per location.

A case event marks its location; the location's KPIs are measured from the read model once the
cases projection has applied the event, and published at most once per `COALESCE_S` per location:
a burst of case events gives one measurement now and one after the interval (the trailing one
covers the rest of the burst). The command id derives from the location and the stream position
measured, so a repeat measures and publishes once; an unchanged measurement publishes nothing.
A trailing publish lost in a crash is made good by the location's next case event.

Measuring reads every case of the location, so under an intake burst across many locations it
took half the service's time, and the intake fell behind. Measurements therefore run one at a time
and take at most `DUTY` of the wall clock: after one that took d seconds the next waits
d * (1/DUTY - 1). Idle, a location is measured within a second; under load its KPI event comes
later (gates decide over days), while the cases and what is read from them stay current.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime

from services.metrics.cases.projections import CasesProjection
from services.metrics.kpis import handlers
from services.metrics.kpis.domain import MeasureKpis
from services.metrics.kpis.views import measure_locations
from services.metrics.locations.views import by_ids
from services.metrics.programs.projections import WENT_LIVE, ProgramsProjection
from services.metrics.surveys.projections import SurveysProjection
from shared.aggregates import Context
from shared.contracts.metrics import SurveyResponseRecorded
from shared.events import Metadata, RecordedEvent
from shared.principal import Principal
from shared.runtime import ReactionFactory, Runtime

log = logging.getLogger(__name__)
COALESCE_S = 1.0
CATCH_UP_S = 10.0
DUTY = 0.1


class KpiPublisher:
    """Measures and publishes a location's KPIs, at most once per `COALESCE_S` (then a trailing one)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.last: dict[tuple[str, str], float] = {}
        self.pending: dict[tuple[str, str], asyncio.Task[None]] = {}
        self.turn = asyncio.Lock()  # one measurement at a time
        self.next_turn = 0.0  # monotonic time the next measurement may start (the duty cycle)

    async def touched(self, org: str, location_id: str) -> None:
        key = (org, location_id)
        if key in self.pending:
            return  # a publish is scheduled and will see this event
        wait = max(0.0, self.last.get(key, -COALESCE_S) + COALESCE_S - time.monotonic())
        self.pending[key] = asyncio.create_task(self._later(key, wait))

    async def _later(self, key: tuple[str, str], wait: float) -> None:
        try:
            await asyncio.sleep(wait)
            async with self.turn:
                await asyncio.sleep(max(0.0, self.next_turn - time.monotonic()))
                self.pending.pop(key, None)  # an event from now on schedules the next publish
                started = time.monotonic()
                try:
                    await self.publish(*key)
                finally:
                    self.next_turn = time.monotonic() + (time.monotonic() - started) * (1 / DUTY - 1)
        except Exception:  # pragma: no cover - logged; the next case event publishes again
            log.exception("KPI publish of %s failed", key)
        finally:
            if self.pending.get(key) is asyncio.current_task():
                self.pending.pop(key, None)

    async def publish(self, org: str, location_id: str) -> None:
        self.last[(org, location_id)] = time.monotonic()
        engine = self.runtime.engine
        rows = await asyncio.to_thread(by_ids, engine, org=org, ids={location_id})
        if location_id not in rows:
            return  # readiness never registered it (yet): nothing to measure against
        [measured] = await asyncio.to_thread(measure_locations, engine, org=org, locations=[rows[location_id]])
        command = MeasureKpis(location_id, rows[location_id].program_id, measured.values, measured.first_sequence,
                              measured.last_sequence, as_of=datetime.now(UTC))
        key = f"{location_id}:{measured.last_sequence}:{len(measured.values)}:{measured.went_live}"
        ctx = Context(self.runtime.store, Principal.system(org, "metrics-kpis"),
                      Metadata(actor="system:metrics-kpis"), key=key)
        await handlers.publish_kpis(command, ctx)


def reactors() -> list[ReactionFactory]:
    """The two publishing reactions of one app, sharing one publisher (one coalescing clock per location)."""
    holder: list[KpiPublisher] = []

    def shared(runtime: Runtime) -> KpiPublisher:
        if not holder or holder[0].runtime is not runtime:
            holder[:] = [KpiPublisher(runtime)]
        return holder[0]

    return [lambda runtime: PublishOnCase(shared(runtime)), lambda runtime: PublishOnGoLive(shared(runtime)),
            lambda runtime: PublishOnSurvey(shared(runtime))]


class PublishOnCase:
    """A case event changes its location's KPIs."""

    name = "metrics-kpis-on-case"
    stream = "metrics"
    filter_subject: str | None = "dso.*.metrics.case.>"

    def __init__(self, publisher: KpiPublisher) -> None:
        self.publisher = publisher
        self.runtime = publisher.runtime

    async def react(self, event: RecordedEvent) -> None:
        if not await self.runtime.caught_up(CasesProjection.name, event.sequence, timeout=CATCH_UP_S, hurry=False):
            raise TimeoutError("the cases read model did not catch up; the reactor retries")
        location_id = event.data.get("location_id")
        if isinstance(location_id, str):
            await self.publisher.touched(event.ref.org, location_id)


class PublishOnGoLive:
    """A go-live moves the location's window to since-go-live."""

    name = "metrics-kpis-on-go-live"
    stream = "waves"
    filter_subject: str | None = f"dso.*.waves.plan.*.{WENT_LIVE}"

    def __init__(self, publisher: KpiPublisher) -> None:
        self.publisher = publisher
        self.runtime = publisher.runtime

    async def react(self, event: RecordedEvent) -> None:
        if not await self.runtime.caught_up(ProgramsProjection.name, event.sequence, timeout=CATCH_UP_S, hurry=False):
            raise TimeoutError("the programs read model did not catch up; the reactor retries")
        location_id = event.data.get("location_id")
        if isinstance(location_id, str):
            await self.publisher.touched(event.ref.org, location_id)


class PublishOnSurvey:
    """A survey answer changes its location's satisfaction (the latest survey's mean)."""

    name = "metrics-kpis-on-survey"
    stream = "metrics"
    filter_subject: str | None = f"dso.*.metrics.survey.*.{SurveyResponseRecorded.event_type()}"

    def __init__(self, publisher: KpiPublisher) -> None:
        self.publisher = publisher
        self.runtime = publisher.runtime

    async def react(self, event: RecordedEvent) -> None:
        if not await self.runtime.caught_up(SurveysProjection.name, event.sequence, timeout=CATCH_UP_S, hurry=False):
            raise TimeoutError("the surveys read model did not catch up; the reactor retries")
        location_id = event.data.get("location_id")
        if isinstance(location_id, str):
            await self.publisher.touched(event.ref.org, location_id)
