"""The program aggregate: created once from a playbook template, its playbook overridden any number of times.

Pure: `decide(state, command) -> events`, `evolve(state, event) -> state`. The program's
effective playbook is the template snapshot of `ProgramCreated` with every `PlaybookOverridden`
applied in order, so any consumer can fold the same playbook from the events alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from services.waves.programs import overrides as overriding
from services.waves.programs.overrides import Override
from shared.aggregates import Aggregate
from shared.contracts.base import DomainEvent
from shared.contracts.waves import PlaybookOverridden, ProgramCreated
from shared.errors import Conflict, DomainError, NotFound
from shared.playbooks import PlaybookTemplate
from shared.playbooks.overrides import apply_override
from shared.playbooks.schedule import outside_range


@dataclass(frozen=True, slots=True)
class Program:
    id: str = ""
    name: str = ""
    playbook_id: str = ""
    playbook_version: str = ""
    start_date: date | None = None
    playbook: dict[str, Any] = field(default_factory=dict)
    override_count: int = 0

    @property
    def created(self) -> bool:
        return bool(self.id)


@dataclass(frozen=True, slots=True)
class CreateProgram:
    program_id: str
    name: str
    template: PlaybookTemplate
    start_date: date
    created_by: str


@dataclass(frozen=True, slots=True)
class OverridePlaybook:
    program_id: str
    overrides: tuple[Override, ...]
    reason: str
    overridden_by: str


Command = CreateProgram | OverridePlaybook


def _create(state: Program, command: CreateProgram) -> list[DomainEvent]:
    if state.created:
        raise Conflict(f"program {command.program_id} already exists", field="id")
    template = command.template
    # Never store what cannot be read back: the calendar is computed on every read.
    problem = outside_range(command.start_date, template.timeline.total_weeks_max)
    if problem:
        raise DomainError(f"start_date {problem}", field="start_date")
    return [
        ProgramCreated(
            program_id=command.program_id,
            name=command.name,
            playbook_id=template.id,
            playbook_version=template.version,
            start_date=command.start_date,
            playbook=template.model_dump(mode="json"),
            created_by=command.created_by,
        )
    ]


def _override(state: Program, command: OverridePlaybook) -> list[DomainEvent]:
    if not state.created:
        raise NotFound(f"program {command.program_id} not found", field="program_id")
    if not command.reason.strip():
        raise DomainError("reason must say why the playbook is overridden", field="reason")
    if not command.overrides:
        raise DomainError("overrides must name at least one path and value", field="overrides")
    changes = overriding.apply(state.playbook, command.overrides)
    events = [
        PlaybookOverridden(
            program_id=state.id,
            path=change.path,
            value=change.value,
            previous=change.previous,
            reason=command.reason,
            overridden_by=command.overridden_by,
            override_version=state.override_count + number,
        )
        for number, change in enumerate(changes, start=1)
    ]
    effective = state.playbook
    for event in events:
        effective = apply_override(effective, event.path, event.value)
    weeks = effective["timeline"]["total_weeks_max"]
    if state.start_date is not None and (problem := outside_range(state.start_date, weeks)):
        raise DomainError(f"timeline.total_weeks_max: {problem}", field="overrides")
    return list[DomainEvent](events)


def decide(state: Program, command: Command) -> list[DomainEvent]:
    """The events a command produces on the program, or a `DomainError`."""
    match command:
        case CreateProgram():
            return _create(state, command)
        case OverridePlaybook():
            return _override(state, command)
    raise TypeError(f"unknown command {command!r}")


def evolve(state: Program, event: DomainEvent) -> Program:
    """The program after one of its events."""
    match event:
        case ProgramCreated():
            return Program(
                id=event.program_id,
                name=event.name,
                playbook_id=event.playbook_id,
                playbook_version=event.playbook_version,
                start_date=event.start_date,
                playbook=event.playbook,
            )
        case PlaybookOverridden():
            playbook = apply_override(state.playbook, event.path, event.value)
            return replace(state, playbook=playbook, override_count=event.override_version)
    return state


program = Aggregate(initial=Program, decide=decide, evolve=evolve)
