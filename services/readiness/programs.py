"""A programme's effective playbook, from waves' events alone: the template it was created with,
with every `PlaybookOverridden` applied by its dotted path (`readiness.thresholds[0].min`).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import ValidationError

from services.readiness.scoring import DEFAULT_PLAYBOOK
from shared.errors import Conflict
from shared.playbooks import PlaybookTemplate, get_template

_STEP = re.compile(r"\.?([^.\[\]]+)|\[(\d+)\]")


class BadPath(ValueError):
    """An override path that does not lead into the playbook."""


def parse_path(path: str) -> list[str | int]:
    """`readiness.thresholds[0].min` -> ["readiness", "thresholds", 0, "min"]."""
    steps: list[str | int] = []
    position = 0
    while position < len(path):
        match = _STEP.match(path, position)
        if match is None or (match.group(1) is not None and position == 0 and path.startswith(".")):
            raise BadPath(f"cannot read override path {path!r} at character {position}")
        steps.append(match.group(1) if match.group(1) is not None else int(match.group(2)))
        position = match.end()
    if not steps or not isinstance(steps[0], str):
        raise BadPath(f"override path {path!r} must start with a field name")
    return steps


def apply_override(playbook: Mapping[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of `playbook` with the value at `path` replaced."""
    doc = copy.deepcopy(dict(playbook))
    steps = parse_path(path)
    node: Any = doc
    for step in steps[:-1]:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError) as error:
            raise BadPath(f"override path {path!r}: no {step!r}") from error
    last = steps[-1]
    if isinstance(last, int):
        if not isinstance(node, list) or not 0 <= last < len(node):
            raise BadPath(f"override path {path!r}: index {last} is out of range")
    elif not isinstance(node, dict):
        raise BadPath(f"override path {path!r}: {last!r} is not a field")
    node[last] = copy.deepcopy(value)
    return doc


class ProgramPlaybooks(Mapping[str | None, PlaybookTemplate]):
    """An org's programmes by id, each validated on first use; None is the default (SoftSmile) playbook."""

    def __init__(self, documents: Mapping[str, Mapping[str, Any]]) -> None:
        self._documents = dict(documents)
        self._validated: dict[str | None, PlaybookTemplate] = {}

    def __getitem__(self, program_id: str | None) -> PlaybookTemplate:
        if program_id not in self._validated:
            if program_id is None:
                self._validated[None] = get_template(DEFAULT_PLAYBOOK)
            else:
                document = self._documents[program_id]
                try:
                    self._validated[program_id] = PlaybookTemplate.model_validate(document)
                except ValidationError as error:
                    raise Conflict(f"programme {program_id}'s effective playbook is invalid: "
                                   f"{error.errors()[0]['msg']}", field="program_id") from error
        return self._validated[program_id]

    def __contains__(self, program_id: object) -> bool:
        return program_id is None or program_id in self._documents

    def __iter__(self) -> Iterator[str | None]:
        yield None
        yield from self._documents

    def __len__(self) -> int:
        return len(self._documents) + 1
