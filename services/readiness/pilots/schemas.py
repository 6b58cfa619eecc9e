"""Pilot bodies: a proposal with its reasons, a confirmation."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from services.readiness.locations.schemas import Reason


class PilotOut(BaseModel):
    location_id: str
    name: str
    reasons: list[str]


class RuleOut(BaseModel):
    rule: str
    label: str
    satisfied: bool
    detail: str


class ConfirmedOut(BaseModel):
    location_ids: list[str]
    confirmed_by: str
    confirmed_at: datetime | None
    note: str | None
    differs_from_proposal: bool
    unmet_rules: list[str]


class ProposalOut(BaseModel):
    program_id: str
    playbook_id: str
    pilots: list[PilotOut] = Field(description="Empty when no valid set exists; `rules` then say what blocks one")
    rules: list[RuleOut]
    confirmed: ConfirmedOut | None = None


class PilotSetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    location_ids: Annotated[list[Annotated[str, Field(min_length=1, max_length=64)]], Field(min_length=1,
                                                                                           max_length=20)]
    note: Reason | None = None


class PilotSetOut(BaseModel):
    program_id: str
    location_ids: list[str]
    proposed_location_ids: list[str]
    differs_from_proposal: bool
    unmet_rules: list[str]
    note: str | None
    confirmed_by: str
    version: int
