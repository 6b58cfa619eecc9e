"""Folds integration, intake-settings, delivery and patient-sync events into metrics' read models."""

from __future__ import annotations

from sqlalchemy import tuple_
from sqlmodel import Session, SQLModel, col, select

from services.metrics.integrations.models import DeliveryRow, IntakeSettingsRow, IntegrationRow, PatientSyncRow
from shared.contracts.base import parse
from shared.contracts.metrics import (
    DeliveryParked,
    DeliveryProcessed,
    IntegrationClinicsMapped,
    IntegrationRegistered,
    IntegrationSecretRotated,
    LocationIntakeConfigured,
    PatientSynced,
)
from shared.events import RecordedEvent

AGGREGATES = {"integration", "intake_settings", "delivery", "patient"}


class IntegrationsProjection:
    name = "metrics-integrations"
    stream = "metrics"
    tables: tuple[type[SQLModel], ...] = (IntegrationRow, IntakeSettingsRow, DeliveryRow, PatientSyncRow)

    @staticmethod
    def wants(event: RecordedEvent) -> bool:
        return event.ref.aggregate in AGGREGATES

    def apply(self, session: Session, event: RecordedEvent) -> None:
        self.apply_many(session, [event])

    def apply_many(self, session: Session, events: list[RecordedEvent]) -> None:
        """A batch's deliveries read in one query first (every webhook ends in a delivery outcome)."""
        keys = {(e.ref.org, e.ref.id) for e in events if e.ref.aggregate == "delivery"}
        query = select(DeliveryRow).where(tuple_(col(DeliveryRow.org), col(DeliveryRow.id)).in_(keys))
        deliveries = {(row.org, row.id): row for row in session.exec(query)} if keys else {}
        for event in events:
            self._apply(session, event, deliveries)

    def _apply(self, session: Session, event: RecordedEvent, deliveries: dict[tuple[str, str], DeliveryRow]) -> None:
        if not self.wants(event):
            return
        org = event.ref.org
        match parse(event):
            case IntegrationRegistered() as registered:
                session.merge(IntegrationRow(
                    org=org, id=registered.integration_id, source=registered.source, name=registered.name,
                    time_zone=registered.time_zone, clinic_map=registered.clinic_map, secret_id=registered.secret_id,
                    fingerprint=registered.fingerprint, registered_by=registered.registered_by,
                    registered_at=event.time,
                ))
            case IntegrationSecretRotated() as rotated:
                row = _integration(session, org, rotated.integration_id)
                row.previous_secret_id = rotated.previous_secret_id
                row.previous_valid_until = rotated.previous_valid_until
                row.secret_id, row.fingerprint = rotated.secret_id, rotated.fingerprint
                session.add(row)
            case IntegrationClinicsMapped() as mapped:
                row = _integration(session, org, mapped.integration_id)
                row.clinic_map = dict(mapped.clinic_map)
                session.add(row)
            case LocationIntakeConfigured() as configured:
                session.merge(IntakeSettingsRow(
                    org=org, location_id=configured.location_id, patient_matching=configured.patient_matching,
                    fuzzy_threshold=configured.fuzzy_threshold, procedure_codes=configured.procedure_codes,
                    fee_schedule=configured.fee_schedule,
                ))
            case DeliveryParked() | DeliveryProcessed() as outcome:
                _delivery(session, event, outcome, deliveries)
            case PatientSynced() as synced:
                session.merge(PatientSyncRow(
                    org=org, sequence=event.sequence, location_id=synced.location_id, patient_key=synced.patient_key,
                    occurred_at=synced.occurred_at, received_at=synced.received_at,
                ))


def _integration(session: Session, org: str, integration_id: str) -> IntegrationRow:
    row = session.get(IntegrationRow, (org, integration_id))
    if row is None:
        raise LookupError(f"event for unknown integration {integration_id}")
    return row


def _delivery(session: Session, event: RecordedEvent, outcome: DeliveryParked | DeliveryProcessed,
              deliveries: dict[tuple[str, str], DeliveryRow]) -> None:
    key = (event.ref.org, outcome.delivery_id)  # the delivery aggregate's id: read with the batch
    row = deliveries.get(key)
    if row is None:
        row = deliveries[key] = DeliveryRow(
            org=event.ref.org, id=outcome.delivery_id, integration_id=outcome.integration_id, source=outcome.source,
            webhook_id=outcome.webhook_id, intake_sequence=outcome.intake_sequence, status="parked",
            first_seen_at=event.time, updated_at=event.time,
        )
    row.attempts += 1
    row.updated_at = event.time
    row.intake_sequence = outcome.intake_sequence
    if isinstance(outcome, DeliveryParked):
        row.status, row.reason, row.detail, row.field_name = "parked", outcome.reason, outcome.detail, outcome.field
        row.clinic_id, row.location_id, row.waiting_for_case = (outcome.clinic_id, outcome.location_id,
                                                                outcome.waiting_for_case)
    else:
        row.status, row.detail, row.location_id, row.case_id = (outcome.outcome, outcome.detail, outcome.location_id,
                                                                outcome.case_id)
        row.reason = row.field_name = row.waiting_for_case = None
    session.add(row)
