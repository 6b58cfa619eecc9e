"""Events published by the waves service (programmes first; waves and gates follow)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any, ClassVar

from shared.contracts.base import DomainEvent, register


class _ProgramEvent(DomainEvent):
    service: ClassVar[str] = "waves"
    aggregate: ClassVar[str] = "program"

    program_id: str


class ProgramCreated(_ProgramEvent):
    """A DSO programme started from a playbook template.

    Carries the whole template as it was (`playbook`, the template's JSON), so
    every consumer reads the programme's playbook from events alone — never from
    the template files of the day, nor from another service's database.
    """

    name: str
    playbook_id: str
    playbook_version: str
    start_date: date
    playbook: dict[str, Any]
    created_by: str


class PlaybookOverridden(_ProgramEvent):
    """One value of the programme's effective playbook changed, by whom and why.

    `path` is a dotted path into the playbook JSON with list indexes in brackets
    (`readiness.thresholds[0].min`); `override_version` counts overrides 1..N.
    """

    path: str
    value: Any
    previous: Any
    reason: str
    overridden_by: str
    override_version: int


register(ProgramCreated, PlaybookOverridden)


# `PlaybookOverridden.path`: what it means, in one place, so every consumer folds the same playbook.
PathSegment = str | int
_KEY = r"[A-Za-z0-9_-]+"
_PATH = re.compile(rf"^{_KEY}(?:\.{_KEY}|\[\d+\])*$")
_SEGMENT = re.compile(rf"\.?({_KEY})|\[(\d+)\]")


class PlaybookPathError(ValueError):
    """A playbook path that is malformed or names nothing in the document."""


def parse_path(path: str) -> tuple[PathSegment, ...]:
    """Segments of `readiness.thresholds[0].min`: keys as strings, list indexes as ints."""
    if not _PATH.match(path):
        raise PlaybookPathError(f"{path!r} is not a dotted path like 'readiness.thresholds[0].min'")
    return tuple(key if key else int(index) for key, index in _SEGMENT.findall(path))


def render_path(segments: tuple[PathSegment, ...]) -> str:
    """The canonical text of parsed segments (the inverse of `parse_path`)."""
    text = ""
    for segment in segments:
        text += f"[{segment}]" if isinstance(segment, int) else (f".{segment}" if text else segment)
    return text


def _child(node: Any, segment: PathSegment, where: tuple[PathSegment, ...]) -> Any:
    parent = render_path(where) or "the playbook"
    if isinstance(segment, int):
        if not isinstance(node, list):
            raise PlaybookPathError(f"{parent} is not a list, so [{segment}] names nothing")
        if segment >= len(node):
            raise PlaybookPathError(f"{parent} has {len(node)} item(s), so [{segment}] names nothing")
        return node[segment]
    if not isinstance(node, dict):
        kind = "a list (use [n])" if isinstance(node, list) else "a single value"
        raise PlaybookPathError(f"{parent} is {kind}, so .{segment} names nothing")
    if segment not in node:
        raise PlaybookPathError(f"{parent} has no field {segment!r}")
    return node[segment]


def value_at(document: Any, segments: tuple[PathSegment, ...]) -> Any:
    """The value at `segments`, or `PlaybookPathError` naming the first part that does not exist."""
    node = document
    for depth, segment in enumerate(segments):
        node = _child(node, segment, segments[:depth])
    return node


def with_value(document: Any, segments: tuple[PathSegment, ...], value: Any, *, _depth: int = 0) -> Any:
    """A copy of `document` with the existing value at `segments` replaced.

    Only the containers along the path are copied; the rest is shared, never mutated.
    """
    if _depth == len(segments):
        return value
    segment = segments[_depth]
    child = _child(document, segment, segments[:_depth])
    copy = list(document) if isinstance(document, list) else dict(document)
    copy[segment] = with_value(child, segments, value, _depth=_depth + 1)  # type: ignore[index]
    return copy


def apply_override(playbook: Mapping[str, Any], event: PlaybookOverridden) -> dict[str, Any]:
    """The effective playbook after `event`: fold `ProgramCreated.playbook` through every override in order."""
    result: dict[str, Any] = with_value(playbook, parse_path(event.path), event.value)
    return result
