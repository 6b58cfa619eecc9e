"""Rate limiting per caller: a token bucket for each (org, subject), in this replica's memory.

`rate` tokens per second refill a bucket of `burst`; a request takes one. An empty
bucket answers 429 with `Retry-After`, the seconds until a token is back. Buckets
live per replica (no round trip on the hot path); `rate` and `burst` are the caller's
totals across the gateway, of which this replica enforces its `share` (set from the
replicas alive, `access.replicas`).
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable


class TokenBuckets:
    """One bucket per key, the least recently used forgotten beyond `max_keys`."""

    def __init__(
        self, *, rate: float, burst: int, clock: Callable[[], float] = time.monotonic, max_keys: int = 100_000
    ) -> None:
        self.total_rate, self.total_burst, self.clock, self.max_keys = rate, burst, clock, max_keys
        self.share = 1.0
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    @property
    def rate(self) -> float:
        return self.total_rate * self.share

    @property
    def burst(self) -> int:
        return max(1, math.floor(self.total_burst * self.share))

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def take(self, key: str) -> int:
        """0 when the request may pass (a token is spent), else the whole seconds to wait."""
        if not self.enabled:
            return 0
        now = self.clock()
        tokens, then = self._buckets.pop(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - then) * self.rate)
        if tokens >= 1:
            self._store(key, tokens - 1, now)
            return 0
        self._store(key, tokens, now)
        return max(1, math.ceil((1 - tokens) / self.rate))

    def _store(self, key: str, tokens: float, now: float) -> None:
        self._buckets[key] = (tokens, now)
        if len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
