"""Session request bodies."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field


class AttendeeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    staff_id: str
    present: bool = True
    score: float | None = None


class SessionCreate(BaseModel):
    """A delivered session: the curriculum (a role key of the playbook's curricula), trainer, date, attendees."""

    model_config = ConfigDict(extra="forbid")

    curriculum: str
    trainer_staff_id: str | None = None
    trainer_name: str | None = Field(default=None, max_length=200)
    held_on: date
    duration_minutes: int
    attendees: list[AttendeeIn] = Field(max_length=500)


class PlannedSessionCreate(BaseModel):
    """A session to hold later: curriculum, date, optionally the trainer and the invited staff."""

    model_config = ConfigDict(extra="forbid")

    curriculum: str = Field(max_length=100)
    planned_on: date
    duration_minutes: int | None = None
    trainer_staff_id: str | None = Field(default=None, max_length=64)
    attendee_staff_ids: list[str] = Field(default_factory=list, max_length=500)
