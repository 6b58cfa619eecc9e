"""Which replica of a service runs its consumers: a lease held on the read model's own database.

Replicas of a service share one read model (PostgreSQL) and answer HTTP alike, but only one of
them — the lease holder — runs the service's projections and reactions; the others follow the
checkpoints in the database (so read-your-writes and a reaction's wait for its projection work on
every replica) and take over when the holder goes. The lease is a PostgreSQL session advisory lock
on a connection of its own: a holder that crashes closes its socket and the server frees the lock
at once; one cut off by the network is dropped by TCP keepalives (idle 5 s, then 3 probes 2 s apart), while the
holder itself stops within `ALIVE_TIMEOUT_S` of losing the server. A stale holder still finishing
a batch is fenced by the checkpoint row (locked FOR UPDATE, sequence checked in the same
transaction), so no event is applied twice during a handover.

A SQLite read model is one process's file: its lease is always held.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

import psycopg
from sqlalchemy import make_url

log = logging.getLogger(__name__)
POLL_S = 1.0
ALIVE_TIMEOUT_S = 2.0


class Lease(Protocol):
    async def acquire(self) -> bool:
        """Try once to take the lease; True when held now."""
        ...

    async def alive(self) -> bool:
        """Whether a held lease is still held."""
        ...

    async def release(self) -> None: ...


class SoleLease:
    """A read model only this process writes (SQLite): always held."""

    async def acquire(self) -> bool:
        return True

    async def alive(self) -> bool:
        return True

    async def release(self) -> None:
        return None


def lock_key(name: str) -> int:
    """A stable signed 64-bit advisory-lock key for `name`."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


class AdvisoryLease:
    """A PostgreSQL session advisory lock named `name`, on a connection of its own."""

    def __init__(self, url: str, name: str) -> None:
        self.dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        self.name = name
        self.key = lock_key(name)
        self.conn: psycopg.AsyncConnection[tuple[object, ...]] | None = None

    async def acquire(self) -> bool:
        if self.conn is None or self.conn.closed:
            self.conn = await psycopg.AsyncConnection.connect(self.dsn, autocommit=True, connect_timeout=3,
                                                              application_name="rollout-lease", keepalives=1,
                                                              keepalives_idle=5, keepalives_interval=2,
                                                              keepalives_count=3)
        cursor = await self.conn.execute("SELECT pg_try_advisory_lock(%s)", (self.key,))
        row = await cursor.fetchone()
        return bool(row and row[0])

    async def alive(self) -> bool:
        if self.conn is None or self.conn.closed:
            return False
        try:
            # A session lock lasts as long as its session: the session answering is the lease held.
            cursor = await asyncio.wait_for(self.conn.execute("SELECT 1"), ALIVE_TIMEOUT_S)
            row = await asyncio.wait_for(cursor.fetchone(), ALIVE_TIMEOUT_S)
        except (TimeoutError, psycopg.Error, OSError) as error:
            log.warning("lease %s: lost its database connection (%s)", self.name, type(error).__name__)
            await self._drop()
            return False
        return bool(row and row[0])

    async def release(self) -> None:
        await self._drop()  # ending the session frees its locks

    async def _drop(self) -> None:
        conn, self.conn = self.conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.close(), ALIVE_TIMEOUT_S)


def lease_for(database_url: str, name: str) -> Lease:
    return AdvisoryLease(database_url, name) if database_url.startswith("postgresql") else SoleLease()


class Leadership:
    """Keeps trying the lease; calls `on_gain` when it is taken and `on_loss` when it is lost."""

    def __init__(self, lease: Lease, *, on_gain: Callable[[], Awaitable[None]],
                 on_loss: Callable[[], Awaitable[None]], poll_s: float = POLL_S) -> None:
        self.lease, self.on_gain, self.on_loss, self.poll_s = lease, on_gain, on_loss, poll_s
        self.leading = False
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Try once now (so a sole or free lease leads from the start), then keep watching."""
        await self._step()
        self._task = asyncio.create_task(self._watch(), name="lease")

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self.poll_s)
            await self._step()

    async def _step(self) -> None:
        try:
            if not self.leading:
                if await self.lease.acquire():
                    self.leading = True
                    log.info("lease taken: this replica runs the projections and reactions")
                    await self.on_gain()
            elif not await self.lease.alive():
                self.leading = False
                log.warning("lease lost: this replica stops its projections and reactions and follows")
                await self.on_loss()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("lease check failed; trying again in %.1f s", self.poll_s)

    async def stop_watching(self) -> None:
        """Stop checking; the lease stays held until `lease.release()` (after the consumers stop)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
