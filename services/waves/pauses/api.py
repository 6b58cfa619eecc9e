"""Pause HTTP routes: review, root cause, restart criteria, resume."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from fastapi import APIRouter, Response

from services.waves.gates.views import playbook_of
from services.waves.pauses import handlers, views
from services.waves.pauses.domain import MeetRestartCriterion, RecordReview, RecordRootCause, ResumeDeployment
from services.waves.pauses.schemas import CriterionBody, PauseStatus, ReviewBody, RootCauseBody
from services.waves.plan.domain import Plan
from services.waves.plan.projections import PlanProjection
from shared.aggregates import Outcome
from shared.app import ContextDep, EngineDep, RuntimeDep, read_your_writes
from shared.auth import CurrentPrincipal, Principal
from shared.runtime import Runtime

router = APIRouter(prefix="/api/v1/programs", tags=["pauses"])


async def _answer(outcome: Outcome[Plan], runtime: Runtime, response: Response, principal: Principal,
                  program_id: str, pause_id: str) -> PauseStatus:
    await read_your_writes(runtime, PlanProjection.name, outcome.position, response)
    return await asyncio.to_thread(views.pause, runtime.engine, principal=principal, program_id=program_id,
                                   pause_id=pause_id)


@router.get("/{program_id}/pauses", response_model=list[PauseStatus])
def list_pauses(program_id: str, principal: CurrentPrincipal, engine: EngineDep) -> list[PauseStatus]:
    """The program's pauses: review due/overdue, root cause, remediation deadline, restart checklist."""
    return views.pauses(engine, principal=principal, program_id=program_id)


@router.post("/{program_id}/pauses/{pause_id}/review", response_model=PauseStatus)
async def record_review(program_id: str, pause_id: str, body: ReviewBody, response: Response, ctx: ContextDep,
                        runtime: RuntimeDep) -> PauseStatus:
    """Records the incident review (`IncidentReviewRecorded`)."""
    command = RecordReview(program_id, pause_id, body.summary, datetime.now(UTC), ctx.principal.subject)
    outcome = await handlers.follow_up(command, ctx)
    return await _answer(outcome, runtime, response, ctx.principal, program_id, pause_id)


@router.post("/{program_id}/pauses/{pause_id}/root-cause", response_model=PauseStatus)
async def record_root_cause(program_id: str, pause_id: str, body: RootCauseBody, response: Response,
                            ctx: ContextDep, runtime: RuntimeDep) -> PauseStatus:
    """Records the categorised root cause and its remediation deadline (`RootCauseRecorded`)."""
    playbook = await asyncio.to_thread(playbook_of, runtime.engine, principal=ctx.principal, program_id=program_id)
    command = RecordRootCause(program_id, pause_id, body.category, body.description, playbook, datetime.now(UTC),
                              ctx.principal.subject)
    outcome = await handlers.follow_up(command, ctx)
    return await _answer(outcome, runtime, response, ctx.principal, program_id, pause_id)


@router.post("/{program_id}/pauses/{pause_id}/criteria/{criterion}", response_model=PauseStatus)
async def meet_criterion(program_id: str, pause_id: str, criterion: str, body: CriterionBody, response: Response,
                         ctx: ContextDep, runtime: RuntimeDep) -> PauseStatus:
    """Marks a restart criterion met (`RestartCriterionMet`)."""
    playbook = await asyncio.to_thread(playbook_of, runtime.engine, principal=ctx.principal, program_id=program_id)
    command = MeetRestartCriterion(program_id, pause_id, criterion, body.note, playbook, datetime.now(UTC),
                                   ctx.principal.subject)
    outcome = await handlers.follow_up(command, ctx)
    return await _answer(outcome, runtime, response, ctx.principal, program_id, pause_id)


@router.post("/{program_id}/pauses/{pause_id}/resume", response_model=PauseStatus)
async def resume(program_id: str, pause_id: str, response: Response, ctx: ContextDep,
                 runtime: RuntimeDep) -> PauseStatus:
    """Resumes deployment when every restart criterion is met (`DeploymentResumed`), else 409 naming them."""
    playbook = await asyncio.to_thread(playbook_of, runtime.engine, principal=ctx.principal, program_id=program_id)
    command = ResumeDeployment(program_id, pause_id, playbook, datetime.now(UTC), ctx.principal.subject)
    outcome = await handlers.resume(command, ctx)
    return await _answer(outcome, runtime, response, ctx.principal, program_id, pause_id)
