"""A program's effective playbook, from waves' events alone: the template it was created with,
with every `PlaybookOverridden` applied by its dotted path (`shared.playbooks.overrides`).

Each (program, override version) is validated once per process (`shared.playbooks.effective`);
a command loads only the programs it touches.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from services.readiness.scoring.domain import DEFAULT_PLAYBOOK
from shared.playbooks import PlaybookTemplate, get_template


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
