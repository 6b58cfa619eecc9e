"""Read-model rows of programs as readiness knows them (from waves' events)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from shared.rowfields import json_dict


class ProgramRow(SQLModel, table=True):
    """A waves program as readiness knows it: its effective playbook, overrides applied."""

    __tablename__ = "readiness_programs"

    org: str = Field(primary_key=True)
    id: str = Field(primary_key=True)
    name: str
    playbook_id: str
    playbook: dict[str, Any] = json_dict()
    override_version: int = 0
    created_at: datetime
    updated_at: datetime
