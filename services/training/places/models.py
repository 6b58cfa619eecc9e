"""Read-model rows of other services' aggregates training needs: locations (readiness) and programs (waves)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Field, SQLModel

from shared.rowfields import json_dict


class TrainingLocationRow(SQLModel, table=True):
    """A readiness location: its region (for scope) and its program (for the playbook)."""

    __tablename__ = "training_locations_v1"

    org: str = Field(primary_key=True)
    id: str = Field(primary_key=True)
    name: str
    region: str
    program_id: str | None = Field(default=None, index=True)


class TrainingProgramRow(SQLModel, table=True):
    """A waves program with its effective playbook, overrides applied."""

    __tablename__ = "training_programs_v2"

    org: str = Field(primary_key=True)
    id: str = Field(primary_key=True)
    name: str
    start_date: date | None = None  # v2: the calendar that planned sessions are checked against
    playbook: dict[str, Any] = json_dict()
    override_version: int = 0


class TrainingWaveRow(SQLModel, table=True):
    """A location's wave in its program's plan, as waves last published it (None: unscheduled)."""

    __tablename__ = "training_waves_v1"

    org: str = Field(primary_key=True)
    location_id: str = Field(primary_key=True)
    program_id: str = Field(index=True)
    wave: str | None = None
