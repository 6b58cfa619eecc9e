"""What a projection is: a named fold of one service's events into read-model rows."""

from __future__ import annotations

from typing import Protocol

from sqlmodel import Session, SQLModel

from shared.events import RecordedEvent


class Projection(Protocol):
    """Applies events to rows inside the runner's transaction; must be deterministic."""

    name: str
    # The stream it reads: its own service's, or another's (readiness folds waves' programs).
    stream: str
    tables: tuple[type[SQLModel], ...]

    def apply(self, session: Session, event: RecordedEvent) -> None:
        """Write the event's effect on the read model (no commit: the runner commits)."""
        ...


def wants_any(projection: Projection, events: list[RecordedEvent]) -> bool:
    """Whether any of `events` can change the projection's rows.

    A projection may say which events it reads (`wants(event) -> bool`); a batch of none of them
    needs no transaction (most of a busy stream, for a projection of a few of its aggregates).
    Without `wants`, every event may matter.
    """
    wants = getattr(projection, "wants", None)
    return wants is None or any(wants(event) for event in events)


# How long a caught-up projection lets the next batch gather while no caller waits on it.
GATHER_S = 0.02


def lingering(projection: Projection) -> float:
    """How long the runner waits, once caught up, before taking the next batch (`linger_s`, or GATHER_S).

    Each batch costs a transaction and a checkpoint update whatever its size. Taken as soon as
    each event arrives, a busy stream (the intake's case events) made one or two events a batch
    and a transaction each, and the metrics service spent its CPU on commits. Waiting a moment
    gathers a batch; a caller that starts waiting (`wait_for`: read-your-writes, an audit query)
    ends the pause at once, so only reads nobody waits on are that much older.
    """
    return float(getattr(projection, "linger_s", GATHER_S))


def apply_all(projection: Projection, session: Session, events: list[RecordedEvent]) -> None:
    """Apply a run of events, in bulk when the projection knows how."""
    apply_many = getattr(projection, "apply_many", None)
    if apply_many is not None:
        apply_many(session, events)
        return
    for event in events:
        projection.apply(session, event)
