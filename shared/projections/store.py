"""Synchronous read-model writes: one transaction holds a batch's rows and its checkpoint."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, bindparam, delete, insert, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, col, select

from shared.events import RecordedEvent
from shared.projections.base import Projection, apply_all
from shared.projections.models import DeadLetter, ProjectionCheckpoint
from shared.telemetry import batch_span

CHECKPOINTS = ProjectionCheckpoint.__table__  # type: ignore[attr-defined]
# A projection's stored position, locked for the batch's transaction (PostgreSQL; SQLite has one writer anyway).
_POSITION = sa_select(CHECKPOINTS.c.position).where(CHECKPOINTS.c.name == bindparam("name")).with_for_update()


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


def unapplied(name: str, position: int, events: list[RecordedEvent]) -> tuple[list[RecordedEvent], int]:
    """The events past `position` and the position after them; redeliveries are dropped, a hole refused."""
    fresh: list[RecordedEvent] = []
    for event in events:
        if event.sequence <= position:
            continue  # a redelivery of something already applied
        if event.sequence != position + 1:
            raise GapDetected(f"{name}: got {event.sequence} after {position}")
        fresh.append(event)
        position = event.sequence
    return fresh, position


def apply_batch(engine: Engine, projection: Projection, events: list[RecordedEvent], *, after: int = 0) -> int:
    """Apply events in order past the checkpoint; rows and checkpoint commit together.

    `after`: the runner's position, when it is past the stored checkpoint because the events between
    changed no row (`save_checkpoint` stores such positions only now and then).
    """
    with Session(engine) as session, session.begin():
        # Core statements, not the ORM row: under a steady trickle of events a batch is one or two of
        # them, and loading and flushing the checkpoint object cost as much as applying them.
        stored = session.execute(_POSITION, {"name": projection.name}).scalar()
        fresh, position = unapplied(projection.name, max(stored or 0, after), events)
        if fresh:
            name = f"project {fresh[0].type}" if len(fresh) == 1 else f"project {len(fresh)} events"
            with batch_span(name, [e.traceparent for e in fresh]):
                apply_all(projection, session, fresh)
        values = {"position": position, "updated_at": datetime.now(UTC)}
        if stored is None:
            session.execute(insert(CHECKPOINTS).values(name=projection.name, **values))
        elif position != stored:
            session.execute(update(CHECKPOINTS).where(CHECKPOINTS.c.name == projection.name).values(**values))
        return position


def save_checkpoint(engine: Engine, name: str, position: int) -> None:
    """Store a position reached by events that changed no row, never moving the checkpoint back.

    One conditional UPDATE: read-then-write raced a batch a cancelled runner's thread was still
    committing (SQLite takes no lock at the read) and moved the checkpoint back under its rows.
    """
    table = CHECKPOINTS
    with engine.begin() as connection:
        moved = connection.execute(update(table).where(table.c.name == name, table.c.position < position)
                                   .values(position=position, updated_at=datetime.now(UTC)))
        if moved.rowcount == 0 and connection.execute(
                sa_select(table.c.position).where(table.c.name == name)).first() is None:
            connection.execute(insert(table).values(name=name, position=position, updated_at=datetime.now(UTC)))


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
