"""Champion request bodies."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field


class CriterionJudgement(BaseModel):
    model_config = ConfigDict(extra="forbid")

    met: bool
    note: str | None = Field(default=None, max_length=1000)


class Nomination(BaseModel):
    """Nominate a staff member; criteria by the playbook's keys (an unjudged one is recorded as not met)."""

    model_config = ConfigDict(extra="forbid")

    staff_id: str
    criteria: dict[str, CriterionJudgement] = {}
    capacity_hours: float | None = None
    reason: str | None = Field(default=None, max_length=1000)


class ModuleDone(BaseModel):
    model_config = ConfigDict(extra="forbid")

    module: str
    completed_on: date | None = None


class AssessmentTaken(BaseModel):
    model_config = ConfigDict(extra="forbid")

    score: float
    taken_on: date | None = None


class SimulationDone(BaseModel):
    model_config = ConfigDict(extra="forbid")

    completed_on: date | None = None
