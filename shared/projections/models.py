"""Bookkeeping tables every read-model database carries."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Field, SQLModel


def _now() -> datetime:
    return datetime.now(UTC)


class ProjectionCheckpoint(SQLModel, table=True):
    """The last stream sequence a projection applied, committed with its rows."""

    __tablename__ = "projection_checkpoints"

    name: str = Field(primary_key=True)
    position: int = 0
    updated_at: datetime = Field(default_factory=_now)


class DeadLetter(SQLModel, table=True):
    """An event a projection gave up on after N attempts, with the error."""

    __tablename__ = "projection_dead_letters"

    id: int | None = Field(default=None, primary_key=True)
    projection: str = Field(index=True)
    sequence: int
    subject: str
    error: str
    at: datetime = Field(default_factory=_now)
