"""Events published by the waves service (programs first; waves and gates follow)."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from shared.contracts.base import DomainEvent, register


class _ProgramEvent(DomainEvent):
    service: ClassVar[str] = "waves"
    aggregate: ClassVar[str] = "program"

    program_id: str


class ProgramCreated(_ProgramEvent):
    """A DSO program started from a playbook template.

    Carries the whole template as it was (`playbook`, the template's JSON), so
    every consumer reads the program's playbook from events alone — never from
    the template files of the day, nor from another service's database.
    """

    name: str
    playbook_id: str
    playbook_version: str
    start_date: date
    playbook: dict[str, Any]
    created_by: str


class PlaybookOverridden(_ProgramEvent):
    """One value of the program's effective playbook changed, by whom and why.

    `path` is a dotted path into the playbook JSON with list indexes in brackets
    (`readiness.thresholds[0].min`, see `shared.playbooks.overrides`); `override_version`
    counts overrides 1..N.
    """

    path: str
    value: Any
    previous: Any
    reason: str
    overridden_by: str
    override_version: int


register(ProgramCreated, PlaybookOverridden)
