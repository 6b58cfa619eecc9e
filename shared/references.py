"""Is aggregate X of service S known? Asked before a command refuses a reference to another service's aggregate.

A service learns other services' aggregates through its own projections of their
streams, which run a little behind. A reference the owner has already acknowledged
(a location registered into a program waves created a millisecond ago) must be
valid at once, so "not in my read model" is never the answer on its own:

1. the local projection knows it: known;
2. else ask the source of truth — the owner's stream, last message on the aggregate's
   subject (`dso.<org>.<service>.<aggregate>.<id>.*`), one direct get (~0.2 ms);
   no message: unknown (answer 404/422);
3. else wait, bounded, until the local projection has applied that message's sequence,
   then read the local model; if it does not catch up in time, 503 (lagging), never 404.

Use it for every cross-service reference, now and later: declare one `Reference`
next to the projection that folds the owner's stream, e.g.

    PROGRAMS = Reference(service="waves", aggregate="program", projection="readiness-programs")
    LOCATIONS = Reference(service="readiness", aggregate="location", projection="waves-locations")
    WAVES = Reference(service="waves", aggregate="wave", projection="training-waves")
    STAFF = Reference(service="training", aggregate="staff", projection="metrics-staff")

and, where the local lookup missed, `if await wait_until_known(runtime, PROGRAMS, org=org,
aggregate_id=program_id):` read the local model again; else answer 404/422.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from shared.errors import DomainError
from shared.eventstore.streams import stream_name

if TYPE_CHECKING:
    from shared.runtime import Runtime

REFERENCE_WAIT_S = 5.0  # how long a known reference may wait for the local read model
_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")  # ids are ULIDs/UUIDs: no `.`, `*`, `>` in a subject


class ReadModelLagging(DomainError):
    """The owner recorded the aggregate but our read model has not caught up: retry, it is not missing."""

    status = 503
    code = "read_model_lagging"


@dataclass(frozen=True)
class Reference:
    """Another service's aggregate type, and the local projection of the owner's stream that learns it."""

    service: str
    aggregate: str
    projection: str

    def subject(self, *, org: str, aggregate_id: str) -> str:
        return f"dso.{org}.{self.service}.{self.aggregate}.{aggregate_id}.*"


async def last_sequence(js: JetStreamContext, ref: Reference, *, org: str, aggregate_id: str) -> int | None:
    """The owner's stream sequence of the aggregate's last event, or None if the owner never recorded it."""
    if not _ID.match(aggregate_id) or not _ID.match(org):
        return None  # not an id we could have issued: unknown, and never a subject wildcard
    try:
        msg = await js.get_last_msg(stream_name(ref.service), ref.subject(org=org, aggregate_id=aggregate_id),
                                    direct=True)
    except NotFoundError:
        return None
    return int(msg.seq) if msg.seq is not None else None


async def wait_until_known(runtime: Runtime, ref: Reference, *, org: str, aggregate_id: str,
                           timeout: float = REFERENCE_WAIT_S) -> bool:
    """After a local miss: True once the local projection has applied the aggregate's last event.

    False: the owner has no such aggregate (answer 404/422). ReadModelLagging: it has,
    but our projection did not catch up within `timeout`.
    """
    sequence = await last_sequence(runtime.nc.jetstream(), ref, org=org, aggregate_id=aggregate_id)
    if sequence is None:
        return False
    try:
        await runtime.runners[ref.projection].wait_for(sequence, timeout=timeout)
    except TimeoutError:
        raise ReadModelLagging(
            f"{ref.aggregate} {aggregate_id} exists in {ref.service} but this service's read model is still "
            "catching up; retry shortly", field=f"{ref.aggregate}_id",
        ) from None
    return True
