"""Playbook paths and overrides, pure: what a `PlaybookOverridden.path` means, in one place,
so every service folds the same effective playbook from a program's events.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

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


def apply_override(playbook: Mapping[str, Any], path: str, value: Any) -> dict[str, Any]:
    """The effective playbook after one override: fold `ProgramCreated.playbook` through every
    `PlaybookOverridden` (its `path` and `value`) in order."""
    result: dict[str, Any] = with_value(playbook, parse_path(path), value)
    return result
