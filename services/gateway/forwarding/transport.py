"""A lean keep-alive HTTP/1.1 transport for the gateway's calls to the services.

httpcore's pool scans every pooled connection, and polls each one's socket, on every
request: with 50 callers in flight that was ~40 % of the gateway's CPU per forwarded
GET (py-spy). Here each origin keeps a stack of idle connections; taking one is a pop,
and a connection the service closed is known without a poll (asyncio marks its reader
at EOF as soon as the FIN arrives). Responses are parsed by httptools (uvicorn's C
parser) and handed to httpx as a byte stream, so callers keep httpx's API, its
timeouts and its errors, and event streams still flow chunk by chunk.

Only plain `http://` origins go through the pool; anything else (TLS to a service)
is left to httpx's own transport.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httptools
import httpx

IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
READ_CHUNK = 65_536


@dataclass(eq=False)
class _Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    idle_since: float = 0.0

    def usable(self, now: float, max_idle_s: float) -> bool:
        return not self.reader.at_eof() and not self.writer.is_closing() and now - self.idle_since < max_idle_s

    def close(self) -> None:
        self.writer.close()


@dataclass(eq=False)
class _Parsed:
    """What httptools reports for one response (callbacks write here)."""

    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    headers_done: bool = False
    complete: bool = False
    body: list[bytes] = field(default_factory=list)
    keep_alive: bool = False
    parser: httptools.HttpResponseParser | None = None

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        self.headers_done = True

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        self.complete = True
        # Asked here: once the message is complete, httptools answers False whatever the headers said.
        self.keep_alive = self.parser is not None and self.parser.should_keep_alive()


class _Stale(Exception):
    """A reused connection ended before any byte of the answer: the service had closed it."""


def _timeouts(request: httpx.Request) -> dict[str, float | None]:
    return request.extensions.get("timeout", {})  # type: ignore[no-any-return]


class _Body(httpx.AsyncByteStream):
    """The rest of a response body, read as the caller iterates; the connection goes back to the pool at its end."""

    def __init__(self, transport: PooledTransport, key: tuple[str, int], connection: _Connection,
                 parser: httptools.HttpResponseParser, parsed: _Parsed, read_timeout: float | None) -> None:
        self._transport, self._key, self._connection = transport, key, connection
        self._parser, self._parsed, self._read_timeout = parser, parsed, read_timeout
        self._closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        parsed = self._parsed
        while True:
            if parsed.body:
                chunks, parsed.body = parsed.body, []
                for chunk in chunks:
                    yield chunk
            if parsed.complete:
                self._release()
                return
            data = await _read(self._connection, self._read_timeout)
            if not data:
                self._discard()
                raise httpx.RemoteProtocolError("the service closed the connection mid-answer")
            _feed(self._parser, data)

    def _release(self) -> None:
        if not self._closed:
            self._closed = True
            self._transport._release(self._key, self._connection, keep=self._parsed.keep_alive)

    def _discard(self) -> None:
        if not self._closed:
            self._closed = True
            self._connection.close()

    async def aclose(self) -> None:
        if self._parsed.complete and not self._parsed.body:
            self._release()
        else:  # abandoned mid-body (a client left an event stream): the connection is not reusable
            self._discard()


def _feed(parser: httptools.HttpResponseParser, data: bytes) -> None:
    try:
        parser.feed_data(data)
    except httptools.HttpParserError as error:
        raise httpx.RemoteProtocolError(f"malformed answer from the service: {error}") from error


async def _read(connection: _Connection, timeout: float | None) -> bytes:
    try:
        async with asyncio.timeout(timeout):
            return await connection.reader.read(READ_CHUNK)
    except TimeoutError as error:
        connection.close()
        raise httpx.ReadTimeout("the service did not answer in time") from error
    except OSError as error:
        connection.close()
        raise httpx.ReadError(str(error)) from error


class PooledTransport(httpx.AsyncBaseTransport):
    """Keep-alive connections per origin, LIFO; at most `max_idle` idle ones each, none older than `max_idle_s`.

    `max_idle_s` stays under uvicorn's keep-alive timeout (5 s), so the pool does not
    hand out a connection the service is about to close.
    """

    def __init__(self, *, max_idle: int = 64, max_idle_s: float = 4.0) -> None:
        self.max_idle, self.max_idle_s = max_idle, max_idle_s
        self._idle: dict[tuple[str, int], list[_Connection]] = {}
        self._fallback = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        if url.scheme != "http" or request.method == "HEAD":  # a HEAD answer's length describes no body
            return await self._fallback.handle_async_request(request)
        key = (url.host, url.port or 80)
        head = self._head(request)
        body = await request.aread()
        timeouts = _timeouts(request)
        while True:
            connection, reused = await self._take(key, timeouts.get("connect"))
            try:
                return await self._exchange(key, connection, head, body, timeouts.get("read"), reused=reused)
            except _Stale:
                if request.method not in IDEMPOTENT:  # maybe carried out: the caller decides (503, Retry-After)
                    raise httpx.RemoteProtocolError("the service closed a kept-alive connection") from None
            except BaseException:
                connection.close()
                raise

    def _head(self, request: httpx.Request) -> bytes:
        target = request.url.raw_path
        lines = [request.method.encode() + b" " + target + b" HTTP/1.1"]
        lines += [name + b": " + value for name, value in request.headers.raw]
        return b"\r\n".join(lines) + b"\r\n\r\n"

    async def _take(self, key: tuple[str, int], connect_timeout: float | None) -> tuple[_Connection, bool]:
        idle, now = self._idle.get(key), time.monotonic()
        while idle:
            connection = idle.pop()
            if connection.usable(now, self.max_idle_s):
                return connection, True
            connection.close()
        try:
            async with asyncio.timeout(connect_timeout):
                reader, writer = await asyncio.open_connection(key[0], key[1], limit=READ_CHUNK * 4)
        except TimeoutError as error:
            raise httpx.ConnectTimeout(f"connecting to {key[0]}:{key[1]} timed out") from error
        except OSError as error:
            raise httpx.ConnectError(str(error)) from error
        return _Connection(reader, writer), False

    async def _exchange(self, key: tuple[str, int], connection: _Connection, head: bytes, body: bytes,
                        read_timeout: float | None, *, reused: bool) -> httpx.Response:
        try:
            connection.writer.write(head + body if len(body) < READ_CHUNK else head)
            if len(body) >= READ_CHUNK:
                connection.writer.write(body)
            await connection.writer.drain()
        except OSError as error:
            connection.close()
            if reused:
                raise _Stale from error
            raise httpx.WriteError(str(error)) from error
        parsed = _Parsed()
        parser = parsed.parser = httptools.HttpResponseParser(parsed)
        first = True
        while not parsed.headers_done:
            data = await _read(connection, read_timeout)
            if not data:
                connection.close()
                if first and reused:
                    raise _Stale
                raise httpx.RemoteProtocolError("the service closed the connection without an answer")
            first = False
            _feed(parser, data)
        stream = _Body(self, key, connection, parser, parsed, read_timeout)
        return httpx.Response(parser.get_status_code(), headers=parsed.headers, stream=stream,
                              extensions={"http_version": b"HTTP/1.1"})

    def _release(self, key: tuple[str, int], connection: _Connection, *, keep: bool) -> None:
        idle = self._idle.setdefault(key, [])
        if keep and len(idle) < self.max_idle and not connection.reader.at_eof() and not connection.writer.is_closing():
            connection.idle_since = time.monotonic()
            idle.append(connection)
        else:
            connection.close()

    async def aclose(self) -> None:
        for idle in self._idle.values():
            for connection in idle:
                connection.close()
        self._idle.clear()
        await self._fallback.aclose()
