"""The gateway's keep-alive transport to the services: reuse, closed connections, chunked bodies, timeouts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx
import pytest

from services.gateway.forwarding.transport import PooledTransport


@asynccontextmanager
async def raw_server(answer: Callable[[int], bytes], *, close_after: int | None = None) -> AsyncIterator[dict]:
    """A minimal HTTP/1.1 server: `answer(n)` is the raw response to the n-th request on a connection."""
    seen: dict = {"connections": 0, "requests": []}

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen["connections"] += 1
        n = 0
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode().split("\r\n")
                headers = dict(line.lower().split(": ", 1) for line in lines[1:] if line)
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                seen["requests"].append((lines[0], headers, body))
                n += 1
                writer.write(answer(n))
                await writer.drain()
                if close_after is not None and n >= close_after:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    seen["url"] = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    async with server:
        yield seen


def ok(_: int) -> bytes:
    return b'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\n\r\n{"ok":true}'


async def test_connections_are_reused_and_headers_and_body_travel() -> None:
    async with raw_server(ok) as seen, httpx.AsyncClient(transport=PooledTransport()) as client:
        for _ in range(3):
            answer = await client.post(seen["url"] + "/a%2Fb?x=1", content=b"hello", headers={"x-request-id": "r1"})
            assert answer.status_code == 200 and answer.json() == {"ok": True}
    assert seen["connections"] == 1
    line, headers, body = seen["requests"][0]
    assert line == "POST /a%2Fb?x=1 HTTP/1.1" and headers["x-request-id"] == "r1" and body == b"hello"


async def test_a_get_on_a_connection_the_service_closed_is_retried_on_a_new_one() -> None:
    async with raw_server(ok, close_after=1) as seen, httpx.AsyncClient(transport=PooledTransport()) as client:
        assert (await client.get(seen["url"] + "/one")).status_code == 200
        await asyncio.sleep(0.05)  # the FIN arrives: the pool sees the connection ended
        assert (await client.get(seen["url"] + "/two")).status_code == 200
    assert seen["connections"] == 2


def chunked(_: int) -> bytes:
    return (b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ncontent-type: text/event-stream\r\n\r\n"
            b"6\r\ndata: \r\n2\r\nx\n\r\n0\r\n\r\n")


async def test_chunked_bodies_stream_and_the_connection_is_kept() -> None:
    async with raw_server(chunked) as seen, httpx.AsyncClient(transport=PooledTransport()) as client:
        for _ in range(2):
            async with client.stream("GET", seen["url"] + "/events") as answer:
                assert b"".join([chunk async for chunk in answer.aiter_bytes()]) == b"data: x\n"
    assert seen["connections"] == 1


async def test_a_silent_service_times_out_as_httpx_does() -> None:
    async with raw_server(lambda _: b"") as seen, httpx.AsyncClient(transport=PooledTransport()) as client:
        with pytest.raises(httpx.ReadTimeout):
            await client.get(seen["url"] + "/slow", timeout=httpx.Timeout(5, read=0.2))


async def test_nothing_listening_is_a_connect_error() -> None:
    async with raw_server(ok) as seen:
        url = seen["url"]
    async with httpx.AsyncClient(transport=PooledTransport()) as client:
        with pytest.raises(httpx.ConnectError):
            await client.get(url + "/gone")
