"""Folds `ObjectionRecorded` into `training_objections_v1`."""

from __future__ import annotations

from sqlmodel import Session, SQLModel

from services.training.objections.models import ObjectionRow
from shared.contracts.base import parse
from shared.contracts.training import ObjectionRecorded
from shared.events import RecordedEvent


class ObjectionsProjection:
    """One row per recorded objection."""

    name = "training-objections"
    stream = "training"
    tables: tuple[type[SQLModel], ...] = (ObjectionRow,)

    def apply(self, session: Session, event: RecordedEvent) -> None:
        if event.type != ObjectionRecorded.event_type():
            return
        fact = parse(event)
        assert isinstance(fact, ObjectionRecorded)
        session.merge(ObjectionRow(org=event.ref.org, id=fact.objection_id, recorded_at=event.time,
                                   **fact.model_dump(exclude={"objection_id"})))
