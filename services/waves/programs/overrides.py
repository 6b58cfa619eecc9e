"""Overrides of a program's playbook: apply them, re-validate the whole result, report the changes.

Pure. A program's playbook must remain a template the services can run end to end, so the
result of all overrides together is validated as a `PlaybookTemplate`: an override that opens a
gap in the readiness thresholds is refused with the path and the rule it breaks.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from shared.errors import DomainError
from shared.playbooks import FieldError, PlaybookTemplate
from shared.playbooks.overrides import PathSegment, PlaybookPathError, parse_path, render_path, value_at, with_value

# These name the template a program was created from (ProgramCreated.playbook_id/_version).
IDENTITY = frozenset({"id", "version"})


@dataclass(frozen=True, slots=True)
class Override:
    """Set the value at `path` (which must exist) to `value`."""

    path: str
    value: Any


@dataclass(frozen=True, slots=True)
class Change:
    """One value the overrides actually changed, by canonical path."""

    path: str
    previous: Any
    value: Any


def _overlaps(first: tuple[PathSegment, ...], second: tuple[PathSegment, ...]) -> bool:
    """Whether one path names the other or a value inside it."""
    shorter = min(len(first), len(second))
    return first[:shorter] == second[:shorter]


def _parsed(overrides: Sequence[Override]) -> list[tuple[PathSegment, ...]]:
    parsed: list[tuple[PathSegment, ...]] = []
    for index, override in enumerate(overrides):
        field = f"overrides.{index}.path"
        try:
            segments = parse_path(override.path)
        except PlaybookPathError as error:
            raise DomainError(f"{field}: {error}", field=field) from None
        if segments[0] in IDENTITY:
            raise DomainError(f"{field}: {segments[0]!r} identifies the template and cannot be overridden", field=field)
        for earlier, other in enumerate(parsed):
            if _overlaps(segments, other):
                message = f"{field}: {override.path!r} overlaps overrides.{earlier}.path; give each value once"
                raise DomainError(message, field=field)
        parsed.append(segments)
    return parsed


def describe(error: Any) -> tuple[str, str]:
    """(playbook path, rule) of one pydantic error, extended by a `FieldError`'s own path."""
    path = render_path(tuple(error["loc"]))
    message = str(error["msg"])
    cause = error.get("ctx", {}).get("error")
    if isinstance(cause, FieldError):
        joiner = "" if not path or cause.path.startswith("[") else "."
        path, message = f"{path}{joiner}{cause.path}", cause.message
    return path or "<root>", message.removeprefix("Value error, ")


def validated(playbook: Mapping[str, Any]) -> dict[str, Any]:
    """The playbook as the template model normalizes it, or a 422 naming each broken rule."""
    try:
        template = PlaybookTemplate.model_validate(playbook)
    except ValidationError as error:
        problems = [describe(e) for e in error.errors()]
        detail = "; ".join(f"{path}: {message}" for path, message in problems)
        raise DomainError(f"the overridden playbook is invalid: {detail}", field=problems[0][0]) from None
    return template.model_dump(mode="json")


def _same(first: Any, second: Any) -> bool:
    # JSON text, not ==: in Python True == 1, yet true -> 1 is a change to the document.
    return json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)


def apply(playbook: Mapping[str, Any], overrides: Sequence[Override]) -> list[Change]:
    """The changes `overrides` make to `playbook`, in request order; unchanged values are left out."""
    parsed = _parsed(overrides)
    effective: Any = playbook
    before = []
    for index, segments in enumerate(parsed):
        try:
            before.append(value_at(effective, segments))
        except PlaybookPathError as error:
            field = f"overrides.{index}.path"
            raise DomainError(f"{field}: unknown path {overrides[index].path!r}: {error}", field=field) from None
        effective = with_value(effective, segments, overrides[index].value)
    result = validated(effective)
    changes = [
        Change(render_path(segments), previous, value_at(result, segments))
        for segments, previous in zip(parsed, before, strict=True)
    ]
    return [change for change in changes if not _same(change.previous, change.value)]
