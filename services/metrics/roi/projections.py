"""Folds `RoiAssumptionsSet` into `metrics_roi_assumptions_v1`."""

from __future__ import annotations

from sqlmodel import Session, SQLModel

from services.metrics.roi.models import RoiAssumptionsRow
from shared.contracts.base import parse
from shared.contracts.metrics import RoiAssumptionsSet
from shared.events import RecordedEvent


class RoiProjection:
    """A program's money assumptions, as last set."""

    name = "metrics-roi"
    stream = "metrics"
    tables: tuple[type[SQLModel], ...] = (RoiAssumptionsRow,)

    @staticmethod
    def wants(event: RecordedEvent) -> bool:
        return event.type == RoiAssumptionsSet.event_type()

    def apply(self, session: Session, event: RecordedEvent) -> None:
        if not self.wants(event):
            return
        fact = parse(event)
        assert isinstance(fact, RoiAssumptionsSet)
        session.merge(RoiAssumptionsRow(org=event.ref.org, set_at=event.time, **fact.model_dump()))
