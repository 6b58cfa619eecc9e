"""The integrations the gateway verifies deliveries for, learned from metrics' integration events.

Only ids: which org and source an integration belongs to and which secret ids are valid until when.
The secrets themselves derive from the platform's webhook key (`shared/webhooks.py`).
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Column, DateTime, Engine, bindparam
from sqlalchemy import select as sa_select
from sqlmodel import Field, Session, SQLModel

from shared.contracts.base import parse
from shared.contracts.metrics import IntegrationRegistered, IntegrationSecretRotated
from shared.events import RecordedEvent

HANDLED = {IntegrationRegistered.event_type(), IntegrationSecretRotated.event_type()}


class WebhookIntegrationRow(SQLModel, table=True):
    __tablename__ = "gateway_integrations_v1"

    id: str = Field(primary_key=True)  # a ULID: unique across orgs
    org: str
    source: str = Field(index=True)
    secret_id: str
    previous_secret_id: str | None = None
    previous_valid_until: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))


class WebhookIntegrationsProjection:
    name = "gateway-integrations"
    stream = "metrics"
    tables: tuple[type[SQLModel], ...] = (WebhookIntegrationRow,)
    # No gather pause: the edge verifies webhook signatures with these secrets, and a revoked
    # secret must stop working as soon as its event arrives, not up to GATHER_S later.
    linger_s = 0.0

    @staticmethod
    def wants(event: RecordedEvent) -> bool:
        return event.ref.aggregate == "integration" and event.type in HANDLED

    def apply(self, session: Session, event: RecordedEvent) -> None:
        if not self.wants(event):
            return
        match parse(event):
            case IntegrationRegistered() as registered:
                existing = session.get(WebhookIntegrationRow, registered.integration_id)
                if existing is not None and existing.org != event.ref.org:
                    raise ValueError(f"integration id {registered.integration_id} is another org's")
                session.merge(WebhookIntegrationRow(id=registered.integration_id, org=event.ref.org,
                                                    source=registered.source, secret_id=registered.secret_id))
            case IntegrationSecretRotated() as rotated:
                row = session.get(WebhookIntegrationRow, rotated.integration_id)
                if row is None or row.org != event.ref.org:
                    raise LookupError(f"rotation of unknown integration {rotated.integration_id}")
                row.previous_secret_id = rotated.previous_secret_id
                row.previous_valid_until = rotated.previous_valid_until
                row.secret_id = rotated.secret_id
                session.add(row)


class Verifiable(NamedTuple):
    """What verifying a delivery needs of an integration (a plain row: read per delivery, never changed)."""

    id: str
    org: str
    source: str
    secret_id: str
    previous_secret_id: str | None
    previous_valid_until: datetime | None


_TABLE = WebhookIntegrationRow.__table__  # type: ignore[attr-defined]
_OF_SOURCE = sa_select(*(_TABLE.c[name] for name in Verifiable._fields)).where(
    _TABLE.c.source == bindparam("source")).limit(bindparam("limit"))
_NAMED = _OF_SOURCE.where(_TABLE.c.id == bindparam("integration_id"))


def candidates(engine: Engine, *, source: str, integration_id: str | None, limit: int) -> list[Verifiable]:
    """The integration named, or every integration of the source (at most `limit` + 1: too many to try)."""
    query, params = (_OF_SOURCE, {}) if integration_id is None else (_NAMED, {"integration_id": integration_id})
    with engine.connect() as connection:
        rows = connection.execute(query, {"source": source, "limit": limit + 1, **params}).all()
    return [Verifiable(*row) for row in rows]
