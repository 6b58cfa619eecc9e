"""The event envelope: a domain fact plus the CloudEvents 1.0 attributes it travels with.

Events are stored on JetStream in CloudEvents *binary* mode: the attributes are
message headers (`ce-*`), the data is JSON. Subscribers outside this codebase can
read them with any CloudEvents SDK, and headers can be filtered without parsing
the body.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import orjson
from ulid import ULID

SPEC_VERSION = "1.0"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]+$")


class InvalidSubjectToken(ValueError):
    """A value that would break a NATS subject (dots, wildcards, spaces)."""


def subject_token(value: str, *, name: str) -> str:
    """Return `value` if it is safe as one NATS subject token, else raise."""
    if not _TOKEN.match(value):
        raise InvalidSubjectToken(f"{name} must match [A-Za-z0-9_-]+, got {value!r}")
    return value


def new_id() -> str:
    """A new sortable id (ULID) for events and aggregates."""
    return str(ULID())


@dataclass(frozen=True, slots=True)
class AggregateRef:
    """Names one aggregate: the subject prefix all of its events share."""

    org: str
    service: str
    aggregate: str
    id: str

    def __post_init__(self) -> None:
        subject_token(self.org, name="org")
        subject_token(self.service, name="service")
        subject_token(self.aggregate, name="aggregate")
        subject_token(self.id, name="aggregate id")

    @classmethod
    def stored(cls, org: str, service: str, aggregate: str, id: str) -> AggregateRef:
        """A ref from the tokens of a stored subject, skipping validation.

        A stored subject was validated when it was appended, and NATS subjects cannot
        carry dots or wildcards inside a token; re-checking costs more than the rest
        of decoding an event in a projection replay.
        """
        ref = object.__new__(cls)
        _ORG.__set__(ref, org)
        _SERVICE.__set__(ref, service)
        _AGGREGATE.__set__(ref, aggregate)
        _ID.__set__(ref, id)
        return ref

    @property
    def prefix(self) -> str:
        return f"dso.{self.org}.{self.service}.{self.aggregate}.{self.id}"

    @property
    def filter(self) -> str:
        """Subject filter matching every event of this aggregate."""
        return f"{self.prefix}.*"

    def subject(self, event_type: str) -> str:
        return f"{self.prefix}.{subject_token(event_type, name='event type')}"


# Slot descriptors: setting through them skips the frozen check's cost in `AggregateRef.stored`.
_ORG, _SERVICE, _AGGREGATE, _ID = (AggregateRef.__dict__[name] for name in ("org", "service", "aggregate", "id"))


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event decided by the domain, not yet stored."""

    type: str
    data: Mapping[str, Any]
    dataschema: str | None = None


@dataclass(frozen=True, slots=True)
class Metadata:
    """Who and what caused an append: carried onto every event of it."""

    command_id: str = field(default_factory=new_id)
    correlation_id: str | None = None
    causation_id: str | None = None
    traceparent: str | None = None
    actor: str | None = None


@dataclass(frozen=True, slots=True)
class RecordedEvent:
    """An event as stored: envelope attributes, JSON data and its stream position."""

    id: str
    type: str
    source: str
    ref: AggregateRef
    version: int
    time: datetime
    data: dict[str, Any]
    sequence: int = 0
    correlation_id: str | None = None
    causation_id: str | None = None
    traceparent: str | None = None
    actor: str | None = None
    dataschema: str | None = None
    message_id: str | None = None

    @property
    def subject(self) -> str:
        return self.ref.subject(self.type)

    def at(self, sequence: int) -> RecordedEvent:
        """The same event, placed at a stream sequence."""
        return replace(self, sequence=sequence)

    def headers(self) -> dict[str, str]:
        """CloudEvents binary-mode headers for this event."""
        headers = {
            "ce-specversion": SPEC_VERSION,
            "ce-id": self.id,
            "ce-source": self.source,
            "ce-type": self.type,
            "ce-subject": self.ref.id,
            "ce-time": self.time.isoformat(),
            "ce-orgid": self.ref.org,
            "ce-aggregatetype": self.ref.aggregate,
            "ce-aggregateversion": str(self.version),
            "ce-correlationid": self.correlation_id or self.id,
            "ce-causationid": self.causation_id or self.id,
            "content-type": "application/json",
        }
        if self.traceparent:
            headers["traceparent"] = self.traceparent
        if self.actor:
            headers["ce-actor"] = self.actor
        if self.dataschema:
            headers["ce-dataschema"] = self.dataschema
        return headers

    def payload(self) -> bytes:
        return orjson.dumps(self.data, default=str, option=orjson.OPT_NON_STR_KEYS)

    @classmethod
    def from_message(cls, subject: str, headers: Mapping[str, str], payload: bytes, sequence: int) -> RecordedEvent:
        """Rebuild an event from a stored NATS message."""
        _, org, service, aggregate, aggregate_id, event_type = subject.split(".", 5)
        return cls(
            id=headers["ce-id"],
            type=event_type,
            source=headers.get("ce-source", service),
            ref=AggregateRef.stored(org, service, aggregate, aggregate_id),
            version=int(headers.get("ce-aggregateversion", "0")),
            time=datetime.fromisoformat(headers["ce-time"]),
            data=orjson.loads(payload) if payload else {},
            sequence=sequence,
            correlation_id=headers.get("ce-correlationid"),
            causation_id=headers.get("ce-causationid"),
            traceparent=headers.get("traceparent"),
            actor=headers.get("ce-actor"),
            dataschema=headers.get("ce-dataschema"),
            message_id=headers.get("Nats-Msg-Id"),
        )


def record(ref: AggregateRef, events: list[NewEvent], *, version: int, meta: Metadata) -> list[RecordedEvent]:
    """Stamp decided events with ids, versions and envelope attributes."""
    now = datetime.now(UTC)
    return [
        RecordedEvent(
            id=new_id(),
            type=event.type,
            source=f"dso-rollout/{ref.service}",
            ref=ref,
            version=version + index + 1,
            time=now,
            data=dict(event.data),
            correlation_id=meta.correlation_id,
            causation_id=meta.causation_id or meta.command_id,
            traceparent=meta.traceparent,
            actor=meta.actor,
            dataschema=event.dataschema,
        )
        for index, event in enumerate(events)
    ]
