"""No-go handling, vendor support tiers, approvals and communication cadences.

These are the rules people act on when a gate fails or an incident opens: who to call,
how fast they answer, how long remediation may take, who approves what.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from shared.playbooks.base import FieldError, Hours, Labeled, Model, Slug, Text, ensure_unique


class Duration(Model):
    """An amount of time in the unit the seed states it."""

    amount: float = Field(strict=True, gt=0)
    unit: Literal["hours", "days", "business_days", "weeks"]


class RootCause(Labeled):
    """A root-cause category and the remediation deadline it sets (None: the seed gives none)."""

    remediation: str | None = None
    deadline: Duration | None = None


class Rollback(Model):
    """What happens when a wave fails its gate."""

    immediate_actions: tuple[Labeled, ...]
    incident_review_within_hours: Hours
    root_causes: tuple[RootCause, ...]
    restart_criteria: tuple[Labeled, ...]
    live_locations: Text
    revert_allowed: bool
    revert_needs_patient_script: bool
    halt_other_locations_only_if_systemic: bool
    notes: tuple[str, ...] = ()
    source: str | None = None

    @model_validator(mode="after")
    def _unique(self) -> Rollback:
        for field in ("immediate_actions", "root_causes", "restart_criteria"):
            ensure_unique(getattr(self, field), field)
        return self


class SupportContact(Model):
    """A vendor contact tier and its expected response time."""

    key: Slug
    role: Text
    purpose: Text
    response_hours: Hours
    source: str | None = None


class Severity(Model):
    """An incident severity the template defines."""

    level: int = Field(strict=True, ge=1, le=4)
    label: Text
    source: str | None = None


class TicketBudget(Model):
    """Support tickets to expect (and budget for) early in the rollout."""

    min: int = Field(strict=True, ge=0)
    max: int = Field(strict=True, ge=0)
    within_weeks: int = Field(strict=True, ge=1)
    source: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> TicketBudget:
        if self.max < self.min:
            raise FieldError("max", f"{self.max} is below min {self.min}")
        return self


class Support(Model):
    """Vendor contact tiers, severities and the internal support set-up."""

    contacts: tuple[SupportContact, ...]
    severities: tuple[Severity, ...] = ()
    expected_tickets: TicketBudget | None = None
    dso_admin_fte: float | None = Field(default=None, strict=True, gt=0)
    notes: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _unique(self) -> Support:
        ensure_unique(self.contacts, "contacts")
        ensure_unique(self.severities, "severities", attr="level")
        return self


class Approval(Model):
    """One row of the approval matrix."""

    decision: Slug
    approver: Text
    consulted: tuple[str, ...] = ()
    informed: tuple[str, ...] = ()
    source: str | None = None


class Cadence(Labeled):
    """A recurring meeting, report or call."""

    audience: Text
    every: Literal["daily", "weekly", "monthly", "quarterly"]
    minutes: int | None = Field(default=None, strict=True, ge=1)
    for_days: int | None = Field(default=None, strict=True, ge=1)


class IntegrationCheck(Labeled):
    """A measured integration test: the expected result and, where given, a time limit."""

    expected: Text
    within_minutes: float | None = Field(default=None, strict=True, gt=0)
