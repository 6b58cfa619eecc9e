"""Outcomes of commands by `Idempotency-Key`: a retried command gets the first answer, never a second run.

JetStream's message-id window makes a retried *append* a no-op, but not a retried
*command*: a slow CSV import that the gateway gave up on (504) had stored every row,
and its retry answered "4500 of 4500 rows rejected" because the names now existed.
So a command sent with a key claims a slot in a NATS KV bucket of its service (keyed
by org, command and key) before it runs, and stores its answer (status, headers,
body) there when it finishes:

- a retry after it finished gets the stored answer, byte for byte;
- a retry while it still runs gets `409 in_progress` with `Retry-After`;
- the same key with another request body is a `422` (a client bug, not a retry);
- a 5xx or a crash stores nothing and frees the slot, so the retry runs again (the
  event store's message ids keep the events it already wrote from being doubled);
  a slot whose runner died (it renews the slot while it runs) is taken over once
  `lease_s` has passed without a renewal.

Answers are kept for `ttl_s` (24 h), far beyond any client's retry policy.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import time
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

import nats.errors
import nats.js.errors
from fastapi import Depends, Request, Response
from nats.aio.client import Client
from nats.js.api import KeyValueConfig, StorageType
from nats.js.errors import BadRequestError
from nats.js.kv import KeyValue
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.auth import AuthError, current_principal
from shared.errors import Conflict, DomainError
from shared.http import error_response

log = logging.getLogger(__name__)
T = TypeVar("T")
HEADER = "idempotency-key"
MAX_KEY = 200
# Headers of the first answer that a replay repeats (the request id is the retry's own).
KEPT_HEADERS = ("content-type", "location", "x-event-position", "x-read-model", "content-disposition")
RETRY_AFTER_S = 2


class InProgress(Conflict):
    """409 with Retry-After: the first request with the key has not finished."""

    code = "in_progress"
    headers = {"Retry-After": str(RETRY_AFTER_S)}


class KeyReused(DomainError):
    code = "idempotency_key_reused"


@dataclass(slots=True)
class Claim:
    """A slot this request holds while its command runs (`revision` moves with each heartbeat)."""

    key: str
    revision: int
    fingerprint: str


class OutcomeStore:
    """One service's stored command outcomes (a NATS KV bucket)."""

    def __init__(self, kv: KeyValue, *, lease_s: float = 15.0, clock: Callable[[], float] = time.time) -> None:
        # A running command renews its slot every third of the lease, so a slot older than the
        # lease belongs to a runner that died (a crashed process): a retry takes it over.
        self.kv, self.lease_s, self.clock = kv, lease_s, clock
        self.op_timeout_s = 2.0
        # Slots this process gave up but could not free (NATS was away): its own retries take them over.
        self._abandoned: set[str] = set()

    @classmethod
    async def open(cls, nc: Client, service: str, *, replicas: int = 1, ttl_s: float = 24 * 3600) -> OutcomeStore:
        js = nc.jetstream()
        bucket = f"IDEMPOTENCY_{service.upper()}"
        config = KeyValueConfig(bucket=bucket, history=1, ttl=ttl_s, storage=StorageType.FILE, replicas=replicas)
        try:
            return cls(await js.create_key_value(config))
        except BadRequestError:  # exists with other settings: use it as it is
            return cls(await js.key_value(bucket))

    async def run(
        self, *, org: str, command: str, key: str | None, fingerprint: str, execute: Callable[[], Awaitable[Response]]
    ) -> Response:
        """`execute` once per (org, command, key); every later call gets its stored answer."""
        if key is None:
            return await execute()
        if not 0 < len(key) <= MAX_KEY:
            raise DomainError(f"Idempotency-Key must be 1-{MAX_KEY} characters", field="Idempotency-Key")
        slot = _slot(org, command, key)
        claim = await self._claim(slot, fingerprint)
        if isinstance(claim, Response):
            return claim
        heartbeat = asyncio.create_task(self._renew(claim))
        try:
            response = await execute()
        except BaseException:
            heartbeat.cancel()
            await self._release(claim)
            raise
        heartbeat.cancel()
        if response.status_code >= 500:
            await self._release(claim)
        else:
            await self._finish(claim, response)
        return response

    async def _claim(self, slot: str, fingerprint: str) -> Claim | Response:
        running = _encode({"state": "running", "since": self.clock(), "fingerprint": fingerprint})
        for _ in range(5):
            try:
                return Claim(slot, await self._bounded(self.kv.create(slot, running)), fingerprint)
            except nats.js.errors.KeyWrongLastSequenceError:
                pass
            except (nats.errors.Error, nats.js.errors.Error, TimeoutError):
                self._abandoned.add(slot)  # maybe stored, maybe not: our own retry may take it over
                raise
            try:
                entry = await self._bounded(self.kv.get(slot))
            except nats.js.errors.KeyNotFoundError:
                continue  # released in between: claim again
            found = _decode(entry.value or b"{}")
            if found.get("fingerprint") != fingerprint:
                raise KeyReused("this Idempotency-Key was used for a different request; use a new key",
                                field="Idempotency-Key")
            if found["state"] == "done":
                return _replay(found)
            if slot not in self._abandoned and self.clock() - float(found["since"]) < self.lease_s:
                message = "the first request with this Idempotency-Key is still running; retry shortly"
                raise InProgress(message)
            try:  # its runner died without a word, or gave up here: take the slot over
                revision = entry.revision or 0
                claim = Claim(slot, await self._bounded(self.kv.update(slot, running, last=revision)), fingerprint)
                self._abandoned.discard(slot)
                return claim
            except nats.js.errors.KeyWrongLastSequenceError:
                continue
        raise InProgress("the Idempotency-Key is contended; retry shortly")

    async def _finish(self, claim: Claim, response: Response) -> None:
        body = bytes(response.body) if hasattr(response, "body") else b""
        headers = {name: value for name in KEPT_HEADERS if (value := response.headers.get(name)) is not None}
        done = {"state": "done", "fingerprint": claim.fingerprint, "status": response.status_code,
                "headers": headers, "body": base64.b64encode(zlib.compress(body)).decode()}
        try:
            await self._bounded(self.kv.update(claim.key, _encode(done), last=claim.revision))
        except (nats.errors.Error, nats.js.errors.Error, TimeoutError) as error:  # e.g. over the payload limit
            log.warning("outcome of %s not stored (%s); a retry will run the command again", claim.key, error)
            await self._release(claim)

    async def _renew(self, claim: Claim) -> None:
        """Keep the slot ours while the command runs (cancelled when it ends)."""
        while True:
            await asyncio.sleep(self.lease_s / 3)
            running = _encode({"state": "running", "since": self.clock(), "fingerprint": claim.fingerprint})
            try:
                claim.revision = await self._bounded(self.kv.update(claim.key, running, last=claim.revision))
            except (nats.errors.Error, nats.js.errors.Error, TimeoutError) as error:
                log.warning("idempotency slot %s not renewed (%s)", claim.key, error)

    async def _bounded(self, operation: Awaitable[T]) -> T:
        """A bucket operation that gives up after `op_timeout_s`: with NATS away, answer 503 fast, not hang."""
        return await asyncio.wait_for(operation, self.op_timeout_s)

    async def _release(self, claim: Claim) -> None:
        try:
            await self._bounded(asyncio.shield(self.kv.delete(claim.key, last=claim.revision)))
        except (nats.errors.Error, nats.js.errors.Error, TimeoutError) as error:
            self._abandoned.add(claim.key)
            log.warning("idempotency slot %s not released (%s); taken over by the next retry", claim.key, error)


def _slot(org: str, command: str, key: str) -> str:
    digest = hashlib.sha256(key.encode()).hexdigest()[:40]
    return f"{org}.{command}.{digest}"


def _encode(value: dict[str, Any]) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def _decode(raw: bytes) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(raw)
    return value


def _replay(stored: dict[str, Any]) -> Response:
    body = zlib.decompress(base64.b64decode(stored["body"]))
    return Response(content=body, status_code=int(stored["status"]), headers=stored["headers"])


def fingerprint(request: Request, body: bytes) -> str:
    """What makes two requests the same request: method, path and body."""
    digest = hashlib.sha256(f"{request.method} {request.url.path}\n".encode())
    digest.update(body)
    return digest.hexdigest()


async def outcome_store(request: Request) -> OutcomeStore:
    """FastAPI dependency: the service's outcome store, opened on first use."""
    store: OutcomeStore | None = getattr(request.app.state, "outcomes", None)
    if store is None:
        lock = getattr(request.app.state, "outcomes_lock", None)
        if lock is None:  # no await since the check: only one request creates it
            lock = request.app.state.outcomes_lock = asyncio.Lock()
        async with lock:
            store = getattr(request.app.state, "outcomes", None)
            if store is None:
                runtime = request.app.state.runtime
                store = await OutcomeStore.open(runtime.nc, runtime.settings.service,
                                                replicas=runtime.settings.stream_replicas)
                request.app.state.outcomes = store
    return store


async def once(
    request: Request, outcomes: OutcomeStore, *, org: str, command: str, execute: Callable[[], Awaitable[Response]]
) -> Response:
    """Run a command route's body once per `Idempotency-Key` (routes without the header run as usual)."""
    body = await request.body()
    return await outcomes.run(org=org, command=command, key=request.headers.get(HEADER),
                              fingerprint=fingerprint(request, body), execute=execute)


OutcomesDep = Annotated[OutcomeStore, Depends(outcome_store)]


COMMANDS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class IdempotentCommands:
    """Pure ASGI middleware of every domain service: a command sent with an `Idempotency-Key` runs
    once per (org, method and path, key); a retry gets the first answer (see `OutcomeStore.run`).

    In one place rather than in each route, so no command can forget it. Requests without
    the header, reads, and requests whose caller cannot be verified (the route answers
    401) pass straight through.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in COMMANDS or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        if request.headers.get(HEADER) is None:
            await self.app(scope, receive, send)
            return
        try:
            principal = await current_principal(request)
        except AuthError:
            await self.app(scope, receive, send)
            return
        body = await request.body()
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def execute() -> Response:
            captured: dict[str, Any] = {"status": 500, "headers": [], "body": bytearray()}

            async def capture(message: Message) -> None:
                if message["type"] == "http.response.start":
                    captured["status"], captured["headers"] = message["status"], message.get("headers", [])
                elif message["type"] == "http.response.body":
                    captured["body"] += message.get("body", b"")

            await self.app(scope, replay, capture)
            answer = Response(content=bytes(captured["body"]), status_code=captured["status"])
            answer.raw_headers = list(captured["headers"])
            return answer

        try:
            outcomes = await outcome_store(request)
            # A KV key is tokens of [A-Za-z0-9_-]: the command is named by its method and a digest of its path.
            command = f"{scope['method']}-{hashlib.sha256(scope['path'].encode()).hexdigest()[:24]}"
            response = await outcomes.run(org=principal.org, command=command,
                                          key=request.headers.get(HEADER), fingerprint=fingerprint(request, body),
                                          execute=execute)
        except DomainError as error:
            response = error_response(error.status, error.code, error.message, field=error.field,
                                      headers=getattr(error, "headers", None))
        except (nats.errors.Error, nats.js.errors.Error, TimeoutError) as error:  # NATS away: nothing ran
            message = f"event store unavailable ({type(error).__name__}); retry with the same Idempotency-Key"
            response = error_response(503, "store_unavailable", message, headers={"Retry-After": "1"})
        await response(scope, receive, send)
