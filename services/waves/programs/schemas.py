"""Request and response bodies of the programs API."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from shared.playbooks import PlaybookTemplate
from shared.playbooks.schedule import FIRST_DAY, LAST_DAY, PhaseDates
from shared.text import MULTI_LINE, ONE_LINE

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), ONE_LINE]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), MULTI_LINE]


def _iso_date_text(value: object) -> object:
    # Without this, pydantic would read 1736121600 (or "1736121600") as a Unix timestamp.
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("must be a calendar date written YYYY-MM-DD")
    return value


def _in_calendar_range(value: date) -> date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValueError(f"must be between {FIRST_DAY} and {LAST_DAY}")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date_text), AfterValidator(_in_calendar_range)]


class ProgramCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Text
    playbook: Annotated[str, Field(min_length=1, max_length=64, description="A template id: GET /api/v1/playbooks")]
    start_date: IsoDate = Field(
        description=f"Day 1 of week 1, YYYY-MM-DD; the whole calendar must lie in {FIRST_DAY}..{LAST_DAY}"
    )


class OverrideIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    path: Annotated[str, Field(min_length=1, max_length=300, examples=["readiness.thresholds[0].min"])]
    value: Any = Field(description="The new JSON value; the whole playbook is re-validated with it")


class PlaybookPatch(BaseModel):
    """All overrides apply together or not at all; each changed value becomes one audited event."""

    model_config = ConfigDict(extra="forbid")

    overrides: Annotated[list[OverrideIn], Field(min_length=1, max_length=100)]
    reason: Reason


class ProgramSummary(BaseModel):
    id: str
    name: str
    playbook_id: str
    playbook_version: str
    start_date: date
    override_count: int
    created_by: str
    created_at: datetime
    updated_at: datetime
    version: int


class ProgramDetail(ProgramSummary):
    """A program with its calendar and its effective playbook (template plus overrides)."""

    end_date: date
    total_weeks: int
    phases: list[PhaseDates]
    playbook: PlaybookTemplate


class OverrideEntry(BaseModel):
    """One audited override: who, when, why, previous -> value."""

    override_version: int
    path: str
    previous: Any
    value: Any
    reason: str
    overridden_by: str
    overridden_at: datetime


class OverridesApplied(BaseModel):
    """What a PATCH changed; empty `overrides` when every value was already as requested."""

    program_id: str
    override_count: int
    overrides: list[OverrideEntry]
