"""Champion nomination (on the location's roster) and certification (the "champion" aggregate, id = staff id).

Nomination never refuses a person for a criterion: each criterion of the playbook is
recorded met / not met with its note, and the playbook's soft rules (candidate roles,
capacity hours) become warnings. Replacing a champion appends a new nomination, so the
history stays. Certification follows the playbook's rule: an assessment score at or above
`pass_assessment_min_pct` AND the hands-on simulation (where required); failed attempts stay.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime

from services.training.staff.domain import Roster, evolve
from shared.aggregates import Aggregate
from shared.contracts.base import DomainEvent
from shared.contracts.training import (
    CertificationAssessmentTaken,
    CertificationModuleCompleted,
    CertificationSimulationCompleted,
    ChampionCertified,
    ChampionNominated,
    CriterionCheck,
)
from shared.errors import Conflict, DomainError
from shared.playbooks.training import Certification, Training


@dataclass(frozen=True, slots=True)
class Judged:
    met: bool
    note: str | None = None


@dataclass(frozen=True, slots=True)
class NominateChampion:
    location_id: str
    staff_id: str
    program_id: str | None
    training: Training
    criteria: Mapping[str, Judged]
    nominated_by: str
    capacity_hours: float | None = None
    reason: str | None = None


def candidate_role(training: Training, role: str) -> bool:
    """Whether a roster role is one of the playbook's candidate roles (directly, or via a curriculum's roles)."""
    for candidate in training.champion.candidate_roles:
        if role == candidate:
            return True
        if any(c.role == candidate and c.trains(role) for c in training.curricula):
            return True
    return False


def nominate(state: Roster, command: NominateChampion) -> list[DomainEvent]:
    member = state.member(command.staff_id)
    if not member.active_on(datetime.now(UTC).date()):
        raise DomainError(f"{member.name} left on {member.left_on}", field="staff_id")
    if state.champion == command.staff_id:
        raise Conflict(f"{member.name} is already the location's champion", field="staff_id")
    program = command.training.champion
    keys = {c.key for c in program.selection_criteria}
    for key in command.criteria:
        if key not in keys:
            known = ", ".join(sorted(keys))
            raise DomainError(f"criteria.{key} is not a selection criterion of the playbook ({known})",
                              field=f"criteria.{key}")
    checks = []
    for criterion in program.selection_criteria:
        judged = command.criteria.get(criterion.key, Judged(False, "not assessed"))
        checks.append(CriterionCheck(key=criterion.key, label=criterion.label, met=judged.met, note=judged.note))
    warnings = [f"criterion {c.key} not met" + (f": {c.note}" if c.note else "") for c in checks if not c.met]
    if not candidate_role(command.training, member.role):
        warnings.append(f"role {member.role} is not among the playbook's candidate roles "
                        f"({', '.join(program.candidate_roles)})")
    capacity = command.capacity_hours if command.capacity_hours is not None else member.capacity_hours
    if program.capacity_hours_min is not None:
        if capacity is None:
            warnings.append(f"capacity unknown; the playbook asks for at least {program.capacity_hours_min:g} h")
        elif capacity < program.capacity_hours_min:
            warnings.append(f"capacity {capacity:g} h is below the playbook's {program.capacity_hours_min:g} h")
    return [ChampionNominated(
        location_id=command.location_id, staff_id=member.staff_id, name=member.name, role=member.role,
        program_id=command.program_id, criteria=checks, warnings=warnings, replaces=state.champion,
        reason=command.reason, nominated_by=command.nominated_by,
    )]


nomination = Aggregate(initial=Roster, decide=nominate, evolve=evolve)


@dataclass(frozen=True, slots=True)
class Champion:
    staff_id: str = ""
    location_id: str = ""
    modules: tuple[str, ...] = ()
    attempts: tuple[CertificationAssessmentTaken, ...] = ()
    simulation: date | None = None
    certified: ChampionCertified | None = None

    def best_passing(self) -> float | None:
        scores = [a.score for a in self.attempts if a.passed]
        return max(scores) if scores else None

    def missing(self, rule: Certification) -> list[str]:
        """What keeps this champion from being certified, in words (empty once certified)."""
        if self.certified is not None:
            return []
        lacking = []
        modules = [m.key for m in rule.modules if m.key not in self.modules]
        if modules:
            lacking.append(f"module(s) {', '.join(modules)} not completed")
        if self.best_passing() is None:
            last = self.attempts[-1].score if self.attempts else None
            lacking.append(f"assessment score {last:g} below {rule.pass_assessment_min_pct:g}" if last is not None
                           else f"assessment not taken (pass mark {rule.pass_assessment_min_pct:g})")
        if rule.hands_on_simulation_required and self.simulation is None:
            lacking.append("hands-on simulation not completed")
        return lacking


@dataclass(frozen=True, slots=True)
class Certify:
    """One step of a champion's certification; exactly one of module / score / simulation is set."""

    staff_id: str
    location_id: str
    name: str
    program_id: str | None
    rule: Certification | None
    on: date
    recorded_by: str
    module: str | None = None
    score: float | None = None
    simulation: bool = False
    at: datetime = field(default_factory=lambda: datetime.now(UTC))


def _step(state: Champion, command: Certify, rule: Certification) -> DomainEvent:
    ids = {"staff_id": command.staff_id, "location_id": command.location_id, "recorded_by": command.recorded_by}
    if command.module is not None:
        keys = [m.key for m in rule.modules]
        if command.module not in keys:
            raise DomainError(f"module must be one of {', '.join(keys)}", field="module")
        if command.module in state.modules:
            raise Conflict(f"module {command.module} is already completed", field="module")
        return CertificationModuleCompleted(module=command.module, completed_on=command.on, **ids)
    if command.score is not None:
        if not 0 <= command.score <= 100:
            raise DomainError("score must be between 0 and 100", field="score")
        return CertificationAssessmentTaken(
            attempt=len(state.attempts) + 1, score=command.score, passed=command.score >= rule.pass_assessment_min_pct,
            pass_min_pct=rule.pass_assessment_min_pct, taken_on=command.on, **ids,
        )
    if state.simulation is not None:
        raise Conflict(f"the simulation was already completed on {state.simulation}", field="simulation")
    return CertificationSimulationCompleted(completed_on=command.on, **ids)


def certify(state: Champion, command: Certify) -> list[DomainEvent]:
    rule = command.rule
    if rule is None:
        raise DomainError("the program's playbook defines no champion certification", field="program_id")
    step = _step(state, command, rule)
    after = evolve_champion(state, step)
    if state.certified is not None or not certifiable(after, rule):
        return [step]
    return [step, ChampionCertified(
        staff_id=command.staff_id, location_id=command.location_id, name=command.name, program_id=command.program_id,
        assessment_score=after.best_passing() or 0.0, certified_at=command.at,
    )]


def certifiable(state: Champion, rule: Certification) -> bool:
    """The certification rule itself: a passing assessment AND the simulation where required."""
    passed = state.best_passing() is not None
    return passed and (not rule.hands_on_simulation_required or state.simulation is not None)


def evolve_champion(state: Champion, event: DomainEvent) -> Champion:
    match event:
        case CertificationModuleCompleted():
            return replace(state, staff_id=event.staff_id, location_id=event.location_id,
                           modules=(*state.modules, event.module))
        case CertificationAssessmentTaken():
            return replace(state, staff_id=event.staff_id, location_id=event.location_id,
                           attempts=(*state.attempts, event))
        case CertificationSimulationCompleted():
            return replace(state, staff_id=event.staff_id, location_id=event.location_id, simulation=event.completed_on)
        case ChampionCertified():
            return replace(state, certified=event)
    return state


champion = Aggregate(initial=Champion, decide=certify, evolve=evolve_champion)
