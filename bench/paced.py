"""Paced POSTs for the freshness benchmarks: HTTP/1.1 over kept-alive sockets, nothing more.

At 200 requests/s httpx spent 40-80 % of a core of the 2-core machine (its connection pool and
request model), taking that CPU from the stack it measured; a request written as bytes on a
waiting connection costs a few tens of microseconds.
"""

from __future__ import annotations

import asyncio
from types import TracebackType
from urllib.parse import urlsplit


class PacedPoster:
    """Up to `connections` requests in flight, each on a connection of its own, reused."""

    def __init__(self, url: str, *, connections: int = 64) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.free: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter] | None] = asyncio.Queue()
        for _ in range(connections):
            self.free.put_nowait(None)  # opened on first use
        self.opened: list[asyncio.StreamWriter] = []

    async def __aenter__(self) -> PacedPoster:
        return self

    async def __aexit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        for writer in self.opened:
            writer.close()

    async def post(self, path: str, headers: dict[str, str], body: bytes) -> int:
        """The response's status code (the body is read and dropped)."""
        connection = await self.free.get()
        try:
            if connection is None:
                connection = await asyncio.open_connection(self.host, self.port)
                self.opened.append(connection[1])
            reader, writer = connection
            head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
            writer.write(f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nContent-Length: {len(body)}\r\n"
                         f"{head}\r\n".encode() + body)
            status = int((await reader.readline()).split()[1])
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            await reader.readexactly(length)
            return status
        except BaseException:
            connection = None  # in an unknown state: the next request opens a fresh one
            raise
        finally:
            self.free.put_nowait(connection)
