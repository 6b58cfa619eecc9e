"""Read-model rows of checklist items: the latest status of each (program-level: location_id "")."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime
from sqlmodel import Field, SQLModel


class ChecklistItemRow(SQLModel, table=True):
    __tablename__ = "waves_checklist_items_v1"

    program_id: str = Field(primary_key=True)
    checklist: str = Field(primary_key=True)
    item: str = Field(primary_key=True)
    location_id: str = Field(primary_key=True, default="")
    org: str = Field(index=True)
    status: str
    note: str | None = None
    evidence_url: str | None = None
    updated_by: str
    updated_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
