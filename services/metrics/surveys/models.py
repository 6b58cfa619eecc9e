"""Read-model rows of surveys and their answers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime
from sqlmodel import Field, SQLModel


class SurveyRow(SQLModel, table=True):
    __tablename__ = "metrics_surveys_v1"

    org: str = Field(primary_key=True)
    id: str = Field(primary_key=True)
    program_id: str | None = Field(default=None, index=True)
    kind: str
    title: str
    scale_min: int
    scale_max: int
    wave: str | None = None
    location_id: str | None = None
    created_by: str
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class SurveyResponseRow(SQLModel, table=True):
    __tablename__ = "metrics_survey_responses_v1"

    org: str = Field(primary_key=True)
    survey_id: str = Field(primary_key=True)
    respondent_key: str = Field(primary_key=True)
    location_id: str | None = Field(default=None, index=True)
    score: int
    recorded_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    sequence: int
