"""Request and response bodies of the readiness API."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

Score = Annotated[int, Field(ge=1, le=5, description="1 (lowest) to 5 (highest), per the programme's rubric")]
Text = Annotated[str, Field(min_length=1, max_length=200)]


class LocationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Text
    region: Text
    program_id: Text | None = None
    facts: dict[str, Any] = Field(default_factory=dict, description="Location facts (SPEC §3)")


class FactorScores(BaseModel):
    """All five factors are required; each 1-5."""

    model_config = ConfigDict(extra="forbid")

    it_infrastructure: Score
    staff_adaptability: Score
    patient_volume: Score
    tech_stack: Score
    champion: Score


class AssessmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scores: FactorScores
    assessor: Text
    reason: Annotated[str, Field(max_length=2000)] | None = None


class AssessmentOut(BaseModel):
    location_id: str
    scores: dict[str, int]
    composite: int = Field(ge=5, le=25)
    level: str
    recommended_wave: str
    assessor: str
    version: int


class MatrixRow(BaseModel):
    location_id: str
    name: str
    region: str
    it_infrastructure: int | None
    staff_adaptability: int | None
    patient_volume: int | None
    tech_stack: int | None
    champion: int | None
    composite: int | None
    level: str | None
    recommended_wave: str | None


class Matrix(BaseModel):
    rows: list[MatrixRow]
