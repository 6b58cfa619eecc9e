"""The resume cursor of an event stream: one stream sequence per service stream.

Events of different services live in different streams with their own sequences, so
a single number cannot say where a client stopped. Every SSE `id` is the whole
cursor (`readiness:12,waves:3,...`); a reconnecting browser sends the last one back
as `Last-Event-ID` and resumes after it in every stream. A stream a cursor leaves
out starts at its current end.
"""

from __future__ import annotations

from collections.abc import Mapping

from shared.eventstore.streams import SERVICES

STREAMS: tuple[str, ...] = SERVICES


class InvalidCursor(ValueError):
    """A Last-Event-ID this gateway did not hand out."""


def parse(value: str) -> dict[str, int]:
    """`readiness:12,waves:3` -> {"readiness": 12, "waves": 3}."""
    positions: dict[str, int] = {}
    for part in filter(None, value.split(",")):
        name, _, number = part.strip().partition(":")
        if name not in STREAMS:
            raise InvalidCursor(f"unknown stream {name!r}; expected <stream>:<sequence> with stream one of {STREAMS}")
        if not number.isdigit():
            raise InvalidCursor(f"sequence of {name} must be a non-negative integer, got {number!r}")
        positions[name] = int(number)
    if not positions:
        raise InvalidCursor("expected <stream>:<sequence>[,<stream>:<sequence>...]")
    return positions


def format_cursor(positions: Mapping[str, int]) -> str:
    return ",".join(f"{name}:{positions[name]}" for name in STREAMS if name in positions)
