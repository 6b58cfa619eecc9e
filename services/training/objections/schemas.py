"""Resistance-log bodies."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from services.training.objections.models import ObjectionPublic
from shared.contracts.training import ObjectionOutcome, StaffRole
from shared.text import PlainMultilineText, PlainText


class ObjectionCreate(BaseModel):
    """An objection raised by someone in `role` (optionally the roster's `staff_id`), what was answered, the outcome."""

    model_config = ConfigDict(extra="forbid")

    role: StaffRole
    staff_id: str | None = Field(default=None, max_length=64)
    objection: PlainText = Field(min_length=1, max_length=1000)
    response_used: PlainMultilineText | None = Field(default=None, max_length=2000)
    outcome: ObjectionOutcome
    raised_on: date
    note: PlainMultilineText | None = Field(default=None, max_length=2000)


class OutcomeCounts(BaseModel):
    resolved: int = 0
    partly_resolved: int = 0
    unresolved: int = 0
    escalated: int = 0


class ProgramObjections(BaseModel):
    """A program's resistance log over the caller's locations: counts by role and outcome, then every entry."""

    program_id: str
    by_role: dict[str, OutcomeCounts]
    objections: list[ObjectionPublic]
