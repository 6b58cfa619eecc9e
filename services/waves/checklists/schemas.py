"""Checklist request and response bodies."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from services.waves.checklists.domain import Status
from shared.text import PlainMultilineText


class ChecklistItemBody(BaseModel):
    """Tick, set not applicable, or reopen an item; `location_id` for the checklists kept per location."""

    model_config = ConfigDict(extra="forbid")

    status: Status
    location_id: str | None = Field(default=None, max_length=64)
    note: PlainMultilineText | None = Field(default=None, max_length=2000)
    evidence_url: str | None = Field(default=None, max_length=2000, pattern=r"^https?://\S+$")


class ItemState(BaseModel):
    """An item's latest status (program-level), or each visible location's (per-location checklists)."""

    key: str
    label: str
    vendor_action: bool
    source: str | None
    status: Status | None = None
    locations: dict[str, Status] = {}
    note: str | None = None
    evidence_url: str | None = None
    updated_by: str | None = None
    updated_at: dt.datetime | None = None


class ChecklistState(BaseModel):
    key: str
    label: str
    phase: str
    per: str
    owner: str
    due_week: int | None
    due_date: dt.date | None
    gates_wave_1: bool
    hours: float | None
    applies_to: str | None
    source: str | None
    done: int
    total: int
    items: list[ItemState]


class PhaseProgress(BaseModel):
    phase: str
    done: int
    total: int
    pct: float | None


class ChecklistsView(BaseModel):
    """The program's checklists with each item's status, and progress per phase (done or not applicable)."""

    program_id: str
    phases: list[PhaseProgress]
    checklists: list[ChecklistState]
