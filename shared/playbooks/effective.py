"""A program's effective playbook as a validated template, validated once per (program, override version).

Every service learns programs from waves' events and keeps the effective playbook document;
validating that document costs milliseconds, so a process validates each version once and
keeps the most recently used ones.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import ValidationError

from shared.errors import Conflict
from shared.playbooks.schema import PlaybookTemplate

CACHE_SIZE = 512
_CACHE: OrderedDict[tuple[str, str, int], PlaybookTemplate] = OrderedDict()


def effective_playbook(
    org: str, program_id: str, version: int, document: Callable[[], Mapping[str, Any]]
) -> PlaybookTemplate:
    """The program's playbook as a template; `document` is read (and validated) only on a cache miss."""
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
    else:
        _CACHE.move_to_end(key)
    return template
