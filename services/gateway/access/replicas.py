"""How many gateway replicas are serving now: each writes a heartbeat to a NATS KV bucket.

A caller's rate limit is a total across the gateway (what an operator sets and a client reads in
the docs). Buckets stay in each replica's memory — no round trip on a request's path — and each
replica enforces its share: the limit divided by the replicas alive. Behind a load balancer that
spreads a caller's requests, the caller then gets the limit overall, whatever the replica count.
A replica that dies stops beating and drops out of the count after `TTL_S`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from nats.js import JetStreamContext
from nats.js.api import KeyValueConfig, StorageType
from nats.js.errors import BadRequestError, NoKeysError
from nats.js.kv import KeyValue

from services.gateway.access.ratelimit import TokenBuckets

log = logging.getLogger(__name__)
BUCKET = "gateway_replicas"
BEAT_S = 5.0
TTL_S = 3 * BEAT_S


async def replica_bucket(js: JetStreamContext, *, replicas: int) -> KeyValue:
    config = KeyValueConfig(bucket=BUCKET, ttl=TTL_S, history=1, storage=StorageType.MEMORY, replicas=replicas)
    try:
        return await js.create_key_value(config)
    except BadRequestError:  # exists with other settings: use it as it is
        return await js.key_value(BUCKET)


class ReplicaShare:
    """Beats for this replica and sets the buckets' share to 1 / the replicas seen."""

    def __init__(self, kv: KeyValue, replica: str, buckets: TokenBuckets, *, beat_s: float = BEAT_S) -> None:
        self.kv, self.replica, self.buckets, self.beat_s = kv, replica, buckets, beat_s
        self.replicas = 1
        self._task: asyncio.Task[None] | None = None

    async def beat(self) -> None:
        await self.kv.put(self.replica, b"1")
        try:
            alive = await self.kv.keys()
        except NoKeysError:
            alive = []
        self.replicas = max(1, len(alive))
        self.buckets.share = 1 / self.replicas

    async def start(self) -> None:
        await self.beat()
        self._task = asyncio.create_task(self._beating(), name="gateway-replica-beat")

    async def _beating(self) -> None:
        while True:
            await asyncio.sleep(self.beat_s)
            try:
                await self.beat()
            except Exception as error:  # NATS away: keep the last share, try again next beat
                log.warning("replica heartbeat failed: %s", error)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        with contextlib.suppress(Exception):
            await self.kv.delete(self.replica)  # leave the count now rather than after the TTL
