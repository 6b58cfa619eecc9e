"""Read-model rows of the plan: candidates from readiness, go-lives, pauses and gates from waves' own events."""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime
from sqlmodel import Field, SQLModel


class CandidateRow(SQLModel, table=True):
    """A location as readiness last described it: program, region, composite, recommended wave, pilot."""

    __tablename__ = "waves_candidates_v1"

    location_id: str = Field(primary_key=True)
    org: str = Field(index=True)
    program_id: str | None = Field(default=None, index=True)
    name: str = ""
    region: str = ""
    composite: int | None = None
    recommended_wave: str | None = None
    scores: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    pilot: bool = False


class PilotSetRow(SQLModel, table=True):
    """A program whose pilot set was confirmed (by whom)."""

    __tablename__ = "waves_pilot_sets_v1"

    program_id: str = Field(primary_key=True)
    org: str = Field(index=True)
    confirmed_by: str


class GoLiveRow(SQLModel, table=True):
    """A location's recorded go-live (and revert) in a program."""

    __tablename__ = "waves_go_lives_v1"

    program_id: str = Field(primary_key=True)
    location_id: str = Field(primary_key=True)
    org: str = Field(index=True)
    wave: str
    date: dt.date
    recorded_by: str
    reverted_on: dt.date | None = None


class ScheduledGoLiveRow(SQLModel, table=True):
    """A go-live date set by hand (instead of the cadence's), for the wave it was set in."""

    __tablename__ = "waves_scheduled_go_lives_v1"

    program_id: str = Field(primary_key=True)
    location_id: str = Field(primary_key=True)
    org: str = Field(index=True)
    wave: str
    date: dt.date
    set_by: str


class PauseRow(SQLModel, table=True):
    """A pause of deployment (program, wave or location) and, once met, its resumption."""

    __tablename__ = "waves_pauses_v1"

    pause_id: str = Field(primary_key=True)
    program_id: str = Field(index=True)
    org: str = Field(index=True)
    scope: str
    wave: str | None = None
    location_id: str | None = None
    gate: str | None = None
    reason: str
    paused_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    review_due_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    resumed_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    review_held_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    review_summary: str | None = None
    root_cause: str | None = None
    root_cause_description: str | None = None
    remediation: str | None = None
    remediation_due_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    criteria_met: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class GateEvaluationRow(SQLModel, table=True):
    """One `GateEvaluated`: the results as recorded, per criterion and per location."""

    __tablename__ = "waves_gate_evaluations_v1"

    evaluation_id: str = Field(primary_key=True)
    program_id: str = Field(index=True)
    org: str = Field(index=True)
    gate: str
    at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    passed: bool
    results: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    locations: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    evaluated_by: str
    sequence: int


class GateDecisionRow(SQLModel, table=True):
    """One `GateDecisionRecorded`."""

    __tablename__ = "waves_gate_decisions_v1"

    evaluation_id: str = Field(primary_key=True)
    program_id: str = Field(index=True)
    org: str = Field(index=True)
    gate: str
    decision: str
    rationale: str
    override: bool
    override_reason: str | None = None
    decided_by: str
    decider_name: str | None = None
    decider_role: str
    decided_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
