"""Pause request and response bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel


class ReviewBody(BaseModel):
    summary: str


class RootCauseBody(BaseModel):
    category: str
    description: str


class CriterionBody(BaseModel):
    note: str


class PauseStatus(BaseModel):
    """A pause with its review (due, held, overdue), root cause, remediation deadline and restart checklist."""

    pause_id: str
    scope: str
    wave: str | None
    location_id: str | None
    gate: str | None
    reason: str
    paused_at: datetime
    review_due_at: datetime | None
    review_held_at: datetime | None
    review_overdue: bool
    root_cause: str | None
    remediation: str | None
    remediation_due_at: datetime | None
    restart_criteria: dict[str, Any]
    missing_criteria: list[str]
    resumed_at: datetime | None
