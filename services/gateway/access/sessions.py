"""Idle timeout of browser sessions (30 minutes by default, the seed's HIPAA setting).

A token from an interactive login carries the IdP's session id (`sid`); tokens of
integrations carry none and are never idle-checked. Each request touches the
session's last-seen time in a NATS key-value bucket every gateway replica shares.
A session unseen for longer than the idle timeout is ended: its tombstone stays in
the bucket, so a token silently refreshed in a background tab cannot revive it — the
user logs in again (a new `sid`). A session never seen before counts from the token's
`iat` (the login). To keep the bucket off the hot path, a replica writes a session's
last-seen time at most once per `touch_s`; the timeout is exact to within that.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass

from nats.js.errors import KeyNotFoundError
from nats.js.kv import KeyValue

from shared.auth import AuthError, Principal

BUCKET = "DSO_SESSIONS"
IDLE = "session idle timeout"


class SessionIdle(AuthError):
    """The browser session was idle too long (401); the user must log in again."""


@dataclass(slots=True)
class Seen:
    last_seen: float
    written: float  # when this replica last wrote it to the bucket


def session_key(principal: Principal) -> str:
    """A bucket key per org and session; the raw `sid` never leaves the edge."""
    digest = hashlib.sha256(f"{principal.org}\x1f{principal.session_id}".encode()).hexdigest()[:40]
    return f"{principal.org}.{digest}"


class SessionTracker:
    """Last-seen times of browser sessions, shared by every replica through `bucket`."""

    def __init__(
        self, bucket: KeyValue, *, idle_s: float, touch_s: float, clock: Callable[[], float] = time.time
    ) -> None:
        self.bucket, self.idle_s, self.touch_s, self.clock = bucket, idle_s, touch_s, clock
        self._local: dict[str, Seen] = {}

    async def touch(self, principal: Principal) -> None:
        """Record activity now, or raise SessionIdle when the session had been idle too long."""
        if not principal.session_id:
            return
        key, now = session_key(principal), self.clock()
        local = self._local.get(key)
        if local and now - local.last_seen <= self.idle_s and now - local.written < self.touch_s:
            local.last_seen = now  # recently written by us: nothing to share yet
            return
        stored = await self._read(key)
        if stored.get("ended"):
            raise SessionIdle(f"{IDLE}: the session ended after {self.idle_s / 60:g} idle minutes; log in again")
        seen = [stored.get("last_seen"), local.last_seen if local else None]
        last = max((float(s) for s in seen if isinstance(s, int | float)), default=float(principal.issued_at or now))
        if now - last > self.idle_s:
            await self.bucket.put(key, json.dumps({"last_seen": last, "ended": True}).encode())
            self._local.pop(key, None)
            raise SessionIdle(f"{IDLE}: no activity for {(now - last) / 60:.0f} minutes (limit {self.idle_s / 60:g})")
        await self.bucket.put(key, json.dumps({"last_seen": now, "ended": False}).encode())
        self._local[key] = Seen(last_seen=now, written=now)
        if len(self._local) > 100_000:  # bound memory: forget the oldest; the bucket still knows them
            self._local.pop(next(iter(self._local)))

    async def is_idle(self, principal: Principal) -> bool:
        """Whether the session has ended or gone idle, without counting the question as activity.

        An open event stream asks this as it runs: holding a stream open is not a user at the keyboard.
        """
        if not principal.session_id:
            return False
        key, now = session_key(principal), self.clock()
        local = self._local.get(key)
        if local and now - local.last_seen <= self.idle_s - self.touch_s:
            return False  # seen here recently enough that no replica can disagree
        stored = await self._read(key)
        seen = [stored.get("last_seen"), local.last_seen if local else None]
        last = max((float(s) for s in seen if isinstance(s, int | float)), default=float(principal.issued_at or now))
        return bool(stored.get("ended")) or now - last > self.idle_s

    async def _read(self, key: str) -> dict[str, object]:
        try:
            entry = await self.bucket.get(key)
        except KeyNotFoundError:
            return {}
        return json.loads(entry.value or b"{}")  # type: ignore[no-any-return]
