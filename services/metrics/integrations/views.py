"""Integration queries: one integration, which clinics feed a location, a location's intake settings."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from services.metrics.cases.projections import utc
from services.metrics.integrations.models import DeliveryRow, IntakeSettingsRow, IntegrationRow, PatientSyncRow


def find(engine: Engine, *, org: str, integration_id: str) -> IntegrationRow | None:
    with Session(engine) as session:
        row = session.get(IntegrationRow, (org, integration_id))
        if row is not None:
            session.expunge(row)
            row.previous_valid_until = utc(row.previous_valid_until)
        return row


def of_org(engine: Engine, *, org: str) -> list[IntegrationRow]:
    with Session(engine) as session:
        rows = session.exec(select(IntegrationRow).where(IntegrationRow.org == org)
                            .order_by(col(IntegrationRow.registered_at), col(IntegrationRow.id))).all()
        for row in rows:
            session.expunge(row)
            row.previous_valid_until = utc(row.previous_valid_until)
        return list(rows)


def clinics_of(engine: Engine, *, org: str, location_id: str) -> list[tuple[str, str]]:
    """(integration, clinic id) pairs mapped to the location."""
    return [(row.id, clinic) for row in of_org(engine, org=org)
            for clinic, location in row.clinic_map.items() if location == location_id]


def settings_of(engine: Engine, *, org: str, location_id: str) -> IntakeSettingsRow:
    with Session(engine) as session:
        row = session.get(IntakeSettingsRow, (org, location_id))
        if row is None:
            return IntakeSettingsRow(org=org, location_id=location_id)
        session.expunge(row)
        return row


def deliveries(engine: Engine, *, org: str, status: str | None = None, integration_id: str | None = None,
               waiting_for_case: str | None = None, limit: int = 500) -> list[DeliveryRow]:
    with Session(engine) as session:
        query = select(DeliveryRow).where(DeliveryRow.org == org)
        if status is not None:
            query = query.where(DeliveryRow.status == status)
        if integration_id is not None:
            query = query.where(DeliveryRow.integration_id == integration_id)
        if waiting_for_case is not None:
            query = query.where(DeliveryRow.waiting_for_case == waiting_for_case)
        rows = session.exec(query.order_by(col(DeliveryRow.intake_sequence)).limit(limit)).all()
        for row in rows:
            session.expunge(row)
        return list(rows)


def delivery(engine: Engine, *, org: str, delivery_id: str) -> DeliveryRow | None:
    with Session(engine) as session:
        row = session.get(DeliveryRow, (org, delivery_id))
        if row is not None:
            session.expunge(row)
        return row


def patient_sync_seconds(engine: Engine, *, org: str, location_id: str) -> list[float]:
    with Session(engine) as session:
        rows = session.exec(select(PatientSyncRow).where(PatientSyncRow.org == org,
                                                         PatientSyncRow.location_id == location_id)).all()
        return [max(((utc(r.received_at) or r.received_at) - (utc(r.occurred_at) or r.occurred_at)).total_seconds(),
                    0.0) for r in rows]


def waiting_cases(engine: Engine) -> set[tuple[str, str]]:
    """(org, case id) of every parked delivery waiting for its case to be created."""
    with Session(engine) as session:
        rows = session.exec(select(DeliveryRow.org, DeliveryRow.waiting_for_case).where(
            DeliveryRow.status == "parked", col(DeliveryRow.waiting_for_case).is_not(None))).all()
        return {(org, case) for org, case in rows if case}


def procedures_without_case(engine: Engine, *, org: str, location_ids: list[str]) -> dict[str, int]:
    """location -> PMS procedures posted there that no platform case took (aligners planned elsewhere)."""
    with Session(engine) as session:
        rows = session.exec(select(DeliveryRow.location_id).where(
            DeliveryRow.org == org, DeliveryRow.status == "parked", DeliveryRow.reason == "case_not_created",
            col(DeliveryRow.waiting_for_case).startswith("p"), col(DeliveryRow.location_id).in_(location_ids))).all()
    found: dict[str, int] = {}
    for location_id in rows:
        if location_id:
            found[location_id] = found.get(location_id, 0) + 1
    return found
