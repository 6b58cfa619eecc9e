"""The published audit event and where it lives: `DSO_AUDIT`, `dso.<org>.audit.trail.<recorder>.AuditRecorded`.

A stream of its own, not the gateway's: audit entries expire after the retention
period (default 7 years, `max_age`), while the services' streams — the gateway's
webhook intake included — are the system of record and keep every event.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import ClassVar, Literal

from nats.js.api import StreamConfig

from shared.contracts.base import DomainEvent, register
from shared.events import AggregateRef
from shared.eventstore.streams import stream_config, stream_name

SERVICE = "audit"
STREAM = stream_name(SERVICE)
DAY_S = 86_400
SEVEN_YEARS_DAYS = 2557  # 7 x 365.25 days, rounded up


class AuditRecorded(DomainEvent):
    """An access decision at the edge (allow or deny) and its outcome, chained to the entry before it."""

    service: ClassVar[str] = SERVICE
    aggregate: ClassVar[str] = "trail"
    id_description: ClassVar[str] = "The recorder that keeps this chain (gateway)"

    index: int
    prev_hash: str
    hash: str
    time: datetime
    org: str
    actor: str
    role: str
    session: str | None = None
    method: str
    path: str
    route: str | None = None
    permission: str | None = None
    target: str | None = None
    decision: Literal["allow", "deny"]
    status: int
    reason: str | None = None
    request_id: str
    client: str | None = None
    recorder: str


register(AuditRecorded)


def trail_ref(org: str, recorder: str = "gateway") -> AggregateRef:
    """One chain per org and recorder: every gateway replica appends to the same one."""
    return AggregateRef(org, SERVICE, "trail", recorder)


def trail_subject(org: str | None = None) -> str:
    return f"dso.{org or '*'}.{SERVICE}.trail.>"


def audit_stream(*, retention_days: int = SEVEN_YEARS_DAYS, replicas: int = 1) -> StreamConfig:
    """Kept, never deleted or purged by API, expired only by age."""
    return replace(stream_config(SERVICE, replicas=replicas), max_age=float(retention_days * DAY_S))
