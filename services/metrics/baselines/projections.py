"""Folds `BaselineCaptured` into `metrics_baselines`: the latest value per location and metric."""

from __future__ import annotations

from sqlmodel import Session, SQLModel

from services.metrics.baselines.models import BaselineRow
from shared.contracts.base import parse
from shared.contracts.metrics import BaselineCaptured
from shared.events import RecordedEvent


class BaselinesProjection:
    name = "metrics-baselines"
    stream = "metrics"
    tables: tuple[type[SQLModel], ...] = (BaselineRow,)

    @staticmethod
    def wants(event: RecordedEvent) -> bool:
        return event.type == BaselineCaptured.event_type()

    def apply(self, session: Session, event: RecordedEvent) -> None:
        if not self.wants(event):
            return
        fact = parse(event)
        assert isinstance(fact, BaselineCaptured)
        session.merge(BaselineRow(
            org=event.ref.org, location_id=fact.location_id, metric=fact.metric, program_id=fact.program_id,
            value=fact.value, unit=fact.unit, period_start=fact.period_start, period_end=fact.period_end,
            source=fact.source, captured_by=fact.captured_by, sample_size=fact.sample_size, captured_at=event.time,
            event_id=event.id,
        ))
        session.flush()
