"""Roster request bodies."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field


class StaffCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    role: str
    start_date: date | None = None
    email: str | None = Field(default=None, max_length=320)
    capacity_hours: float | None = None
    login_subject: str | None = Field(default=None, min_length=1, max_length=200,
                                      description="the person's login (the token's `sub`): they may read their "
                                                  "own training record")


class StaffUpdate(BaseModel):
    """Mark a staff member as having left, from `left_on`."""

    model_config = ConfigDict(extra="forbid")

    left_on: date
    reason: str | None = Field(default=None, max_length=1000)
