"""Gate request and response bodies."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class GateDecisionBody(BaseModel):
    """An executive's decision; a go on a gate that did not pass needs `override_reason`."""

    decision: Literal["go", "no_go"]
    rationale: str
    override_reason: str | None = None


class Decision(BaseModel):
    """A recorded decision: who signed, in which role, whether it overrode a failed gate."""

    evaluation_id: str
    decision: str
    rationale: str
    override: bool
    override_reason: str | None
    decided_by: str
    decider_role: str
    decided_at: datetime


class LatestEvaluation(BaseModel):
    """The gate's latest evaluation, every criterion with its evidence."""

    evaluation_id: str
    at: datetime
    passed: bool
    evaluated_by: str
    results: list[dict[str, Any]]
    locations: list[dict[str, Any]]


class GateStatus(BaseModel):
    """One gate on the board: its latest evaluation, its decision, what blocks it."""

    key: str
    label: str
    from_wave: str
    to_wave: str
    evaluate_week: int | None
    evaluate_on: date | None
    evaluation: LatestEvaluation | None
    decision: Decision | None
    blocking: list[str]


class GateSimulation(BaseModel):
    """A what-if: other thresholds (by criterion key) and/or another set of the program's locations."""

    model_config = ConfigDict(extra="forbid")

    thresholds: dict[str, float | bool] = Field(default_factory=dict, max_length=50)
    location_ids: list[str] | None = Field(default=None, max_length=500)
