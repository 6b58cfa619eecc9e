"""A program's effective playbook as a validated template, validated once per (program, override version)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import ValidationError

from shared.errors import Conflict
from shared.playbooks import PlaybookTemplate, get_template

DEFAULT_PLAYBOOK = "softsmile-dso"  # a location in no program is measured against the default template
_CACHE: OrderedDict[tuple[str, str, int], PlaybookTemplate] = OrderedDict()
CACHE_SIZE = 512


def default_playbook() -> PlaybookTemplate:
    return get_template(DEFAULT_PLAYBOOK)


def validated(
    org: str, program_id: str, version: int, document: Callable[[], Mapping[str, Any]]
) -> PlaybookTemplate:
    """The program's playbook as a template (its document read and validated once per override version)."""
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
