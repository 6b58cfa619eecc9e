"""The delivery aggregate: what became of one webhook delivery. Pure.

Parked until processed; once processed (recorded, a repeat, or nothing tracked) it stays so, and a
later attempt — a redelivered intake event, a second re-process — records nothing more.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from shared.aggregates import Aggregate
from shared.contracts.base import DomainEvent
from shared.contracts.metrics import DeliveryParked, DeliveryProcessed, PatientSynced


@dataclass(frozen=True, slots=True)
class DeliveryState:
    processed: bool = False
    parked: DeliveryParked | None = None


@dataclass(frozen=True, slots=True)
class Settle:
    """Record the outcome of one processing attempt."""

    outcome: DeliveryParked | DeliveryProcessed


def delivery_id(integration_id: str, webhook_id: str) -> str:
    """One id per integration and `webhook-id`: the same delivery sent again is the same delivery."""
    return "d" + hashlib.sha256(f"{integration_id}\x1f{webhook_id}".encode()).hexdigest()[:24]


def decide(state: DeliveryState, command: Settle) -> list[DomainEvent]:
    if state.processed:
        return []
    outcome = command.outcome
    if isinstance(outcome, DeliveryParked) and state.parked is not None and (
            state.parked.model_dump() == outcome.model_dump()):
        return []  # the same verdict as before (a redelivered intake event)
    return [outcome]


def evolve(state: DeliveryState, event: DomainEvent) -> DeliveryState:
    match event:
        case DeliveryProcessed():
            return DeliveryState(processed=True)
        case DeliveryParked():
            return DeliveryState(parked=event)
    return state


delivery = Aggregate(initial=DeliveryState, decide=decide, evolve=evolve)


# --- a PMS patient record's arrival ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SyncedPatient:
    seen: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class RecordSync:
    synced: PatientSynced


def patient_aggregate_id(location_id: str, patient_key: str) -> str:
    return "p" + hashlib.sha256(f"{location_id}\x1f{patient_key}".encode()).hexdigest()[:24]


def decide_sync(state: SyncedPatient, command: RecordSync) -> list[DomainEvent]:
    """One event per PMS record version (its PMS time): the same record sent again records nothing."""
    stamp = command.synced.occurred_at.isoformat()
    return [] if stamp in state.seen else [command.synced]


def evolve_sync(state: SyncedPatient, event: DomainEvent) -> SyncedPatient:
    if isinstance(event, PatientSynced):
        return SyncedPatient(state.seen | {event.occurred_at.isoformat()})
    return state


synced_patient = Aggregate(initial=SyncedPatient, decide=decide_sync, evolve=evolve_sync)
