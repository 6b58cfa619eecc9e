"""A program's effective playbook, from waves' events alone: the template it was created with,
with every `PlaybookOverridden` applied by its dotted path (`shared.playbooks.overrides`).

Validating a playbook document costs milliseconds, so each (program, override version) is
validated once per process and kept; a command loads only the programs it touches.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from pydantic import ValidationError

from services.readiness.scoring.domain import DEFAULT_PLAYBOOK
from shared.errors import Conflict
from shared.playbooks import PlaybookTemplate, get_template

_CACHE: OrderedDict[tuple[str, str, int], PlaybookTemplate] = OrderedDict()
CACHE_SIZE = 512


def validated(
    org: str, program_id: str, version: int, document: Callable[[], Mapping[str, Any]]
) -> PlaybookTemplate:
    """The program's playbook as a template, validated (and its document read) once per override version."""
    key = (org, program_id, version)
    template = _CACHE.get(key)
    if template is None:
        try:
            template = PlaybookTemplate.model_validate(document())
        except ValidationError as error:
            raise Conflict(f"program {program_id}'s effective playbook is invalid: {error.errors()[0]['msg']}",
                           field="program_id") from error
        _CACHE[key] = template
        if len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    return template


class ProgramPlaybooks(Mapping[str | None, PlaybookTemplate]):
    """Playbooks of some programs of an org, by id; None is the default (SoftSmile) playbook."""

    def __init__(self, templates: Mapping[str, PlaybookTemplate]) -> None:
        self._templates = dict(templates)

    def __getitem__(self, program_id: str | None) -> PlaybookTemplate:
        if program_id is None:
            return get_template(DEFAULT_PLAYBOOK)
        return self._templates[program_id]

    def __contains__(self, program_id: object) -> bool:
        return program_id is None or program_id in self._templates

    def __iter__(self) -> Iterator[str | None]:
        yield None
        yield from self._templates

    def __len__(self) -> int:
        return len(self._templates) + 1
