"""The location aggregate: registered once, scored any number of times.

Pure: `decide(state, command) -> events`, `evolve(state, event) -> state`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from services.readiness.scoring import assess
from shared.commands import Aggregate
from shared.contracts.base import DomainEvent
from shared.contracts.readiness import FACTORS, LocationRegistered, LocationScored
from shared.errors import Conflict, DomainError, NotFound


@dataclass(frozen=True, slots=True)
class Location:
    id: str = ""
    name: str = ""
    region: str = ""
    program_id: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    scores: dict[str, int] = field(default_factory=dict)
    composite: int | None = None
    level: str | None = None
    recommended_wave: str | None = None

    @property
    def registered(self) -> bool:
        return bool(self.id)


@dataclass(frozen=True, slots=True)
class RegisterLocation:
    location_id: str
    name: str
    region: str
    program_id: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ScoreLocation:
    location_id: str
    scores: dict[str, int]
    assessor: str
    reason: str | None = None


Command = RegisterLocation | ScoreLocation


def decide(state: Location, command: Command) -> list[DomainEvent]:
    match command:
        case RegisterLocation():
            if state.registered:
                raise Conflict(f"location {command.location_id} is already registered", field="id")
            return [
                LocationRegistered(
                    location_id=command.location_id,
                    name=command.name,
                    region=command.region,
                    program_id=command.program_id,
                    facts=command.facts,
                )
            ]
        case ScoreLocation():
            if not state.registered:
                raise NotFound(f"location {command.location_id} not found", field="location_id")
            for factor in FACTORS:
                score = command.scores.get(factor)
                if score is None or not 1 <= score <= 5:
                    raise DomainError(f"scores.{factor} must be an integer 1-5", field=f"scores.{factor}")
            readiness = assess(command.scores)
            return [
                LocationScored(
                    location_id=command.location_id,
                    scores={f: command.scores[f] for f in FACTORS},
                    composite=readiness.composite,
                    level=readiness.level,  # type: ignore[arg-type]
                    recommended_wave=readiness.recommended_wave,  # type: ignore[arg-type]
                    assessor=command.assessor,
                    reason=command.reason,
                )
            ]
    raise TypeError(f"unknown command {command!r}")


def evolve(state: Location, event: DomainEvent) -> Location:
    match event:
        case LocationRegistered():
            return Location(
                id=event.location_id,
                name=event.name,
                region=event.region,
                program_id=event.program_id,
                facts=dict(event.facts),
            )
        case LocationScored():
            return replace(
                state,
                scores=dict(event.scores),
                composite=event.composite,
                level=event.level,
                recommended_wave=event.recommended_wave,
            )
    return state


location = Aggregate(initial=Location, decide=decide, evolve=evolve)
