"""Batches of a durable JetStream pull consumer: one pull request each, collected by an inbox callback.

nats-py's `PullSubscription.fetch` takes every message through `next_msg`, which creates a task,
a UUID and a timeout per message; profiled, that cost more per event than a projection's whole
fold of it in a rebuild. Here a batch is one request (`no_wait` with `expires`: the server answers
as soon as anything is there, up to the batch, and ends the request with a 404 or 408 status
unless the batch filled), and a subscription callback collects the answer.
"""

from __future__ import annotations

import asyncio

import orjson
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.js.api import Header

# Statuses that end a request normally: no (more) messages, or the request's `expires` ran out.
_ENDED = frozenset({"404", "408"})
_HEARTBEAT = "100"
# How long past `expires` to wait for the server's end of a request that a reconnect may have lost.
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
        self._msgs: list[Msg] = []  # of the current request, or arrived after the last one ended
        self._until = 0  # how many `_msgs` complete the current request
        self._reply = ""  # the current request's reply subject: its status message arrives there
        self._ended: asyncio.Future[tuple[str, str]] | None = None
        self._requests = 0

    async def subscribe(self) -> BatchFetcher:
        self._sub = await self._nc.subscribe(f"{self._inbox}.*", cb=self._receive)
        return self

    async def unsubscribe(self) -> None:
        if self._sub is not None:
            await self._sub.unsubscribe()
            self._sub = None

    async def fetch(self, batch: int, *, expires: float = 1.0) -> list[Msg]:
        """Up to `batch` messages (a few more if a lost request's arrive late), as soon as any are there;
        `[]` when none came within `expires`."""
        if self._ended is not None:
            raise RuntimeError("one fetch at a time")
        wanted = batch - len(self._msgs)
        if wanted <= 0:
            return self._take()
        self._requests += 1
        self._reply, self._until = f"{self._inbox}.{self._requests}", batch
        self._ended = asyncio.get_running_loop().create_future()
        request = {"batch": wanted, "no_wait": True, "expires": int(expires * 1e9)}
        try:
            await self._nc.publish(self._next, orjson.dumps(request), reply=self._reply)
            status, description = await asyncio.wait_for(self._ended, expires + _GRACE_S)
        except TimeoutError:
            status, description = "", ""  # the request's end never came (a reconnect): what came is the batch
        finally:
            self._ended, self._reply = None, ""
        if status and status not in _ENDED:
            raise PullRefused(f"{self._next}: {status} {description}".strip())
        return self._take()

    def _take(self) -> list[Msg]:
        msgs, self._msgs = self._msgs, []
        return msgs

    async def _receive(self, msg: Msg) -> None:
        ended = self._ended
        if msg.reply:  # a stream message: its reply subject is its ack subject
            self._msgs.append(msg)
            if ended is not None and not ended.done() and len(self._msgs) >= self._until:
                ended.set_result(("", ""))
            return
        headers = msg.headers or {}
        status = headers.get("Status", "")
        # A status of an earlier request (one we stopped waiting for) or an idle heartbeat changes nothing.
        if ended is not None and not ended.done() and msg.subject == self._reply and status != _HEARTBEAT:
            ended.set_result((status, str(headers.get(Header.DESCRIPTION, ""))))
