"""Read-model rows of programs as metrics knows them (from waves' events)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlmodel import Field, SQLModel

from shared.rowfields import json_dict


class ProgramRow(SQLModel, table=True):
    """A waves program: its effective playbook, overrides applied."""

    __tablename__ = "metrics_programs"

    org: str = Field(primary_key=True)
    id: str = Field(primary_key=True)
    name: str
    playbook_id: str
    playbook: dict[str, Any] = json_dict()
    override_version: int = 0
    created_at: datetime
    updated_at: datetime


class GoLiveRow(SQLModel, table=True):
    """When a location went live (waves' `LocationWentLive`); the latest one stands."""

    __tablename__ = "metrics_go_lives"

    org: str = Field(primary_key=True)
    location_id: str = Field(primary_key=True)
    program_id: str
    wave: str | None = None
    date: date
    recorded_at: datetime
