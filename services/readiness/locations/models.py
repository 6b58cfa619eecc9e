"""Read-model rows of the readiness service (SQLModel family: Base / Public / table).

Tables carry a version suffix: a new column means a new table (and projection name), which
the runner fills by replaying from sequence 1 — an old database never meets a newer schema.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from shared.rowfields import json_dict


class LocationBase(SQLModel):
    name: str
    region: str
    program_id: str | None = Field(default=None, index=True)
    it_infrastructure: int | None = None
    staff_adaptability: int | None = None
    patient_volume: int | None = None
    tech_stack: int | None = None
    champion: int | None = None
    composite: int | None = None
    level: str | None = None
    recommended_wave: str | None = None
    assessor: str | None = None
    method: str | None = None
    scored_at: datetime | None = None
    registered_at: datetime
    updated_at: datetime | None = None
    version: int = 0


class LocationRow(LocationBase, table=True):
    """One location as the readiness matrix shows it, with what its live scoring needs."""

    __tablename__ = "readiness_locations_v2"
    # Lists and matrix pages: the caller's org in the stable order (name, id), read a page at a time.
    # The name check of every new location: without its own index SQLite's planner (no statistics)
    # chose the region index and read every location of the region, in every org, per command.
    # No index of org or region alone: every query names the org, so these two serve them, and
    # each index is one more b-tree every new location writes (a rebuild's inserts).
    __table_args__ = (Index("ix_readiness_locations_v2_org_name_id", "org", "name", "id"),
                      Index("ix_readiness_locations_v2_org_region_name", "org", "region", "name"))

    id: str = Field(primary_key=True)
    org: str
    facts: dict[str, Any] = json_dict()
    # factor -> {score, assessor, reason}: assessor scores that stand until reverted to "derived".
    entered: dict[str, Any] = json_dict()
    # factor -> the last LocationScored's per-factor record (score, method, criteria, next_step, ...).
    factors: dict[str, Any] = json_dict()


class LocationPublic(LocationBase):
    id: str
    facts: dict[str, Any] = {}
