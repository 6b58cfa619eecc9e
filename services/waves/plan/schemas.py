"""Plan request and response bodies."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

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
    holds: list[str] = []  # open incidents holding its go-live (its own serious ones, or a systemic one in its wave)


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


class PlanSimulation(BaseModel):
    """A what-if plan: other wave capacities, locations moved to a wave, another pilot set. Nothing is recorded."""

    model_config = ConfigDict(extra="forbid")

    capacity: dict[str, int | None] = Field(default_factory=dict, max_length=20)
    waves: dict[str, str] = Field(default_factory=dict, max_length=500)
    pilot_location_ids: list[str] | None = Field(default=None, max_length=50)


class SimulatedPlacement(BaseModel):
    location_id: str
    wave: str | None
    reason: str
    composite: int | None
    current_wave: str | None


class PlanSimulated(BaseModel):
    """The plan under the what-if: each location's wave (and today's), counts per wave, who would move."""

    program_id: str
    by_wave: dict[str, int]
    placements: list[SimulatedPlacement]
    moved: list[str]


class GoLiveDate(BaseModel):
    """A location's planned go-live date, set or moved by hand (checked against the wave's cadence)."""

    model_config = ConfigDict(extra="forbid")

    date: dt.date
