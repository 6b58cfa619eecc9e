"""Read-model rows of champions: nominations (current and past) and their certification progress."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlmodel import Field, SQLModel

from shared.rowfields import json_list


class ChampionBase(SQLModel):
    staff_id: str
    name: str
    role: str
    current: bool = True
    replaces: str | None = None
    nominated_at: datetime
    criteria: list[Any] = json_list()
    warnings: list[Any] = json_list()
    modules: list[Any] = json_list()
    attempts: list[Any] = json_list()
    simulation_on: date | None = None
    certified_at: datetime | None = None
    assessment_score: float | None = None


class ChampionRow(ChampionBase, table=True):
    __tablename__ = "training_champions_v1"

    org: str = Field(primary_key=True)
    location_id: str = Field(primary_key=True)
    staff_id: str = Field(primary_key=True)


class ChampionPublic(SQLModel):
    location_id: str
    staff_id: str
    name: str
    role: str
    current: bool
    replaces: str | None
    nominated_at: datetime
    criteria: list[Any]
    warnings: list[Any]
    modules: list[Any]
    attempts: list[Any]
    simulation_on: date | None
    certified_at: datetime | None
    assessment_score: float | None
