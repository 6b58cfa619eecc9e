"""Read-model rows of rosters."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel


class StaffBase(SQLModel):
    location_id: str = Field(index=True)
    name: str
    role: str
    start_date: date | None = None
    left_on: date | None = None
    email: str | None = None
    capacity_hours: float | None = None
    login_subject: str | None = Field(default=None, index=True)


class StaffRow(StaffBase, table=True):
    __tablename__ = "training_staff_v2"

    org: str = Field(primary_key=True)
    id: str = Field(primary_key=True)
    added_at: datetime


class StaffPublic(StaffBase):
    id: str
    active: bool
