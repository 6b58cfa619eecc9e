"""Read-model rows of the resistance log."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel


class ObjectionBase(SQLModel):
    location_id: str = Field(index=True)
    program_id: str | None = Field(default=None, index=True)
    role: str
    staff_id: str | None = None
    objection: str
    response_used: str | None = None
    outcome: str
    raised_on: date
    note: str | None = None
    recorded_by: str


class ObjectionRow(ObjectionBase, table=True):
    __tablename__ = "training_objections_v1"

    org: str = Field(primary_key=True)
    id: str = Field(primary_key=True)
    recorded_at: datetime


class ObjectionPublic(ObjectionBase):
    id: str
