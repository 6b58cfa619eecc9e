"""Events published by the training service: per-location training status, certifications, completions.

The contract agreed in CONTRACTS.md; additive changes only.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.base import DomainEvent, register


class RoleCompletion(BaseModel):
    """Completion of one role's curriculum at a location."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    total: int
    trained: int
    completion_pct: float | None = None


class MissingTraining(BaseModel):
    """A staff member who has not completed their curricula."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    staff_id: str
    name: str
    role: str
    curricula: list[str] = Field(default_factory=list)


class LocationTrainingStatusChanged(DomainEvent):
    """A location's training figures changed (completion_pct None: the location has no staff)."""

    service: ClassVar[str] = "training"
    aggregate: ClassVar[str] = "location"

    program_id: str | None = None
    location_id: str
    staff_total: int
    staff_trained: int
    completion_pct: float | None
    by_role: dict[str, RoleCompletion] = Field(default_factory=dict)
    missing: list[MissingTraining] = Field(default_factory=list)
    as_of: datetime


class ChampionCertified(DomainEvent):
    """A staff member was certified as a champion."""

    service: ClassVar[str] = "training"
    aggregate: ClassVar[str] = "champion"

    location_id: str
    staff_id: str
    name: str
    program_id: str | None = None
    assessment_score: float
    certified_at: datetime


class TrainingCompleted(DomainEvent):
    """A staff member completed a curriculum in a session, with who trained them."""

    service: ClassVar[str] = "training"
    aggregate: ClassVar[str] = "staff"

    location_id: str
    staff_id: str
    role: str
    curriculum: str
    session_id: str
    trainer_staff_id: str | None = None
    trainer_location_id: str | None = None
    trainer_certified_champion: bool = False
    score: float | None = None
    completed_at: datetime
    program_id: str | None = None


register(LocationTrainingStatusChanged, ChampionCertified, TrainingCompleted)
