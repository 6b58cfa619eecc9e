"""What every background JetStream consumer here shares: projection runners and reactors alike.

A background task with a stop flag, a position others can wait for (and a pause it can
hurry), cheap stream sequences, and one dead-letter format. Fetching is `shared.pulls`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime

from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig
from nats.js.errors import NotFoundError

from shared.events import AggregateRef, RecordedEvent
from shared.eventstore.streams import DEAD_LETTER_STREAM, ensure_stream, stream_config, stream_name
from shared.pulls import BatchFetcher

log = logging.getLogger(__name__)
RETRY_FIRST_S, RETRY_MAX_S = 0.05, 1.0


class BackgroundConsumer:
    """Lifecycle of one consumer loop: start, stop promptly, and let callers wait for a position."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.position = 0
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._advanced = asyncio.Condition()
        self._subscribed = asyncio.Event()
        self._hurried = asyncio.Event()  # set when a hurrying caller starts waiting: ends a pause at once
        self._hurrying = 0  # callers in `wait_for` now that a pause must not keep waiting
        self.waiting = 0  # callers in `wait_for` now: a following replica then reads checkpoints often

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def consuming(self) -> bool:
        """Running with a live subscription: what /readyz reports as `running`."""
        return self.running and self._subscribed.is_set()

    async def wait_subscribed(self, *, timeout: float) -> bool:
        """Wait until the consumer exists on the server (a service is not started before that)."""
        try:
            await asyncio.wait_for(self._subscribed.wait(), timeout)
        except TimeoutError:
            return False
        return True

    # Failures that only need a fresh subscription (a warning, no pause); others are logged and retried after 1 s.
    resubscribe_on: tuple[type[Exception], ...] = ()

    def _launch(self, *, kind: str) -> None:
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name=f"{kind}:{self.name}")

    async def _subscribe(self) -> BatchFetcher:
        raise NotImplementedError

    async def _consume(self, sub: BatchFetcher) -> None:
        raise NotImplementedError

    async def _run(self) -> None:
        delay = RETRY_FIRST_S
        while not self._stopping:
            try:
                sub = await self._subscribe()
                self._subscribed.set()
                delay = RETRY_FIRST_S
                try:
                    await self._consume(sub)
                finally:
                    self._subscribed.clear()
                    with contextlib.suppress(Exception):
                        await sub.unsubscribe()
            except asyncio.CancelledError:
                raise
            except self.resubscribe_on as error:
                log.warning("%s: %s; resubscribing", self.name, error)
            except Exception:
                # Quick at first (a server still starting), never slower than once a second.
                log.exception("%s failed; retrying in %.2f s", self.name, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, RETRY_MAX_S)

    async def stop(self) -> None:
        # The flag as well as the cancel: nats-py can swallow a cancellation that
        # races its own timeouts, and the loop must end anyway.
        self._stopping = True
        if self._task:
            self._task.cancel()
            done, _ = await asyncio.wait({self._task}, timeout=5)
            if not done:
                log.warning("%s did not stop within 5 s; abandoning its task", self.name)
        self._task = None

    async def wait_for(self, position: int, *, timeout: float = 10.0, hurry: bool = True) -> None:
        """Return once stream sequence `position` has been handled (read-your-writes).

        `hurry`: end a caught-up pause (`_pause`) at once, for a request someone is waiting on.
        Background work that waits (a reaction reading what a projection has applied) lets the
        batch gather instead.
        """
        self.waiting += 1
        self._hurrying += hurry
        if hurry:
            self._hurried.set()
        try:
            async with self._advanced:
                await asyncio.wait_for(self._advanced.wait_for(lambda: self.position >= position), timeout)
        finally:
            self.waiting -= 1
            self._hurrying -= hurry

    async def _pause(self, seconds: float) -> None:
        """Sleep up to `seconds`, unless a hurrying caller is waiting or starts to."""
        if self._hurrying:
            return
        self._hurried.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._hurried.wait(), seconds)

    async def _advance(self, position: int) -> None:
        async with self._advanced:
            self.position = position
            self._advanced.notify_all()


async def add_consumer(js: JetStreamContext, service: str, config: ConsumerConfig) -> None:
    """Create a durable consumer on `service`'s stream, creating the stream first if its owner has not yet.

    A consumer of another service's stream must work from the first second of a brand-new
    server: the stream config is the owner's (same function, idempotent), and the owner's
    own start later updates it (replicas) without disturbing consumers.
    """
    try:
        await js.add_consumer(stream_name(service), config)
    except NotFoundError:
        await ensure_stream(js, stream_config(service))
        await js.add_consumer(stream_name(service), config)


def stream_sequence(msg: Msg) -> int:
    """The stream sequence from the ack subject, without building nats-py's metadata objects per message.

    `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.…` (9 tokens), or with domain and
    account hash first (12 tokens).
    """
    tokens = (msg.reply or "").split(".")
    if len(tokens) == 9:
        return int(tokens[5])
    if len(tokens) >= 11:
        return int(tokens[7])
    return int(msg.metadata.sequence.stream)


def as_event(msg: Msg, sequence: int) -> RecordedEvent:
    """The stored event behind a message; one that is not an event (no envelope, not JSON) becomes an empty
    event of its subject, so its consumer rejects (or dead-letters) that one message instead of wedging on it."""
    try:
        return RecordedEvent.from_message(msg.subject, msg.headers or {}, msg.data, sequence)
    except (KeyError, ValueError) as error:
        log.warning("message at stream sequence %s on %s is not an event: %s", sequence, msg.subject, error)
        tokens = [*msg.subject.split(".", 5), "?", "?", "?", "?", "?"][:6]
        ref = AggregateRef.stored(*tokens[1:5])
        return RecordedEvent(id=f"undecodable-{sequence}", type=tokens[5], source="unknown", ref=ref, version=0,
                             time=datetime.now(UTC), data={}, sequence=sequence)


def failure_reason(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


async def dead_letter(js: JetStreamContext, *, service: str, consumer: str, event: RecordedEvent, reason: str) -> None:
    """Park a poison event on `dlq.<service>.<consumer>` with its error, once (de-duplicated by sequence)."""
    log.error("%s dead-lettering %s seq %s: %s", consumer, event.subject, event.sequence, reason)
    headers = event.headers() | {
        "Nats-Msg-Id": f"{consumer}-{event.sequence}",
        "dso-original-subject": event.subject,
        "dso-original-sequence": str(event.sequence),
        "dso-error": reason.replace("\r", " ").replace("\n", " "),
    }
    await js.publish(f"dlq.{service}.{consumer}", event.payload(), headers=headers, stream=DEAD_LETTER_STREAM)
