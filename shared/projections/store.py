"""Synchronous read-model writes: one transaction holds a batch's rows and its checkpoint."""

from __future__ import annotations

from sqlalchemy import Engine, delete
from sqlmodel import Session, SQLModel, col, select

from shared.events import RecordedEvent
from shared.projections.base import Projection, apply_all
from shared.projections.models import DeadLetter, ProjectionCheckpoint
from shared.telemetry import batch_span


class GapDetected(RuntimeError):
    """An event arrived past checkpoint + 1: one before it is still outstanding."""


def create_tables(engine: Engine, projection: Projection) -> None:
    tables = [t.__table__ for t in (*projection.tables, ProjectionCheckpoint, DeadLetter)]  # type: ignore[attr-defined]
    SQLModel.metadata.create_all(engine, tables=tables)
    for table in tables:  # an index added to an existing table (create_all skips tables that exist)
        for index in table.indexes:
            index.create(engine, checkfirst=True)


def checkpoint(engine: Engine, name: str) -> int:
    with Session(engine) as session:
        row = session.get(ProjectionCheckpoint, name)
        return row.position if row else 0


def dead_letter_count(engine: Engine, name: str) -> int:
    with Session(engine) as session:
        return len(session.exec(select(DeadLetter.id).where(DeadLetter.projection == name)).all())


def apply_batch(engine: Engine, projection: Projection, events: list[RecordedEvent]) -> int:
    """Apply events in order past the checkpoint; rows and checkpoint commit together."""
    with Session(engine) as session, session.begin():
        row = session.get(ProjectionCheckpoint, projection.name, with_for_update=True)
        if row is None:
            row = ProjectionCheckpoint(name=projection.name, position=0)
            session.add(row)
        position = row.position
        fresh: list[RecordedEvent] = []
        for event in events:
            if event.sequence <= position:
                continue  # a redelivery of something already applied
            if event.sequence != position + 1:
                raise GapDetected(f"{projection.name}: got {event.sequence} after {position}")
            fresh.append(event)
            position = event.sequence
        if fresh:
            name = f"project {fresh[0].type}" if len(fresh) == 1 else f"project {len(fresh)} events"
            with batch_span(name, [e.traceparent for e in fresh]):
                apply_all(projection, session, fresh)
        row.position = position
        return position


def record_dead_letter(engine: Engine, projection: Projection, event: RecordedEvent, error: str) -> int:
    """Skip a poison event: note it and move the checkpoint past it, in one transaction."""
    with Session(engine) as session, session.begin():
        row = session.get(ProjectionCheckpoint, projection.name, with_for_update=True)
        if row is None:
            row = ProjectionCheckpoint(name=projection.name, position=0)
            session.add(row)
        if event.sequence <= row.position:
            return row.position
        session.add(DeadLetter(projection=projection.name, sequence=event.sequence, subject=event.subject, error=error))
        row.position = event.sequence
        return row.position


def reset(engine: Engine, projection: Projection) -> None:
    """Empty the projection's tables and checkpoint, for a rebuild from sequence 1."""
    create_tables(engine, projection)
    with Session(engine) as session, session.begin():
        for table in projection.tables:
            session.execute(delete(table))
        session.execute(delete(ProjectionCheckpoint).where(col(ProjectionCheckpoint.name) == projection.name))
        session.execute(delete(DeadLetter).where(col(DeadLetter.projection) == projection.name))
