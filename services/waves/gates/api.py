"""Gate HTTP routes: evaluate, decide, the gate board."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from fastapi import APIRouter, Response

from services.waves.gates import handlers, views
from services.waves.gates.domain import DecideGate, EvaluateGate, criteria, evaluation, gate_of, with_thresholds
from services.waves.gates.schemas import GateDecisionBody, GateSimulation, GateStatus
from services.waves.plan.projections import PlanProjection
from shared.access import require
from shared.app import ContextDep, EngineDep, RuntimeDep, read_your_writes
from shared.auth import CurrentPrincipal
from shared.contracts.waves import GateEvaluated
from shared.events import new_id

router = APIRouter(prefix="/api/v1/programs", tags=["gates"])


@router.get("/{program_id}/gates", response_model=list[GateStatus])
def gate_board(program_id: str, principal: CurrentPrincipal, engine: EngineDep) -> list[GateStatus]:
    """The gate board: each gate, its latest evaluation, its decision, what is blocking."""
    return views.gate_board(engine, principal=principal, program_id=program_id)


@router.post("/{program_id}/gates/{gate}/evaluate", response_model=GateStatus)
async def evaluate_gate(
    program_id: str, gate: str, response: Response, ctx: ContextDep, runtime: RuntimeDep,
) -> GateStatus:
    """Evaluates the gate's criteria against the evidence projected so far; emits `GateEvaluated`."""
    at = datetime.now(UTC)
    evidence = await asyncio.to_thread(views.gate_evidence, runtime.engine, principal=ctx.principal,
                                       program_id=program_id, gate=gate, at=at)
    command = EvaluateGate(program_id, gate, evidence.playbook, evidence.wave, evidence.locations, at,
                           evaluation_id=new_id(), evaluated_by=ctx.principal.subject)
    outcome = await handlers.evaluate_gate(command, ctx)
    await read_your_writes(runtime, PlanProjection.name, outcome.position, response)
    return await asyncio.to_thread(views.gate_status, runtime.engine, principal=ctx.principal,
                                   program_id=program_id, gate=gate)


@router.post("/{program_id}/gates/{gate}/decision", response_model=GateStatus)
async def decide_gate(
    program_id: str, gate: str, body: GateDecisionBody, response: Response, ctx: ContextDep, runtime: RuntimeDep,
) -> GateStatus:
    """Records an executive's go / no-go (`GateDecisionRecorded`); a no-go emits `DeploymentPaused`."""
    playbook = await asyncio.to_thread(views.playbook_of, runtime.engine, principal=ctx.principal,
                                       program_id=program_id)
    command = DecideGate(program_id, gate, playbook, body.decision, body.rationale, body.override_reason,
                         decided_by=ctx.principal.subject, decider_role=ctx.principal.role, at=datetime.now(UTC),
                         pause_id=new_id())
    outcome = await handlers.decide_gate(command, ctx)
    await read_your_writes(runtime, PlanProjection.name, outcome.position, response)
    return await asyncio.to_thread(views.gate_status, runtime.engine, principal=ctx.principal,
                                   program_id=program_id, gate=gate)


@router.post("/{program_id}/gates/{gate}/simulate", response_model=GateEvaluated)
async def simulate_gate(program_id: str, gate: str, body: GateSimulation, principal: CurrentPrincipal,
                        runtime: RuntimeDep) -> GateEvaluated:
    """What-if: the gate evaluated on the recorded evidence under other thresholds or another set of locations,
    with the same evaluator as `evaluate`. Nothing is recorded."""
    require(principal, "gates:simulate")
    at = datetime.now(UTC)
    evidence = await asyncio.to_thread(views.gate_evidence, runtime.engine, principal=principal,
                                       program_id=program_id, gate=gate, at=at, location_ids=body.location_ids)
    checks = with_thresholds(criteria(evidence.playbook, gate_of(evidence.playbook, gate)), body.thresholds)
    command = EvaluateGate(program_id, gate, evidence.playbook, evidence.wave, evidence.locations, at,
                           evaluation_id="what-if", evaluated_by=principal.subject)
    return evaluation(command, checks)
