"""Stream provisioning: one JetStream stream per owning service."""

from __future__ import annotations

from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError

from shared.config import COMPONENTS

# Every component owns a stream (the gateway: its webhook intake).
SERVICES = COMPONENTS
DEAD_LETTER_STREAM = "DSO_DEADLETTER"


def stream_name(service: str) -> str:
    return f"DSO_{service.upper()}"


def stream_config(service: str, *, replicas: int = 1, duplicate_window_s: float = 86400) -> StreamConfig:
    """The stream that is the system of record for `service`'s events: kept, never purged."""
    return StreamConfig(
        name=stream_name(service),
        description=f"DSO Rollout {service} events (system of record)",
        subjects=[f"dso.*.{service}.>"],
        retention=RetentionPolicy.LIMITS,
        discard=DiscardPolicy.NEW,
        storage=StorageType.FILE,
        num_replicas=replicas,
        duplicate_window=duplicate_window_s,
        deny_delete=True,
        deny_purge=True,
        allow_direct=True,
        allow_atomic=True,
    )


def dead_letter_config(*, replicas: int = 1) -> StreamConfig:
    """Poison events land here with the error, so a projection can move on and an operator can look."""
    return StreamConfig(
        name=DEAD_LETTER_STREAM,
        subjects=["dlq.>"],
        storage=StorageType.FILE,
        num_replicas=replicas,
        allow_direct=True,
    )


async def ensure_stream(js: JetStreamContext, config: StreamConfig) -> None:
    """Create the stream, or update it to `config` if it already exists."""
    assert config.name is not None
    try:
        await js.stream_info(config.name)
    except NotFoundError:
        await js.add_stream(config)
    else:
        await js.update_stream(config)


async def ensure_streams(js: JetStreamContext, services: tuple[str, ...] = SERVICES, *, replicas: int = 1) -> None:
    """Provision every service stream plus the dead-letter stream."""
    for service in services:
        await ensure_stream(js, stream_config(service, replicas=replicas))
    await ensure_stream(js, dead_letter_config(replicas=replicas))
