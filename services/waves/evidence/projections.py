"""Evidence from events: metrics' baselines and KPIs, training's status, waves' own incidents."""

from __future__ import annotations

from sqlmodel import Session, SQLModel

from services.waves.evidence.models import BaselineRow, ChampionModelRow, IncidentRow, KpiRow, TrainingRow
from shared.contracts.base import UnknownEventType, parse
from shared.contracts.metrics import BaselineCaptured, LocationKpisMeasured
from shared.contracts.training import ChampionModelEvidenced, LocationTrainingStatusChanged
from shared.contracts.waves import IncidentAcknowledged, IncidentOpened, IncidentResolved
from shared.events import RecordedEvent


class MetricsEvidenceProjection:
    """The latest baseline per (location, metric) and the latest KPI measurement per location."""

    name = "waves-evidence-metrics"
    stream = "metrics"
    tables: tuple[type[SQLModel], ...] = (BaselineRow, KpiRow)

    @staticmethod
    def wants(event: RecordedEvent) -> bool:
        # Not cases, surveys or integrations: metrics folds those into the KPIs it publishes.
        return event.type in (BaselineCaptured.event_type(), LocationKpisMeasured.event_type())

    def apply(self, session: Session, event: RecordedEvent) -> None:
        if not self.wants(event):
            return
        try:
            fact = parse(event)
        except UnknownEventType:
            return
        org = event.ref.org
        match fact:
            case BaselineCaptured():
                session.merge(BaselineRow(
                    location_id=fact.location_id, metric=fact.metric, org=org, program_id=fact.program_id,
                    value=fact.value, unit=fact.unit, period_start=fact.period_start, period_end=fact.period_end,
                    sample_size=fact.sample_size, event_id=event.id, captured_at=event.time,
                ))
            case LocationKpisMeasured():
                session.merge(KpiRow(
                    location_id=fact.location_id, org=org, program_id=fact.program_id, as_of=fact.as_of,
                    values={k: v.model_dump(mode="json") for k, v in fact.values.items()},
                    first_sequence=fact.first_sequence, last_sequence=fact.last_sequence, event_id=event.id,
                ))
        session.flush()


class TrainingEvidenceProjection:
    """The latest training status per location."""

    name = "waves-evidence-training"
    stream = "training"
    tables: tuple[type[SQLModel], ...] = (TrainingRow,)

    def apply(self, session: Session, event: RecordedEvent) -> None:
        if event.type != LocationTrainingStatusChanged.event_type():
            return
        fact = parse(event)
        assert isinstance(fact, LocationTrainingStatusChanged)
        session.merge(TrainingRow(
            location_id=fact.location_id, org=event.ref.org, program_id=fact.program_id,
            staff_total=fact.staff_total, staff_trained=fact.staff_trained, completion_pct=fact.completion_pct,
            as_of=fact.as_of, event_id=event.id,
        ))
        session.flush()


class ChampionModelEvidenceProjection:
    """The latest train-the-trainer evidence per location (training's `ChampionModelEvidenced`)."""

    name = "waves-evidence-champion-model"
    stream = "training"
    tables: tuple[type[SQLModel], ...] = (ChampionModelRow,)

    def apply(self, session: Session, event: RecordedEvent) -> None:
        if event.type != ChampionModelEvidenced.event_type():
            return
        fact = parse(event)
        assert isinstance(fact, ChampionModelEvidenced)
        session.merge(ChampionModelRow(
            location_id=fact.location_id, org=event.ref.org, program_id=fact.program_id, wave=fact.wave,
            validated=fact.validated, staff_trained=fact.staff_trained, reason=fact.reason, as_of=fact.as_of,
            event_id=event.id,
        ))
        session.flush()


class IncidentsProjection:
    """Incidents and tickets, open or resolved."""

    name = "waves-incidents-v2"  # v2: with the acknowledgement (first response)
    stream = "waves"
    tables: tuple[type[SQLModel], ...] = (IncidentRow,)

    def apply(self, session: Session, event: RecordedEvent) -> None:
        if event.ref.aggregate != "incident":
            return
        match parse(event):
            case IncidentOpened() as opened:
                session.merge(IncidentRow(
                    incident_id=opened.incident_id, org=event.ref.org, program_id=opened.program_id,
                    location_id=opened.location_id, kind=opened.kind, severity=opened.severity,
                    category=opened.category, description=opened.description, opened_at=opened.opened_at,
                    contact_tier=opened.contact_tier, response_due_at=opened.response_due_at, event_id=event.id,
                ))
                session.flush()
            case IncidentAcknowledged() as acknowledged:
                row = session.get(IncidentRow, acknowledged.incident_id)
                if row is not None:
                    row.acknowledged_at = acknowledged.acknowledged_at
                    session.add(row)
                    session.flush()
            case IncidentResolved() as resolved:
                row = session.get(IncidentRow, resolved.incident_id)
                if row is not None:
                    row.resolved_at = resolved.resolved_at
                    session.add(row)
                    session.flush()
