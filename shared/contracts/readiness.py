"""Events published by the readiness service.

Additive changes only: fields added here carry defaults, so events stored before
them still parse and older readers ignore them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.contracts.base import DomainEvent, register
from shared.playbooks.rubric import FACTOR_KEYS

# The five readiness factors, as the playbook rubric names them.
FACTORS = FACTOR_KEYS
Level = Literal["high", "medium_high", "medium", "low"]
# A wave key of the program's playbook ("wave-1" ...) or "remediation"; a new vendor's
# template may name its waves differently, so this is a slug rather than a closed list.
Wave = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")]
Method = Literal["entered", "derived"]


class _LocationEvent(DomainEvent):
    service: ClassVar[str] = "readiness"
    aggregate: ClassVar[str] = "location"

    location_id: str


class LocationRegistered(_LocationEvent):
    """A practice location joined the rollout."""

    name: str
    region: str
    program_id: str | None = None
    facts: dict[str, object] = Field(default_factory=dict)


class LocationProfileUpdated(_LocationEvent):
    """Some of a location's facts changed: only the changed ones, their previous values, who and when.

    `changes` maps a fact name to its new value (null: no longer known); `region`
    is one of the facts. `program_id` is set when the location moved to a program.
    """

    changes: dict[str, Any] = Field(default_factory=dict)
    previous: dict[str, Any] = Field(default_factory=dict)
    program_id: str | None = None
    updated_by: str
    updated_at: datetime
    reason: str | None = None


class ScoredFactor(BaseModel):
    """One factor of a scoring: its score, how it was reached, and the rubric row behind it."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    score: int = Field(ge=1, le=5)
    method: Method
    criteria: str | None = None
    next_step: str | None = None
    assessor: str | None = None
    reason: str | None = None


class LocationScored(_LocationEvent):
    """The location's five readiness factors were scored; composite, level and wave follow.

    `method` is "entered" when an assessor entered all five factors, else "derived"
    (the rubric scored at least one); `factors` says so per factor (absent on events
    from before per-factor scoring, which were all entered).
    """

    scores: dict[str, int]
    composite: int
    level: Level
    recommended_wave: Wave
    assessor: str
    method: Method = "entered"
    reason: str | None = None
    factors: dict[str, ScoredFactor] = Field(default_factory=dict)
    program_id: str | None = None
    playbook_id: str | None = None


class LocationScoreWithdrawn(_LocationEvent):
    """A scored location lost a factor score (a fact became unknown): no composite or wave until re-scored."""

    unscored: dict[str, list[str]] = Field(description="factor -> the facts it needs")
    reason: str


class PilotRule(BaseModel):
    """One pilot-selection rule as judged at the time: satisfied or not, and why."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    rule: str
    satisfied: bool
    detail: str


class _PilotSetEvent(DomainEvent):
    service: ClassVar[str] = "readiness"
    aggregate: ClassVar[str] = "pilotset"

    program_id: str


class PilotSetProposed(_PilotSetEvent):
    """The engine's pilot advice for a program was recorded (empty when no valid set exists)."""

    location_ids: list[str]
    reasons: dict[str, list[str]] = Field(default_factory=dict)
    rules: list[PilotRule] = Field(default_factory=list)
    proposed_by: str


class PilotSetConfirmed(_PilotSetEvent):
    """A regional manager confirmed the program's pilot locations, as proposed or changed."""

    location_ids: list[str]
    note: str | None = None
    confirmed_by: str
    proposed_location_ids: list[str] = Field(default_factory=list)
    differs_from_proposal: bool
    unmet_rules: list[str] = Field(default_factory=list)


register(
    LocationRegistered,
    LocationProfileUpdated,
    LocationScored,
    LocationScoreWithdrawn,
    PilotSetProposed,
    PilotSetConfirmed,
)
