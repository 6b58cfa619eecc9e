"""How many live streams one caller may hold open on this replica.

Each stream holds one JetStream consumer per service stream for as long as it is
open; without a bound, one caller opening tabs (or a script) could hold hundreds of
consumers. Beyond the limit a new stream is refused with 429 until one closes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator

from fastapi import Request

from shared.auth import CurrentPrincipal
from shared.errors import DomainError


class TooManyStreams(DomainError):
    status = 429
    code = "too_many_streams"


class StreamSlots:
    """Open streams per caller (org + subject)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.open: Counter[str] = Counter()

    def take(self, caller: str) -> None:
        if self.open[caller] >= self.limit:
            raise TooManyStreams(f"at most {self.limit} event streams at once per user; close one first")
        self.open[caller] += 1

    def give_back(self, caller: str) -> None:
        self.open[caller] -= 1
        if self.open[caller] <= 0:
            del self.open[caller]


async def stream_slot(request: Request, principal: CurrentPrincipal) -> AsyncIterator[None]:
    """A slot held for the whole stream: released when the response ends (FastAPI runs this exit after it)."""
    slots: StreamSlots = request.app.state.stream_slots
    caller = f"{principal.org}:{principal.subject}"
    slots.take(caller)
    try:
        yield
    finally:
        slots.give_back(caller)
