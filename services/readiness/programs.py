"""A programme's effective playbook, from waves' events alone: the template it was created with,
with every `PlaybookOverridden` applied by its dotted path (`shared.contracts.waves.apply_override`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import ValidationError

from services.readiness.scoring import DEFAULT_PLAYBOOK
from shared.errors import Conflict
from shared.playbooks import PlaybookTemplate, get_template


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
