"""What a projection is: a named fold of one service's events into read-model rows."""

from __future__ import annotations

from typing import Protocol

from sqlmodel import Session, SQLModel

from shared.events import RecordedEvent


class Projection(Protocol):
    """Applies events to rows inside the runner's transaction; must be deterministic."""

    name: str
    service: str
    tables: tuple[type[SQLModel], ...]

    def apply(self, session: Session, event: RecordedEvent) -> None:
        """Write the event's effect on the read model (no commit: the runner commits)."""
        ...
