"""Survey bodies."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.metrics import SurveyKind
from shared.text import PlainText


class SurveyCreate(BaseModel):
    """A survey for the program, one of its waves, or one location; its scale comes from the playbook."""

    model_config = ConfigDict(extra="forbid")

    kind: SurveyKind
    title: PlainText = Field(min_length=1, max_length=200)
    wave: str | None = Field(default=None, max_length=64)
    location_id: str | None = Field(default=None, max_length=64)


class SurveyAnswer(BaseModel):
    """One person's answer; `respondent` (an email or staff id) is kept only as a pseudonymous key."""

    model_config = ConfigDict(extra="forbid")

    respondent: str = Field(min_length=1, max_length=320)
    score: int
    location_id: str | None = Field(default=None, max_length=64)


class SurveyOut(BaseModel):
    id: str
    program_id: str | None
    kind: str
    title: str
    scale_min: int
    scale_max: int
    wave: str | None
    location_id: str | None
    created_by: str
    created_at: datetime
    responses: int


class LocationResult(BaseModel):
    location_id: str | None
    n: int
    mean: float | None
    distribution: dict[str, int]


class SurveyResults(BaseModel):
    """n, mean and distribution of the answers the caller may see, overall and per location."""

    survey: SurveyOut
    n: int
    mean: float | None
    distribution: dict[str, int]
    locations: list[LocationResult]
