"""Lineage response bodies."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class Trained(BaseModel):
    """One completion a trainer delivered."""

    staff_id: str
    name: str | None
    role: str
    location_id: str
    wave: str | None = None
    curriculum: str
    session_id: str
    score: float | None
    completed_at: datetime


class TrainerNode(BaseModel):
    """A trainer (None: delivered by someone outside the rosters) and everyone they trained."""

    staff_id: str | None
    name: str | None
    location_id: str | None
    wave: str | None = None
    certified_champion: bool
    champion_certified_at: datetime | None = None
    current_champion: bool = False
    trained: list[Trained]


class Lineage(BaseModel):
    program_id: str
    trainers: list[TrainerNode]
