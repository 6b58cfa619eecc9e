"""Pilot routes under a program: the live proposal, recording it, confirming a set.

The gateway routes exactly `/api/v1/programs/{program_id}/pilot-proposal` and `/pilot-set` here;
the rest of `/api/v1/programs` belongs to the waves service. Every route works on the
locations in the caller's scope only: a regional admin is proposed, and may confirm,
pilots of its own regions, and sees nothing of the others.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Response, status

from services.readiness.locations.views import program_candidates
from services.readiness.pilots.candidates import Candidate
from services.readiness.pilots.domain import ConfirmPilotSet, ProposePilotSet
from services.readiness.pilots.handlers import confirm_pilot_set, propose_pilot_set
from services.readiness.pilots.projections import PilotSetsProjection
from services.readiness.pilots.schemas import PilotSetIn, PilotSetOut, ProposalOut
from services.readiness.pilots.views import confirmed_out, proposal_out
from services.readiness.programs.lookup import playbooks_for
from services.readiness.programs.views import get_program
from shared.access import require
from shared.app import ContextDep, RuntimeDep, read_your_writes
from shared.auth import CurrentPrincipal, Principal
from shared.playbooks import PilotSelection
from shared.runtime import Runtime

router = APIRouter(prefix="/api/v1", tags=["readiness"])


@router.get("/programs/{program_id}/pilot-proposal", response_model=ProposalOut)
async def pilot_proposal(program_id: str, principal: CurrentPrincipal, runtime: RuntimeDep) -> ProposalOut:
    """2-3 proposed pilots with a reason per pick and per rule, or what blocks a valid set; plus the confirmed set."""
    require(principal, "pilots:view")
    selection, candidates = await _program(runtime, principal, program_id)
    return await asyncio.to_thread(proposal_out, runtime.engine, principal=principal, program_id=program_id,
                                   selection=selection, candidates=candidates)


@router.post("/programs/{program_id}/pilot-proposal", status_code=status.HTTP_201_CREATED,
             response_model=ProposalOut)
async def record_pilot_proposal(
    program_id: str, response: Response, ctx: ContextDep, runtime: RuntimeDep,
) -> ProposalOut:
    """Records the current proposal as `PilotSetProposed` (the advice on the record for other systems)."""
    selection, candidates = await _program(runtime, ctx.principal, program_id)
    command = ProposePilotSet(program_id, selection, tuple(candidates), ctx.principal.subject)
    outcome = await propose_pilot_set(command, ctx)
    await read_your_writes(runtime, PilotSetsProjection.name, outcome.position, response)
    return await asyncio.to_thread(proposal_out, runtime.engine, principal=ctx.principal, program_id=program_id,
                                   selection=selection, candidates=candidates)


@router.post("/programs/{program_id}/pilot-set", status_code=status.HTTP_201_CREATED, response_model=PilotSetOut)
async def confirm_pilot_set_route(
    program_id: str, body: PilotSetIn, response: Response, ctx: ContextDep, runtime: RuntimeDep,
) -> PilotSetOut:
    """A regional admin confirms the pilots of its regions (as proposed or changed); emits `PilotSetConfirmed`."""
    selection, candidates = await _program(runtime, ctx.principal, program_id)
    command = ConfirmPilotSet(program_id, tuple(body.location_ids), selection, tuple(candidates),
                              ctx.principal.subject, body.note)
    outcome = await confirm_pilot_set(command, ctx)
    await read_your_writes(runtime, PilotSetsProjection.name, outcome.position, response)
    return await asyncio.to_thread(confirmed_out, runtime.engine, principal=ctx.principal, program_id=program_id)


async def _program(runtime: Runtime, principal: Principal, program_id: str) -> tuple[PilotSelection, list[Candidate]]:
    """The program's pilot-selection rules and its locations in the caller's scope (404 if not the org's)."""
    playbooks = await playbooks_for(runtime, principal.org, [program_id])
    await asyncio.to_thread(get_program, runtime.engine, org=principal.org, program_id=program_id)
    candidates = await asyncio.to_thread(program_candidates, runtime.engine, principal=principal,
                                         program_id=program_id)
    return playbooks[program_id].pilot_selection, candidates
