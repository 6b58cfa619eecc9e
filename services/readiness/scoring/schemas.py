"""Scoring bodies: an assessment (entered and derived factors mixed), and a scoring with its reasons."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from services.readiness.locations.schemas import Reason, Text
from services.readiness.scoring.requirements import CheckItem

FactorKey = Literal["it_infrastructure", "staff_adaptability", "patient_volume", "tech_stack", "champion"]


def _entry(value: object) -> int | str:
    if value == "derived":
        return "derived"
    if isinstance(value, bool) or not isinstance(value, int):
        raise PydanticCustomError("factor_entry", 'Input should be an integer 1-5 or "derived"')
    if value > 5:
        raise PydanticCustomError("less_than_equal", "Input should be less than or equal to 5")
    if value < 1:
        raise PydanticCustomError("greater_than_equal", "Input should be greater than or equal to 1")
    return value


Entry = Annotated[
    int | Literal["derived"],
    PlainValidator(_entry),
    WithJsonSchema({"oneOf": [{"type": "integer", "minimum": 1, "maximum": 5}, {"const": "derived"}],
                    "description": "An entered score 1-5, or \"derived\" to score the factor from facts"}),
]


class FactorEntries(BaseModel):
    """All five factors are required; each an entered 1-5 or "derived"."""

    model_config = ConfigDict(extra="forbid")

    it_infrastructure: Entry
    staff_adaptability: Entry
    patient_volume: Entry
    tech_stack: Entry
    champion: Entry


class AssessmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scores: FactorEntries
    assessor: Text
    reason: Reason | None = None
    reasons: dict[FactorKey, Reason] = Field(default_factory=dict, description="Per entered factor; else `reason`")


class FactorOut(BaseModel):
    key: str
    label: str
    status: Literal["scored", "not_enough_data"]
    score: int | None
    method: Literal["entered", "derived"] | None
    criteria: str | None = Field(description="The rubric row of the score")
    next_step: str | None = Field(description="What the facts lack for the next score")
    detail: str
    missing: list[str] = Field(description="Facts to record before the rubric can decide")
    at_least: int | None
    derived_score: int | None = Field(description="What the facts give (beside an entered score)")
    assessor: str | None
    reason: str | None


class Recorded(BaseModel):
    """The latest recorded scoring (`LocationScored`), which waves and the matrix use."""

    composite: int
    level: str
    recommended_wave: str
    method: str | None
    version: int


class ScoringOut(BaseModel):
    location_id: str
    program_id: str | None
    playbook_id: str
    factors: list[FactorOut]
    complete: bool
    composite: int | None
    level: str | None
    recommended_wave: str | None
    recorded: Recorded | None
    current: bool = Field(description="Whether the recorded scoring equals this live one")


class AssessmentOut(BaseModel):
    location_id: str
    scores: dict[str, int]
    composite: int = Field(ge=5, le=25)
    level: str
    recommended_wave: str
    assessor: str
    method: str
    version: int
    factors: list[FactorOut]


class Checklist(BaseModel):
    location_id: str
    program_id: str | None
    playbook_id: str
    ready: bool
    summary: dict[str, int]
    items: list[CheckItem]  # the domain's dataclass: pydantic serializes it as is
