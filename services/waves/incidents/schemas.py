"""Incident request and response bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class IncidentOpen(BaseModel):
    """Severity 1 = system down, 2 = major workflow blocked, 3-4 lesser; `contact_tier` a playbook contact key."""

    kind: Literal["incident", "ticket"] = "incident"
    severity: int = Field(ge=1, le=4)
    category: str
    description: str
    contact_tier: str | None = None


class IncidentResolve(BaseModel):
    resolution: str


class IncidentView(BaseModel):
    """An incident with its response SLA and whether it was breached (no response recorded by the due time)."""

    incident_id: str
    location_id: str
    kind: str
    severity: int
    category: str
    description: str
    opened_at: datetime
    contact_tier: str | None
    response_due_at: datetime | None
    acknowledged_at: datetime | None = None
    resolved_at: datetime | None
    sla_breached: bool


class IncidentAcknowledge(BaseModel):
    note: str | None = Field(default=None, max_length=2000)
