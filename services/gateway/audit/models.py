"""The audit read model: one row per chain entry, for filtering; the chain on JetStream stays the record."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel


class AuditEntryBase(SQLModel):
    index: int = Field(index=True)
    time: datetime = Field(index=True)
    actor: str = Field(index=True)
    role: str
    session: str | None = None
    method: str
    path: str = Field(index=True)
    route: str | None = None
    permission: str | None = None
    target: str | None = None
    decision: str = Field(index=True)
    phase: str = "outcome"
    status: int | None = None
    reason: str | None = None
    request_id: str
    client: str | None = None
    recorder: str = Field(index=True)
    prev_hash: str
    hash: str


class AuditRow(AuditEntryBase, table=True):
    """An entry as stored at `sequence` of DSO_AUDIT."""

    __tablename__ = "gateway_audit_entries"
    # The projection's replay check looks entries up by chain and index on every batch: without this index
    # SQLite walked every entry of the recorder, a cost that grew with the chain (~9 % of a POST's CPU).
    __table_args__ = (Index("ix_gateway_audit_entries_chain", "org", "recorder", "index"),)

    sequence: int = Field(primary_key=True)
    org: str = Field(index=True)


class AuditEntryPublic(AuditEntryBase):
    sequence: int
    org: str


class AuditPage(SQLModel):
    """Newest first; pass `next_before` as `before` for the next page (null: no more)."""

    entries: list[AuditEntryPublic]
    next_before: int | None = None
