"""Completion response bodies."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from shared.contracts.training import MissingTraining, RoleCompletion


class LocationTraining(BaseModel):
    """A location's completion: overall, by role, and who is missing which curricula."""

    location_id: str
    program_id: str | None = None
    wave: str | None = None
    staff_total: int = 0
    staff_trained: int = 0
    completion_pct: float | None = None
    by_role: dict[str, RoleCompletion] = {}
    missing: list[MissingTraining] = []
    as_of: datetime | None = None


class Completion(BaseModel):
    """Summed figures of several locations: overall and by role."""

    staff_total: int
    staff_trained: int
    completion_pct: float | None
    by_role: dict[str, RoleCompletion]


class ProgramTraining(Completion):
    """A program's completion over the locations the caller may see: by wave (None: unscheduled) and location."""

    program_id: str
    by_wave: dict[str, Completion] = {}
    locations: list[LocationTraining]
