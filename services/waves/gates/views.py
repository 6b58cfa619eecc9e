"""Gate read side: the evidence a gate is evaluated on (from the evidence rows) and the gate board."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from services.waves.evidence.build import location_evidence, support_tickets, systemic, utc, wave_evidence
from services.waves.evidence.models import BaselineRow, ChampionModelRow, IncidentRow, KpiRow, TrainingRow
from services.waves.gates.domain import criteria, gate_of
from services.waves.gates.schemas import Decision, GateStatus, LatestEvaluation
from services.waves.plan.models import GateDecisionRow, GateEvaluationRow
from services.waves.plan.views import placed, program_row
from services.waves.programs.models import validated_playbook
from shared.auth import Principal
from shared.errors import DomainError
from shared.evaluation import Evidence
from shared.playbooks import PlaybookTemplate
from shared.playbooks.schedule import week_end


@dataclass(frozen=True, slots=True)
class GateEvidence:
    """What a gate evaluation needs: the playbook, the wave's evidence and each location's."""

    playbook: PlaybookTemplate
    wave: Evidence
    locations: dict[str, Evidence]


def gate_evidence(engine: Engine, *, principal: Principal, program_id: str, gate: str, at: datetime,
                  location_ids: list[str] | None = None) -> GateEvidence:
    """Evidence for `gate` at `at`, from the events projected so far, for the gate's from-wave locations
    (`location_ids`: another set of the program's locations, for a what-if)."""
    with Session(engine) as session:
        plan = placed(session, principal, program_id)
        definition = gate_of(plan.playbook, gate)
        ids = sorted(p.location_id for p in plan.placements if p.wave == definition.from_wave)
        if location_ids is not None:
            known = {p.location_id for p in plan.placements}
            for index, location_id in enumerate(location_ids):
                if location_id not in known:
                    raise DomainError(f"location {location_id} is not in the program", field=f"location_ids[{index}]")
            ids = sorted(set(location_ids))
        org = principal.org
        kpis = {r.location_id: r for r in session.exec(select(KpiRow).where(
            KpiRow.org == org, col(KpiRow.location_id).in_(ids)))}
        training = {r.location_id: r for r in session.exec(select(TrainingRow).where(
            TrainingRow.org == org, col(TrainingRow.location_id).in_(ids)))}
        models = {r.location_id: r for r in session.exec(select(ChampionModelRow).where(
            ChampionModelRow.org == org, col(ChampionModelRow.location_id).in_(ids)))}
        baselines = list(session.exec(select(BaselineRow).where(
            BaselineRow.org == org, col(BaselineRow.location_id).in_(ids))))
        incidents = list(session.exec(select(IncidentRow).where(
            IncidentRow.org == org, IncidentRow.program_id == program_id)))
    per_location = {
        location_id: location_evidence(
            kpis=kpis.get(location_id), training=training.get(location_id),
            baselines=[b for b in baselines if b.location_id == location_id],
            incidents=[i for i in incidents if i.location_id == location_id], at=at,
            champion_model=models.get(location_id),
        )
        for location_id in ids
    }
    checks = criteria(plan.playbook, definition)
    order = [w.key for w in plan.playbook.waves]
    index = order.index(definition.from_wave)
    earlier = order[index - 1] if index > 0 else None
    tickets, ticket_baselines = support_tickets(
        incidents, {k: r.date for k, r in plan.live.items() if r.wave == definition.from_wave and k in ids},
        {k: r.date for k, r in plan.live.items() if earlier is not None and r.wave == earlier}, at)
    wave = wave_evidence(checks, per_location, at, extra=[systemic(incidents, at), *tickets],
                         extra_baselines=ticket_baselines)
    return GateEvidence(plan.playbook, wave, per_location)


def playbook_of(engine: Engine, *, principal: Principal, program_id: str) -> PlaybookTemplate:
    """The program's effective playbook."""
    with Session(engine) as session:
        return validated_playbook(program_row(session, principal, program_id))


def _blocking(evaluation: GateEvaluationRow | None, decision: GateDecisionRow | None) -> list[str]:
    if evaluation is None:
        return ["not evaluated"]
    failing = [f"{r['label']}: {r['status']} ({r['reason']})" for r in evaluation.results if r["status"] != "pass"]
    if decision is None:
        return [*failing, "awaiting an executive decision"]
    if decision.decision == "no_go":
        return [*failing, "no-go: deployment paused"]
    return []


def gate_board(engine: Engine, *, principal: Principal, program_id: str) -> list[GateStatus]:
    """Every gate of the program with its latest evaluation and decision."""
    with Session(engine) as session:
        program = program_row(session, principal, program_id)
        evaluations = list(session.exec(select(GateEvaluationRow).where(
            GateEvaluationRow.org == principal.org, GateEvaluationRow.program_id == program_id)
            .order_by(col(GateEvaluationRow.sequence))))
        decisions = {d.evaluation_id: d for d in session.exec(select(GateDecisionRow).where(
            GateDecisionRow.org == principal.org, GateDecisionRow.program_id == program_id))}
    playbook = validated_playbook(program)
    board = []
    for gate in playbook.gates:
        latest = next((e for e in reversed(evaluations) if e.gate == gate.key), None)
        decided = decisions.get(latest.evaluation_id) if latest else None
        board.append(GateStatus(
            key=gate.key, label=gate.label, from_wave=gate.from_wave, to_wave=gate.to_wave,
            evaluate_week=gate.evaluate_week,
            evaluate_on=week_end(program.start_date, gate.evaluate_week) if gate.evaluate_week else None,
            evaluation=LatestEvaluation(
                evaluation_id=latest.evaluation_id, at=utc(latest.at), passed=latest.passed,
                evaluated_by=latest.evaluated_by, results=latest.results, locations=latest.locations,
            ) if latest else None,
            decision=Decision(
                evaluation_id=decided.evaluation_id, decision=decided.decision, rationale=decided.rationale,
                override=decided.override, override_reason=decided.override_reason, decided_by=decided.decided_by,
                decider_role=decided.decider_role, decided_at=utc(decided.decided_at),
            ) if decided else None,
            blocking=_blocking(latest, decided),
        ))
    return board


def gate_status(engine: Engine, *, principal: Principal, program_id: str, gate: str) -> GateStatus:
    """One gate of the board."""
    return next(g for g in gate_board(engine, principal=principal, program_id=program_id) if g.key == gate)
