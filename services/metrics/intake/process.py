"""Turning one verified delivery into case and patient events, or parking it with the reason.

The edge around the pure parts (adapters, matching, the case and delivery aggregates): it reads
the integration, the location and its intake settings, resolves the patient to its pseudonymous
key and runs the commands as the platform. Every outcome is recorded on the delivery
(`DeliveryProcessed` or `DeliveryParked`); a parked delivery keeps only its intake position, so
re-processing reads the raw body again from DSO_INTAKE (while the retention keeps it).
A step of a case not yet created waits parked and is re-processed when the case is created.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import orjson
from nats.js.errors import NotFoundError

from services.metrics.cases import handlers as cases
from services.metrics.cases import views as case_views
from services.metrics.cases.domain import OpenCase, RecordStep
from services.metrics.cases.projections import CasesProjection
from services.metrics.cases.pseudonyms import identity, org_key, patient_key
from services.metrics.intake.adapters import ADAPTERS
from services.metrics.intake.adapters.base import CaseFact, Malformed, NotTracked, PatientFields, PatientRecord
from services.metrics.intake.deliveries import (
    RecordSync,
    Settle,
    delivery,
    delivery_id,
    patient_aggregate_id,
    synced_patient,
)
from services.metrics.intake.lookups import Lookups
from services.metrics.intake.matching import Candidate, Match, match
from services.metrics.intake.patients import PatientIndexProjection, at_clinics, by_ref, purge_before
from services.metrics.integrations import views
from services.metrics.integrations.models import IntegrationRow
from services.metrics.integrations.projections import IntegrationsProjection
from services.metrics.locations.models import LocationRow
from services.metrics.locations.projections import LocationsProjection
from shared.aggregates import Context, execute
from shared.contracts.base import parse
from shared.contracts.gateway import INTAKE_STREAM, WebhookReceived
from shared.contracts.metrics import DeliveryParked, DeliveryProcessed, PatientSynced
from shared.db import on_engine
from shared.errors import Conflict, DomainError, NotFound
from shared.events import AggregateRef, RecordedEvent
from shared.eventstore.base import History
from shared.runtime import Runtime

CATCH_UP_S = 10.0
PURGE_EVERY_S = 3600.0
Outcome = DeliveryParked | DeliveryProcessed


Applied = tuple[str, str, str | None, str, tuple[str, ...]]  # location, outcome, case, detail, what it wakes


class Expired(LookupError):
    """The raw delivery is gone from DSO_INTAKE (past the retention): it cannot be re-processed."""


def case_id_of(location_id: str, external_case_id: str) -> str:
    """The same source case at the same location is one case, whichever integration speaks of it."""
    return "c" + hashlib.sha256(f"{location_id}\x1f{external_case_id}".encode()).hexdigest()[:24]


@dataclass
class _Park(Exception):  # not frozen: raising sets attributes on an exception
    reason: str
    detail: str
    field: str | None = None
    location_id: str | None = None
    clinic_id: str | None = None
    waiting_for_case: str | None = None


class Intake:
    """Processes deliveries of one metrics process (the reactor and the re-process route share it)."""

    def __init__(self, runtime: Runtime, *, patient_secret: bytes, clock_skew: timedelta,
                 retention: timedelta = timedelta(days=30)) -> None:
        self.runtime, self.patient_secret, self.clock_skew = runtime, patient_secret, clock_skew
        self.retention, self.purged_at = retention, 0.0
        self.lookups = Lookups(runtime.engine)
        # The stream position of the last delivery this process parked waiting for a case: a wake
        # waits for the read model to show parks up to there, not for the whole stream.
        self.parked_position = 0
        # (org, token) some parked delivery waits for: what earlier runs left (read once, before the first
        # delivery is processed) and every park since.
        self.waiting: set[tuple[str, str]] = set()
        self.waiting_loaded = False
        self.patients: dict[str, tuple[str, str]] = {}  # a patient token waited for -> (location, patient key)

    async def process(self, event: RecordedEvent, ctx: Context) -> Outcome:
        """Process one `WebhookReceived`, record its outcome on the delivery, wake what waited on it."""
        received = parse(event)
        assert isinstance(received, WebhookReceived)
        org = event.ref.org
        await self._purge()
        if not self.waiting_loaded:  # parks of earlier runs, once their read model has caught up
            await self.runtime.caught_up(IntegrationsProjection.name, timeout=CATCH_UP_S)
            self.waiting |= await asyncio.to_thread(views.waiting_cases, self.runtime.engine)
            self.waiting_loaded = True
        ids: dict[str, Any] = {
            "delivery_id": delivery_id(received.integration_id, received.webhook_id),
            "integration_id": received.integration_id, "source": received.source,
            "webhook_id": received.webhook_id, "intake_sequence": event.sequence,
        }
        wakes: tuple[str, ...] = ()
        try:
            location_id, outcome_kind, case_id, detail, wakes = await self._apply(org, received, ctx)
            outcome: Outcome = DeliveryProcessed(**ids, location_id=location_id, outcome=outcome_kind,
                                                 case_id=case_id, detail=detail)
        except _Park as park:
            outcome = DeliveryParked(**ids, reason=park.reason, detail=park.detail, field=park.field,  # type: ignore[arg-type]
                                     location_id=park.location_id, clinic_id=park.clinic_id,
                                     waiting_for_case=park.waiting_for_case)
        # Most deliveries are settled once (re-processing is the exception): decide on no history first; an
        # existing delivery fails the expected revision and is loaded and decided again.
        ref = AggregateRef(org, "metrics", "delivery", ids["delivery_id"])
        settled = await execute(ctx, ref, delivery, Settle(outcome), part=("settle",), known=History(ref))
        if isinstance(outcome, DeliveryParked) and outcome.waiting_for_case and settled.position:
            self.parked_position = max(self.parked_position, settled.position)
            self.waiting.add((org, outcome.waiting_for_case))
            if await self._arrived(org, outcome.waiting_for_case):  # it came while this one was being parked
                await self.wake(org, outcome.waiting_for_case, ctx)
        for waited in wakes:
            await self.wake(org, waited, ctx)
        return outcome

    async def _arrived(self, org: str, token: str) -> bool:
        """Whether what a parked delivery waits for exists now: its case, or a case of its patient."""
        if token in self.patients:
            location_id, key = self.patients[token]
            await self.runtime.caught_up(CasesProjection.name, timeout=CATCH_UP_S)
            return await asyncio.to_thread(case_views.latest_of_patient, self.runtime.engine, org=org,
                                           location_id=location_id, patient_key=key) is not None
        return bool((await self.runtime.store.load(cases.case_ref(org, token))).events)

    async def _purge(self) -> None:
        """At most hourly: PHI kept for matching lives no longer than the raw deliveries it came from."""
        if time.monotonic() - self.purged_at < PURGE_EVERY_S and self.purged_at:
            return
        self.purged_at = time.monotonic()
        await asyncio.to_thread(purge_before, self.runtime.engine, datetime.now(UTC) - self.retention)

    async def reprocess(self, org: str, intake_sequence: int, ctx: Context) -> Outcome:
        """Process a delivery again from its raw body in DSO_INTAKE."""
        try:
            raw = await self.runtime.nc.jetstream().get_msg(INTAKE_STREAM, seq=intake_sequence, direct=True)
        except NotFoundError:
            raise Expired(f"delivery at intake position {intake_sequence} has expired (intake retention)") from None
        assert raw.subject is not None
        event = RecordedEvent.from_message(raw.subject, raw.headers or {}, raw.data or b"", intake_sequence)
        if event.ref.org != org:
            raise Expired(f"no delivery at intake position {intake_sequence}")
        await self.runtime.caught_up(PatientIndexProjection.name, event.sequence, timeout=CATCH_UP_S)
        return await self.process(event, ctx)

    async def wake(self, org: str, case_id: str, ctx: Context) -> None:
        """Re-process the deliveries parked until `case_id` was created (steps that arrived before it), or
        until a case of a patient (`patient_aggregate_id`: PMS procedures posted before the case)."""
        if (org, case_id) not in self.waiting:
            return
        await self.runtime.caught_up(IntegrationsProjection.name, self.parked_position, timeout=CATCH_UP_S)
        waiting = await asyncio.to_thread(views.deliveries, self.runtime.engine, org=org, status="parked",
                                          waiting_for_case=case_id)
        self.waiting.discard((org, case_id))
        self.patients.pop(case_id, None)
        for row in waiting:
            await self.reprocess(org, row.intake_sequence, ctx.part(f"wake:{row.id}:{row.attempts}"))

    # --- the steps -------------------------------------------------------------------------------------------

    async def _apply(self, org: str, received: WebhookReceived, ctx: Context) -> Applied:
        integration = await self._integration(org, received.integration_id)
        adapter = ADAPTERS.get(integration.source) if integration is not None else None
        if integration is None or adapter is None:
            raise _Park("unknown_integration", f"integration {received.integration_id} is not registered")
        try:
            item = adapter(orjson.loads(received.body), ZoneInfo(integration.time_zone))
        except orjson.JSONDecodeError:
            raise _Park("malformed", "the body is not JSON", field="body") from None
        except Malformed as malformed:
            raise _Park("malformed", malformed.reason, field=malformed.field) from None
        location = await self._location(org, integration, item.clinic_id)
        where = {"location_id": location.id, "clinic_id": item.clinic_id}
        try:
            match item:
                case NotTracked():
                    return location.id, "ignored", None, item.detail, ()
                case PatientRecord():
                    return await self._patient_record(org, integration, location, item, received, ctx)
                case CaseFact():
                    return await self._case_fact(org, integration, location, item, received, ctx)
        except DomainError as refused:
            raise _Park("refused", str(refused), field=refused.field, **where) from None
        raise AssertionError(f"unhandled item {item!r}")

    async def _integration(self, org: str, integration_id: str) -> IntegrationRow | None:
        """The integration; not found, once more after the read model caught up (registered just before)."""
        found = await self.lookups.integration(org, integration_id)
        if found is None and await self.runtime.caught_up(IntegrationsProjection.name, timeout=CATCH_UP_S):
            found = await self.lookups.integration(org, integration_id, fresh=True)
        return found

    async def _location(self, org: str, integration: IntegrationRow, clinic_id: str) -> LocationRow:
        location_id = integration.clinic_map.get(clinic_id)
        if location_id is None and await self.runtime.caught_up(IntegrationsProjection.name, timeout=CATCH_UP_S):
            # mapped just before the delivery? look once more
            integration = await self.lookups.integration(org, integration.id, fresh=True) or integration
            location_id = integration.clinic_map.get(clinic_id)
        if location_id is None:
            raise _Park("unmapped_clinic", f"clinic {clinic_id} of integration {integration.name} is mapped to no "
                        "location", field="clinic_id", clinic_id=clinic_id)
        location = await self.lookups.location(org, location_id)
        if location is None and await self.runtime.caught_up(LocationsProjection.name, timeout=CATCH_UP_S):
            location = await self.lookups.location(org, location_id, fresh=True)
        if location is None:
            raise _Park("unmapped_clinic", f"clinic {clinic_id} is mapped to location {location_id}, which is not "
                        "known", field="clinic_id", clinic_id=clinic_id)
        return location

    def _key(self, org: str, fields: PatientFields) -> str:
        who = identity(chart_number=fields.chart_number, last_name=fields.last_name, first_name=fields.first_name,
                       birth_date=fields.birth_date)
        return patient_key(org_key(self.patient_secret, org), who)

    async def _patient_record(self, org: str, integration: IntegrationRow, location: LocationRow,
                              item: PatientRecord, received: WebhookReceived,
                              ctx: Context) -> Applied:
        key = self._key(org, item.patient)
        synced = PatientSynced(location_id=location.id, patient_key=key, integration_id=integration.id,
                               source=integration.source, occurred_at=item.occurred_at,
                               received_at=received.received_at)
        ref = AggregateRef(org, "metrics", "patient", patient_aggregate_id(location.id, key))
        outcome = await execute(ctx, ref, synced_patient, RecordSync(synced), part=("patient",))
        return location.id, "recorded" if outcome.events else "repeat", None, "patient record", ()

    async def _resolve(self, org: str, integration: IntegrationRow, location: LocationRow,
                       fact: CaseFact) -> Candidate:
        engine = self.runtime.engine
        if fact.patient_ref and fact.patient is None:  # a PMS's own patient id (a scanner's is no use here)
            known = await on_engine(engine, by_ref, org=org, integration_id=integration.id,
                                    patient_ref=fact.patient_ref)
            if known is not None:
                return known
        where = {"location_id": location.id, "clinic_id": fact.clinic_id}
        if fact.patient is None:
            raise _Park("unmatched_patient", f"PMS patient {fact.patient_ref} of integration {integration.name} "
                        "is not known (its patient record has not arrived)", field="patient", **where)
        settings = await self.lookups.settings(org, location.id)
        clinics = await self.lookups.clinics(org, location.id)
        chart = None if settings.patient_matching == "fuzzy" else fact.patient.chart_number
        if settings.patient_matching != "fuzzy" and not chart:
            chart = "\x00"  # exact modes need a chart number: none matches nothing
        candidates = await on_engine(engine, at_clinics, org=org, clinics=clinics, chart_number=chart)
        found: Match = match(fact.patient, candidates, mode=settings.patient_matching,
                             threshold=settings.fuzzy_threshold)
        if found.found is None:
            raise _Park(found.reason or "unmatched_patient", found.detail, field="patient", **where)
        return found.found

    async def _case_fact(self, org: str, integration: IntegrationRow, location: LocationRow, fact: CaseFact,
                         received: WebhookReceived, ctx: Context) -> Applied:
        now, actor = datetime.now(UTC), f"integration:{integration.id}"
        where = {"location_id": location.id, "clinic_id": fact.clinic_id}
        if fact.type == "CaseCreated":
            assert fact.external_case_id is not None
            case_id = case_id_of(location.id, fact.external_case_id)
            patient = await self._resolve(org, integration, location, fact)
            key = self._key(org, patient.patient)
            opening = OpenCase(case_id, location.id, location.program_id, key,
                               fact.occurred_at, now, self.clock_skew, actor, integration.source, fact.provider_id,
                               fact.external_case_id, region=location.region)
            try:
                await cases.open_case(opening, ctx.part("case"), likely_new=True)
            except Conflict:
                return location.id, "repeat", case_id, "case already created", ()
            return location.id, "recorded", case_id, "case created", (case_id, patient_aggregate_id(location.id, key))
        if fact.external_case_id is not None:
            case_id = case_id_of(location.id, fact.external_case_id)
        else:  # a PMS procedure: the patient's latest case here
            patient = await self._resolve(org, integration, location, fact)
            await self.runtime.caught_up(CasesProjection.name, timeout=CATCH_UP_S)  # cases opened just before
            key = self._key(org, patient.patient)
            latest = await asyncio.to_thread(case_views.latest_of_patient, self.runtime.engine, org=org,
                                             location_id=location.id, patient_key=key)
            if latest is None:  # planned outside the platform, or its case is still on the way
                self.patients[patient_aggregate_id(location.id, key)] = (location.id, key)
                raise _Park("case_not_created", "the patient has no case at this location yet; re-processed when "
                            "one is created", waiting_for_case=patient_aggregate_id(location.id, key), **where)
            case_id = latest.id
        details = dict(fact.details)
        if fact.type == "ProcedurePosted" and details.get("code"):
            settings = await self.lookups.settings(org, location.id)
            details["code"] = settings.procedure_codes.get(str(details["code"]), details["code"])
        if fact.provider_id:
            details["provider_id"] = fact.provider_id
        command = RecordStep(case_id, fact.type, fact.occurred_at, now, self.clock_skew, actor, integration.source,
                             received.webhook_id, fact.critical_issue, details, region=location.region)
        try:
            outcome = await cases.record_step(command, ctx.part("case"))
        except NotFound:
            raise _Park("case_not_created", f"case {fact.external_case_id} has not been created yet; "
                        "re-processed when it is", waiting_for_case=case_id, **where) from None
        return location.id, "recorded" if outcome.events else "repeat", case_id, fact.type, ()
