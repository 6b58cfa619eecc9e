"""The pilot-set aggregate of one program: the engine's advice recorded, and a manager's confirmation.

A proposal is advice (the playbook's `pilot_selection.approver` decides): the confirmed set may
differ from it or even break a rule; the event records both, so the decision stays auditable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from services.readiness.pilots.candidates import Candidate, RuleResult
from services.readiness.pilots.search import judge_set, propose
from shared.aggregates import Aggregate
from shared.contracts.base import DomainEvent
from shared.contracts.readiness import PilotRule, PilotSetConfirmed, PilotSetProposed
from shared.errors import DomainError
from shared.playbooks import PilotSelection


@dataclass(frozen=True, slots=True)
class PilotSet:
    program_id: str = ""
    proposed: tuple[str, ...] = ()
    confirmed: tuple[str, ...] = ()
    note: str | None = None


@dataclass(frozen=True, slots=True)
class ProposePilotSet:
    program_id: str
    selection: PilotSelection
    candidates: tuple[Candidate, ...]
    proposed_by: str


@dataclass(frozen=True, slots=True)
class ConfirmPilotSet:
    program_id: str
    location_ids: tuple[str, ...]
    selection: PilotSelection
    candidates: tuple[Candidate, ...]
    confirmed_by: str
    note: str | None = None


Command = ProposePilotSet | ConfirmPilotSet


def _check_choice(command: ConfirmPilotSet) -> None:
    known = {c.location_id for c in command.candidates}
    seen: set[str] = set()
    for index, location_id in enumerate(command.location_ids):
        if location_id not in known:
            raise DomainError(f"location_ids[{index}] {location_id} is not a location of program "
                              f"{command.program_id}", field=f"location_ids[{index}]")
        if location_id in seen:
            raise DomainError(f"location_ids[{index}] {location_id} is listed twice", field=f"location_ids[{index}]")
        seen.add(location_id)
    low, high = command.selection.min_locations, command.selection.max_locations
    if not low <= len(command.location_ids) <= high:
        raise DomainError(f"location_ids must name {low}-{high} locations, got {len(command.location_ids)}",
                          field="location_ids")


def _rules(results: Sequence[RuleResult]) -> list[PilotRule]:
    return [PilotRule(rule=r.rule, satisfied=r.satisfied, detail=r.detail) for r in results]


def decide(state: PilotSet, command: Command) -> list[DomainEvent]:
    proposal = propose(command.selection, command.candidates)
    match command:
        case ProposePilotSet():
            return [PilotSetProposed(
                program_id=command.program_id, location_ids=proposal.location_ids,
                reasons={p.location_id: list(p.reasons) for p in proposal.pilots},
                rules=_rules(proposal.rules), proposed_by=command.proposed_by,
            )]
        case ConfirmPilotSet():
            _check_choice(command)
            judged = judge_set(command.selection, command.candidates, command.location_ids)
            return [PilotSetConfirmed(
                program_id=command.program_id, location_ids=list(command.location_ids), note=command.note,
                confirmed_by=command.confirmed_by, proposed_location_ids=proposal.location_ids,
                differs_from_proposal=set(command.location_ids) != set(proposal.location_ids),
                unmet_rules=[r.rule for r in judged if not r.satisfied],
            )]
    raise TypeError(f"unknown command {command!r}")


def evolve(state: PilotSet, event: DomainEvent) -> PilotSet:
    match event:
        case PilotSetProposed():
            return replace(state, program_id=event.program_id, proposed=tuple(event.location_ids))
        case PilotSetConfirmed():
            return replace(state, program_id=event.program_id, confirmed=tuple(event.location_ids), note=event.note)
    return state


pilot_set = Aggregate(initial=PilotSet, decide=decide, evolve=evolve)
