"""The location aggregate: registered once, its facts updated and its scores recorded any number of times.

Pure: `decide(state, command) -> events`, `evolve(state, event) -> state`. The program
playbooks a command needs travel in the command (only those of the programs it touches),
so deciding never reads anything; a program the command lacks is a conflict to retry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from services.readiness.locations.facts import problems, rule_facts
from services.readiness.scoring.domain import (
    Entered,
    Playbooks,
    Scoring,
    entered_of,
    evaluate,
    playbook_for,
    rescored,
    scored,
    scoring_of,
)
from shared.aggregates import Aggregate
from shared.contracts.base import DomainEvent
from shared.contracts.readiness import (
    FACTORS,
    LocationProfileUpdated,
    LocationRegistered,
    LocationScored,
    LocationScoreWithdrawn,
)
from shared.errors import Conflict, DomainError, NotFound

DERIVED: Literal["derived"] = "derived"


@dataclass(frozen=True, slots=True)
class Location:
    id: str = ""
    name: str = ""
    region: str = ""
    program_id: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    entered: dict[str, Entered] = field(default_factory=dict)
    scoring: Scoring | None = None

    @property
    def registered(self) -> bool:
        return bool(self.id)

    @property
    def rule_facts(self) -> dict[str, Any]:
        """Facts as the rubric sees them (entered facts plus the region)."""
        return rule_facts(self.facts, region=self.region)


@dataclass(frozen=True, slots=True)
class RegisterLocation:
    """`name_taken_by`: the org's location that already has this name in this region (from the read model)."""

    location_id: str
    name: str
    region: str
    playbooks: Playbooks
    program_id: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    name_taken_by: str | None = None


def duplicate_name(name: str, region: str) -> str:
    """The one rule for registering and importing: a name is used once per region of an org."""
    return f"{name} in {region} already exists; change existing locations with PATCH"


@dataclass(frozen=True, slots=True)
class UpdateLocationProfile:
    """Change facts (null: no longer known), the region, or the program."""

    location_id: str
    facts: dict[str, Any]
    updated_by: str
    updated_at: datetime
    playbooks: Playbooks
    region: str | None = None
    program_id: str | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class AssessLocation:
    """An assessor's scores: per factor an entered 1-5, or "derived" to let the rubric score it."""

    location_id: str
    entries: Mapping[str, int | Literal["derived"]]
    assessor: str
    playbooks: Playbooks
    reason: str | None = None
    reasons: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RescoreLocation:
    """Re-derive against the program's current playbook (after an override, or right after registering)."""

    location_id: str
    playbooks: Playbooks
    reason: str


Command = RegisterLocation | UpdateLocationProfile | AssessLocation | RescoreLocation


def _check_facts(facts: Mapping[str, Any]) -> None:
    for fact, reason in problems(facts):
        raise DomainError(f"facts.{fact} {reason}", field=f"facts.{fact}")


def _register(state: Location, command: RegisterLocation) -> list[DomainEvent]:
    if state.registered:
        raise Conflict(f"location {command.location_id} is already registered", field="id")
    if command.name_taken_by is not None:
        raise Conflict(duplicate_name(command.name, command.region), field="name")
    _check_facts(command.facts)
    if command.program_id is not None and command.program_id not in command.playbooks:
        raise DomainError(f"program_id {command.program_id} is not a program of this organization",
                          field="program_id")
    facts = {k: v for k, v in command.facts.items() if v is not None}
    return [LocationRegistered(location_id=command.location_id, name=command.name, region=command.region,
                               program_id=command.program_id, facts=facts)]


def _update(state: Location, command: UpdateLocationProfile) -> list[DomainEvent]:
    _check_facts(command.facts)
    changes = {k: v for k, v in command.facts.items() if state.facts.get(k) != v}
    if command.region is not None and command.region != state.region:
        changes["region"] = command.region
    moved = command.program_id is not None and command.program_id != state.program_id
    if moved and command.program_id not in command.playbooks:
        raise DomainError(f"program_id {command.program_id} is not a program of this organization",
                          field="program_id")
    if not changes and not moved:
        return []
    previous = {k: state.region if k == "region" else state.facts.get(k) for k in changes}
    update = LocationProfileUpdated(
        location_id=state.id, changes=changes, previous=previous, program_id=command.program_id if moved else None,
        updated_by=command.updated_by, updated_at=command.updated_at, reason=command.reason,
    )
    after = evolve(state, update)
    what = ", ".join([*changes, *(["program_id"] if moved else [])])
    return [update, *rescored(location_id=state.id, program_id=after.program_id, facts=after.rule_facts,
                              entered=after.entered, previous=state.scoring, playbooks=command.playbooks,
                              reason=f"profile updated: {what}")]


def _assess(state: Location, command: AssessLocation) -> list[DomainEvent]:
    entered = dict(state.entered)
    for factor in FACTORS:
        entry = command.entries.get(factor)
        if entry == DERIVED:
            entered.pop(factor, None)
        elif isinstance(entry, int) and not isinstance(entry, bool) and 1 <= entry <= 5:
            entered[factor] = Entered(entry, command.assessor, command.reasons.get(factor) or command.reason)
        else:
            raise DomainError(f"scores.{factor} must be an integer 1-5 or \"derived\"", field=f"scores.{factor}")
    template = playbook_for(command.playbooks, state.program_id)
    evaluation = evaluate(template.readiness, state.rule_facts, entered)
    for result in evaluation.factors:
        if result.score is None:
            raise DomainError(f"scores.{result.key} cannot be derived — {result.detail}; enter a score instead",
                              field=f"scores.{result.key}")
    return [scored(state.id, evaluation, template, program_id=state.program_id, assessor=command.assessor,
                   reason=command.reason)]


def decide(state: Location, command: Command) -> list[DomainEvent]:
    if isinstance(command, RegisterLocation):
        return _register(state, command)
    if not state.registered:
        raise NotFound(f"location {command.location_id} not found", field="location_id")
    match command:
        case UpdateLocationProfile():
            return _update(state, command)
        case AssessLocation():
            return _assess(state, command)
        case RescoreLocation():
            return rescored(location_id=state.id, program_id=state.program_id, facts=state.rule_facts,
                            entered=state.entered, previous=state.scoring, playbooks=command.playbooks,
                            reason=command.reason)
    raise TypeError(f"unknown command {command!r}")


def evolve(state: Location, event: DomainEvent) -> Location:
    match event:
        case LocationRegistered():
            return Location(id=event.location_id, name=event.name, region=event.region,
                            program_id=event.program_id, facts=dict(event.facts))
        case LocationProfileUpdated():
            facts = dict(state.facts)
            for fact, value in event.changes.items():
                if fact == "region":
                    continue
                if value is None:
                    facts.pop(fact, None)
                else:
                    facts[fact] = value
            return replace(state, facts=facts, region=event.changes.get("region") or state.region,
                           program_id=event.program_id or state.program_id)
        case LocationScored():
            return replace(state, scoring=scoring_of(event), entered=entered_of(event))
        case LocationScoreWithdrawn():
            return replace(state, scoring=None)
    return state


location = Aggregate(initial=Location, decide=decide, evolve=evolve)
