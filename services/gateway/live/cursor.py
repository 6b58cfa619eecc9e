"""The resume cursor of an event stream: one stream sequence per service stream.

Events of different services live in different streams with their own sequences, so
a single number cannot say where a client stopped. Every SSE `id` is the whole
cursor (`readiness:12,waves:3,...`); a reconnecting browser sends the last one back
as `Last-Event-ID` and resumes after it in every stream. A stream a cursor leaves
out starts at its current end.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from shared.eventstore.streams import SERVICES

STREAMS: tuple[str, ...] = SERVICES
# JetStream sequences are unsigned 64-bit; we hand out at most signed 63-bit ones (databases store them so).
MAX_SEQUENCE = 2**63 - 1
_DIGITS = re.compile(r"[0-9]{1,19}")  # ASCII only: str.isdigit() also takes "²", which int() refuses


class InvalidCursor(ValueError):
    """A Last-Event-ID this gateway did not hand out."""


def parse(value: str) -> dict[str, int]:
    """`readiness:12,waves:3` -> {"readiness": 12, "waves": 3}."""
    positions: dict[str, int] = {}
    for part in filter(None, value.split(",")):
        name, _, number = part.strip().partition(":")
        if name not in STREAMS:
            expected = f"expected <stream>:<sequence> with stream one of {STREAMS}"
            raise InvalidCursor(f"unknown stream {name[:40]!r}; {expected}")
        if not _DIGITS.fullmatch(number) or int(number) > MAX_SEQUENCE:
            raise InvalidCursor(f"sequence of {name} must be an integer 0..{MAX_SEQUENCE}, got {number[:40]!r}")
        positions[name] = int(number)
    if not positions:
        raise InvalidCursor("expected <stream>:<sequence>[,<stream>:<sequence>...]")
    return positions


def format_cursor(positions: Mapping[str, int]) -> str:
    return ",".join(f"{name}:{positions[name]}" for name in STREAMS if name in positions)
