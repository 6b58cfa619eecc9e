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


class CurriculumDone(BaseModel):
    """One curriculum a person completed, in which session, with what score."""

    curriculum: str
    session_id: str
    score: float | None = None
    completed_at: datetime
    trainer_staff_id: str | None = None


class StaffRecord(BaseModel):
    """One person's training at one location: what their role takes, what they completed, what is missing."""

    staff_id: str
    name: str
    role: str
    location_id: str
    active: bool
    required: list[str]
    completed: list[CurriculumDone]
    missing: list[str]


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
