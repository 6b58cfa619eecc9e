"""Read-model rows of programs: one row per program, one per playbook override (its history)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, UniqueConstraint
from sqlmodel import Field, SQLModel

from shared.playbooks import PlaybookTemplate
from shared.playbooks.effective import effective_playbook


class ProgramRow(SQLModel, table=True):
    """A program with its effective playbook (template snapshot plus every override)."""

    __tablename__ = "waves_programs"

    id: str = Field(primary_key=True)
    org: str = Field(index=True)
    name: str
    playbook_id: str
    playbook_version: str
    start_date: date
    playbook: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    override_count: int = 0
    created_by: str
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    updated_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    version: int = 0


class OverrideRow(SQLModel, table=True):
    """One `PlaybookOverridden`: who changed which value, when, why, from what to what."""

    __tablename__ = "waves_playbook_overrides"
    __table_args__ = (UniqueConstraint("program_id", "override_version"),)

    event_id: str = Field(primary_key=True)
    program_id: str = Field(index=True)
    org: str = Field(index=True)
    override_version: int
    path: str
    value: Any = Field(default=None, sa_column=Column(JSON))
    previous: Any = Field(default=None, sa_column=Column(JSON))
    reason: str
    overridden_by: str
    overridden_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


def validated_playbook(row: ProgramRow) -> PlaybookTemplate:
    """The program's effective playbook, validated once per override version (a cache, not per request)."""
    return effective_playbook(row.org, row.id, row.override_count, lambda: row.playbook)
