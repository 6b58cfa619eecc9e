"""Read-model rows of training status: the last published figures of each location."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from shared.rowfields import json_dict, json_list


class StatusRow(SQLModel, table=True):
    __tablename__ = "training_status_v1"

    org: str = Field(primary_key=True)
    location_id: str = Field(primary_key=True)
    program_id: str | None = Field(default=None, index=True)
    staff_total: int = 0
    staff_trained: int = 0
    completion_pct: float | None = None
    by_role: dict[str, Any] = json_dict()
    missing: list[Any] = json_list()
    as_of: datetime
