"""Read-model rows of the readiness service (SQLModel family: Base / Public / table)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel


class LocationBase(SQLModel):
    name: str
    region: str = Field(index=True)
    program_id: str | None = None
    it_infrastructure: int | None = None
    staff_adaptability: int | None = None
    patient_volume: int | None = None
    tech_stack: int | None = None
    champion: int | None = None
    composite: int | None = None
    level: str | None = None
    recommended_wave: str | None = None
    assessor: str | None = None
    scored_at: datetime | None = None
    registered_at: datetime
    version: int = 0


class LocationRow(LocationBase, table=True):
    """One location as the readiness matrix shows it."""

    __tablename__ = "readiness_locations"

    id: str = Field(primary_key=True)
    org: str = Field(index=True)
    facts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))


class LocationPublic(LocationBase):
    id: str
    facts: dict[str, Any] = {}
