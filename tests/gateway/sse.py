"""Reading a Server-Sent Events response as it arrives (the test's EventSource)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass(frozen=True, slots=True)
class Message:
    """One dispatched SSE block: an event (with `event` and `data`) or a comment such as `connected`."""

    id: str | None = None
    event: str | None = None
    data: Any = None
    comment: str | None = None


async def messages(response: httpx.Response) -> AsyncIterator[Message]:
    """Every block of the stream, keep-alive pings left out."""
    fields: dict[str, str] = {}
    async for line in response.aiter_lines():
        if line == "":
            if fields and fields.get("comment") != "ping":
                data = fields.get("data")
                yield Message(fields.get("id"), fields.get("event"), json.loads(data) if data else None,
                              fields.get("comment"))
            fields = {}
            continue
        if line.startswith(":"):
            fields.setdefault("comment", line[1:].strip())
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        fields[name] = f"{fields[name]}\n{value}" if name == "data" and name in fields else value


async def until_connected(stream: AsyncIterator[Message]) -> Message:
    """The `connected` block: from here on every stored event reaches the stream."""
    async for message in stream:
        if message.comment == "connected":
            return message
    raise AssertionError("the stream ended before it connected")


async def take(stream: AsyncIterator[Message], count: int) -> list[Message]:
    """The next `count` events."""
    found: list[Message] = []
    async for message in stream:
        if message.event:
            found.append(message)
            if len(found) == count:
                break
    return found
