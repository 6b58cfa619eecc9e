"""Plan request and response bodies."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from shared.playbooks.schedule import PhaseDates


class PlanLocation(BaseModel):
    """A location in the plan: its wave and why, planned and actual go-live."""

    location_id: str
    name: str
    region: str
    composite: int | None
    wave: str | None
    reason: str
    blocking_scores: dict[str, int] = {}
    planned_week: int | None = None
    planned_go_live: dt.date | None = None
    went_live_on: dt.date | None = None
    reverted_on: dt.date | None = None


class WavePlan(BaseModel):
    """One wave: its capacity, its locations, and any pause holding it."""

    key: str
    label: str
    capacity: int | None
    locations: int
    paused: bool
    pause_reasons: list[str] = []


class PlanView(BaseModel):
    """The program's plan: phases with their milestones, waves, placed and unscheduled locations."""

    program_id: str
    start_date: dt.date
    pilot_set_confirmed: bool
    phases: list[PhaseDates]
    waves: list[WavePlan]
    locations: list[PlanLocation]
    unscheduled: list[PlanLocation]


class GoLiveRecord(BaseModel):
    """The day the location went live."""

    date: dt.date


class RevertRecord(BaseModel):
    """A live location goes back to its old workflow."""

    date: dt.date
    reason: str
    patient_script_ready: bool = False
