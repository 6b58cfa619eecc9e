"""Batches of a durable JetStream pull consumer, through one pull request kept open and an inbox callback.

nats-py's `PullSubscription.fetch` takes every message through `next_msg`, which creates a task,
a UUID and a timeout per message; profiled, that cost more per event than a projection's whole
fold of it in a rebuild. Here one pull request for a batch stays open (the server sends each
message as it is stored, until the batch is delivered or the request expires), a subscription
callback collects them, and a fetch takes what has gathered since the last one: under load that
is whatever arrived while the last batch was applied, and a lone event is handed over at once.
"""

from __future__ import annotations

import asyncio
import time

import orjson
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.js.api import Header

# Statuses that end a request normally: no messages (a `no_wait` request), or its `expires` ran out.
_ENDED = frozenset({"404", "408"})
_HEARTBEAT = "100"
# How long past `expires` to wait for the end of a request that a reconnect may have lost.
_GRACE_S = 2.0


class PullRefused(RuntimeError):
    """The server ended the pull for another reason (409: consumer deleted, leadership change, ...)."""


class BatchFetcher:
    """Fetches batches of one durable consumer through an inbox of its own; one fetch at a time."""

    def __init__(self, nc: Client, *, stream: str, durable: str) -> None:
        self._nc = nc
        self._next = f"$JS.API.CONSUMER.MSG.NEXT.{stream}.{durable}"
        self._inbox = nc.new_inbox()
        self._sub: Subscription | None = None
        self._gathered: list[Msg] = []
        self._arrived = asyncio.Event()  # a message, or the end of the open request
        self._open = 0  # messages the open request may still deliver (0: none open)
        self._expires_at = 0.0  # when the open request ends at the latest (monotonic)
        self._reply = ""  # the open request's reply subject: its status arrives there
        self._requests = 0
        self._refused = ""
        self._fetching = False

    async def subscribe(self) -> BatchFetcher:
        self._sub = await self._nc.subscribe(f"{self._inbox}.*", cb=self._receive)
        return self

    async def unsubscribe(self) -> None:
        if self._sub is not None:
            await self._sub.unsubscribe()
            self._sub = None

    async def fetch(self, batch: int, *, expires: float = 1.0) -> list[Msg]:
        """Up to `batch` messages, as soon as any have arrived; `[]` when none came within `expires`."""
        if self._fetching:
            raise RuntimeError("one fetch at a time")
        self._fetching = True
        try:
            if not self._gathered:
                if not self._open or time.monotonic() > self._expires_at:
                    await self._request(batch, expires)  # none open, or one a reconnect lost
                self._arrived.clear()
                try:
                    await asyncio.wait_for(self._arrived.wait(), expires + _GRACE_S)
                except TimeoutError:
                    self._open = 0  # its end never came: ask again next time
            if self._refused:
                refused, self._refused = self._refused, ""
                raise PullRefused(f"{self._next}: {refused}")
            taken, self._gathered = self._gathered[:batch], self._gathered[batch:]
            if not self._open and len(self._gathered) < batch:  # the next batch gathers while this one is handled
                await self._request(batch - len(self._gathered), expires)
            return taken
        finally:
            self._fetching = False

    async def _request(self, size: int, expires: float) -> None:
        self._requests += 1
        self._reply, self._open = f"{self._inbox}.{self._requests}", size
        self._expires_at = time.monotonic() + expires + _GRACE_S
        request = {"batch": size, "expires": int(expires * 1e9)}
        await self._nc.publish(self._next, orjson.dumps(request), reply=self._reply)

    async def _receive(self, msg: Msg) -> None:
        if msg.reply:  # a stream message: its reply subject is its ack subject
            self._gathered.append(msg)
            self._open = max(self._open - 1, 0)  # at 0 the request is complete: the server sends no status
            self._arrived.set()
            return
        headers = msg.headers or {}
        status = headers.get("Status", "")
        # A status of an earlier request (one given up on) or an idle heartbeat changes nothing.
        if msg.subject != self._reply or status == _HEARTBEAT:
            return
        if status not in _ENDED:
            self._refused = f"{status} {headers.get(Header.DESCRIPTION, '')}".strip()
        self._open = 0
        self._arrived.set()
