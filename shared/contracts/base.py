"""Published event contracts: versioned pydantic models other systems can rely on.

Additive changes only within a schema version; a breaking change is a new version
with an upcaster. `extra="ignore"` lets an older reader accept a newer producer's
additive fields.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from shared.events import NewEvent, RecordedEvent


class DomainEvent(BaseModel):
    """A past-tense fact of one aggregate. Subclasses name their service and aggregate."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    service: ClassVar[str]
    aggregate: ClassVar[str]
    schema_version: ClassVar[int] = 1

    @classmethod
    def event_type(cls) -> str:
        return cls.__name__

    @classmethod
    def dataschema(cls) -> str:
        return f"urn:dso-rollout:events:{cls.service}:{cls.event_type()}:v{cls.schema_version}"

    def to_new_event(self) -> NewEvent:
        return NewEvent(type=self.event_type(), data=self.model_dump(mode="json"), dataschema=self.dataschema())


_REGISTRY: dict[tuple[str, str], type[DomainEvent]] = {}


def register(*classes: type[DomainEvent]) -> None:
    """Make event classes known to `parse` (done by each contracts module on import)."""
    for cls in classes:
        _REGISTRY[(cls.service, cls.event_type())] = cls


def registered() -> list[type[DomainEvent]]:
    return list(_REGISTRY.values())


class UnknownEventType(LookupError):
    """A stored event whose type no contract describes (a newer producer, or a typo)."""


def parse(event: RecordedEvent) -> DomainEvent:
    """The typed domain event behind a stored one."""
    cls = _REGISTRY.get((event.ref.service, event.type))
    if cls is None:
        raise UnknownEventType(f"{event.ref.service}.{event.type}")
    return cls.model_validate(event.data)
