"""Folds `LocationTrainingStatusChanged` into `training_status_v1`: each location's last figures."""

from __future__ import annotations

from sqlmodel import Session, SQLModel

from services.training.completion.models import StatusRow
from shared.contracts.base import parse
from shared.contracts.training import LocationTrainingStatusChanged
from shared.events import RecordedEvent

HANDLED = LocationTrainingStatusChanged.event_type()


class StatusProjection:
    """One row per location with staff to train: totals, by role, who is missing what."""

    name = "training-status"
    stream = "training"
    tables: tuple[type[SQLModel], ...] = (StatusRow,)

    def apply(self, session: Session, event: RecordedEvent) -> None:
        if event.type != HANDLED:
            return
        fact = parse(event)
        assert isinstance(fact, LocationTrainingStatusChanged)
        data = fact.model_dump(mode="json")
        session.merge(StatusRow(
            org=event.ref.org, location_id=fact.location_id, program_id=fact.program_id,
            staff_total=fact.staff_total, staff_trained=fact.staff_trained, completion_pct=fact.completion_pct,
            by_role=data["by_role"], missing=data["missing"], as_of=fact.as_of,
        ))
