"""Phases, waves and go-live cadence: the calendar skeleton a program anchors on its start date.

Weeks are program weeks (week 1 = the start week). A wave's size is its phase's `locations`;
the wave rule adds how go-lives are spread and the week-by-week plan.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from shared.playbooks.base import FieldError, Model, Slug, Text, Week, ensure_unique

Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday"]


class Timeline(Model):
    """Overall program length and the DSO size the template was written for."""

    total_weeks_min: Week
    total_weeks_max: Week
    locations_min: int = Field(strict=True, ge=1)
    locations_max: int = Field(strict=True, ge=1)
    source: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Timeline:
        if self.total_weeks_max < self.total_weeks_min:
            raise FieldError("total_weeks_max", f"{self.total_weeks_max} is below total_weeks_min")
        if self.locations_max < self.locations_min:
            raise FieldError("locations_max", f"{self.locations_max} is below locations_min")
        return self


class PhaseLocations(Model):
    """How many locations a phase takes: a count range, the remaining ones, or all of them."""

    scope: Literal["count", "remaining", "all"] = "count"
    min: int | None = Field(default=None, strict=True, ge=1)
    max: int | None = Field(default=None, strict=True, ge=1)

    @model_validator(mode="after")
    def _shape(self) -> PhaseLocations:
        if self.scope == "count":
            if self.min is None or self.max is None:
                raise FieldError("min", "a count scope needs min and max")
            if self.max < self.min:
                raise FieldError("max", f"{self.max} is below min {self.min}")
        elif self.min is not None or self.max is not None:
            raise FieldError("min", f"scope {self.scope!r} takes no min/max")
        return self


class Phase(Model):
    """A named span of program weeks."""

    key: Slug
    name: Text
    kind: Literal["preparation", "wave", "optimization"]
    start_week: Week
    end_week: Week
    locations: PhaseLocations | None = None
    purpose: str | None = None
    source: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Phase:
        if self.end_week < self.start_week:
            raise FieldError("end_week", f"{self.end_week} is before start_week {self.start_week}")
        return self


class GoLiveCadence(Model):
    """How a wave's go-lives are spread: all at once, or a few per week."""

    mode: Literal["simultaneous", "staggered"]
    # None: the window defaults to the wave's phase weeks.
    start_week: Week | None = None
    end_week: Week | None = None
    weekday: Weekday | None = None
    per_week_min: int | None = Field(default=None, strict=True, ge=1)
    per_week_max: int | None = Field(default=None, strict=True, ge=1)
    source: str | None = None

    @model_validator(mode="after")
    def _shape(self) -> GoLiveCadence:
        if (self.start_week is None) != (self.end_week is None):
            raise FieldError("end_week", "give both start_week and end_week, or neither")
        if self.start_week is not None and self.end_week is not None and self.end_week < self.start_week:
            raise FieldError("end_week", f"{self.end_week} is before start_week {self.start_week}")
        if self.mode == "staggered":
            if self.per_week_min is None or self.per_week_max is None:
                raise FieldError("per_week_min", "staggered go-lives need per_week_min and per_week_max")
            if self.per_week_max < self.per_week_min:
                raise FieldError("per_week_max", f"{self.per_week_max} is below per_week_min")
        elif self.per_week_min is not None or self.per_week_max is not None:
            raise FieldError("per_week_min", "simultaneous go-lives take no per-week counts")
        return self


class WeekPlan(Model):
    """One line of a wave's weekly plan (the seed's activities, verbatim)."""

    key: Slug
    start_week: Week
    end_week: Week
    activities: Text
    cases_min: int | None = Field(default=None, strict=True, ge=1)
    cases_max: int | None = Field(default=None, strict=True, ge=1)
    source: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> WeekPlan:
        if self.end_week < self.start_week:
            raise FieldError("end_week", f"{self.end_week} is before start_week {self.start_week}")
        if self.cases_min is not None and self.cases_max is not None and self.cases_max < self.cases_min:
            raise FieldError("cases_max", f"{self.cases_max} is below cases_min")
        return self


class WaveRule(Model):
    """Rules for one wave; `key` is the key of its phase."""

    key: Slug
    label: Text
    pilot: bool = False
    go_live: GoLiveCadence
    weekly_plan: tuple[WeekPlan, ...] = ()
    notes: tuple[str, ...] = ()
    source: str | None = None

    @model_validator(mode="after")
    def _unique(self) -> WaveRule:
        ensure_unique(self.weekly_plan, "weekly_plan")
        return self
