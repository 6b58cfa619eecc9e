"""The gateway's events: the audit trail (`DSO_AUDIT`) and verified webhook deliveries (`DSO_INTAKE`).

Audit: `dso.<org>.audit.trail.<recorder>.AuditRecorded`.

Only the gateway publishes these subjects (see docs/ACCESS.md for the NATS
permissions), and every entry's `hash` is keyed with the gateway's audit key, so an
entry anyone else publishes does not verify and is shown nowhere.

A stream of its own, not the gateway's: audit entries expire after the retention
period (default 7 years, `max_age`), while the services' streams — the gateway's
webhook intake included — are the system of record and keep every event.

Intake: `dso.<org>.intake.delivery.<integration_id>.WebhookReceived` — the raw body of each verified
delivery, appended (JetStream-acknowledged) before the sender is answered 202. It holds PHI, so it
is a stream of its own, expired after the intake retention (`GATEWAY_INTAKE_RETENTION_DAYS`),
read by metrics (which turns it into pseudonymous case events) and by super admins only; the
live event stream never carries it (the catalog documents its shape, for the NATS permissions).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import ClassVar, Literal

from nats.js.api import StreamConfig
from pydantic import Field

from shared.contracts.base import DomainEvent, register
from shared.events import AggregateRef
from shared.eventstore.streams import stream_config, stream_name

SERVICE = "audit"
STREAM = stream_name(SERVICE)
DAY_S = 86_400
SEVEN_YEARS_DAYS = 2557  # 7 x 365.25 days, rounded up


class AuditRecorded(DomainEvent):
    """An access decision at the edge (allow or deny) and its outcome, chained to the entry before it.

    A change leaves two entries: `phase: intent` (admitted, recorded before it is
    forwarded; `status` null) and `phase: outcome` (with the status). Everything else
    leaves one `outcome` entry, written before the response starts.
    """

    service: ClassVar[str] = SERVICE
    aggregate: ClassVar[str] = "trail"
    id_description: ClassVar[str] = "The recorder that keeps this chain: one gateway process (gateway-<ULID>)"

    index: int
    prev_hash: str = Field(description="`hash` of the entry before (64 zeros for entry 1)")
    hash: str = Field(description="HMAC-SHA256 under the gateway's audit key of the canonical JSON without `hash`")
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
    phase: Literal["intent", "outcome"] = "outcome"
    status: int | None = None
    reason: str | None = None
    request_id: str = Field(max_length=128)
    client: str | None = None
    recorder: str


INTAKE = "intake"
INTAKE_STREAM = stream_name(INTAKE)


class WebhookReceived(DomainEvent):
    """A verified webhook delivery of one integration, as received (body unparsed: adapters read it)."""

    service: ClassVar[str] = INTAKE
    aggregate: ClassVar[str] = "delivery"
    id_description: ClassVar[str] = "The integration that sent it"

    integration_id: str
    source: str
    webhook_id: str = Field(description="the sender's `webhook-id`: the delivery's idempotency key")
    webhook_timestamp: datetime
    received_at: datetime
    content_type: str | None = None
    body: str = Field(description="the raw body (PHI: retention-limited, super admins only)")


register(AuditRecorded, WebhookReceived)


def delivery_ref(org: str, integration_id: str) -> AggregateRef:
    return AggregateRef(org, INTAKE, "delivery", integration_id)


def intake_stream(*, retention_days: int, replicas: int = 1) -> StreamConfig:
    """Raw deliveries: expired by age (PHI), de-duplicated by webhook id within the window."""
    return replace(stream_config(INTAKE, replicas=replicas), max_age=float(retention_days * DAY_S),
                   description="DSO Rollout verified webhook deliveries (raw, PHI, retention-limited)")


def trail_ref(org: str, recorder: str) -> AggregateRef:
    """One chain per org and recorder (a gateway process): each has exactly one writer."""
    return AggregateRef(org, SERVICE, "trail", recorder)


def trail_subject(org: str | None = None) -> str:
    return f"dso.{org or '*'}.{SERVICE}.trail.>"


def audit_stream(*, retention_days: int = SEVEN_YEARS_DAYS, replicas: int = 1) -> StreamConfig:
    """Kept, never deleted or purged by API, expired only by age."""
    return replace(stream_config(SERVICE, replicas=replicas), max_age=float(retention_days * DAY_S))
