"""The PMS patient index: patients the PMS integrations sent, per integration and PMS patient id.

A projection of the intake stream itself (so the processor can wait until it has applied a
delivery's position and match against exactly what came before). It holds PHI — names and dates
of birth — because matching needs them: it lives only in metrics' database, is never served, and
its source expires with the intake retention. The newest record by the PMS's own time wins.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import orjson
from sqlalchemy import Column, DateTime, Engine, bindparam
from sqlalchemy import select as sa_select
from sqlmodel import Field, Session, SQLModel, col, select

from services.metrics.cases.projections import utc
from services.metrics.cases.pseudonyms import normalised
from services.metrics.intake.adapters import ADAPTERS
from services.metrics.intake.adapters.base import Malformed, PatientFields, PatientRecord
from services.metrics.intake.matching import Candidate
from shared.contracts.base import parse
from shared.contracts.gateway import INTAKE, WebhookReceived
from shared.events import RecordedEvent

log = logging.getLogger(__name__)


class PatientIndexRow(SQLModel, table=True):
    __tablename__ = "metrics_pms_patients_v1"

    org: str = Field(primary_key=True)
    integration_id: str = Field(primary_key=True)
    patient_ref: str = Field(primary_key=True)
    clinic_id: str = Field(index=True)
    last_name: str | None = None
    first_name: str | None = None
    birth_date: date | None = None
    chart_number: str | None = None
    chart_key: str | None = Field(default=None, index=True)  # normalised, for exact matching
    occurred_at: datetime = Field(sa_column=Column(DateTime(timezone=True)))
    received_at: datetime = Field(sa_column=Column(DateTime(timezone=True), index=True))
    sequence: int


def record_of(received: WebhookReceived, time_zone: str = "UTC") -> PatientRecord | None:
    """The patient record a delivery carries, if it is one and parses (anything else: None)."""
    adapter = ADAPTERS.get(received.source)
    if adapter is None:
        return None
    try:
        item = adapter(orjson.loads(received.body), ZoneInfo(time_zone))
    except (Malformed, orjson.JSONDecodeError):
        return None
    return item if isinstance(item, PatientRecord) else None


class PatientIndexProjection:
    name = "metrics-pms-patients"
    stream = INTAKE
    tables: tuple[type[SQLModel], ...] = (PatientIndexRow,)

    def apply(self, session: Session, event: RecordedEvent) -> None:
        if event.ref.aggregate != "delivery":
            return
        received = parse(event)
        assert isinstance(received, WebhookReceived)
        # Offsets do not matter for ordering one patient's records from one PMS: its times share a zone.
        record = record_of(received)
        if record is None:
            return
        key = (event.ref.org, received.integration_id, record.patient_ref)
        row = session.get(PatientIndexRow, key)
        if row is not None and (utc(row.occurred_at) or record.occurred_at) > record.occurred_at:
            return
        fields = record.patient
        session.merge(PatientIndexRow(
            org=key[0], integration_id=key[1], patient_ref=key[2], clinic_id=record.clinic_id,
            last_name=fields.last_name, first_name=fields.first_name, birth_date=fields.birth_date,
            chart_number=fields.chart_number,
            chart_key=normalised(fields.chart_number) if fields.chart_number else None,
            occurred_at=record.occurred_at, received_at=received.received_at, sequence=event.sequence,
        ))


# Plain rows, not ORM objects: matching reads these once per case delivery and builds no row to change.
_CANDIDATE_COLUMNS = (col(PatientIndexRow.integration_id), col(PatientIndexRow.patient_ref),
                      col(PatientIndexRow.clinic_id), col(PatientIndexRow.last_name),
                      col(PatientIndexRow.first_name), col(PatientIndexRow.birth_date),
                      col(PatientIndexRow.chart_number))


def _candidate(row: Sequence[Any]) -> Candidate:
    integration_id, patient_ref, _clinic, last_name, first_name, birth_date, chart_number = row
    return Candidate(integration_id, patient_ref, PatientFields(last_name, first_name, birth_date, chart_number))


_BY_REF = sa_select(*_CANDIDATE_COLUMNS).where(
    col(PatientIndexRow.org) == bindparam("org"), col(PatientIndexRow.integration_id) == bindparam("integration_id"),
    col(PatientIndexRow.patient_ref) == bindparam("patient_ref"))
_BY_CHART = sa_select(*_CANDIDATE_COLUMNS).where(col(PatientIndexRow.org) == bindparam("org"),
                                                 col(PatientIndexRow.chart_key) == bindparam("chart_key"))
_AT_CLINICS = sa_select(*_CANDIDATE_COLUMNS).where(
    col(PatientIndexRow.org) == bindparam("org"),
    col(PatientIndexRow.clinic_id).in_(bindparam("clinics", expanding=True)))


def by_ref(engine: Engine, *, org: str, integration_id: str, patient_ref: str) -> Candidate | None:
    with engine.connect() as connection:
        row = connection.execute(_BY_REF, {"org": org, "integration_id": integration_id,
                                           "patient_ref": patient_ref}).first()
    return _candidate(row) if row is not None else None


def at_clinics(engine: Engine, *, org: str, clinics: Iterable[tuple[str, str]],
               chart_number: str | None = None) -> list[Candidate]:
    """The PMS patients of these (integration, clinic) pairs — the patients known at one location — with
    `chart_number` when given (exact matching needs no others)."""
    pairs = list(clinics)
    if not pairs:
        return []
    wanted = set(pairs)
    with engine.connect() as connection:
        if chart_number is not None:
            rows = connection.execute(_BY_CHART, {"org": org, "chart_key": normalised(chart_number)}).all()
        else:
            rows = connection.execute(_AT_CLINICS, {"org": org, "clinics": sorted({c for _, c in pairs})}).all()
    return [_candidate(row) for row in rows if (row[0], row[2]) in wanted]


def purge_before(engine: Engine, cutoff: datetime) -> int:
    """Forget PMS patients whose delivery was received before the intake retention (their source expired too)."""
    with Session(engine) as session, session.begin():
        rows = session.exec(select(PatientIndexRow).where(col(PatientIndexRow.received_at) < cutoff)).all()
        for row in rows:
            session.delete(row)
        return len(rows)
