"""Events published by the readiness service."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from shared.contracts.base import DomainEvent, register

FACTORS = ("it_infrastructure", "staff_adaptability", "patient_volume", "tech_stack", "champion")
Level = Literal["high", "medium_high", "medium", "low"]
Wave = Literal["wave-1", "wave-2", "wave-3", "remediation"]


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


class LocationScored(_LocationEvent):
    """The location's five readiness factors were scored; composite, level and wave follow."""

    scores: dict[str, int]
    composite: int
    level: Level
    recommended_wave: Wave
    assessor: str
    method: Literal["entered", "derived"] = "entered"
    reason: str | None = None


register(LocationRegistered, LocationScored)
