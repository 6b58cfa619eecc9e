"""Location bodies: register, update the profile, history."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.readiness.locations.paging import MAX_LIMIT
from shared.text import MULTI_LINE, ONE_LINE

Text = Annotated[str, Field(min_length=1, max_length=200), ONE_LINE]
Reason = Annotated[str, Field(max_length=2000), MULTI_LINE]
FACTS_DOC = ("Location facts by their `LOCATION_FACTS` names, e.g. `internet_down_mbps`: number, "
             "`pms`: one of dentrix/eaglesoft/open_dental/other. Wrong type or range → 422 naming `facts.<name>`.")


class LocationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Text
    region: Text
    program_id: Text | None = Field(None, description="A program of the caller's org (from the waves service)")
    facts: dict[str, Any] = Field(default_factory=dict, description=FACTS_DOC)


class ProfileUpdate(BaseModel):
    """Only what changes: facts (null = no longer known), and for admins the region or program."""

    model_config = ConfigDict(extra="forbid")

    facts: dict[str, Any] = Field(default_factory=dict, description=FACTS_DOC + " null clears a fact.")
    region: Text | None = None
    program_id: Text | None = None
    reason: Reason | None = None

    @model_validator(mode="after")
    def _something(self) -> ProfileUpdate:
        if not self.facts and self.region is None and self.program_id is None:
            raise ValueError("give at least one of facts, region or program_id")
        return self


class HistoryEntry(BaseModel):
    version: int
    type: str
    time: datetime
    actor: str | None
    data: dict[str, Any]


class History(BaseModel):
    location_id: str
    events: list[HistoryEntry]


class ListQuery(BaseModel):
    """Paging and filters of a location list; pass `next_cursor` back as `cursor` for the next page."""

    model_config = ConfigDict(extra="forbid")

    region: Text | None = None
    program_id: Text | None = None
    wave: Text | None = Field(None, description="recommended wave, e.g. wave-1 or remediation")
    limit: int = Field(100, ge=1, le=MAX_LIMIT)
    cursor: Annotated[str, Field(max_length=600)] | None = None
