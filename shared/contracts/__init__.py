"""Published event contracts of every service; importing this registers them all."""

from shared.contracts import gateway, readiness, training, waves
from shared.contracts.base import DomainEvent, UnknownEventType, parse, register, registered

__all__ = [
    "DomainEvent", "UnknownEventType", "gateway", "parse", "readiness", "register", "registered", "training", "waves",
]
