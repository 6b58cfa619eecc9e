"""Read-model rows of pilot sets."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel


class PilotSetRow(SQLModel, table=True):
    """A program's pilot set: the latest recorded proposal and the latest confirmation."""

    __tablename__ = "readiness_pilot_sets_v2"

    org: str = Field(primary_key=True)
    program_id: str = Field(primary_key=True)
    proposed: list[str] | None = Field(default=None, sa_column=Column(JSON))
    proposed_by: str | None = None
    proposed_at: datetime | None = None
    confirmed: list[str] | None = Field(default=None, sa_column=Column(JSON))
    confirmed_by: str | None = None
    confirmed_at: datetime | None = None
    note: str | None = None
    differs_from_proposal: bool | None = None
    unmet_rules: list[str] | None = Field(default=None, sa_column=Column(JSON))
    # The proposal the confirmation was judged against (it may differ from the last recorded one).
    confirmed_against: list[str] | None = Field(default=None, sa_column=Column(JSON))
    version: int = 0
