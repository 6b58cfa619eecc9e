"""Read-model rows of locations as metrics knows them (from readiness' events)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel


class LocationRow(SQLModel, table=True):
    """A location: its name, region (for scope) and program (for its playbook)."""

    __tablename__ = "metrics_locations"

    org: str = Field(primary_key=True)
    id: str = Field(primary_key=True)
    name: str
    region: str = Field(index=True)
    program_id: str | None = Field(default=None, index=True)
    registered_at: datetime
