"""Read-model rows of sessions and of each person's completed curricula."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlmodel import Field, SQLModel

from shared.rowfields import json_list


class SessionBase(SQLModel):
    location_id: str = Field(index=True)
    program_id: str | None = None
    curriculum: str
    trainer_staff_id: str | None = None
    trainer_name: str | None = None
    trainer_location_id: str | None = None
    trainer_certified_champion: bool = False
    held_on: date
    duration_minutes: int
    attendees: list[Any] = json_list()


class SessionRow(SessionBase, table=True):
    __tablename__ = "training_sessions_v1"

    org: str = Field(primary_key=True)
    id: str = Field(primary_key=True)
    recorded_at: datetime


class SessionPublic(SessionBase):
    id: str


class CompletionRow(SQLModel, table=True):
    """One person's completion of a curriculum in a session (who trained them: the lineage)."""

    __tablename__ = "training_completions_v1"

    org: str = Field(primary_key=True)
    staff_id: str = Field(primary_key=True)
    curriculum: str = Field(primary_key=True)
    session_id: str = Field(primary_key=True)
    location_id: str = Field(index=True)
    role: str
    trainer_staff_id: str | None = None
    trainer_location_id: str | None = None
    trainer_certified_champion: bool = False
    score: float | None = None
    completed_at: datetime
    program_id: str | None = None


class PlannedSessionBase(SQLModel):
    location_id: str = Field(index=True)
    program_id: str | None = None
    wave: str | None = None
    curriculum: str
    planned_on: date
    duration_minutes: int | None = None
    trainer_staff_id: str | None = None
    attendee_staff_ids: list[Any] = json_list()
    complete_by: date | None = None
    planned_by: str


class PlannedSessionRow(PlannedSessionBase, table=True):
    """A session scheduled ahead (a recorded session is a separate fact)."""

    __tablename__ = "training_planned_sessions_v1"

    org: str = Field(primary_key=True)
    id: str = Field(primary_key=True)


class PlannedSessionPublic(PlannedSessionBase):
    id: str
