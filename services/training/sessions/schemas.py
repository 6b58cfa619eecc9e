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
